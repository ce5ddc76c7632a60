// Original file: proto/sluice/v1/broker.proto

import type { ShareAcknowledgePartitionResult as _sluice_v1_ShareAcknowledgePartitionResult, ShareAcknowledgePartitionResult__Output as _sluice_v1_ShareAcknowledgePartitionResult__Output } from '../../sluice/v1/ShareAcknowledgePartitionResult';

export interface ShareAcknowledgeTopicResult {
  'name'?: (string);
  'partitions'?: (_sluice_v1_ShareAcknowledgePartitionResult)[];
}

export interface ShareAcknowledgeTopicResult__Output {
  'name': (string);
  'partitions': (_sluice_v1_ShareAcknowledgePartitionResult__Output)[];
}
