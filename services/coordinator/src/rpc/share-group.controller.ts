/**
 * Share groups (KIP-932): members' heartbeats (assignment of share partitions), and the share
 * coordinator's durable state that partition leaders read and write (`__share_group_state`).
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import { RpcCall, type RpcCallContext } from '@sluice/service-common';
import type { CoordinatorApi } from '../node/coordinator-api';
import { COORDINATOR_API } from './tokens';

@Controller()
export class ShareGroupController {
  constructor(@Inject(COORDINATOR_API) private readonly api: CoordinatorApi) {}

  @GrpcMethod('Coordinator', 'ShareGroupHeartbeat')
  shareGroupHeartbeat(
    @Payload() request: pb.ShareGroupHeartbeatRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.ShareGroupHeartbeatResponse> {
    return this.api.shareGroupHeartbeat(request, call.phases);
  }

  @GrpcMethod('Coordinator', 'ReadShareGroupState')
  readShareGroupState(
    @Payload() request: pb.ReadShareGroupStateRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.ReadShareGroupStateResponse> {
    return this.api.readShareGroupState(request, call.phases);
  }

  @GrpcMethod('Coordinator', 'WriteShareGroupState')
  writeShareGroupState(
    @Payload() request: pb.WriteShareGroupStateRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.WriteShareGroupStateResponse> {
    return this.api.writeShareGroupState(request, call.phases);
  }
}
