// Original file: proto/sluice/v1/common.proto


/**
 * Where a paged answer resumes (Kafka's DescribeTopicPartitions cursor, KIP-966): the topic by
 * name and the first partition index not yet answered. Answers that grow with the cluster
 * (DescribeTopics, Metadata) hand one back as `next_cursor` while more remains.
 */
export interface TopicPartitionCursor {
  'topicName'?: (string);
  'partitionIndex'?: (number);
}

/**
 * Where a paged answer resumes (Kafka's DescribeTopicPartitions cursor, KIP-966): the topic by
 * name and the first partition index not yet answered. Answers that grow with the cluster
 * (DescribeTopics, Metadata) hand one back as `next_cursor` while more remains.
 */
export interface TopicPartitionCursor__Output {
  'topicName': (string);
  'partitionIndex': (number);
}
