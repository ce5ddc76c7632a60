// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface ListOffsetsPartitionResult {
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * -1 when no record is that recent.
   */
  'offset'?: (number | string | Long);
  'timestamp'?: (number | string | Long);
  'leaderEpoch'?: (number);
}

export interface ListOffsetsPartitionResult__Output {
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
  /**
   * -1 when no record is that recent.
   */
  'offset': (string);
  'timestamp': (string);
  'leaderEpoch': (number);
}
