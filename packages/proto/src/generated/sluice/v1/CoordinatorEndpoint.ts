// Original file: proto/sluice/v1/coordinator.proto


export interface CoordinatorEndpoint {
  'groupId'?: (string);
  'errorName'?: (string);
  'errorMessage'?: (string);
  'nodeId'?: (number);
  'address'?: (string);
  /**
   * The __consumer_offsets partition holding the group.
   */
  'partition'?: (number);
}

export interface CoordinatorEndpoint__Output {
  'groupId': (string);
  'errorName': (string);
  'errorMessage': (string);
  'nodeId': (number);
  'address': (string);
  /**
   * The __consumer_offsets partition holding the group.
   */
  'partition': (number);
}
