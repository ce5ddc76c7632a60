// Original file: proto/sluice/v1/broker.proto

import type { ListOffsetsTopicResult as _sluice_v1_ListOffsetsTopicResult, ListOffsetsTopicResult__Output as _sluice_v1_ListOffsetsTopicResult__Output } from '../../sluice/v1/ListOffsetsTopicResult';

export interface ListOffsetsResponse {
  'topics'?: (_sluice_v1_ListOffsetsTopicResult)[];
}

export interface ListOffsetsResponse__Output {
  'topics': (_sluice_v1_ListOffsetsTopicResult__Output)[];
}
