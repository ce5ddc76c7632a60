// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface ShareAcknowledgementBatch {
  'firstOffset'?: (number | string | Long);
  'lastOffset'?: (number | string | Long);
  /**
   * ACCEPT, RELEASE (deliver again) or REJECT (archive).
   */
  'acknowledgeType'?: (string);
}

export interface ShareAcknowledgementBatch__Output {
  'firstOffset': (string);
  'lastOffset': (string);
  /**
   * ACCEPT, RELEASE (deliver again) or REJECT (archive).
   */
  'acknowledgeType': (string);
}
