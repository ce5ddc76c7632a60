// Original file: proto/sluice/v1/coordinator.proto


export interface WriteShareGroupStateResponse {
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface WriteShareGroupStateResponse__Output {
  'errorName': (string);
  'errorMessage': (string);
}
