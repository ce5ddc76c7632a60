// Original file: proto/sluice/v1/broker.proto

import type { ListOffsetsPartitionResult as _sluice_v1_ListOffsetsPartitionResult, ListOffsetsPartitionResult__Output as _sluice_v1_ListOffsetsPartitionResult__Output } from '../../sluice/v1/ListOffsetsPartitionResult';

export interface ListOffsetsTopicResult {
  'name'?: (string);
  'partitions'?: (_sluice_v1_ListOffsetsPartitionResult)[];
}

export interface ListOffsetsTopicResult__Output {
  'name': (string);
  'partitions': (_sluice_v1_ListOffsetsPartitionResult__Output)[];
}
