// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface EpochEndOffset {
  'epoch'?: (number);
  'endOffset'?: (number | string | Long);
}

export interface EpochEndOffset__Output {
  'epoch': (number);
  'endOffset': (string);
}
