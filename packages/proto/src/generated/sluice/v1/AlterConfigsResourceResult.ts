// Original file: proto/sluice/v1/controller.proto


export interface AlterConfigsResourceResult {
  'resourceType'?: (string);
  'resourceName'?: (string);
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface AlterConfigsResourceResult__Output {
  'resourceType': (string);
  'resourceName': (string);
  'errorName': (string);
  'errorMessage': (string);
}
