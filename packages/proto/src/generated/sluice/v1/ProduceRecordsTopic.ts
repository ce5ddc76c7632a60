// Original file: proto/sluice/v1/broker.proto

import type { ProduceRecordsPartition as _sluice_v1_ProduceRecordsPartition, ProduceRecordsPartition__Output as _sluice_v1_ProduceRecordsPartition__Output } from '../../sluice/v1/ProduceRecordsPartition';

export interface ProduceRecordsTopic {
  'name'?: (string);
  'partitions'?: (_sluice_v1_ProduceRecordsPartition)[];
}

export interface ProduceRecordsTopic__Output {
  'name': (string);
  'partitions': (_sluice_v1_ProduceRecordsPartition__Output)[];
}
