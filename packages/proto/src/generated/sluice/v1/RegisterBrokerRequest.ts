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
  /**
   * KIP-858: the directory.id (meta.properties, Kafka Uuid text) of each of the broker's log
   * directories. A directory its previous registration reported and this one lacks (a new disk,
   * an emptied or re-formatted directory) means its replicas are lost: it leaves every ISR and
   * eligible leader replica set before it is unfenced. Empty: not reported.
   */
  'logDirs'?: (string)[];
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
  /**
   * KIP-858: the directory.id (meta.properties, Kafka Uuid text) of each of the broker's log
   * directories. A directory its previous registration reported and this one lacks (a new disk,
   * an emptied or re-formatted directory) means its replicas are lost: it leaves every ISR and
   * eligible leader replica set before it is unfenced. Empty: not reported.
   */
  'logDirs': (string)[];
}
