// Original file: proto/sluice/v1/raft.proto


export interface RaftPeerSendResponse {
}

export interface RaftPeerSendResponse__Output {
}
