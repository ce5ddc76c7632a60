// Original file: proto/sluice/v1/coordinator.proto

import type { OffsetCommitTopicResult as _sluice_v1_OffsetCommitTopicResult, OffsetCommitTopicResult__Output as _sluice_v1_OffsetCommitTopicResult__Output } from '../../sluice/v1/OffsetCommitTopicResult';

export interface OffsetCommitResponse {
  'topics'?: (_sluice_v1_OffsetCommitTopicResult)[];
}

export interface OffsetCommitResponse__Output {
  'topics': (_sluice_v1_OffsetCommitTopicResult__Output)[];
}
