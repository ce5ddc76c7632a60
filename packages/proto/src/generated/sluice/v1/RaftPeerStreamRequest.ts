// Original file: proto/sluice/v1/raft.proto


/**
 * One envelope on a Stream: the fields of RaftPeerSendRequest, with the same meaning and checks.
 */
export interface RaftPeerStreamRequest {
  'clusterId'?: (string);
  'fromNodeId'?: (number);
  'toNodeId'?: (number);
  'messages'?: (Buffer | Uint8Array | string)[];
}

/**
 * One envelope on a Stream: the fields of RaftPeerSendRequest, with the same meaning and checks.
 */
export interface RaftPeerStreamRequest__Output {
  'clusterId': (string);
  'fromNodeId': (number);
  'toNodeId': (number);
  'messages': (Buffer)[];
}
