// Original file: proto/sluice/v1/coordinator.proto

import type { PartitionResult as _sluice_v1_PartitionResult, PartitionResult__Output as _sluice_v1_PartitionResult__Output } from '../../sluice/v1/PartitionResult';

export interface OffsetCommitTopicResult {
  'name'?: (string);
  'partitions'?: (_sluice_v1_PartitionResult)[];
}

export interface OffsetCommitTopicResult__Output {
  'name': (string);
  'partitions': (_sluice_v1_PartitionResult__Output)[];
}
