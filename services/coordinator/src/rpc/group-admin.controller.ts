/** Group administration (kafka-consumer-groups' RPCs): list, describe and delete groups. */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import type { CoordinatorApi } from '../node/coordinator-api';
import { COORDINATOR_API } from './tokens';

@Controller()
export class GroupAdminController {
  constructor(@Inject(COORDINATOR_API) private readonly api: CoordinatorApi) {}

  @GrpcMethod('Coordinator', 'ListGroups')
  listGroups(@Payload() request: pb.ListGroupsRequest__Output): pb.ListGroupsResponse {
    return this.api.listGroups(request);
  }

  @GrpcMethod('Coordinator', 'DescribeGroups')
  describeGroups(@Payload() request: pb.DescribeGroupsRequest__Output): pb.DescribeGroupsResponse {
    return this.api.describeGroups(request);
  }

  @GrpcMethod('Coordinator', 'DeleteGroups')
  deleteGroups(@Payload() request: pb.DeleteGroupsRequest__Output): Promise<pb.DeleteGroupsResponse> {
    return this.api.deleteGroups(request);
  }

  @GrpcMethod('Coordinator', 'DescribeShareGroups')
  describeShareGroups(@Payload() request: pb.DescribeShareGroupsRequest__Output): pb.DescribeShareGroupsResponse {
    return this.api.describeShareGroups(request);
  }
}
