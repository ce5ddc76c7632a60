// Original file: proto/sluice/v1/broker.proto

import type { FetchTopicResult as _sluice_v1_FetchTopicResult, FetchTopicResult__Output as _sluice_v1_FetchTopicResult__Output } from '../../sluice/v1/FetchTopicResult';

export interface FetchResponse {
  'topics'?: (_sluice_v1_FetchTopicResult)[];
}

export interface FetchResponse__Output {
  'topics': (_sluice_v1_FetchTopicResult__Output)[];
}
