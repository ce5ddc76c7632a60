// Original file: proto/sluice/v1/controller.proto


export interface ReassignmentResult {
  'topic'?: (string);
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface ReassignmentResult__Output {
  'topic': (string);
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
}
