// Original file: proto/sluice/v1/broker.proto

import type { ProducePartitionResult as _sluice_v1_ProducePartitionResult, ProducePartitionResult__Output as _sluice_v1_ProducePartitionResult__Output } from '../../sluice/v1/ProducePartitionResult';

export interface ProduceTopicResult {
  'name'?: (string);
  'partitions'?: (_sluice_v1_ProducePartitionResult)[];
}

export interface ProduceTopicResult__Output {
  'name': (string);
  'partitions': (_sluice_v1_ProducePartitionResult__Output)[];
}
