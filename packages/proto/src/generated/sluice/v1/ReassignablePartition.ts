// Original file: proto/sluice/v1/controller.proto


export interface ReassignablePartition {
  'topic'?: (string);
  'partition'?: (number);
  /**
   * The replicas wanted, preferred leader first.
   */
  'targetReplicas'?: (number)[];
  /**
   * Cancel the reassignment in progress (target_replicas ignored).
   */
  'cancel'?: (boolean);
}

export interface ReassignablePartition__Output {
  'topic': (string);
  'partition': (number);
  /**
   * The replicas wanted, preferred leader first.
   */
  'targetReplicas': (number)[];
  /**
   * Cancel the reassignment in progress (target_replicas ignored).
   */
  'cancel': (boolean);
}
