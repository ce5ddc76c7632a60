// Original file: proto/sluice/v1/broker.proto

import type { FetchPartition as _sluice_v1_FetchPartition, FetchPartition__Output as _sluice_v1_FetchPartition__Output } from '../../sluice/v1/FetchPartition';

export interface FetchTopic {
  'name'?: (string);
  'partitions'?: (_sluice_v1_FetchPartition)[];
}

export interface FetchTopic__Output {
  'name': (string);
  'partitions': (_sluice_v1_FetchPartition__Output)[];
}
