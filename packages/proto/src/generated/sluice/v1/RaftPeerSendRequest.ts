// Original file: proto/sluice/v1/raft.proto


export interface RaftPeerSendRequest {
  /**
   * The sender's cluster id (meta.properties); a receiver in another cluster refuses the
   * request with INCONSISTENT_CLUSTER_ID. Empty = not checked (tests).
   */
  'clusterId'?: (string);
  'fromNodeId'?: (number);
  'toNodeId'?: (number);
  /**
   * Each element is one encoded Raft message whose from/to match the two fields above.
   */
  'messages'?: (Buffer | Uint8Array | string)[];
}

export interface RaftPeerSendRequest__Output {
  /**
   * The sender's cluster id (meta.properties); a receiver in another cluster refuses the
   * request with INCONSISTENT_CLUSTER_ID. Empty = not checked (tests).
   */
  'clusterId': (string);
  'fromNodeId': (number);
  'toNodeId': (number);
  /**
   * Each element is one encoded Raft message whose from/to match the two fields above.
   */
  'messages': (Buffer)[];
}
