// Original file: proto/sluice/v1/controller.proto

import type { DeletableTopicResult as _sluice_v1_DeletableTopicResult, DeletableTopicResult__Output as _sluice_v1_DeletableTopicResult__Output } from '../../sluice/v1/DeletableTopicResult';

export interface DeleteTopicsResponse {
  'topics'?: (_sluice_v1_DeletableTopicResult)[];
}

export interface DeleteTopicsResponse__Output {
  'topics': (_sluice_v1_DeletableTopicResult__Output)[];
}
