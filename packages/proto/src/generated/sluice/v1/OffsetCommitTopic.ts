// Original file: proto/sluice/v1/coordinator.proto

import type { OffsetCommitPartition as _sluice_v1_OffsetCommitPartition, OffsetCommitPartition__Output as _sluice_v1_OffsetCommitPartition__Output } from '../../sluice/v1/OffsetCommitPartition';

export interface OffsetCommitTopic {
  'name'?: (string);
  'partitions'?: (_sluice_v1_OffsetCommitPartition)[];
}

export interface OffsetCommitTopic__Output {
  'name': (string);
  'partitions': (_sluice_v1_OffsetCommitPartition__Output)[];
}
