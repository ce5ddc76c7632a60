// Original file: proto/sluice/v1/coordinator.proto

import type { DescribedMember as _sluice_v1_DescribedMember, DescribedMember__Output as _sluice_v1_DescribedMember__Output } from '../../sluice/v1/DescribedMember';

export interface DescribedGroup {
  'groupId'?: (string);
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * EMPTY, ASSIGNING, RECONCILING, STABLE or DEAD.
   */
  'state'?: (string);
  'groupEpoch'?: (number);
  'assignmentEpoch'?: (number);
  'assignor'?: (string);
  'members'?: (_sluice_v1_DescribedMember)[];
}

export interface DescribedGroup__Output {
  'groupId': (string);
  'errorName': (string);
  'errorMessage': (string);
  /**
   * EMPTY, ASSIGNING, RECONCILING, STABLE or DEAD.
   */
  'state': (string);
  'groupEpoch': (number);
  'assignmentEpoch': (number);
  'assignor': (string);
  'members': (_sluice_v1_DescribedMember__Output)[];
}
