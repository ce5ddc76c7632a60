// Original file: proto/sluice/v1/broker.proto

import type { FetchTopic as _sluice_v1_FetchTopic, FetchTopic__Output as _sluice_v1_FetchTopic__Output } from '../../sluice/v1/FetchTopic';
import type { Long } from '@grpc/proto-loader';

export interface FetchRequest {
  /**
   * -1 for consumers; a follower's broker id for replication.
   */
  'replicaId'?: (number);
  /**
   * The follower's broker epoch (KIP-903); -1 when unknown or a consumer.
   */
  'replicaEpoch'?: (number | string | Long);
  'maxWaitMs'?: (number);
  'minBytes'?: (number);
  'maxBytes'?: (number);
  'topics'?: (_sluice_v1_FetchTopic)[];
}

export interface FetchRequest__Output {
  /**
   * -1 for consumers; a follower's broker id for replication.
   */
  'replicaId': (number);
  /**
   * The follower's broker epoch (KIP-903); -1 when unknown or a consumer.
   */
  'replicaEpoch': (string);
  'maxWaitMs': (number);
  'minBytes': (number);
  'maxBytes': (number);
  'topics': (_sluice_v1_FetchTopic__Output)[];
}
