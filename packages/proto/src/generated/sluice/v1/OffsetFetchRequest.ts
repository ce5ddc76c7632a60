// Original file: proto/sluice/v1/coordinator.proto

import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from '../../sluice/v1/TopicPartitions';

export interface OffsetFetchRequest {
  'groupId'?: (string);
  /**
   * Empty: every committed offset of the group.
   */
  'partitions'?: (_sluice_v1_TopicPartitions)[];
}

export interface OffsetFetchRequest__Output {
  'groupId': (string);
  /**
   * Empty: every committed offset of the group.
   */
  'partitions': (_sluice_v1_TopicPartitions__Output)[];
}
