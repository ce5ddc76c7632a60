// Original file: proto/sluice/v1/controller.proto

import type { Long } from '@grpc/proto-loader';

export interface AllocateProducerIdsResponse {
  'producerIdStart'?: (number | string | Long);
  'producerIdLen'?: (number);
}

export interface AllocateProducerIdsResponse__Output {
  'producerIdStart': (string);
  'producerIdLen': (number);
}
