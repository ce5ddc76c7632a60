// Original file: proto/sluice/v1/tiering.proto


export interface ScrubRemoteStorageResponse {
  'bucket'?: (string);
  'prefix'?: (string);
  /**
   * Objects no metadata names and older than the grace period (deleted unless dry_run).
   */
  'orphanKeys'?: (string)[];
  'tooYoung'?: (number);
  'named'?: (number);
  'foreign'?: (number);
  'deleted'?: (number);
  'abortedMultipartUploads'?: (number);
}

export interface ScrubRemoteStorageResponse__Output {
  'bucket': (string);
  'prefix': (string);
  /**
   * Objects no metadata names and older than the grace period (deleted unless dry_run).
   */
  'orphanKeys': (string)[];
  'tooYoung': (number);
  'named': (number);
  'foreign': (number);
  'deleted': (number);
  'abortedMultipartUploads': (number);
}
