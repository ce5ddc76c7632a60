// Original file: proto/sluice/v1/controller.proto

import type { ReassignablePartition as _sluice_v1_ReassignablePartition, ReassignablePartition__Output as _sluice_v1_ReassignablePartition__Output } from '../../sluice/v1/ReassignablePartition';

export interface AlterPartitionReassignmentsRequest {
  'partitions'?: (_sluice_v1_ReassignablePartition)[];
}

export interface AlterPartitionReassignmentsRequest__Output {
  'partitions': (_sluice_v1_ReassignablePartition__Output)[];
}
