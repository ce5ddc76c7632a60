/**
 * Consumer groups (KIP-848) as members see them: finding the coordinator, heartbeats (join,
 * reconcile, leave) and committed offsets. Thin: CoordinatorApi turns each request into
 * operations of the owning group shard.
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import { RpcCall, type RpcCallContext } from '@sluice/service-common';
import type { CoordinatorApi } from '../node/coordinator-api';
import { COORDINATOR_API } from './tokens';

@Controller()
export class ConsumerGroupController {
  constructor(@Inject(COORDINATOR_API) private readonly api: CoordinatorApi) {}

  @GrpcMethod('Coordinator', 'FindCoordinator')
  findCoordinator(@Payload() request: pb.FindCoordinatorRequest__Output): pb.FindCoordinatorResponse {
    return this.api.findCoordinator(request);
  }

  @GrpcMethod('Coordinator', 'ConsumerGroupHeartbeat')
  heartbeat(
    @Payload() request: pb.ConsumerGroupHeartbeatRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.ConsumerGroupHeartbeatResponse> {
    return this.api.heartbeat(request, call.phases);
  }

  @GrpcMethod('Coordinator', 'OffsetCommit')
  offsetCommit(
    @Payload() request: pb.OffsetCommitRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.OffsetCommitResponse> {
    return this.api.offsetCommit(request, call.phases);
  }

  @GrpcMethod('Coordinator', 'OffsetFetch')
  offsetFetch(
    @Payload() request: pb.OffsetFetchRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.OffsetFetchResponse> {
    return this.api.offsetFetch(request, call.phases);
  }
}
