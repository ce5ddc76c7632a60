// Original file: proto/sluice/v1/controller.proto

import type { AclBindingFilter as _sluice_v1_AclBindingFilter, AclBindingFilter__Output as _sluice_v1_AclBindingFilter__Output } from '../../sluice/v1/AclBindingFilter';

export interface DescribeAclsRequest {
  'filter'?: (_sluice_v1_AclBindingFilter | null);
}

export interface DescribeAclsRequest__Output {
  'filter': (_sluice_v1_AclBindingFilter__Output | null);
}
