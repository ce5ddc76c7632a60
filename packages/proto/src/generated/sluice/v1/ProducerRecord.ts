// Original file: proto/sluice/v1/broker.proto

import type { RecordHeader as _sluice_v1_RecordHeader, RecordHeader__Output as _sluice_v1_RecordHeader__Output } from '../../sluice/v1/RecordHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * A record to produce. An absent key or value is Kafka's null (a null value is a tombstone on a
 * compacted topic).
 */
export interface ProducerRecord {
  'key'?: (Buffer | Uint8Array | string);
  'value'?: (Buffer | Uint8Array | string);
  'headers'?: (_sluice_v1_RecordHeader)[];
  /**
   * CreateTime in milliseconds since the epoch; 0 (or absent): the broker's clock when it encodes.
   */
  'timestampMs'?: (number | string | Long);
  '_key'?: "key";
  '_value'?: "value";
}

/**
 * A record to produce. An absent key or value is Kafka's null (a null value is a tombstone on a
 * compacted topic).
 */
export interface ProducerRecord__Output {
  'key'?: (Buffer);
  'value'?: (Buffer);
  'headers': (_sluice_v1_RecordHeader__Output)[];
  /**
   * CreateTime in milliseconds since the epoch; 0 (or absent): the broker's clock when it encodes.
   */
  'timestampMs': (string);
  '_key'?: "key";
  '_value'?: "value";
}
