// Original file: proto/sluice/v1/controller.proto


export interface AlterPartitionItemResult {
  'partition'?: (number);
  'errorName'?: (string);
  'errorMessage'?: (string);
  'leader'?: (number);
  'leaderEpoch'?: (number);
  'isr'?: (number)[];
  'partitionEpoch'?: (number);
}

export interface AlterPartitionItemResult__Output {
  'partition': (number);
  'errorName': (string);
  'errorMessage': (string);
  'leader': (number);
  'leaderEpoch': (number);
  'isr': (number)[];
  'partitionEpoch': (number);
}
