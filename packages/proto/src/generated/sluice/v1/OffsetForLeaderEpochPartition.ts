// Original file: proto/sluice/v1/broker.proto


export interface OffsetForLeaderEpochPartition {
  'partition'?: (number);
  'currentLeaderEpoch'?: (number);
  'leaderEpoch'?: (number);
}

export interface OffsetForLeaderEpochPartition__Output {
  'partition': (number);
  'currentLeaderEpoch': (number);
  'leaderEpoch': (number);
}
