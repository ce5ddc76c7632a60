/**
 * `sluice.v1.RaftPeer` as a NestJS gRPC controller: a one-line delegate to the plain
 * `RaftPeerHandler` (no logic here). Provide the handler under `RAFT_PEER_HANDLER`, serve
 * `sluice/v1/raft.proto` (package `sluice.v1`) in the microservice options, and install
 * @sluice/runtime's `ApiErrorRpcFilter` so refused envelopes keep their Kafka error names.
 */
import { Controller, Inject, Optional } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import type { sendUnaryData, ServerReadableStream } from '@grpc/grpc-js';
import { toGrpcStatus } from '@sluice/proto';
import type {
  RaftPeerSendRequest__Output,
  RaftPeerSendResponse,
  RaftPeerSendSnapshotRequest__Output,
  RaftPeerSendSnapshotResponse,
  RaftPeerStreamRequest__Output,
  RaftPeerStreamResponse,
} from '@sluice/proto';
import {
  checkStreamCredential,
  RPC_ACCESS_CONTROL,
  rpcCallContextOfCall,
  type RpcAccessControl,
} from '@sluice/service-common';
import type { RaftPeerHandler } from './raft-peer-service';

export const RAFT_PEER_HANDLER = Symbol('RAFT_PEER_HANDLER');

@Controller()
export class RaftPeerController {
  constructor(
    @Inject(RAFT_PEER_HANDLER) private readonly handler: RaftPeerHandler,
    @Optional() @Inject(RPC_ACCESS_CONTROL) private readonly access: RpcAccessControl | null = null,
  ) {}

  @GrpcMethod('RaftPeer', 'Send')
  send(envelope: RaftPeerSendRequest__Output): RaftPeerSendResponse {
    return this.handler.send(envelope);
  }

  /**
   * A client stream: the raw call is the chunks; the answer (or the Kafka-named refusal) goes
   * through `callback`, so nothing is thrown past Nest's stream handling.
   */
  @GrpcStreamCall('RaftPeer', 'SendSnapshot')
  sendSnapshot(
    call: ServerReadableStream<RaftPeerSendSnapshotRequest__Output, RaftPeerSendSnapshotResponse>,
    callback: sendUnaryData<RaftPeerSendSnapshotResponse>,
  ): Promise<void> {
    return this.handler.sendSnapshot(call).then(
      (response) => callback(null, response),
      (error: unknown) => {
        // Stop reading what the peer still sends; the refusal ends the call.
        call.destroy();
        callback(toGrpcStatus(error));
      },
    );
  }

  /**
   * The long-lived stream of envelopes (one per sending peer): Nest's per-call work (guard,
   * interceptors) runs once per stream, not per batch. Ends with `{}` when the sender ends it, or
   * with the first refused envelope's Kafka-named error. Peers authenticate with certificates
   * (no expiry here); a stream opened with a token refuses envelopes past its exp (KIP-368).
   */
  @GrpcStreamCall('RaftPeer', 'Stream')
  stream(
    call: ServerReadableStream<RaftPeerStreamRequest__Output, RaftPeerStreamResponse>,
    callback: sendUnaryData<RaftPeerStreamResponse>,
  ): Promise<void> {
    const authenticated = rpcCallContextOfCall(call);
    return this.handler
      .serveStream(call, () => checkStreamCredential(authenticated, 'RaftPeer.Stream', this.access))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcStatus(error)),
      );
  }
}
