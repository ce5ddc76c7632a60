// Original file: proto/sluice/v1/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { RaftPeerSendRequest as _sluice_v1_RaftPeerSendRequest, RaftPeerSendRequest__Output as _sluice_v1_RaftPeerSendRequest__Output } from '../../sluice/v1/RaftPeerSendRequest';
import type { RaftPeerSendResponse as _sluice_v1_RaftPeerSendResponse, RaftPeerSendResponse__Output as _sluice_v1_RaftPeerSendResponse__Output } from '../../sluice/v1/RaftPeerSendResponse';

export interface RaftPeerClient extends grpc.Client {
  /**
   * One or more messages from one voter to another. Answered as soon as the receiver has
   * queued them for its Raft core, before they are processed.
   */
  Send(argument: _sluice_v1_RaftPeerSendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendResponse__Output>): grpc.ClientUnaryCall;
  Send(argument: _sluice_v1_RaftPeerSendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendResponse__Output>): grpc.ClientUnaryCall;
  Send(argument: _sluice_v1_RaftPeerSendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendResponse__Output>): grpc.ClientUnaryCall;
  Send(argument: _sluice_v1_RaftPeerSendRequest, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendResponse__Output>): grpc.ClientUnaryCall;
  /**
   * One or more messages from one voter to another. Answered as soon as the receiver has
   * queued them for its Raft core, before they are processed.
   */
  send(argument: _sluice_v1_RaftPeerSendRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendResponse__Output>): grpc.ClientUnaryCall;
  send(argument: _sluice_v1_RaftPeerSendRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendResponse__Output>): grpc.ClientUnaryCall;
  send(argument: _sluice_v1_RaftPeerSendRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendResponse__Output>): grpc.ClientUnaryCall;
  send(argument: _sluice_v1_RaftPeerSendRequest, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface RaftPeerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One or more messages from one voter to another. Answered as soon as the receiver has
   * queued them for its Raft core, before they are processed.
   */
  Send: grpc.handleUnaryCall<_sluice_v1_RaftPeerSendRequest__Output, _sluice_v1_RaftPeerSendResponse>;
  
}

export interface RaftPeerDefinition extends grpc.ServiceDefinition {
  Send: MethodDefinition<_sluice_v1_RaftPeerSendRequest, _sluice_v1_RaftPeerSendResponse, _sluice_v1_RaftPeerSendRequest__Output, _sluice_v1_RaftPeerSendResponse__Output>
}
