// Original file: proto/sluice/v1/controller.proto

import type { AclBinding as _sluice_v1_AclBinding, AclBinding__Output as _sluice_v1_AclBinding__Output } from '../../sluice/v1/AclBinding';

export interface CreateAclsRequest {
  'creations'?: (_sluice_v1_AclBinding)[];
}

export interface CreateAclsRequest__Output {
  'creations': (_sluice_v1_AclBinding__Output)[];
}
