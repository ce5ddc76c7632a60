// Original file: proto/sluice/v1/controller.proto


export interface ElectLeadersResult {
  'topic'?: (string);
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface ElectLeadersResult__Output {
  'topic': (string);
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
}
