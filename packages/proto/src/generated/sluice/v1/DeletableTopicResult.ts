// Original file: proto/sluice/v1/controller.proto


export interface DeletableTopicResult {
  'name'?: (string);
  'topicId'?: (string);
  'errorName'?: (string);
  'errorMessage'?: (string);
}

export interface DeletableTopicResult__Output {
  'name': (string);
  'topicId': (string);
  'errorName': (string);
  'errorMessage': (string);
}
