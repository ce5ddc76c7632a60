/**
 * What brokers ask of the quorum about themselves: registration, heartbeats (lease, fencing),
 * controlled shutdown, ISR changes of the partitions they lead, and producer id blocks. Thin:
 * every decision is ControllerApi's (and the core's behind it).
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import { RpcCall, type RpcCallContext } from '@sluice/service-common';
import type { ControllerApi } from '../api/controller-api';
import { callerOf } from './caller';
import { CONTROLLER_API } from './tokens';

@Controller()
export class BrokerLifecycleController {
  constructor(@Inject(CONTROLLER_API) private readonly api: ControllerApi) {}

  @GrpcMethod('Controller', 'RegisterBroker')
  registerBroker(
    @Payload() request: pb.RegisterBrokerRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.RegisterBrokerResponse> {
    return this.api.registerBroker(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'BrokerHeartbeat')
  brokerHeartbeat(
    @Payload() request: pb.BrokerHeartbeatRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.BrokerHeartbeatResponse> {
    return this.api.brokerHeartbeat(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'ControlledShutdown')
  controlledShutdown(
    @Payload() request: pb.ControlledShutdownRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.ControlledShutdownResponse> {
    return this.api.controlledShutdown(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'AlterPartition')
  alterPartition(
    @Payload() request: pb.AlterPartitionRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.AlterPartitionResponse> {
    return this.api.alterPartition(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'AllocateProducerIds')
  allocateProducerIds(
    @Payload() request: pb.AllocateProducerIdsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.AllocateProducerIdsResponse> {
    return this.api.allocateProducerIds(request, callerOf(call));
  }
}
