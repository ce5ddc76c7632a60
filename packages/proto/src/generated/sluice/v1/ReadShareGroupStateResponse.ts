// Original file: proto/sluice/v1/coordinator.proto

import type { ShareStateRange as _sluice_v1_ShareStateRange, ShareStateRange__Output as _sluice_v1_ShareStateRange__Output } from '../../sluice/v1/ShareStateRange';
import type { Long } from '@grpc/proto-loader';

export interface ReadShareGroupStateResponse {
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * false: nothing stored yet for this share partition (the leader initializes it).
   */
  'found'?: (boolean);
  'stateEpoch'?: (number);
  'startOffset'?: (number | string | Long);
  'ranges'?: (_sluice_v1_ShareStateRange)[];
}

export interface ReadShareGroupStateResponse__Output {
  'errorName': (string);
  'errorMessage': (string);
  /**
   * false: nothing stored yet for this share partition (the leader initializes it).
   */
  'found': (boolean);
  'stateEpoch': (number);
  'startOffset': (string);
  'ranges': (_sluice_v1_ShareStateRange__Output)[];
}
