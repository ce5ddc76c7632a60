// Original file: proto/sluice/v1/controller.proto

import type { AclBindingFilter as _sluice_v1_AclBindingFilter, AclBindingFilter__Output as _sluice_v1_AclBindingFilter__Output } from '../../sluice/v1/AclBindingFilter';

export interface DeleteAclsRequest {
  'filters'?: (_sluice_v1_AclBindingFilter)[];
}

export interface DeleteAclsRequest__Output {
  'filters': (_sluice_v1_AclBindingFilter__Output)[];
}
