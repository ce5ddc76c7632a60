// Original file: proto/sluice/v1/broker.proto

import type { ShareAcknowledgeTopicResult as _sluice_v1_ShareAcknowledgeTopicResult, ShareAcknowledgeTopicResult__Output as _sluice_v1_ShareAcknowledgeTopicResult__Output } from '../../sluice/v1/ShareAcknowledgeTopicResult';

export interface ShareAcknowledgeResponse {
  'topics'?: (_sluice_v1_ShareAcknowledgeTopicResult)[];
}

export interface ShareAcknowledgeResponse__Output {
  'topics': (_sluice_v1_ShareAcknowledgeTopicResult__Output)[];
}
