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
  /**
   * Partitions of deleted topics still holding objects ("<topic>-<topic id>/<partition>"), older
   * than the grace period: their uploads are deleted with the metadata steps a leader would write.
   */
  'deletedTopicPartitions'?: (string)[];
  /**
   * Uploads (segment objects and their indexes) of those partitions deleted.
   */
  'deletedTopicUploads'?: (number);
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
  /**
   * Partitions of deleted topics still holding objects ("<topic>-<topic id>/<partition>"), older
   * than the grace period: their uploads are deleted with the metadata steps a leader would write.
   */
  'deletedTopicPartitions': (string)[];
  /**
   * Uploads (segment objects and their indexes) of those partitions deleted.
   */
  'deletedTopicUploads': (number);
}
