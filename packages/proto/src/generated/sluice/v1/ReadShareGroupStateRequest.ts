// Original file: proto/sluice/v1/coordinator.proto


export interface ReadShareGroupStateRequest {
  'groupId'?: (string);
  'topic'?: (string);
  'partition'?: (number);
  /**
   * The reader's leader epoch for the partition (-1: a read-only look, e.g. the CLI).
   */
  'leaderEpoch'?: (number);
}

export interface ReadShareGroupStateRequest__Output {
  'groupId': (string);
  'topic': (string);
  'partition': (number);
  /**
   * The reader's leader epoch for the partition (-1: a read-only look, e.g. the CLI).
   */
  'leaderEpoch': (number);
}
