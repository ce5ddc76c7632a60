// Original file: proto/sluice/v1/controller.proto


export interface PartitionDescription {
  'partition'?: (number);
  'leader'?: (number);
  'leaderEpoch'?: (number);
  'partitionEpoch'?: (number);
  'replicas'?: (number)[];
  'isr'?: (number)[];
  'eligibleLeaderReplicas'?: (number)[];
}

export interface PartitionDescription__Output {
  'partition': (number);
  'leader': (number);
  'leaderEpoch': (number);
  'partitionEpoch': (number);
  'replicas': (number)[];
  'isr': (number)[];
  'eligibleLeaderReplicas': (number)[];
}
