// Original file: proto/sluice/v1/broker.proto

import type { ProduceRecordsTopic as _sluice_v1_ProduceRecordsTopic, ProduceRecordsTopic__Output as _sluice_v1_ProduceRecordsTopic__Output } from '../../sluice/v1/ProduceRecordsTopic';

export interface ProduceRecordsRequest {
  /**
   * As ProduceRequest.acks: 0, 1 or -1 (all in-sync replicas).
   */
  'acks'?: (number);
  'timeoutMs'?: (number);
  'topics'?: (_sluice_v1_ProduceRecordsTopic)[];
}

export interface ProduceRecordsRequest__Output {
  /**
   * As ProduceRequest.acks: 0, 1 or -1 (all in-sync replicas).
   */
  'acks': (number);
  'timeoutMs': (number);
  'topics': (_sluice_v1_ProduceRecordsTopic__Output)[];
}
