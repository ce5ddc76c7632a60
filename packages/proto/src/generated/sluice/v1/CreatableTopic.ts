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
  /**
   * Optional: the topic id the client chose (a Kafka Uuid, 22 base64url characters); empty: the
   * controller draws one. It makes the create safe to retry after a lost answer (a timeout, a
   * leader change): a retry that finds this name already carrying this id, with the layout and
   * configs asked, answers success instead of TOPIC_ALREADY_EXISTS. An id already naming
   * another topic, or not a Uuid, is INVALID_REQUEST.
   */
  'topicId'?: (string);
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
  /**
   * Optional: the topic id the client chose (a Kafka Uuid, 22 base64url characters); empty: the
   * controller draws one. It makes the create safe to retry after a lost answer (a timeout, a
   * leader change): a retry that finds this name already carrying this id, with the layout and
   * configs asked, answers success instead of TOPIC_ALREADY_EXISTS. An id already naming
   * another topic, or not a Uuid, is INVALID_REQUEST.
   */
  'topicId': (string);
}
