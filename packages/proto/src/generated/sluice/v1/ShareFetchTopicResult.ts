// Original file: proto/sluice/v1/broker.proto

import type { ShareFetchPartitionResult as _sluice_v1_ShareFetchPartitionResult, ShareFetchPartitionResult__Output as _sluice_v1_ShareFetchPartitionResult__Output } from '../../sluice/v1/ShareFetchPartitionResult';

export interface ShareFetchTopicResult {
  'name'?: (string);
  'partitions'?: (_sluice_v1_ShareFetchPartitionResult)[];
}

export interface ShareFetchTopicResult__Output {
  'name': (string);
  'partitions': (_sluice_v1_ShareFetchPartitionResult__Output)[];
}
