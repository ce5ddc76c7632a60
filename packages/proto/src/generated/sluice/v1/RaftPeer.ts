// Original file: proto/sluice/v1/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { RaftPeerSendRequest as _sluice_v1_RaftPeerSendRequest, RaftPeerSendRequest__Output as _sluice_v1_RaftPeerSendRequest__Output } from '../../sluice/v1/RaftPeerSendRequest';
import type { RaftPeerSendResponse as _sluice_v1_RaftPeerSendResponse, RaftPeerSendResponse__Output as _sluice_v1_RaftPeerSendResponse__Output } from '../../sluice/v1/RaftPeerSendResponse';
import type { RaftPeerSendSnapshotRequest as _sluice_v1_RaftPeerSendSnapshotRequest, RaftPeerSendSnapshotRequest__Output as _sluice_v1_RaftPeerSendSnapshotRequest__Output } from '../../sluice/v1/RaftPeerSendSnapshotRequest';
import type { RaftPeerSendSnapshotResponse as _sluice_v1_RaftPeerSendSnapshotResponse, RaftPeerSendSnapshotResponse__Output as _sluice_v1_RaftPeerSendSnapshotResponse__Output } from '../../sluice/v1/RaftPeerSendSnapshotResponse';
import type { RaftPeerStreamRequest as _sluice_v1_RaftPeerStreamRequest, RaftPeerStreamRequest__Output as _sluice_v1_RaftPeerStreamRequest__Output } from '../../sluice/v1/RaftPeerStreamRequest';
import type { RaftPeerStreamResponse as _sluice_v1_RaftPeerStreamResponse, RaftPeerStreamResponse__Output as _sluice_v1_RaftPeerStreamResponse__Output } from '../../sluice/v1/RaftPeerStreamResponse';

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
  
  /**
   * One InstallSnapshot message, too large for one gRPC message at scale (a 2M-partition image
   * is over 100 MiB), streamed in chunks: the chunks' `data` concatenated are one encoded Raft
   * snapshot message. Answered once the receiver has queued it for its Raft core; a stream cut
   * short delivers nothing (the leader sends the snapshot again).
   */
  SendSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendSnapshotResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerSendSnapshotRequest>;
  SendSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendSnapshotResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerSendSnapshotRequest>;
  SendSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendSnapshotResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerSendSnapshotRequest>;
  SendSnapshot(callback: grpc.requestCallback<_sluice_v1_RaftPeerSendSnapshotResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerSendSnapshotRequest>;
  /**
   * One InstallSnapshot message, too large for one gRPC message at scale (a 2M-partition image
   * is over 100 MiB), streamed in chunks: the chunks' `data` concatenated are one encoded Raft
   * snapshot message. Answered once the receiver has queued it for its Raft core; a stream cut
   * short delivers nothing (the leader sends the snapshot again).
   */
  sendSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendSnapshotResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerSendSnapshotRequest>;
  sendSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendSnapshotResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerSendSnapshotRequest>;
  sendSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerSendSnapshotResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerSendSnapshotRequest>;
  sendSnapshot(callback: grpc.requestCallback<_sluice_v1_RaftPeerSendSnapshotResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerSendSnapshotRequest>;
  
  /**
   * The messages Send carries, on one long-lived stream per peer instead of one call per batch
   * (a call's headers, trailers and per-call work on both sides cost more than the heartbeats
   * they carry). Each request is one envelope, checked as Send's and delivered in order. A
   * receiver that refuses an envelope ends the stream with its error; the sender drops what it
   * had written (Raft retries) and opens a new stream. Never answered otherwise: the stream
   * ends only when the sender or the connection ends it. A sender whose peer answers
   * UNIMPLEMENTED (an older controller) uses Send.
   */
  Stream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerStreamResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerStreamRequest>;
  Stream(metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_RaftPeerStreamResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerStreamRequest>;
  Stream(options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerStreamResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerStreamRequest>;
  Stream(callback: grpc.requestCallback<_sluice_v1_RaftPeerStreamResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerStreamRequest>;
  /**
   * The messages Send carries, on one long-lived stream per peer instead of one call per batch
   * (a call's headers, trailers and per-call work on both sides cost more than the heartbeats
   * they carry). Each request is one envelope, checked as Send's and delivered in order. A
   * receiver that refuses an envelope ends the stream with its error; the sender drops what it
   * had written (Raft retries) and opens a new stream. Never answered otherwise: the stream
   * ends only when the sender or the connection ends it. A sender whose peer answers
   * UNIMPLEMENTED (an older controller) uses Send.
   */
  stream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerStreamResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerStreamRequest>;
  stream(metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_RaftPeerStreamResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerStreamRequest>;
  stream(options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RaftPeerStreamResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerStreamRequest>;
  stream(callback: grpc.requestCallback<_sluice_v1_RaftPeerStreamResponse__Output>): grpc.ClientWritableStream<_sluice_v1_RaftPeerStreamRequest>;
  
}

export interface RaftPeerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One or more messages from one voter to another. Answered as soon as the receiver has
   * queued them for its Raft core, before they are processed.
   */
  Send: grpc.handleUnaryCall<_sluice_v1_RaftPeerSendRequest__Output, _sluice_v1_RaftPeerSendResponse>;
  
  /**
   * One InstallSnapshot message, too large for one gRPC message at scale (a 2M-partition image
   * is over 100 MiB), streamed in chunks: the chunks' `data` concatenated are one encoded Raft
   * snapshot message. Answered once the receiver has queued it for its Raft core; a stream cut
   * short delivers nothing (the leader sends the snapshot again).
   */
  SendSnapshot: grpc.handleClientStreamingCall<_sluice_v1_RaftPeerSendSnapshotRequest__Output, _sluice_v1_RaftPeerSendSnapshotResponse>;
  
  /**
   * The messages Send carries, on one long-lived stream per peer instead of one call per batch
   * (a call's headers, trailers and per-call work on both sides cost more than the heartbeats
   * they carry). Each request is one envelope, checked as Send's and delivered in order. A
   * receiver that refuses an envelope ends the stream with its error; the sender drops what it
   * had written (Raft retries) and opens a new stream. Never answered otherwise: the stream
   * ends only when the sender or the connection ends it. A sender whose peer answers
   * UNIMPLEMENTED (an older controller) uses Send.
   */
  Stream: grpc.handleClientStreamingCall<_sluice_v1_RaftPeerStreamRequest__Output, _sluice_v1_RaftPeerStreamResponse>;
  
}

export interface RaftPeerDefinition extends grpc.ServiceDefinition {
  Send: MethodDefinition<_sluice_v1_RaftPeerSendRequest, _sluice_v1_RaftPeerSendResponse, _sluice_v1_RaftPeerSendRequest__Output, _sluice_v1_RaftPeerSendResponse__Output>
  SendSnapshot: MethodDefinition<_sluice_v1_RaftPeerSendSnapshotRequest, _sluice_v1_RaftPeerSendSnapshotResponse, _sluice_v1_RaftPeerSendSnapshotRequest__Output, _sluice_v1_RaftPeerSendSnapshotResponse__Output>
  Stream: MethodDefinition<_sluice_v1_RaftPeerStreamRequest, _sluice_v1_RaftPeerStreamResponse, _sluice_v1_RaftPeerStreamRequest__Output, _sluice_v1_RaftPeerStreamResponse__Output>
}
