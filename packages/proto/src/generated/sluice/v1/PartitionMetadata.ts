// Original file: proto/sluice/v1/broker.proto


export interface PartitionMetadata {
  'partition'?: (number);
  /**
   * -1: no leader.
   */
  'leader'?: (number);
  'leaderEpoch'?: (number);
  'replicas'?: (number)[];
  'isr'?: (number)[];
}

export interface PartitionMetadata__Output {
  'partition': (number);
  /**
   * -1: no leader.
   */
  'leader': (number);
  'leaderEpoch': (number);
  'replicas': (number)[];
  'isr': (number)[];
}
