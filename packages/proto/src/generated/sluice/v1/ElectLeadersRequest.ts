// Original file: proto/sluice/v1/controller.proto

import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from '../../sluice/v1/TopicPartitions';

export interface ElectLeadersRequest {
  /**
   * "PREFERRED" or "UNCLEAN".
   */
  'electionType'?: (string);
  /**
   * Empty: every partition.
   */
  'topicPartitions'?: (_sluice_v1_TopicPartitions)[];
}

export interface ElectLeadersRequest__Output {
  /**
   * "PREFERRED" or "UNCLEAN".
   */
  'electionType': (string);
  /**
   * Empty: every partition.
   */
  'topicPartitions': (_sluice_v1_TopicPartitions__Output)[];
}
