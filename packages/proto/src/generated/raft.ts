import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { RaftPeerClient as _sluice_v1_RaftPeerClient, RaftPeerDefinition as _sluice_v1_RaftPeerDefinition } from './sluice/v1/RaftPeer';
import type { RaftPeerSendRequest as _sluice_v1_RaftPeerSendRequest, RaftPeerSendRequest__Output as _sluice_v1_RaftPeerSendRequest__Output } from './sluice/v1/RaftPeerSendRequest';
import type { RaftPeerSendResponse as _sluice_v1_RaftPeerSendResponse, RaftPeerSendResponse__Output as _sluice_v1_RaftPeerSendResponse__Output } from './sluice/v1/RaftPeerSendResponse';
import type { RaftPeerSendSnapshotRequest as _sluice_v1_RaftPeerSendSnapshotRequest, RaftPeerSendSnapshotRequest__Output as _sluice_v1_RaftPeerSendSnapshotRequest__Output } from './sluice/v1/RaftPeerSendSnapshotRequest';
import type { RaftPeerSendSnapshotResponse as _sluice_v1_RaftPeerSendSnapshotResponse, RaftPeerSendSnapshotResponse__Output as _sluice_v1_RaftPeerSendSnapshotResponse__Output } from './sluice/v1/RaftPeerSendSnapshotResponse';
import type { RaftPeerStreamRequest as _sluice_v1_RaftPeerStreamRequest, RaftPeerStreamRequest__Output as _sluice_v1_RaftPeerStreamRequest__Output } from './sluice/v1/RaftPeerStreamRequest';
import type { RaftPeerStreamResponse as _sluice_v1_RaftPeerStreamResponse, RaftPeerStreamResponse__Output as _sluice_v1_RaftPeerStreamResponse__Output } from './sluice/v1/RaftPeerStreamResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sluice: {
    v1: {
      RaftPeer: SubtypeConstructor<typeof grpc.Client, _sluice_v1_RaftPeerClient> & { service: _sluice_v1_RaftPeerDefinition }
      RaftPeerSendRequest: MessageTypeDefinition<_sluice_v1_RaftPeerSendRequest, _sluice_v1_RaftPeerSendRequest__Output>
      RaftPeerSendResponse: MessageTypeDefinition<_sluice_v1_RaftPeerSendResponse, _sluice_v1_RaftPeerSendResponse__Output>
      RaftPeerSendSnapshotRequest: MessageTypeDefinition<_sluice_v1_RaftPeerSendSnapshotRequest, _sluice_v1_RaftPeerSendSnapshotRequest__Output>
      RaftPeerSendSnapshotResponse: MessageTypeDefinition<_sluice_v1_RaftPeerSendSnapshotResponse, _sluice_v1_RaftPeerSendSnapshotResponse__Output>
      RaftPeerStreamRequest: MessageTypeDefinition<_sluice_v1_RaftPeerStreamRequest, _sluice_v1_RaftPeerStreamRequest__Output>
      RaftPeerStreamResponse: MessageTypeDefinition<_sluice_v1_RaftPeerStreamResponse, _sluice_v1_RaftPeerStreamResponse__Output>
    }
  }
}

