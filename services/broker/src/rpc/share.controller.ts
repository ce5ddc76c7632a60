/** Share groups (KIP-932) at the partition leader: acquire records for a member, acknowledge them. */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import { RpcCall, type RpcCallContext } from '@sluice/service-common';
import type { BrokerRequests } from './broker-requests';
import { BROKER_REQUESTS } from './tokens';

@Controller()
export class ShareController {
  constructor(@Inject(BROKER_REQUESTS) private readonly broker: BrokerRequests) {}

  @GrpcMethod('Broker', 'ShareFetch')
  shareFetch(
    @Payload() request: pb.ShareFetchRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.ShareFetchResponse> {
    return this.broker.shareFetch(request, call.phases);
  }

  @GrpcMethod('Broker', 'ShareAcknowledge')
  shareAcknowledge(
    @Payload() request: pb.ShareAcknowledgeRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.ShareAcknowledgeResponse> {
    return this.broker.shareAcknowledge(request, call.phases);
  }
}
