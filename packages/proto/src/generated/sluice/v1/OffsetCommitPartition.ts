// Original file: proto/sluice/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface OffsetCommitPartition {
  'partition'?: (number);
  'offset'?: (number | string | Long);
  'leaderEpoch'?: (number);
  'metadata'?: (string);
}

export interface OffsetCommitPartition__Output {
  'partition': (number);
  'offset': (string);
  'leaderEpoch': (number);
  'metadata': (string);
}
