// Original file: proto/sluice/v1/broker.proto

import type { ProduceTopic as _sluice_v1_ProduceTopic, ProduceTopic__Output as _sluice_v1_ProduceTopic__Output } from '../../sluice/v1/ProduceTopic';

export interface ProduceRequest {
  /**
   * 0 (no answer wanted beyond transport), 1 (leader wrote it), -1 (every in-sync replica has it).
   */
  'acks'?: (number);
  'timeoutMs'?: (number);
  'topics'?: (_sluice_v1_ProduceTopic)[];
}

export interface ProduceRequest__Output {
  /**
   * 0 (no answer wanted beyond transport), 1 (leader wrote it), -1 (every in-sync replica has it).
   */
  'acks': (number);
  'timeoutMs': (number);
  'topics': (_sluice_v1_ProduceTopic__Output)[];
}
