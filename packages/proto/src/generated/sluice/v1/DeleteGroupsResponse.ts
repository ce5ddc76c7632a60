// Original file: proto/sluice/v1/coordinator.proto

import type { GroupResult as _sluice_v1_GroupResult, GroupResult__Output as _sluice_v1_GroupResult__Output } from '../../sluice/v1/GroupResult';

export interface DeleteGroupsResponse {
  'groups'?: (_sluice_v1_GroupResult)[];
}

export interface DeleteGroupsResponse__Output {
  'groups': (_sluice_v1_GroupResult__Output)[];
}
