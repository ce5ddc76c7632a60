/**
 * `sluice.v1.RaftPeer` as a NestJS gRPC controller: a one-line delegate to the plain
 * `RaftPeerHandler` (no logic here). Provide the handler under `RAFT_PEER_HANDLER`, serve
 * `sluice/v1/raft.proto` (package `sluice.v1`) in the microservice options, and install
 * @sluice/runtime's `ApiErrorRpcFilter` so refused envelopes keep their Kafka error names.
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { RaftPeerSendRequest__Output, RaftPeerSendResponse } from '@sluice/proto';
import type { RaftPeerHandler } from './raft-peer-service';

export const RAFT_PEER_HANDLER = Symbol('RAFT_PEER_HANDLER');

@Controller()
export class RaftPeerController {
  constructor(@Inject(RAFT_PEER_HANDLER) private readonly handler: RaftPeerHandler) {}

  @GrpcMethod('RaftPeer', 'Send')
  send(envelope: RaftPeerSendRequest__Output): RaftPeerSendResponse {
    return this.handler.send(envelope);
  }
}
