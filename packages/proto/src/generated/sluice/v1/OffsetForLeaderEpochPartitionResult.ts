// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface OffsetForLeaderEpochPartitionResult {
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * -1 / -1: unknown (UNDEFINED).
   */
  'leaderEpoch'?: (number);
  'endOffset'?: (number | string | Long);
}

export interface OffsetForLeaderEpochPartitionResult__Output {
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
  /**
   * -1 / -1: unknown (UNDEFINED).
   */
  'leaderEpoch': (number);
  'endOffset': (string);
}
