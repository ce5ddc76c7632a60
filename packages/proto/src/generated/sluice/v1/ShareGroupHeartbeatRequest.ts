// Original file: proto/sluice/v1/coordinator.proto


export interface ShareGroupHeartbeatRequest {
  'groupId'?: (string);
  /**
   * Empty on a first join: the coordinator chooses one.
   */
  'memberId'?: (string);
  /**
   * 0 join, -1 leave, else the member's epoch.
   */
  'memberEpoch'?: (number);
  'rackId'?: (string);
  'clientId'?: (string);
  /**
   * Sent when joining or changed; `subscribed_topic_names_set` tells an empty list from "unchanged".
   */
  'subscribedTopicNames'?: (string)[];
  'subscribedTopicNamesSet'?: (boolean);
}

export interface ShareGroupHeartbeatRequest__Output {
  'groupId': (string);
  /**
   * Empty on a first join: the coordinator chooses one.
   */
  'memberId': (string);
  /**
   * 0 join, -1 leave, else the member's epoch.
   */
  'memberEpoch': (number);
  'rackId': (string);
  'clientId': (string);
  /**
   * Sent when joining or changed; `subscribed_topic_names_set` tells an empty list from "unchanged".
   */
  'subscribedTopicNames': (string)[];
  'subscribedTopicNamesSet': (boolean);
}
