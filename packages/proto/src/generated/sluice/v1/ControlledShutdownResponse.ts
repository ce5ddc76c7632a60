// Original file: proto/sluice/v1/controller.proto

import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from '../../sluice/v1/TopicPartitions';

export interface ControlledShutdownResponse {
  /**
   * Partitions the broker still leads (it should wait and retry until empty).
   */
  'remainingPartitions'?: (_sluice_v1_TopicPartitions)[];
}

export interface ControlledShutdownResponse__Output {
  /**
   * Partitions the broker still leads (it should wait and retry until empty).
   */
  'remainingPartitions': (_sluice_v1_TopicPartitions__Output)[];
}
