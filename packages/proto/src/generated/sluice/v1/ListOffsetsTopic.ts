// Original file: proto/sluice/v1/broker.proto

import type { ListOffsetsPartition as _sluice_v1_ListOffsetsPartition, ListOffsetsPartition__Output as _sluice_v1_ListOffsetsPartition__Output } from '../../sluice/v1/ListOffsetsPartition';

export interface ListOffsetsTopic {
  'name'?: (string);
  'partitions'?: (_sluice_v1_ListOffsetsPartition)[];
}

export interface ListOffsetsTopic__Output {
  'name': (string);
  'partitions': (_sluice_v1_ListOffsetsPartition__Output)[];
}
