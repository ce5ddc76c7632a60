// Original file: proto/sluice/v1/controller.proto

import type { TopicPartitionCursor as _sluice_v1_TopicPartitionCursor, TopicPartitionCursor__Output as _sluice_v1_TopicPartitionCursor__Output } from '../../sluice/v1/TopicPartitionCursor';

/**
 * Paged like Kafka's DescribeTopicPartitions (KIP-966): an answer holds at most
 * `response_partition_limit` partitions (an unknown topic counts as one); while more remains it
 * carries `next_cursor`, which the next request sends back as `cursor`. A topic larger than one
 * page is split across pages (its partitions in index order, its configs on every page).
 */
export interface DescribeTopicsRequest {
  /**
   * Empty: every topic, in name order. Otherwise these topics, each once, in the order asked.
   */
  'names'?: (string)[];
  /**
   * Where to resume: the previous answer's next_cursor. Unset: from the start. With `names` it
   * must name one of them.
   */
  'cursor'?: (_sluice_v1_TopicPartitionCursor | null);
  /**
   * 0: the server's default (2,000); above the server's maximum (10,000) the maximum applies.
   */
  'responsePartitionLimit'?: (number);
}

/**
 * Paged like Kafka's DescribeTopicPartitions (KIP-966): an answer holds at most
 * `response_partition_limit` partitions (an unknown topic counts as one); while more remains it
 * carries `next_cursor`, which the next request sends back as `cursor`. A topic larger than one
 * page is split across pages (its partitions in index order, its configs on every page).
 */
export interface DescribeTopicsRequest__Output {
  /**
   * Empty: every topic, in name order. Otherwise these topics, each once, in the order asked.
   */
  'names': (string)[];
  /**
   * Where to resume: the previous answer's next_cursor. Unset: from the start. With `names` it
   * must name one of them.
   */
  'cursor': (_sluice_v1_TopicPartitionCursor__Output | null);
  /**
   * 0: the server's default (2,000); above the server's maximum (10,000) the maximum applies.
   */
  'responsePartitionLimit': (number);
}
