// Original file: proto/sluice/v1/controller.proto

import type { AclBinding as _sluice_v1_AclBinding, AclBinding__Output as _sluice_v1_AclBinding__Output } from '../../sluice/v1/AclBinding';

export interface AclDeletionFilterResult {
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * The ACLs this filter removed.
   */
  'matchingAcls'?: (_sluice_v1_AclBinding)[];
}

export interface AclDeletionFilterResult__Output {
  'errorName': (string);
  'errorMessage': (string);
  /**
   * The ACLs this filter removed.
   */
  'matchingAcls': (_sluice_v1_AclBinding__Output)[];
}
