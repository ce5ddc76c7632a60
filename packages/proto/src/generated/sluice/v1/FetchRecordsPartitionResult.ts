// Original file: proto/sluice/v1/broker.proto

import type { ConsumerRecord as _sluice_v1_ConsumerRecord, ConsumerRecord__Output as _sluice_v1_ConsumerRecord__Output } from '../../sluice/v1/ConsumerRecord';
import type { Long } from '@grpc/proto-loader';

export interface FetchRecordsPartitionResult {
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
  'highWatermark'?: (number | string | Long);
  'logStartOffset'?: (number | string | Long);
  'records'?: (_sluice_v1_ConsumerRecord)[];
  /**
   * Where the next FetchRecords of this partition should start: after the last record returned
   * (or after skipped control records), else the fetch_offset asked for.
   */
  'nextOffset'?: (number | string | Long);
}

export interface FetchRecordsPartitionResult__Output {
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
  'highWatermark': (string);
  'logStartOffset': (string);
  'records': (_sluice_v1_ConsumerRecord__Output)[];
  /**
   * Where the next FetchRecords of this partition should start: after the last record returned
   * (or after skipped control records), else the fetch_offset asked for.
   */
  'nextOffset': (string);
}
