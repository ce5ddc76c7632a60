// Original file: proto/sluice/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface CommittedOffset {
  'topic'?: (string);
  'partition'?: (number);
  /**
   * -1: nothing committed.
   */
  'offset'?: (number | string | Long);
  'leaderEpoch'?: (number);
  'metadata'?: (string);
}

export interface CommittedOffset__Output {
  'topic': (string);
  'partition': (number);
  /**
   * -1: nothing committed.
   */
  'offset': (string);
  'leaderEpoch': (number);
  'metadata': (string);
}
