// Original file: proto/sluice/v1/broker.proto

import type { ListOffsetsTopic as _sluice_v1_ListOffsetsTopic, ListOffsetsTopic__Output as _sluice_v1_ListOffsetsTopic__Output } from '../../sluice/v1/ListOffsetsTopic';

export interface ListOffsetsRequest {
  'topics'?: (_sluice_v1_ListOffsetsTopic)[];
}

export interface ListOffsetsRequest__Output {
  'topics': (_sluice_v1_ListOffsetsTopic__Output)[];
}
