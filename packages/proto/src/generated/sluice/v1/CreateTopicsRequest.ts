// Original file: proto/sluice/v1/controller.proto

import type { CreatableTopic as _sluice_v1_CreatableTopic, CreatableTopic__Output as _sluice_v1_CreatableTopic__Output } from '../../sluice/v1/CreatableTopic';

export interface CreateTopicsRequest {
  'topics'?: (_sluice_v1_CreatableTopic)[];
  /**
   * Validate only; change nothing (Kafka's validateOnly).
   */
  'validateOnly'?: (boolean);
}

export interface CreateTopicsRequest__Output {
  'topics': (_sluice_v1_CreatableTopic__Output)[];
  /**
   * Validate only; change nothing (Kafka's validateOnly).
   */
  'validateOnly': (boolean);
}
