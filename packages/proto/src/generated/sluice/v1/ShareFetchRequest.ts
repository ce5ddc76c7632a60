// Original file: proto/sluice/v1/broker.proto

import type { ShareFetchTopic as _sluice_v1_ShareFetchTopic, ShareFetchTopic__Output as _sluice_v1_ShareFetchTopic__Output } from '../../sluice/v1/ShareFetchTopic';

export interface ShareFetchRequest {
  'groupId'?: (string);
  'memberId'?: (string);
  /**
   * 0 opens a share session, then the epoch the previous answer gave plus one; -1 closes it
   * (the member's locks are released at once, with its acknowledgements applied first).
   */
  'shareSessionEpoch'?: (number);
  /**
   * Long poll: answers once records are acquired or max_wait_ms passed.
   */
  'maxWaitMs'?: (number);
  'minBytes'?: (number);
  'maxBytes'?: (number);
  /**
   * The most records acquired per partition in this call.
   */
  'maxRecords'?: (number);
  'topics'?: (_sluice_v1_ShareFetchTopic)[];
}

export interface ShareFetchRequest__Output {
  'groupId': (string);
  'memberId': (string);
  /**
   * 0 opens a share session, then the epoch the previous answer gave plus one; -1 closes it
   * (the member's locks are released at once, with its acknowledgements applied first).
   */
  'shareSessionEpoch': (number);
  /**
   * Long poll: answers once records are acquired or max_wait_ms passed.
   */
  'maxWaitMs': (number);
  'minBytes': (number);
  'maxBytes': (number);
  /**
   * The most records acquired per partition in this call.
   */
  'maxRecords': (number);
  'topics': (_sluice_v1_ShareFetchTopic__Output)[];
}
