// Original file: proto/sluice/v1/broker.proto

import type { ShareAcknowledgementBatch as _sluice_v1_ShareAcknowledgementBatch, ShareAcknowledgementBatch__Output as _sluice_v1_ShareAcknowledgementBatch__Output } from '../../sluice/v1/ShareAcknowledgementBatch';

export interface ShareFetchPartition {
  'partition'?: (number);
  'acknowledgements'?: (_sluice_v1_ShareAcknowledgementBatch)[];
}

export interface ShareFetchPartition__Output {
  'partition': (number);
  'acknowledgements': (_sluice_v1_ShareAcknowledgementBatch__Output)[];
}
