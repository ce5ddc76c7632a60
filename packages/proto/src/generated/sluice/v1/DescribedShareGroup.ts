// Original file: proto/sluice/v1/coordinator.proto

import type { DescribedShareMember as _sluice_v1_DescribedShareMember, DescribedShareMember__Output as _sluice_v1_DescribedShareMember__Output } from '../../sluice/v1/DescribedShareMember';

export interface DescribedShareGroup {
  'groupId'?: (string);
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * EMPTY, STABLE or DEAD.
   */
  'state'?: (string);
  'groupEpoch'?: (number);
  'assignmentEpoch'?: (number);
  'members'?: (_sluice_v1_DescribedShareMember)[];
}

export interface DescribedShareGroup__Output {
  'groupId': (string);
  'errorName': (string);
  'errorMessage': (string);
  /**
   * EMPTY, STABLE or DEAD.
   */
  'state': (string);
  'groupEpoch': (number);
  'assignmentEpoch': (number);
  'members': (_sluice_v1_DescribedShareMember__Output)[];
}
