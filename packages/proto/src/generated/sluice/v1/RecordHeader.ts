// Original file: proto/sluice/v1/broker.proto


/**
 * One record's header. An absent value is Kafka's null header value.
 */
export interface RecordHeader {
  'key'?: (string);
  'value'?: (Buffer | Uint8Array | string);
  '_value'?: "value";
}

/**
 * One record's header. An absent value is Kafka's null header value.
 */
export interface RecordHeader__Output {
  'key': (string);
  'value'?: (Buffer);
  '_value'?: "value";
}
