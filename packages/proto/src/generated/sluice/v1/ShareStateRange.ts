// Original file: proto/sluice/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One run of offsets in one durable state (Kafka's StateBatch).
 */
export interface ShareStateRange {
  'firstOffset'?: (number | string | Long);
  'lastOffset'?: (number | string | Long);
  /**
   * AVAILABLE, ACKNOWLEDGED or ARCHIVED (ACQUIRED is never persisted).
   */
  'state'?: (string);
  'deliveryCount'?: (number);
}

/**
 * One run of offsets in one durable state (Kafka's StateBatch).
 */
export interface ShareStateRange__Output {
  'firstOffset': (string);
  'lastOffset': (string);
  /**
   * AVAILABLE, ACKNOWLEDGED or ARCHIVED (ACQUIRED is never persisted).
   */
  'state': (string);
  'deliveryCount': (number);
}
