// Original file: proto/sluice/v1/broker.proto

import type { ShareFetchTopic as _sluice_v1_ShareFetchTopic, ShareFetchTopic__Output as _sluice_v1_ShareFetchTopic__Output } from '../../sluice/v1/ShareFetchTopic';

export interface ShareAcknowledgeRequest {
  'groupId'?: (string);
  'memberId'?: (string);
  /**
   * As in ShareFetch; -1 closes the session after applying these acknowledgements.
   */
  'shareSessionEpoch'?: (number);
  'topics'?: (_sluice_v1_ShareFetchTopic)[];
}

export interface ShareAcknowledgeRequest__Output {
  'groupId': (string);
  'memberId': (string);
  /**
   * As in ShareFetch; -1 closes the session after applying these acknowledgements.
   */
  'shareSessionEpoch': (number);
  'topics': (_sluice_v1_ShareFetchTopic__Output)[];
}
