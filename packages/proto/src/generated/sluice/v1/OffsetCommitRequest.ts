// Original file: proto/sluice/v1/coordinator.proto

import type { OffsetCommitTopic as _sluice_v1_OffsetCommitTopic, OffsetCommitTopic__Output as _sluice_v1_OffsetCommitTopic__Output } from '../../sluice/v1/OffsetCommitTopic';

export interface OffsetCommitRequest {
  'groupId'?: (string);
  /**
   * "" and -1: an admin commit (reset-offsets), only while the group has no members.
   */
  'memberId'?: (string);
  'memberEpoch'?: (number);
  'topics'?: (_sluice_v1_OffsetCommitTopic)[];
}

export interface OffsetCommitRequest__Output {
  'groupId': (string);
  /**
   * "" and -1: an admin commit (reset-offsets), only while the group has no members.
   */
  'memberId': (string);
  'memberEpoch': (number);
  'topics': (_sluice_v1_OffsetCommitTopic__Output)[];
}
