// Original file: proto/sluice/v1/broker.proto

import type { FetchResponse as _sluice_v1_FetchResponse, FetchResponse__Output as _sluice_v1_FetchResponse__Output } from '../../sluice/v1/FetchResponse';
import type { Long } from '@grpc/proto-loader';

/**
 * Laid out as ReplicaFetchStreamResponse (the same fields and numbers).
 */
export interface FetchStreamResponse {
  'correlationId'?: (number | string | Long);
  /**
   * Set when the request was handled: what a unary Fetch would have answered.
   */
  'response'?: (_sluice_v1_FetchResponse | null);
  /**
   * A whole-request refusal, as a unary Fetch's gRPC error would carry it; "" when `response` is set.
   */
  'errorName'?: (string);
  'errorMessage'?: (string);
}

/**
 * Laid out as ReplicaFetchStreamResponse (the same fields and numbers).
 */
export interface FetchStreamResponse__Output {
  'correlationId': (string);
  /**
   * Set when the request was handled: what a unary Fetch would have answered.
   */
  'response': (_sluice_v1_FetchResponse__Output | null);
  /**
   * A whole-request refusal, as a unary Fetch's gRPC error would carry it; "" when `response` is set.
   */
  'errorName': (string);
  'errorMessage': (string);
}
