// Original file: proto/sluice/v1/coordinator.proto

import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from '../../sluice/v1/TopicPartitions';

export interface ShareGroupHeartbeatResponse {
  'memberId'?: (string);
  'memberEpoch'?: (number);
  'heartbeatIntervalMs'?: (number);
  /**
   * The partitions the member fetches from now; several members may share one partition.
   * `assignment_set` false: unchanged.
   */
  'assignment'?: (_sluice_v1_TopicPartitions)[];
  'assignmentSet'?: (boolean);
}

export interface ShareGroupHeartbeatResponse__Output {
  'memberId': (string);
  'memberEpoch': (number);
  'heartbeatIntervalMs': (number);
  /**
   * The partitions the member fetches from now; several members may share one partition.
   * `assignment_set` false: unchanged.
   */
  'assignment': (_sluice_v1_TopicPartitions__Output)[];
  'assignmentSet': (boolean);
}
