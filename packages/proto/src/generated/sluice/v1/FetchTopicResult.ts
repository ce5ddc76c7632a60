// Original file: proto/sluice/v1/broker.proto

import type { FetchPartitionResult as _sluice_v1_FetchPartitionResult, FetchPartitionResult__Output as _sluice_v1_FetchPartitionResult__Output } from '../../sluice/v1/FetchPartitionResult';

export interface FetchTopicResult {
  'name'?: (string);
  'partitions'?: (_sluice_v1_FetchPartitionResult)[];
}

export interface FetchTopicResult__Output {
  'name': (string);
  'partitions': (_sluice_v1_FetchPartitionResult__Output)[];
}
