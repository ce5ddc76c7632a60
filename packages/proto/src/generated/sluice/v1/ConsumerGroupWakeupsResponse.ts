// Original file: proto/sluice/v1/coordinator.proto


export interface ConsumerGroupWakeupsResponse {
  /**
   * The group's assignment epoch when the wake-up was sent (wake-ups not yet written to the
   * stream are coalesced into the latest).
   */
  'assignmentEpoch'?: (number);
  /**
   * Why: "assignment" (a new target assignment), "released" (partitions it waits for are free).
   */
  'reason'?: (string);
}

export interface ConsumerGroupWakeupsResponse__Output {
  /**
   * The group's assignment epoch when the wake-up was sent (wake-ups not yet written to the
   * stream are coalesced into the latest).
   */
  'assignmentEpoch': (number);
  /**
   * Why: "assignment" (a new target assignment), "released" (partitions it waits for are free).
   */
  'reason': (string);
}
