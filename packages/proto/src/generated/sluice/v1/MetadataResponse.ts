// Original file: proto/sluice/v1/broker.proto

import type { BrokerEndpoint as _sluice_v1_BrokerEndpoint, BrokerEndpoint__Output as _sluice_v1_BrokerEndpoint__Output } from '../../sluice/v1/BrokerEndpoint';
import type { TopicMetadata as _sluice_v1_TopicMetadata, TopicMetadata__Output as _sluice_v1_TopicMetadata__Output } from '../../sluice/v1/TopicMetadata';
import type { TopicPartitionCursor as _sluice_v1_TopicPartitionCursor, TopicPartitionCursor__Output as _sluice_v1_TopicPartitionCursor__Output } from '../../sluice/v1/TopicPartitionCursor';
import type { Long } from '@grpc/proto-loader';

export interface MetadataResponse {
  'clusterId'?: (string);
  'brokers'?: (_sluice_v1_BrokerEndpoint)[];
  'topics'?: (_sluice_v1_TopicMetadata)[];
  /**
   * The metadata offset this answer was read from.
   */
  'metadataOffset'?: (number | string | Long);
  /**
   * Unset on the last page.
   */
  'nextCursor'?: (_sluice_v1_TopicPartitionCursor | null);
}

export interface MetadataResponse__Output {
  'clusterId': (string);
  'brokers': (_sluice_v1_BrokerEndpoint__Output)[];
  'topics': (_sluice_v1_TopicMetadata__Output)[];
  /**
   * The metadata offset this answer was read from.
   */
  'metadataOffset': (string);
  /**
   * Unset on the last page.
   */
  'nextCursor': (_sluice_v1_TopicPartitionCursor__Output | null);
}
