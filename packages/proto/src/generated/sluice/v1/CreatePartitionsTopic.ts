// Original file: proto/sluice/v1/controller.proto

import type { ReplicaAssignment as _sluice_v1_ReplicaAssignment, ReplicaAssignment__Output as _sluice_v1_ReplicaAssignment__Output } from '../../sluice/v1/ReplicaAssignment';

export interface CreatePartitionsTopic {
  'name'?: (string);
  /**
   * The new total partition count.
   */
  'count'?: (number);
  /**
   * Optional assignment of the new partitions only.
   */
  'assignments'?: (_sluice_v1_ReplicaAssignment)[];
}

export interface CreatePartitionsTopic__Output {
  'name': (string);
  /**
   * The new total partition count.
   */
  'count': (number);
  /**
   * Optional assignment of the new partitions only.
   */
  'assignments': (_sluice_v1_ReplicaAssignment__Output)[];
}
