// Original file: proto/sluice/v1/controller.proto

import type { AlterPartitionItem as _sluice_v1_AlterPartitionItem, AlterPartitionItem__Output as _sluice_v1_AlterPartitionItem__Output } from '../../sluice/v1/AlterPartitionItem';

export interface AlterPartitionTopic {
  'topicId'?: (string);
  'partitions'?: (_sluice_v1_AlterPartitionItem)[];
}

export interface AlterPartitionTopic__Output {
  'topicId': (string);
  'partitions': (_sluice_v1_AlterPartitionItem__Output)[];
}
