// Original file: proto/sluice/v1/broker.proto

import type { ProduceTopicResult as _sluice_v1_ProduceTopicResult, ProduceTopicResult__Output as _sluice_v1_ProduceTopicResult__Output } from '../../sluice/v1/ProduceTopicResult';

export interface ProduceRecordsResponse {
  /**
   * Per partition as Produce answers it: base_offset is the offset of the first record.
   */
  'topics'?: (_sluice_v1_ProduceTopicResult)[];
}

export interface ProduceRecordsResponse__Output {
  /**
   * Per partition as Produce answers it: base_offset is the offset of the first record.
   */
  'topics': (_sluice_v1_ProduceTopicResult__Output)[];
}
