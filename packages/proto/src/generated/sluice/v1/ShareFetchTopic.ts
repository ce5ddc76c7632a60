// Original file: proto/sluice/v1/broker.proto

import type { ShareFetchPartition as _sluice_v1_ShareFetchPartition, ShareFetchPartition__Output as _sluice_v1_ShareFetchPartition__Output } from '../../sluice/v1/ShareFetchPartition';

export interface ShareFetchTopic {
  'name'?: (string);
  'partitions'?: (_sluice_v1_ShareFetchPartition)[];
}

export interface ShareFetchTopic__Output {
  'name': (string);
  'partitions': (_sluice_v1_ShareFetchPartition__Output)[];
}
