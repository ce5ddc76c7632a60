// Original file: proto/sluice/v1/coordinator.proto


export interface ListedGroup {
  'groupId'?: (string);
  'state'?: (string);
  'members'?: (number);
  /**
   * "consumer" or "share".
   */
  'type'?: (string);
}

export interface ListedGroup__Output {
  'groupId': (string);
  'state': (string);
  'members': (number);
  /**
   * "consumer" or "share".
   */
  'type': (string);
}
