// Original file: proto/sluice/v1/coordinator.proto


export interface GroupResult {
  'groupId'?: (string);
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface GroupResult__Output {
  'groupId': (string);
  'errorName': (string);
  'errorMessage': (string);
}
