// Original file: proto/sluice/v1/controller.proto


export interface AlterPartitionItem {
  'partition'?: (number);
  'leaderEpoch'?: (number);
  'newIsr'?: (number)[];
  'partitionEpoch'?: (number);
}

export interface AlterPartitionItem__Output {
  'partition': (number);
  'leaderEpoch': (number);
  'newIsr': (number)[];
  'partitionEpoch': (number);
}
