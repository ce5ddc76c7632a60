// Original file: proto/sluice/v1/broker.proto

import type { ProducerRecord as _sluice_v1_ProducerRecord, ProducerRecord__Output as _sluice_v1_ProducerRecord__Output } from '../../sluice/v1/ProducerRecord';

export interface ProduceRecordsPartition {
  'partition'?: (number);
  'records'?: (_sluice_v1_ProducerRecord)[];
}

export interface ProduceRecordsPartition__Output {
  'partition': (number);
  'records': (_sluice_v1_ProducerRecord__Output)[];
}
