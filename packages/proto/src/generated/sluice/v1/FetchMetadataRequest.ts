// Original file: proto/sluice/v1/controller.proto

import type { Long } from '@grpc/proto-loader';

export interface FetchMetadataRequest {
  /**
   * The first metadata offset wanted (0 or -1: from the beginning).
   */
  'fromOffset'?: (number | string | Long);
  /**
   * Who is following, for logs and audit; observers are not quorum members.
   */
  'observer'?: (string);
}

export interface FetchMetadataRequest__Output {
  /**
   * The first metadata offset wanted (0 or -1: from the beginning).
   */
  'fromOffset': (string);
  /**
   * Who is following, for logs and audit; observers are not quorum members.
   */
  'observer': (string);
}
