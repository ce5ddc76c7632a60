// Original file: proto/sluice/v1/controller.proto

import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from '../../sluice/v1/TopicPartitions';

export interface ListPartitionReassignmentsRequest {
  /**
   * Empty: every partition with a reassignment in progress.
   */
  'topicPartitions'?: (_sluice_v1_TopicPartitions)[];
}

export interface ListPartitionReassignmentsRequest__Output {
  /**
   * Empty: every partition with a reassignment in progress.
   */
  'topicPartitions': (_sluice_v1_TopicPartitions__Output)[];
}
