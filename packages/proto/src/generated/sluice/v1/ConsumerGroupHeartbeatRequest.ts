// Original file: proto/sluice/v1/coordinator.proto

import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from '../../sluice/v1/TopicPartitions';

export interface ConsumerGroupHeartbeatRequest {
  'groupId'?: (string);
  /**
   * Empty on a first join: the coordinator chooses one.
   */
  'memberId'?: (string);
  /**
   * 0 join, -1 leave, -2 a static member leaving for a while, else the member's epoch.
   */
  'memberEpoch'?: (number);
  /**
   * Static membership (group.instance.id); empty: none.
   */
  'instanceId'?: (string);
  'rackId'?: (string);
  'clientId'?: (string);
  /**
   * Required when joining; 0: unchanged.
   */
  'rebalanceTimeoutMs'?: (number);
  /**
   * Sent when joining or changed; `subscribed_topic_names_set` tells an empty list from "unchanged".
   */
  'subscribedTopicNames'?: (string)[];
  'subscribedTopicNamesSet'?: (boolean);
  /**
   * Empty: unchanged (or none).
   */
  'subscribedTopicRegex'?: (string);
  /**
   * "uniform" or "range"; empty: the group's.
   */
  'serverAssignor'?: (string);
  /**
   * What the member owns now; `owned_set` false: unchanged since its last heartbeat.
   */
  'owned'?: (_sluice_v1_TopicPartitions)[];
  'ownedSet'?: (boolean);
}

export interface ConsumerGroupHeartbeatRequest__Output {
  'groupId': (string);
  /**
   * Empty on a first join: the coordinator chooses one.
   */
  'memberId': (string);
  /**
   * 0 join, -1 leave, -2 a static member leaving for a while, else the member's epoch.
   */
  'memberEpoch': (number);
  /**
   * Static membership (group.instance.id); empty: none.
   */
  'instanceId': (string);
  'rackId': (string);
  'clientId': (string);
  /**
   * Required when joining; 0: unchanged.
   */
  'rebalanceTimeoutMs': (number);
  /**
   * Sent when joining or changed; `subscribed_topic_names_set` tells an empty list from "unchanged".
   */
  'subscribedTopicNames': (string)[];
  'subscribedTopicNamesSet': (boolean);
  /**
   * Empty: unchanged (or none).
   */
  'subscribedTopicRegex': (string);
  /**
   * "uniform" or "range"; empty: the group's.
   */
  'serverAssignor': (string);
  /**
   * What the member owns now; `owned_set` false: unchanged since its last heartbeat.
   */
  'owned': (_sluice_v1_TopicPartitions__Output)[];
  'ownedSet': (boolean);
}
