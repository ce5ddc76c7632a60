// Original file: proto/sluice/v1/controller.proto

import type { AclBinding as _sluice_v1_AclBinding, AclBinding__Output as _sluice_v1_AclBinding__Output } from '../../sluice/v1/AclBinding';

export interface DescribeAclsResponse {
  'acls'?: (_sluice_v1_AclBinding)[];
}

export interface DescribeAclsResponse__Output {
  'acls': (_sluice_v1_AclBinding__Output)[];
}
