// Original file: proto/sluice/v1/broker.proto

import type { ShareAcquiredRange as _sluice_v1_ShareAcquiredRange, ShareAcquiredRange__Output as _sluice_v1_ShareAcquiredRange__Output } from '../../sluice/v1/ShareAcquiredRange';

export interface ShareFetchPartitionResult {
  'partition'?: (number);
  /**
   * The fetch part's outcome ("" = success).
   */
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * The acknowledgements' outcome ("" = applied).
   */
  'acknowledgeErrorName'?: (string);
  'acknowledgeErrorMessage'?: (string);
  /**
   * Whole RecordBatch v2 bytes covering the acquired ranges; only records inside
   * `acquired_records` belong to this member.
   */
  'records'?: (Buffer | Uint8Array | string);
  'acquiredRecords'?: (_sluice_v1_ShareAcquiredRange)[];
  'leaderEpoch'?: (number);
}

export interface ShareFetchPartitionResult__Output {
  'partition': (number);
  /**
   * The fetch part's outcome ("" = success).
   */
  'errorName': (string);
  'errorMessage': (string);
  /**
   * The acknowledgements' outcome ("" = applied).
   */
  'acknowledgeErrorName': (string);
  'acknowledgeErrorMessage': (string);
  /**
   * Whole RecordBatch v2 bytes covering the acquired ranges; only records inside
   * `acquired_records` belong to this member.
   */
  'records': (Buffer);
  'acquiredRecords': (_sluice_v1_ShareAcquiredRange__Output)[];
  'leaderEpoch': (number);
}
