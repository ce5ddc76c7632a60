// Original file: proto/sluice/v1/broker.proto

import type { ProduceTopicResult as _sluice_v1_ProduceTopicResult, ProduceTopicResult__Output as _sluice_v1_ProduceTopicResult__Output } from '../../sluice/v1/ProduceTopicResult';

export interface ProduceResponse {
  'topics'?: (_sluice_v1_ProduceTopicResult)[];
}

export interface ProduceResponse__Output {
  'topics': (_sluice_v1_ProduceTopicResult__Output)[];
}
