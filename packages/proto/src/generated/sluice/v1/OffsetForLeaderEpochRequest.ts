// Original file: proto/sluice/v1/broker.proto

import type { OffsetForLeaderEpochTopic as _sluice_v1_OffsetForLeaderEpochTopic, OffsetForLeaderEpochTopic__Output as _sluice_v1_OffsetForLeaderEpochTopic__Output } from '../../sluice/v1/OffsetForLeaderEpochTopic';

export interface OffsetForLeaderEpochRequest {
  /**
   * -1 for clients; a follower's broker id.
   */
  'replicaId'?: (number);
  'topics'?: (_sluice_v1_OffsetForLeaderEpochTopic)[];
}

export interface OffsetForLeaderEpochRequest__Output {
  /**
   * -1 for clients; a follower's broker id.
   */
  'replicaId': (number);
  'topics': (_sluice_v1_OffsetForLeaderEpochTopic__Output)[];
}
