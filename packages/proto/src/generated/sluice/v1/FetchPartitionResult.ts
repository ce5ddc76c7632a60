// Original file: proto/sluice/v1/broker.proto

import type { EpochEndOffset as _sluice_v1_EpochEndOffset, EpochEndOffset__Output as _sluice_v1_EpochEndOffset__Output } from '../../sluice/v1/EpochEndOffset';
import type { Long } from '@grpc/proto-loader';

export interface FetchPartitionResult {
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
  'highWatermark'?: (number | string | Long);
  'logStartOffset'?: (number | string | Long);
  /**
   * Whole RecordBatch v2 bytes as stored.
   */
  'records'?: (Buffer | Uint8Array | string);
  /**
   * Set when the fetcher's log diverged from the leader's: truncate to this and fetch again.
   */
  'divergingEpoch'?: (_sluice_v1_EpochEndOffset | null);
  'leaderEpoch'?: (number);
}

export interface FetchPartitionResult__Output {
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
  'highWatermark': (string);
  'logStartOffset': (string);
  /**
   * Whole RecordBatch v2 bytes as stored.
   */
  'records': (Buffer);
  /**
   * Set when the fetcher's log diverged from the leader's: truncate to this and fetch again.
   */
  'divergingEpoch': (_sluice_v1_EpochEndOffset__Output | null);
  'leaderEpoch': (number);
}
