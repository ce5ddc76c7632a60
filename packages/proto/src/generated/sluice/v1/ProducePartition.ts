// Original file: proto/sluice/v1/broker.proto


export interface ProducePartition {
  'partition'?: (number);
  /**
   * One or more RecordBatch v2 in Kafka's byte format.
   */
  'records'?: (Buffer | Uint8Array | string);
}

export interface ProducePartition__Output {
  'partition': (number);
  /**
   * One or more RecordBatch v2 in Kafka's byte format.
   */
  'records': (Buffer);
}
