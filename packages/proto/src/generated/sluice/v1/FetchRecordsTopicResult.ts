// Original file: proto/sluice/v1/broker.proto

import type { FetchRecordsPartitionResult as _sluice_v1_FetchRecordsPartitionResult, FetchRecordsPartitionResult__Output as _sluice_v1_FetchRecordsPartitionResult__Output } from '../../sluice/v1/FetchRecordsPartitionResult';

export interface FetchRecordsTopicResult {
  'name'?: (string);
  'partitions'?: (_sluice_v1_FetchRecordsPartitionResult)[];
}

export interface FetchRecordsTopicResult__Output {
  'name': (string);
  'partitions': (_sluice_v1_FetchRecordsPartitionResult__Output)[];
}
