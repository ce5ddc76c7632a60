// Original file: proto/sluice/v1/broker.proto

import type { FetchRecordsTopicResult as _sluice_v1_FetchRecordsTopicResult, FetchRecordsTopicResult__Output as _sluice_v1_FetchRecordsTopicResult__Output } from '../../sluice/v1/FetchRecordsTopicResult';

export interface FetchRecordsResponse {
  'topics'?: (_sluice_v1_FetchRecordsTopicResult)[];
}

export interface FetchRecordsResponse__Output {
  'topics': (_sluice_v1_FetchRecordsTopicResult__Output)[];
}
