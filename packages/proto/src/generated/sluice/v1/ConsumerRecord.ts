// Original file: proto/sluice/v1/broker.proto

import type { RecordHeader as _sluice_v1_RecordHeader, RecordHeader__Output as _sluice_v1_RecordHeader__Output } from '../../sluice/v1/RecordHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * A record as consumed: where it sits in the log and when it was created (or appended, for a
 * topic with message.timestamp.type=LogAppendTime).
 */
export interface ConsumerRecord {
  'offset'?: (number | string | Long);
  'timestampMs'?: (number | string | Long);
  'key'?: (Buffer | Uint8Array | string);
  'value'?: (Buffer | Uint8Array | string);
  'headers'?: (_sluice_v1_RecordHeader)[];
  '_key'?: "key";
  '_value'?: "value";
}

/**
 * A record as consumed: where it sits in the log and when it was created (or appended, for a
 * topic with message.timestamp.type=LogAppendTime).
 */
export interface ConsumerRecord__Output {
  'offset': (string);
  'timestampMs': (string);
  'key'?: (Buffer);
  'value'?: (Buffer);
  'headers': (_sluice_v1_RecordHeader__Output)[];
  '_key'?: "key";
  '_value'?: "value";
}
