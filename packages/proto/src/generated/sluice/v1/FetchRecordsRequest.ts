// Original file: proto/sluice/v1/broker.proto

import type { FetchRecordsTopic as _sluice_v1_FetchRecordsTopic, FetchRecordsTopic__Output as _sluice_v1_FetchRecordsTopic__Output } from '../../sluice/v1/FetchRecordsTopic';

export interface FetchRecordsRequest {
  'maxWaitMs'?: (number);
  'minBytes'?: (number);
  'maxBytes'?: (number);
  'topics'?: (_sluice_v1_FetchRecordsTopic)[];
}

export interface FetchRecordsRequest__Output {
  'maxWaitMs': (number);
  'minBytes': (number);
  'maxBytes': (number);
  'topics': (_sluice_v1_FetchRecordsTopic__Output)[];
}
