// Original file: proto/sluice/v1/controller.proto

import type { AclDeletionFilterResult as _sluice_v1_AclDeletionFilterResult, AclDeletionFilterResult__Output as _sluice_v1_AclDeletionFilterResult__Output } from '../../sluice/v1/AclDeletionFilterResult';

export interface DeleteAclsResponse {
  'filterResults'?: (_sluice_v1_AclDeletionFilterResult)[];
}

export interface DeleteAclsResponse__Output {
  'filterResults': (_sluice_v1_AclDeletionFilterResult__Output)[];
}
