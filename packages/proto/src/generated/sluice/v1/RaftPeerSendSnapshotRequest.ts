// Original file: proto/sluice/v1/raft.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One chunk of a streamed snapshot message. Every chunk repeats the envelope fields; they must
 * not change within a stream.
 */
export interface RaftPeerSendSnapshotRequest {
  'clusterId'?: (string);
  'fromNodeId'?: (number);
  'toNodeId'?: (number);
  /**
   * Size of the whole encoded message, and where this chunk's data starts in it: chunks arrive
   * in order, each starting where the previous ended.
   */
  'totalBytes'?: (number | string | Long);
  'position'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
}

/**
 * One chunk of a streamed snapshot message. Every chunk repeats the envelope fields; they must
 * not change within a stream.
 */
export interface RaftPeerSendSnapshotRequest__Output {
  'clusterId': (string);
  'fromNodeId': (number);
  'toNodeId': (number);
  /**
   * Size of the whole encoded message, and where this chunk's data starts in it: chunks arrive
   * in order, each starting where the previous ended.
   */
  'totalBytes': (string);
  'position': (string);
  'data': (Buffer);
}
