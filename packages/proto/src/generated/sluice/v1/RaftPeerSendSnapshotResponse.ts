// Original file: proto/sluice/v1/raft.proto


export interface RaftPeerSendSnapshotResponse {
}

export interface RaftPeerSendSnapshotResponse__Output {
}
