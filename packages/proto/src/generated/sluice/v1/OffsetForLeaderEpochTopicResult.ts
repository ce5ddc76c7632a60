// Original file: proto/sluice/v1/broker.proto

import type { OffsetForLeaderEpochPartitionResult as _sluice_v1_OffsetForLeaderEpochPartitionResult, OffsetForLeaderEpochPartitionResult__Output as _sluice_v1_OffsetForLeaderEpochPartitionResult__Output } from '../../sluice/v1/OffsetForLeaderEpochPartitionResult';

export interface OffsetForLeaderEpochTopicResult {
  'name'?: (string);
  'partitions'?: (_sluice_v1_OffsetForLeaderEpochPartitionResult)[];
}

export interface OffsetForLeaderEpochTopicResult__Output {
  'name': (string);
  'partitions': (_sluice_v1_OffsetForLeaderEpochPartitionResult__Output)[];
}
