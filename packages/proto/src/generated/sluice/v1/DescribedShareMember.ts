// Original file: proto/sluice/v1/coordinator.proto

import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from '../../sluice/v1/TopicPartitions';

export interface DescribedShareMember {
  'memberId'?: (string);
  'rackId'?: (string);
  'clientId'?: (string);
  'memberEpoch'?: (number);
  'subscribedTopicNames'?: (string)[];
  'assigned'?: (_sluice_v1_TopicPartitions)[];
}

export interface DescribedShareMember__Output {
  'memberId': (string);
  'rackId': (string);
  'clientId': (string);
  'memberEpoch': (number);
  'subscribedTopicNames': (string)[];
  'assigned': (_sluice_v1_TopicPartitions__Output)[];
}
