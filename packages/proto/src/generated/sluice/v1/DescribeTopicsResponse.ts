// Original file: proto/sluice/v1/controller.proto

import type { TopicDescription as _sluice_v1_TopicDescription, TopicDescription__Output as _sluice_v1_TopicDescription__Output } from '../../sluice/v1/TopicDescription';
import type { TopicPartitionCursor as _sluice_v1_TopicPartitionCursor, TopicPartitionCursor__Output as _sluice_v1_TopicPartitionCursor__Output } from '../../sluice/v1/TopicPartitionCursor';
import type { Long } from '@grpc/proto-loader';

export interface DescribeTopicsResponse {
  'topics'?: (_sluice_v1_TopicDescription)[];
  'metadataOffset'?: (number | string | Long);
  /**
   * Unset on the last page.
   */
  'nextCursor'?: (_sluice_v1_TopicPartitionCursor | null);
}

export interface DescribeTopicsResponse__Output {
  'topics': (_sluice_v1_TopicDescription__Output)[];
  'metadataOffset': (string);
  /**
   * Unset on the last page.
   */
  'nextCursor': (_sluice_v1_TopicPartitionCursor__Output | null);
}
