// Original file: proto/sluice/v1/controller.proto

import type { Long } from '@grpc/proto-loader';

export interface MetadataBatch {
  'offset'?: (number | string | Long);
  'epoch'?: (number);
  /**
   * Each item is one record framed by @sluice/metadata's codec (type id, version, body).
   */
  'records'?: (Buffer | Uint8Array | string)[];
}

export interface MetadataBatch__Output {
  'offset': (string);
  'epoch': (number);
  /**
   * Each item is one record framed by @sluice/metadata's codec (type id, version, body).
   */
  'records': (Buffer)[];
}
