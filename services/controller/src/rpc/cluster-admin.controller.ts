/**
 * What operators and the Admin client ask: topics, partitions, configs, leader elections and
 * descriptions of the cluster. Thin: every decision is ControllerApi's.
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import { RpcCall, type RpcCallContext } from '@sluice/service-common';
import type { ControllerApi } from '../api/controller-api';
import { callerOf } from './caller';
import { CONTROLLER_API, CONTROLLER_RPC_OPTIONS, type ControllerRpcOptions } from './tokens';

@Controller()
export class ClusterAdminController {
  constructor(
    @Inject(CONTROLLER_API) private readonly api: ControllerApi,
    @Inject(CONTROLLER_RPC_OPTIONS) private readonly options: ControllerRpcOptions,
  ) {}

  @GrpcMethod('Controller', 'CreateTopics')
  createTopics(
    @Payload() request: pb.CreateTopicsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.CreateTopicsResponse> {
    return this.api.createTopics(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'DeleteTopics')
  deleteTopics(
    @Payload() request: pb.DeleteTopicsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.DeleteTopicsResponse> {
    return this.api.deleteTopics(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'CreatePartitions')
  createPartitions(
    @Payload() request: pb.CreatePartitionsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.CreatePartitionsResponse> {
    return this.api.createPartitions(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'AlterConfigs')
  alterConfigs(
    @Payload() request: pb.AlterConfigsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.AlterConfigsResponse> {
    return this.api.alterConfigs(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'ElectLeaders')
  electLeaders(
    @Payload() request: pb.ElectLeadersRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.ElectLeadersResponse> {
    return this.api.electLeaders(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'AlterPartitionReassignments')
  alterPartitionReassignments(
    @Payload() request: pb.AlterPartitionReassignmentsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.AlterPartitionReassignmentsResponse> {
    return this.api.alterPartitionReassignments(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'ListPartitionReassignments')
  listPartitionReassignments(
    @Payload() request: pb.ListPartitionReassignmentsRequest__Output,
  ): Promise<pb.ListPartitionReassignmentsResponse> {
    return this.api.listPartitionReassignments(request);
  }

  @GrpcMethod('Controller', 'CreateAcls')
  createAcls(
    @Payload() request: pb.CreateAclsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.CreateAclsResponse> {
    return this.api.createAcls(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'DeleteAcls')
  deleteAcls(
    @Payload() request: pb.DeleteAclsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.DeleteAclsResponse> {
    return this.api.deleteAcls(request, callerOf(call));
  }

  @GrpcMethod('Controller', 'DescribeAcls')
  describeAcls(@Payload() request: pb.DescribeAclsRequest__Output): pb.DescribeAclsResponse {
    return this.api.describeAcls(request);
  }

  @GrpcMethod('Controller', 'DescribeCluster')
  describeCluster(): pb.DescribeClusterResponse | Promise<pb.DescribeClusterResponse> {
    return this.api.describeCluster(this.options.clusterId);
  }

  @GrpcMethod('Controller', 'DescribeTopics')
  describeTopics(
    @Payload() request: pb.DescribeTopicsRequest__Output,
  ): pb.DescribeTopicsResponse | Promise<pb.DescribeTopicsResponse> {
    return this.api.describeTopics(request);
  }
}
