// Original file: proto/sluice/v1/broker.proto


export interface ShareAcknowledgePartitionResult {
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface ShareAcknowledgePartitionResult__Output {
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
}
