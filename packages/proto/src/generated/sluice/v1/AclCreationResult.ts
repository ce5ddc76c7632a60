// Original file: proto/sluice/v1/controller.proto


export interface AclCreationResult {
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface AclCreationResult__Output {
  'errorName': (string);
  'errorMessage': (string);
}
