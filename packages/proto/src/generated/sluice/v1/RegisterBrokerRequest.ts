// Original file: proto/sluice/v1/controller.proto

import type { Listener as _sluice_v1_Listener, Listener__Output as _sluice_v1_Listener__Output } from '../../sluice/v1/Listener';

export interface RegisterBrokerRequest {
  'brokerId'?: (number);
  'clusterId'?: (string);
  /**
   * Kafka Uuid text (22 chars base64url); a new one per broker process start.
   */
  'incarnationId'?: (string);
  'listeners'?: (_sluice_v1_Listener)[];
  /**
   * empty: no rack
   */
  'rack'?: (string);
}

export interface RegisterBrokerRequest__Output {
  'brokerId': (number);
  'clusterId': (string);
  /**
   * Kafka Uuid text (22 chars base64url); a new one per broker process start.
   */
  'incarnationId': (string);
  'listeners': (_sluice_v1_Listener__Output)[];
  /**
   * empty: no rack
   */
  'rack': (string);
}
