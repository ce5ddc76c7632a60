// Original file: proto/sluice/v1/controller.proto

import type { AlterPartitionTopicResult as _sluice_v1_AlterPartitionTopicResult, AlterPartitionTopicResult__Output as _sluice_v1_AlterPartitionTopicResult__Output } from '../../sluice/v1/AlterPartitionTopicResult';

export interface AlterPartitionResponse {
  'topics'?: (_sluice_v1_AlterPartitionTopicResult)[];
}

export interface AlterPartitionResponse__Output {
  'topics': (_sluice_v1_AlterPartitionTopicResult__Output)[];
}
