// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface ListOffsetsPartition {
  'partition'?: (number);
  /**
   * -2 earliest, -1 latest (the high watermark), otherwise a timestamp in ms.
   */
  'timestamp'?: (number | string | Long);
  'currentLeaderEpoch'?: (number);
}

export interface ListOffsetsPartition__Output {
  'partition': (number);
  /**
   * -2 earliest, -1 latest (the high watermark), otherwise a timestamp in ms.
   */
  'timestamp': (string);
  'currentLeaderEpoch': (number);
}
