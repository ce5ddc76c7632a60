// Original file: proto/sluice/v1/controller.proto

import type { AlterPartitionItemResult as _sluice_v1_AlterPartitionItemResult, AlterPartitionItemResult__Output as _sluice_v1_AlterPartitionItemResult__Output } from '../../sluice/v1/AlterPartitionItemResult';

export interface AlterPartitionTopicResult {
  'topicId'?: (string);
  'partitions'?: (_sluice_v1_AlterPartitionItemResult)[];
}

export interface AlterPartitionTopicResult__Output {
  'topicId': (string);
  'partitions': (_sluice_v1_AlterPartitionItemResult__Output)[];
}
