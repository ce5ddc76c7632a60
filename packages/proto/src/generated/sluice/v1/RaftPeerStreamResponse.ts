// Original file: proto/sluice/v1/raft.proto


export interface RaftPeerStreamResponse {
}

export interface RaftPeerStreamResponse__Output {
}
