// Original file: proto/sluice/v1/broker.proto

import type { ShareFetchTopicResult as _sluice_v1_ShareFetchTopicResult, ShareFetchTopicResult__Output as _sluice_v1_ShareFetchTopicResult__Output } from '../../sluice/v1/ShareFetchTopicResult';

export interface ShareFetchResponse {
  'topics'?: (_sluice_v1_ShareFetchTopicResult)[];
}

export interface ShareFetchResponse__Output {
  'topics': (_sluice_v1_ShareFetchTopicResult__Output)[];
}
