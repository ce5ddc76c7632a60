// Original file: proto/sluice/v1/broker.proto

import type { ProducePartition as _sluice_v1_ProducePartition, ProducePartition__Output as _sluice_v1_ProducePartition__Output } from '../../sluice/v1/ProducePartition';

export interface ProduceTopic {
  'name'?: (string);
  'partitions'?: (_sluice_v1_ProducePartition)[];
}

export interface ProduceTopic__Output {
  'name': (string);
  'partitions': (_sluice_v1_ProducePartition__Output)[];
}
