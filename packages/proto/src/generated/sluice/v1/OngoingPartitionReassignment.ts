// Original file: proto/sluice/v1/controller.proto


export interface OngoingPartitionReassignment {
  'topic'?: (string);
  'partition'?: (number);
  /**
   * Target and original replicas together.
   */
  'replicas'?: (number)[];
  'addingReplicas'?: (number)[];
  'removingReplicas'?: (number)[];
}

export interface OngoingPartitionReassignment__Output {
  'topic': (string);
  'partition': (number);
  /**
   * Target and original replicas together.
   */
  'replicas': (number)[];
  'addingReplicas': (number)[];
  'removingReplicas': (number)[];
}
