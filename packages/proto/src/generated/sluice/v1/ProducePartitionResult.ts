// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface ProducePartitionResult {
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * Offset of the first record appended (-1 on error).
   */
  'baseOffset'?: (number | string | Long);
  /**
   * -1: CreateTime (the producer's timestamps are kept).
   */
  'logAppendTime'?: (number | string | Long);
  'logStartOffset'?: (number | string | Long);
}

export interface ProducePartitionResult__Output {
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
  /**
   * Offset of the first record appended (-1 on error).
   */
  'baseOffset': (string);
  /**
   * -1: CreateTime (the producer's timestamps are kept).
   */
  'logAppendTime': (string);
  'logStartOffset': (string);
}
