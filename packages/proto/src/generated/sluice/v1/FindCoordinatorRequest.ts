// Original file: proto/sluice/v1/coordinator.proto


export interface FindCoordinatorRequest {
  /**
   * With key_type "" or "GROUP": group ids. With "SHARE": share-state keys "group:topic:partition".
   */
  'groupIds'?: (string)[];
  'keyType'?: (string);
}

export interface FindCoordinatorRequest__Output {
  /**
   * With key_type "" or "GROUP": group ids. With "SHARE": share-state keys "group:topic:partition".
   */
  'groupIds': (string)[];
  'keyType': (string);
}
