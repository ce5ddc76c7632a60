// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface InitProducerIdRequest {
  /**
   * -1 / -1: a new producer id. A producer's current id and epoch: the same id with the next
   * epoch (KIP-360), so a producer that gave up on a batch can restart its sequences safely.
   */
  'producerId'?: (number | string | Long);
  'producerEpoch'?: (number);
}

export interface InitProducerIdRequest__Output {
  /**
   * -1 / -1: a new producer id. A producer's current id and epoch: the same id with the next
   * epoch (KIP-360), so a producer that gave up on a batch can restart its sequences safely.
   */
  'producerId': (string);
  'producerEpoch': (number);
}
