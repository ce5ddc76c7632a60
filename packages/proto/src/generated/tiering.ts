import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { DescribeTieredPartitionsRequest as _sluice_v1_DescribeTieredPartitionsRequest, DescribeTieredPartitionsRequest__Output as _sluice_v1_DescribeTieredPartitionsRequest__Output } from './sluice/v1/DescribeTieredPartitionsRequest';
import type { DescribeTieredPartitionsResponse as _sluice_v1_DescribeTieredPartitionsResponse, DescribeTieredPartitionsResponse__Output as _sluice_v1_DescribeTieredPartitionsResponse__Output } from './sluice/v1/DescribeTieredPartitionsResponse';
import type { ScrubRemoteStorageRequest as _sluice_v1_ScrubRemoteStorageRequest, ScrubRemoteStorageRequest__Output as _sluice_v1_ScrubRemoteStorageRequest__Output } from './sluice/v1/ScrubRemoteStorageRequest';
import type { ScrubRemoteStorageResponse as _sluice_v1_ScrubRemoteStorageResponse, ScrubRemoteStorageResponse__Output as _sluice_v1_ScrubRemoteStorageResponse__Output } from './sluice/v1/ScrubRemoteStorageResponse';
import type { TieredPartition as _sluice_v1_TieredPartition, TieredPartition__Output as _sluice_v1_TieredPartition__Output } from './sluice/v1/TieredPartition';
import type { TieredTopic as _sluice_v1_TieredTopic, TieredTopic__Output as _sluice_v1_TieredTopic__Output } from './sluice/v1/TieredTopic';
import type { TieringClient as _sluice_v1_TieringClient, TieringDefinition as _sluice_v1_TieringDefinition } from './sluice/v1/Tiering';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sluice: {
    v1: {
      DescribeTieredPartitionsRequest: MessageTypeDefinition<_sluice_v1_DescribeTieredPartitionsRequest, _sluice_v1_DescribeTieredPartitionsRequest__Output>
      DescribeTieredPartitionsResponse: MessageTypeDefinition<_sluice_v1_DescribeTieredPartitionsResponse, _sluice_v1_DescribeTieredPartitionsResponse__Output>
      ScrubRemoteStorageRequest: MessageTypeDefinition<_sluice_v1_ScrubRemoteStorageRequest, _sluice_v1_ScrubRemoteStorageRequest__Output>
      ScrubRemoteStorageResponse: MessageTypeDefinition<_sluice_v1_ScrubRemoteStorageResponse, _sluice_v1_ScrubRemoteStorageResponse__Output>
      TieredPartition: MessageTypeDefinition<_sluice_v1_TieredPartition, _sluice_v1_TieredPartition__Output>
      TieredTopic: MessageTypeDefinition<_sluice_v1_TieredTopic, _sluice_v1_TieredTopic__Output>
      Tiering: SubtypeConstructor<typeof grpc.Client, _sluice_v1_TieringClient> & { service: _sluice_v1_TieringDefinition }
    }
  }
}

