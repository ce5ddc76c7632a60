// Original file: proto/sluice/v1/coordinator.proto

import type { CoordinatorEndpoint as _sluice_v1_CoordinatorEndpoint, CoordinatorEndpoint__Output as _sluice_v1_CoordinatorEndpoint__Output } from '../../sluice/v1/CoordinatorEndpoint';

export interface FindCoordinatorResponse {
  'coordinators'?: (_sluice_v1_CoordinatorEndpoint)[];
}

export interface FindCoordinatorResponse__Output {
  'coordinators': (_sluice_v1_CoordinatorEndpoint__Output)[];
}
