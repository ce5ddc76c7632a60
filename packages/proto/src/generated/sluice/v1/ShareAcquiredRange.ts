// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface ShareAcquiredRange {
  'firstOffset'?: (number | string | Long);
  'lastOffset'?: (number | string | Long);
  'deliveryCount'?: (number);
}

export interface ShareAcquiredRange__Output {
  'firstOffset': (string);
  'lastOffset': (string);
  'deliveryCount': (number);
}
