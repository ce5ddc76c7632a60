// Original file: proto/sluice/v1/coordinator.proto

import type { DescribedShareGroup as _sluice_v1_DescribedShareGroup, DescribedShareGroup__Output as _sluice_v1_DescribedShareGroup__Output } from '../../sluice/v1/DescribedShareGroup';

export interface DescribeShareGroupsResponse {
  'groups'?: (_sluice_v1_DescribedShareGroup)[];
}

export interface DescribeShareGroupsResponse__Output {
  'groups': (_sluice_v1_DescribedShareGroup__Output)[];
}
