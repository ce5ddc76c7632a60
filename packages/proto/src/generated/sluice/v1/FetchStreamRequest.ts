// Original file: proto/sluice/v1/broker.proto

import type { FetchRequest as _sluice_v1_FetchRequest, FetchRequest__Output as _sluice_v1_FetchRequest__Output } from '../../sluice/v1/FetchRequest';
import type { Long } from '@grpc/proto-loader';

export interface FetchStreamRequest {
  /**
   * Chosen by the consumer, distinct among its unanswered requests on the stream; echoed back.
   */
  'correlationId'?: (number | string | Long);
  'request'?: (_sluice_v1_FetchRequest | null);
}

export interface FetchStreamRequest__Output {
  /**
   * Chosen by the consumer, distinct among its unanswered requests on the stream; echoed back.
   */
  'correlationId': (string);
  'request': (_sluice_v1_FetchRequest__Output | null);
}
