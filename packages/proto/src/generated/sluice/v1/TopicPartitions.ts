// Original file: proto/sluice/v1/common.proto


/**
 * Partitions of one topic, by index (ElectLeaders, ControlledShutdown, group assignments).
 */
export interface TopicPartitions {
  'topic'?: (string);
  'partitions'?: (number)[];
}

/**
 * Partitions of one topic, by index (ElectLeaders, ControlledShutdown, group assignments).
 */
export interface TopicPartitions__Output {
  'topic': (string);
  'partitions': (number)[];
}
