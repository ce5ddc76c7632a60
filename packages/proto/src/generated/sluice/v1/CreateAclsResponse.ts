// Original file: proto/sluice/v1/controller.proto

import type { AclCreationResult as _sluice_v1_AclCreationResult, AclCreationResult__Output as _sluice_v1_AclCreationResult__Output } from '../../sluice/v1/AclCreationResult';

export interface CreateAclsResponse {
  'results'?: (_sluice_v1_AclCreationResult)[];
}

export interface CreateAclsResponse__Output {
  'results': (_sluice_v1_AclCreationResult__Output)[];
}
