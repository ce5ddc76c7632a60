// Original file: proto/sluice/v1/tiering.proto

import type { TieredTopic as _sluice_v1_TieredTopic, TieredTopic__Output as _sluice_v1_TieredTopic__Output } from '../../sluice/v1/TieredTopic';

export interface DescribeTieredPartitionsResponse {
  'topics'?: (_sluice_v1_TieredTopic)[];
}

export interface DescribeTieredPartitionsResponse__Output {
  'topics': (_sluice_v1_TieredTopic__Output)[];
}
