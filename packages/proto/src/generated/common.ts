import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Empty as _sluice_v1_Empty, Empty__Output as _sluice_v1_Empty__Output } from './sluice/v1/Empty';
import type { ItemError as _sluice_v1_ItemError, ItemError__Output as _sluice_v1_ItemError__Output } from './sluice/v1/ItemError';
import type { Listener as _sluice_v1_Listener, Listener__Output as _sluice_v1_Listener__Output } from './sluice/v1/Listener';
import type { TopicPartitionCursor as _sluice_v1_TopicPartitionCursor, TopicPartitionCursor__Output as _sluice_v1_TopicPartitionCursor__Output } from './sluice/v1/TopicPartitionCursor';
import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from './sluice/v1/TopicPartitions';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sluice: {
    v1: {
      Empty: MessageTypeDefinition<_sluice_v1_Empty, _sluice_v1_Empty__Output>
      ItemError: MessageTypeDefinition<_sluice_v1_ItemError, _sluice_v1_ItemError__Output>
      Listener: MessageTypeDefinition<_sluice_v1_Listener, _sluice_v1_Listener__Output>
      TopicPartitionCursor: MessageTypeDefinition<_sluice_v1_TopicPartitionCursor, _sluice_v1_TopicPartitionCursor__Output>
      TopicPartitions: MessageTypeDefinition<_sluice_v1_TopicPartitions, _sluice_v1_TopicPartitions__Output>
    }
  }
}

