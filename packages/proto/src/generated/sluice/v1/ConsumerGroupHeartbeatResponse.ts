// Original file: proto/sluice/v1/coordinator.proto

import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from '../../sluice/v1/TopicPartitions';

export interface ConsumerGroupHeartbeatResponse {
  'memberId'?: (string);
  'memberEpoch'?: (number);
  'heartbeatIntervalMs'?: (number);
  /**
   * The partitions the member may own now; `assignment_set` false: unchanged.
   */
  'assignment'?: (_sluice_v1_TopicPartitions)[];
  'assignmentSet'?: (boolean);
}

export interface ConsumerGroupHeartbeatResponse__Output {
  'memberId': (string);
  'memberEpoch': (number);
  'heartbeatIntervalMs': (number);
  /**
   * The partitions the member may own now; `assignment_set` false: unchanged.
   */
  'assignment': (_sluice_v1_TopicPartitions__Output)[];
  'assignmentSet': (boolean);
}
