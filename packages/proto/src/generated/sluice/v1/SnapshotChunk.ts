// Original file: proto/sluice/v1/controller.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A snapshot in @sluice/metadata's snapshot format, split into chunks sent in order. The
 * receiver concatenates `data` until `last`, then loads it with loadSnapshot.
 */
export interface SnapshotChunk {
  'lastContainedOffset'?: (number | string | Long);
  'lastContainedEpoch'?: (number);
  'position'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'last'?: (boolean);
}

/**
 * A snapshot in @sluice/metadata's snapshot format, split into chunks sent in order. The
 * receiver concatenates `data` until `last`, then loads it with loadSnapshot.
 */
export interface SnapshotChunk__Output {
  'lastContainedOffset': (string);
  'lastContainedEpoch': (number);
  'position': (string);
  'data': (Buffer);
  'last': (boolean);
}
