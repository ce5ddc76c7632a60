// Original file: proto/sluice/v1/broker.proto

import type { OffsetForLeaderEpochTopicResult as _sluice_v1_OffsetForLeaderEpochTopicResult, OffsetForLeaderEpochTopicResult__Output as _sluice_v1_OffsetForLeaderEpochTopicResult__Output } from '../../sluice/v1/OffsetForLeaderEpochTopicResult';

export interface OffsetForLeaderEpochResponse {
  'topics'?: (_sluice_v1_OffsetForLeaderEpochTopicResult)[];
}

export interface OffsetForLeaderEpochResponse__Output {
  'topics': (_sluice_v1_OffsetForLeaderEpochTopicResult__Output)[];
}
