// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface InitProducerIdResponse {
  'producerId'?: (number | string | Long);
  'producerEpoch'?: (number);
}

export interface InitProducerIdResponse__Output {
  'producerId': (string);
  'producerEpoch': (number);
}
