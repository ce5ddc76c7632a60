// Original file: proto/sluice/v1/controller.proto


export interface CreatePartitionsTopicResult {
  'name'?: (string);
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface CreatePartitionsTopicResult__Output {
  'name': (string);
  'errorName': (string);
  'errorMessage': (string);
}
