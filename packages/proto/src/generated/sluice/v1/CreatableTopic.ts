// Original file: proto/sluice/v1/controller.proto

import type { ReplicaAssignment as _sluice_v1_ReplicaAssignment, ReplicaAssignment__Output as _sluice_v1_ReplicaAssignment__Output } from '../../sluice/v1/ReplicaAssignment';

export interface CreatableTopic {
  'name'?: (string);
  /**
   * -1: the cluster default (num.partitions).
   */
  'numPartitions'?: (number);
  /**
   * -1: the cluster default (default.replication.factor).
   */
  'replicationFactor'?: (number);
  /**
   * Explicit assignment: partition index -> broker ids. Excludes num_partitions/replication_factor.
   */
  'assignments'?: (_sluice_v1_ReplicaAssignment)[];
  'configs'?: ({[key: string]: string});
}

export interface CreatableTopic__Output {
  'name': (string);
  /**
   * -1: the cluster default (num.partitions).
   */
  'numPartitions': (number);
  /**
   * -1: the cluster default (default.replication.factor).
   */
  'replicationFactor': (number);
  /**
   * Explicit assignment: partition index -> broker ids. Excludes num_partitions/replication_factor.
   */
  'assignments': (_sluice_v1_ReplicaAssignment__Output)[];
  'configs': ({[key: string]: string});
}
