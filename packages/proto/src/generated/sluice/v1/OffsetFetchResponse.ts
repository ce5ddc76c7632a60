// Original file: proto/sluice/v1/coordinator.proto

import type { CommittedOffset as _sluice_v1_CommittedOffset, CommittedOffset__Output as _sluice_v1_CommittedOffset__Output } from '../../sluice/v1/CommittedOffset';

export interface OffsetFetchResponse {
  'offsets'?: (_sluice_v1_CommittedOffset)[];
}

export interface OffsetFetchResponse__Output {
  'offsets': (_sluice_v1_CommittedOffset__Output)[];
}
