// Original file: proto/sluice/v1/coordinator.proto

import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from '../../sluice/v1/TopicPartitions';

export interface DescribedMember {
  'memberId'?: (string);
  'instanceId'?: (string);
  'rackId'?: (string);
  'clientId'?: (string);
  'memberEpoch'?: (number);
  /**
   * STABLE, UNREVOKED_PARTITIONS or UNRELEASED_PARTITIONS.
   */
  'state'?: (string);
  'subscribedTopicNames'?: (string)[];
  'subscribedTopicRegex'?: (string);
  'assigned'?: (_sluice_v1_TopicPartitions)[];
  'pendingRevocation'?: (_sluice_v1_TopicPartitions)[];
  'target'?: (_sluice_v1_TopicPartitions)[];
}

export interface DescribedMember__Output {
  'memberId': (string);
  'instanceId': (string);
  'rackId': (string);
  'clientId': (string);
  'memberEpoch': (number);
  /**
   * STABLE, UNREVOKED_PARTITIONS or UNRELEASED_PARTITIONS.
   */
  'state': (string);
  'subscribedTopicNames': (string)[];
  'subscribedTopicRegex': (string);
  'assigned': (_sluice_v1_TopicPartitions__Output)[];
  'pendingRevocation': (_sluice_v1_TopicPartitions__Output)[];
  'target': (_sluice_v1_TopicPartitions__Output)[];
}
