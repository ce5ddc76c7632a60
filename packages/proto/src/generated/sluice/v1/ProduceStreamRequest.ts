// Original file: proto/sluice/v1/broker.proto

import type { ProduceRequest as _sluice_v1_ProduceRequest, ProduceRequest__Output as _sluice_v1_ProduceRequest__Output } from '../../sluice/v1/ProduceRequest';
import type { Long } from '@grpc/proto-loader';

export interface ProduceStreamRequest {
  /**
   * Chosen by the client, unique among its unanswered requests on this stream; echoed back.
   */
  'correlationId'?: (number | string | Long);
  'request'?: (_sluice_v1_ProduceRequest | null);
}

export interface ProduceStreamRequest__Output {
  /**
   * Chosen by the client, unique among its unanswered requests on this stream; echoed back.
   */
  'correlationId': (string);
  'request': (_sluice_v1_ProduceRequest__Output | null);
}
