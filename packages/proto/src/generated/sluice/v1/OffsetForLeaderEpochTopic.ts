// Original file: proto/sluice/v1/broker.proto

import type { OffsetForLeaderEpochPartition as _sluice_v1_OffsetForLeaderEpochPartition, OffsetForLeaderEpochPartition__Output as _sluice_v1_OffsetForLeaderEpochPartition__Output } from '../../sluice/v1/OffsetForLeaderEpochPartition';

export interface OffsetForLeaderEpochTopic {
  'name'?: (string);
  'partitions'?: (_sluice_v1_OffsetForLeaderEpochPartition)[];
}

export interface OffsetForLeaderEpochTopic__Output {
  'name': (string);
  'partitions': (_sluice_v1_OffsetForLeaderEpochPartition__Output)[];
}
