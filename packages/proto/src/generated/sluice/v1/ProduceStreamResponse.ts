// Original file: proto/sluice/v1/broker.proto

import type { ProduceResponse as _sluice_v1_ProduceResponse, ProduceResponse__Output as _sluice_v1_ProduceResponse__Output } from '../../sluice/v1/ProduceResponse';
import type { Long } from '@grpc/proto-loader';

export interface ProduceStreamResponse {
  'correlationId'?: (number | string | Long);
  /**
   * Set when the request was handled (per-partition errors live inside it).
   */
  'response'?: (_sluice_v1_ProduceResponse | null);
  /**
   * A whole-request refusal (e.g. INVALID_REQUIRED_ACKS), as a unary Produce's gRPC error would
   * carry it; "" when `response` is set.
   */
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface ProduceStreamResponse__Output {
  'correlationId': (string);
  /**
   * Set when the request was handled (per-partition errors live inside it).
   */
  'response': (_sluice_v1_ProduceResponse__Output | null);
  /**
   * A whole-request refusal (e.g. INVALID_REQUIRED_ACKS), as a unary Produce's gRPC error would
   * carry it; "" when `response` is set.
   */
  'errorName': (string);
  'errorMessage': (string);
}
