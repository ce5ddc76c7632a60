// Original file: proto/sluice/v1/broker.proto

import type { FetchRecordsPartition as _sluice_v1_FetchRecordsPartition, FetchRecordsPartition__Output as _sluice_v1_FetchRecordsPartition__Output } from '../../sluice/v1/FetchRecordsPartition';

export interface FetchRecordsTopic {
  'name'?: (string);
  'partitions'?: (_sluice_v1_FetchRecordsPartition)[];
}

export interface FetchRecordsTopic__Output {
  'name': (string);
  'partitions': (_sluice_v1_FetchRecordsPartition__Output)[];
}
