// Original file: proto/sluice/v1/coordinator.proto

import type { ShareStateRange as _sluice_v1_ShareStateRange, ShareStateRange__Output as _sluice_v1_ShareStateRange__Output } from '../../sluice/v1/ShareStateRange';
import type { Long } from '@grpc/proto-loader';

export interface WriteShareGroupStateRequest {
  'groupId'?: (string);
  'topic'?: (string);
  'partition'?: (number);
  /**
   * Writes from a leader epoch older than the stored one are FENCED_LEADER_EPOCH.
   */
  'leaderEpoch'?: (number);
  'stateEpoch'?: (number);
  'startOffset'?: (number | string | Long);
  'ranges'?: (_sluice_v1_ShareStateRange)[];
  /**
   * true: the whole state (initialization, or a new state epoch); false: a diff of changed ranges.
   */
  'snapshot'?: (boolean);
}

export interface WriteShareGroupStateRequest__Output {
  'groupId': (string);
  'topic': (string);
  'partition': (number);
  /**
   * Writes from a leader epoch older than the stored one are FENCED_LEADER_EPOCH.
   */
  'leaderEpoch': (number);
  'stateEpoch': (number);
  'startOffset': (string);
  'ranges': (_sluice_v1_ShareStateRange__Output)[];
  /**
   * true: the whole state (initialization, or a new state epoch); false: a diff of changed ranges.
   */
  'snapshot': (boolean);
}
