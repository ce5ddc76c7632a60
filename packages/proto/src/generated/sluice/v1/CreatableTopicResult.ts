// Original file: proto/sluice/v1/controller.proto


export interface CreatableTopicResult {
  'name'?: (string);
  'topicId'?: (string);
  'errorName'?: (string);
  'errorMessage'?: (string);
  'numPartitions'?: (number);
  'replicationFactor'?: (number);
}

export interface CreatableTopicResult__Output {
  'name': (string);
  'topicId': (string);
  'errorName': (string);
  'errorMessage': (string);
  'numPartitions': (number);
  'replicationFactor': (number);
}
