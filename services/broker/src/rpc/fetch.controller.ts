/**
 * Reading records and offsets: Fetch (consumers and follower replicas; a long poll), FetchRecords
 * for plain gRPC clients, ListOffsets (by timestamp too) and the followers' OffsetForLeaderEpoch.
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import { RpcCall, type RpcCallContext } from '@sluice/service-common';
import type { BrokerRequests } from './broker-requests';
import { BROKER_REQUESTS } from './tokens';

@Controller()
export class FetchController {
  constructor(@Inject(BROKER_REQUESTS) private readonly broker: BrokerRequests) {}

  @GrpcMethod('Broker', 'Fetch')
  fetch(@Payload() request: pb.FetchRequest__Output, @RpcCall() call: RpcCallContext): Promise<pb.FetchResponse> {
    return this.broker.fetch(request, call.phases);
  }

  @GrpcMethod('Broker', 'FetchRecords')
  fetchRecords(
    @Payload() request: pb.FetchRecordsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.FetchRecordsResponse> {
    return this.broker.fetchRecords(request, call.phases);
  }

  @GrpcMethod('Broker', 'ListOffsets')
  listOffsets(
    @Payload() request: pb.ListOffsetsRequest__Output,
  ): pb.ListOffsetsResponse | Promise<pb.ListOffsetsResponse> {
    return this.broker.listOffsets(request);
  }

  @GrpcMethod('Broker', 'OffsetForLeaderEpoch')
  offsetForLeaderEpoch(
    @Payload() request: pb.OffsetForLeaderEpochRequest__Output,
  ): pb.OffsetForLeaderEpochResponse | Promise<pb.OffsetForLeaderEpochResponse> {
    return this.broker.offsetForLeaderEpoch(request);
  }
}
