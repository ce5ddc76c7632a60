// Original file: proto/sluice/v1/controller.proto

import type { CreatePartitionsTopicResult as _sluice_v1_CreatePartitionsTopicResult, CreatePartitionsTopicResult__Output as _sluice_v1_CreatePartitionsTopicResult__Output } from '../../sluice/v1/CreatePartitionsTopicResult';

export interface CreatePartitionsResponse {
  'topics'?: (_sluice_v1_CreatePartitionsTopicResult)[];
}

export interface CreatePartitionsResponse__Output {
  'topics': (_sluice_v1_CreatePartitionsTopicResult__Output)[];
}
