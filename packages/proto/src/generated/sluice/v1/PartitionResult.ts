// Original file: proto/sluice/v1/coordinator.proto


export interface PartitionResult {
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface PartitionResult__Output {
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
}
