// Original file: proto/sluice/v1/broker.proto

import type { TopicPartitionCursor as _sluice_v1_TopicPartitionCursor, TopicPartitionCursor__Output as _sluice_v1_TopicPartitionCursor__Output } from '../../sluice/v1/TopicPartitionCursor';

/**
 * Paged as the controller's DescribeTopics: at most `response_partition_limit` partitions per
 * answer (an unknown topic counts as one), `next_cursor` while more remains; every page lists the
 * brokers.
 */
export interface MetadataRequest {
  /**
   * Empty: every topic, in name order. Otherwise these topics, each once, in the order asked.
   */
  'topics'?: (string)[];
  /**
   * Where to resume: the previous answer's next_cursor. Unset: from the start.
   */
  'cursor'?: (_sluice_v1_TopicPartitionCursor | null);
  /**
   * 0: the broker's default (2,000); above its maximum (10,000) the maximum applies.
   */
  'responsePartitionLimit'?: (number);
}

/**
 * Paged as the controller's DescribeTopics: at most `response_partition_limit` partitions per
 * answer (an unknown topic counts as one), `next_cursor` while more remains; every page lists the
 * brokers.
 */
export interface MetadataRequest__Output {
  /**
   * Empty: every topic, in name order. Otherwise these topics, each once, in the order asked.
   */
  'topics': (string)[];
  /**
   * Where to resume: the previous answer's next_cursor. Unset: from the start.
   */
  'cursor': (_sluice_v1_TopicPartitionCursor__Output | null);
  /**
   * 0: the broker's default (2,000); above its maximum (10,000) the maximum applies.
   */
  'responsePartitionLimit': (number);
}
