// Original file: proto/sluice/v1/tiering.proto

import type { Long } from '@grpc/proto-loader';

export interface TieredPartition {
  'partition'?: (number);
  /**
   * -1: no leader now (the offsets below are then -1).
   */
  'leaderId'?: (number);
  /**
   * The first offset readable anywhere (ListOffsets earliest); -1 unknown.
   */
  'logStartOffset'?: (number | string | Long);
  /**
   * The first offset on the leader's disk (ListOffsets earliest-local); -1 unknown.
   */
  'localLogStartOffset'?: (number | string | Long);
  /**
   * -1 unknown.
   */
  'highWatermark'?: (number | string | Long);
  /**
   * The first offset of the oldest copied segment; -1: nothing copied.
   */
  'remoteStartOffset'?: (number | string | Long);
  /**
   * The last offset of the newest copied segment (inclusive); -1: nothing copied.
   */
  'remoteEndOffset'?: (number | string | Long);
  /**
   * Copied segments the metadata names (COPY_SEGMENT_FINISHED, not being deleted).
   */
  'remoteSegments'?: (number);
  /**
   * Their `.log` bytes (the indexes and snapshots beside them are not counted).
   */
  'remoteSizeBytes'?: (number | string | Long);
  /**
   * Uploads started and not finished (a copy in progress, or one a crash interrupted).
   */
  'unfinishedUploads'?: (number);
  /**
   * A failure to read this partition's offsets or metadata (the fields it would fill are -1).
   */
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * The leader's local log (DescribeLogDirs on the leader: every segment's bytes on its disk);
   * -1 unknown (no leader, or it did not answer).
   */
  'localSizeBytes'?: (number | string | Long);
}

export interface TieredPartition__Output {
  'partition': (number);
  /**
   * -1: no leader now (the offsets below are then -1).
   */
  'leaderId': (number);
  /**
   * The first offset readable anywhere (ListOffsets earliest); -1 unknown.
   */
  'logStartOffset': (string);
  /**
   * The first offset on the leader's disk (ListOffsets earliest-local); -1 unknown.
   */
  'localLogStartOffset': (string);
  /**
   * -1 unknown.
   */
  'highWatermark': (string);
  /**
   * The first offset of the oldest copied segment; -1: nothing copied.
   */
  'remoteStartOffset': (string);
  /**
   * The last offset of the newest copied segment (inclusive); -1: nothing copied.
   */
  'remoteEndOffset': (string);
  /**
   * Copied segments the metadata names (COPY_SEGMENT_FINISHED, not being deleted).
   */
  'remoteSegments': (number);
  /**
   * Their `.log` bytes (the indexes and snapshots beside them are not counted).
   */
  'remoteSizeBytes': (string);
  /**
   * Uploads started and not finished (a copy in progress, or one a crash interrupted).
   */
  'unfinishedUploads': (number);
  /**
   * A failure to read this partition's offsets or metadata (the fields it would fill are -1).
   */
  'errorName': (string);
  'errorMessage': (string);
  /**
   * The leader's local log (DescribeLogDirs on the leader: every segment's bytes on its disk);
   * -1 unknown (no leader, or it did not answer).
   */
  'localSizeBytes': (string);
}
