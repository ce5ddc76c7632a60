// Original file: proto/sluice/v1/tiering.proto

import type { Long } from '@grpc/proto-loader';

export interface ScrubRemoteStorageRequest {
  'dryRun'?: (boolean);
  /**
   * Only objects and multipart uploads at least this old; -1: the service's
   * tiering.scrub.grace.ms.
   */
  'graceMs'?: (number | string | Long);
}

export interface ScrubRemoteStorageRequest__Output {
  'dryRun': (boolean);
  /**
   * Only objects and multipart uploads at least this old; -1: the service's
   * tiering.scrub.grace.ms.
   */
  'graceMs': (string);
}
