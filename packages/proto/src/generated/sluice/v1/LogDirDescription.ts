// Original file: proto/sluice/v1/broker.proto

import type { LogDirTopic as _sluice_v1_LogDirTopic, LogDirTopic__Output as _sluice_v1_LogDirTopic__Output } from '../../sluice/v1/LogDirTopic';
import type { Long } from '@grpc/proto-loader';

export interface LogDirDescription {
  /**
   * The directory's path on the broker (log.dirs).
   */
  'logDir'?: (string);
  /**
   * KAFKA_STORAGE_ERROR: the directory went offline (an I/O error); its partitions are not listed.
   */
  'errorName'?: (string);
  'errorMessage'?: (string);
  'topics'?: (_sluice_v1_LogDirTopic)[];
  /**
   * The file system's size and the space this broker may still use (statfs); -1 unknown.
   */
  'totalBytes'?: (number | string | Long);
  'usableBytes'?: (number | string | Long);
}

export interface LogDirDescription__Output {
  /**
   * The directory's path on the broker (log.dirs).
   */
  'logDir': (string);
  /**
   * KAFKA_STORAGE_ERROR: the directory went offline (an I/O error); its partitions are not listed.
   */
  'errorName': (string);
  'errorMessage': (string);
  'topics': (_sluice_v1_LogDirTopic__Output)[];
  /**
   * The file system's size and the space this broker may still use (statfs); -1 unknown.
   */
  'totalBytes': (string);
  'usableBytes': (string);
}
