// Original file: proto/sluice/v1/broker.proto

import type { ProduceTopicResult as _sluice_v1_ProduceTopicResult, ProduceTopicResult__Output as _sluice_v1_ProduceTopicResult__Output } from '../../sluice/v1/ProduceTopicResult';

export interface ProduceResponse {
  'topics'?: (_sluice_v1_ProduceTopicResult)[];
  /**
   * Kafka's throttle_time_ms: how long the broker held this answer back (its log directory below
   * log.dir.throttle.free.bytes: producers slow down before the hard refusal); 0 = not throttled.
   */
  'throttleTimeMs'?: (number);
}

export interface ProduceResponse__Output {
  'topics': (_sluice_v1_ProduceTopicResult__Output)[];
  /**
   * Kafka's throttle_time_ms: how long the broker held this answer back (its log directory below
   * log.dir.throttle.free.bytes: producers slow down before the hard refusal); 0 = not throttled.
   */
  'throttleTimeMs': (number);
}
