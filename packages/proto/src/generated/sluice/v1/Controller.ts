// Original file: proto/sluice/v1/controller.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AllocateProducerIdsRequest as _sluice_v1_AllocateProducerIdsRequest, AllocateProducerIdsRequest__Output as _sluice_v1_AllocateProducerIdsRequest__Output } from '../../sluice/v1/AllocateProducerIdsRequest';
import type { AllocateProducerIdsResponse as _sluice_v1_AllocateProducerIdsResponse, AllocateProducerIdsResponse__Output as _sluice_v1_AllocateProducerIdsResponse__Output } from '../../sluice/v1/AllocateProducerIdsResponse';
import type { AlterConfigsRequest as _sluice_v1_AlterConfigsRequest, AlterConfigsRequest__Output as _sluice_v1_AlterConfigsRequest__Output } from '../../sluice/v1/AlterConfigsRequest';
import type { AlterConfigsResponse as _sluice_v1_AlterConfigsResponse, AlterConfigsResponse__Output as _sluice_v1_AlterConfigsResponse__Output } from '../../sluice/v1/AlterConfigsResponse';
import type { AlterPartitionReassignmentsRequest as _sluice_v1_AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsRequest__Output as _sluice_v1_AlterPartitionReassignmentsRequest__Output } from '../../sluice/v1/AlterPartitionReassignmentsRequest';
import type { AlterPartitionReassignmentsResponse as _sluice_v1_AlterPartitionReassignmentsResponse, AlterPartitionReassignmentsResponse__Output as _sluice_v1_AlterPartitionReassignmentsResponse__Output } from '../../sluice/v1/AlterPartitionReassignmentsResponse';
import type { AlterPartitionRequest as _sluice_v1_AlterPartitionRequest, AlterPartitionRequest__Output as _sluice_v1_AlterPartitionRequest__Output } from '../../sluice/v1/AlterPartitionRequest';
import type { AlterPartitionResponse as _sluice_v1_AlterPartitionResponse, AlterPartitionResponse__Output as _sluice_v1_AlterPartitionResponse__Output } from '../../sluice/v1/AlterPartitionResponse';
import type { BrokerHeartbeatRequest as _sluice_v1_BrokerHeartbeatRequest, BrokerHeartbeatRequest__Output as _sluice_v1_BrokerHeartbeatRequest__Output } from '../../sluice/v1/BrokerHeartbeatRequest';
import type { BrokerHeartbeatResponse as _sluice_v1_BrokerHeartbeatResponse, BrokerHeartbeatResponse__Output as _sluice_v1_BrokerHeartbeatResponse__Output } from '../../sluice/v1/BrokerHeartbeatResponse';
import type { ControlledShutdownRequest as _sluice_v1_ControlledShutdownRequest, ControlledShutdownRequest__Output as _sluice_v1_ControlledShutdownRequest__Output } from '../../sluice/v1/ControlledShutdownRequest';
import type { ControlledShutdownResponse as _sluice_v1_ControlledShutdownResponse, ControlledShutdownResponse__Output as _sluice_v1_ControlledShutdownResponse__Output } from '../../sluice/v1/ControlledShutdownResponse';
import type { CreateAclsRequest as _sluice_v1_CreateAclsRequest, CreateAclsRequest__Output as _sluice_v1_CreateAclsRequest__Output } from '../../sluice/v1/CreateAclsRequest';
import type { CreateAclsResponse as _sluice_v1_CreateAclsResponse, CreateAclsResponse__Output as _sluice_v1_CreateAclsResponse__Output } from '../../sluice/v1/CreateAclsResponse';
import type { CreatePartitionsRequest as _sluice_v1_CreatePartitionsRequest, CreatePartitionsRequest__Output as _sluice_v1_CreatePartitionsRequest__Output } from '../../sluice/v1/CreatePartitionsRequest';
import type { CreatePartitionsResponse as _sluice_v1_CreatePartitionsResponse, CreatePartitionsResponse__Output as _sluice_v1_CreatePartitionsResponse__Output } from '../../sluice/v1/CreatePartitionsResponse';
import type { CreateTopicsRequest as _sluice_v1_CreateTopicsRequest, CreateTopicsRequest__Output as _sluice_v1_CreateTopicsRequest__Output } from '../../sluice/v1/CreateTopicsRequest';
import type { CreateTopicsResponse as _sluice_v1_CreateTopicsResponse, CreateTopicsResponse__Output as _sluice_v1_CreateTopicsResponse__Output } from '../../sluice/v1/CreateTopicsResponse';
import type { DeleteAclsRequest as _sluice_v1_DeleteAclsRequest, DeleteAclsRequest__Output as _sluice_v1_DeleteAclsRequest__Output } from '../../sluice/v1/DeleteAclsRequest';
import type { DeleteAclsResponse as _sluice_v1_DeleteAclsResponse, DeleteAclsResponse__Output as _sluice_v1_DeleteAclsResponse__Output } from '../../sluice/v1/DeleteAclsResponse';
import type { DeleteTopicsRequest as _sluice_v1_DeleteTopicsRequest, DeleteTopicsRequest__Output as _sluice_v1_DeleteTopicsRequest__Output } from '../../sluice/v1/DeleteTopicsRequest';
import type { DeleteTopicsResponse as _sluice_v1_DeleteTopicsResponse, DeleteTopicsResponse__Output as _sluice_v1_DeleteTopicsResponse__Output } from '../../sluice/v1/DeleteTopicsResponse';
import type { DescribeAclsRequest as _sluice_v1_DescribeAclsRequest, DescribeAclsRequest__Output as _sluice_v1_DescribeAclsRequest__Output } from '../../sluice/v1/DescribeAclsRequest';
import type { DescribeAclsResponse as _sluice_v1_DescribeAclsResponse, DescribeAclsResponse__Output as _sluice_v1_DescribeAclsResponse__Output } from '../../sluice/v1/DescribeAclsResponse';
import type { DescribeClusterRequest as _sluice_v1_DescribeClusterRequest, DescribeClusterRequest__Output as _sluice_v1_DescribeClusterRequest__Output } from '../../sluice/v1/DescribeClusterRequest';
import type { DescribeClusterResponse as _sluice_v1_DescribeClusterResponse, DescribeClusterResponse__Output as _sluice_v1_DescribeClusterResponse__Output } from '../../sluice/v1/DescribeClusterResponse';
import type { DescribeTopicsRequest as _sluice_v1_DescribeTopicsRequest, DescribeTopicsRequest__Output as _sluice_v1_DescribeTopicsRequest__Output } from '../../sluice/v1/DescribeTopicsRequest';
import type { DescribeTopicsResponse as _sluice_v1_DescribeTopicsResponse, DescribeTopicsResponse__Output as _sluice_v1_DescribeTopicsResponse__Output } from '../../sluice/v1/DescribeTopicsResponse';
import type { ElectLeadersRequest as _sluice_v1_ElectLeadersRequest, ElectLeadersRequest__Output as _sluice_v1_ElectLeadersRequest__Output } from '../../sluice/v1/ElectLeadersRequest';
import type { ElectLeadersResponse as _sluice_v1_ElectLeadersResponse, ElectLeadersResponse__Output as _sluice_v1_ElectLeadersResponse__Output } from '../../sluice/v1/ElectLeadersResponse';
import type { FetchMetadataRequest as _sluice_v1_FetchMetadataRequest, FetchMetadataRequest__Output as _sluice_v1_FetchMetadataRequest__Output } from '../../sluice/v1/FetchMetadataRequest';
import type { FetchMetadataResponse as _sluice_v1_FetchMetadataResponse, FetchMetadataResponse__Output as _sluice_v1_FetchMetadataResponse__Output } from '../../sluice/v1/FetchMetadataResponse';
import type { ListPartitionReassignmentsRequest as _sluice_v1_ListPartitionReassignmentsRequest, ListPartitionReassignmentsRequest__Output as _sluice_v1_ListPartitionReassignmentsRequest__Output } from '../../sluice/v1/ListPartitionReassignmentsRequest';
import type { ListPartitionReassignmentsResponse as _sluice_v1_ListPartitionReassignmentsResponse, ListPartitionReassignmentsResponse__Output as _sluice_v1_ListPartitionReassignmentsResponse__Output } from '../../sluice/v1/ListPartitionReassignmentsResponse';
import type { RegisterBrokerRequest as _sluice_v1_RegisterBrokerRequest, RegisterBrokerRequest__Output as _sluice_v1_RegisterBrokerRequest__Output } from '../../sluice/v1/RegisterBrokerRequest';
import type { RegisterBrokerResponse as _sluice_v1_RegisterBrokerResponse, RegisterBrokerResponse__Output as _sluice_v1_RegisterBrokerResponse__Output } from '../../sluice/v1/RegisterBrokerResponse';

export interface ControllerClient extends grpc.Client {
  AllocateProducerIds(argument: _sluice_v1_AllocateProducerIdsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AllocateProducerIdsResponse__Output>): grpc.ClientUnaryCall;
  AllocateProducerIds(argument: _sluice_v1_AllocateProducerIdsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_AllocateProducerIdsResponse__Output>): grpc.ClientUnaryCall;
  AllocateProducerIds(argument: _sluice_v1_AllocateProducerIdsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AllocateProducerIdsResponse__Output>): grpc.ClientUnaryCall;
  AllocateProducerIds(argument: _sluice_v1_AllocateProducerIdsRequest, callback: grpc.requestCallback<_sluice_v1_AllocateProducerIdsResponse__Output>): grpc.ClientUnaryCall;
  allocateProducerIds(argument: _sluice_v1_AllocateProducerIdsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AllocateProducerIdsResponse__Output>): grpc.ClientUnaryCall;
  allocateProducerIds(argument: _sluice_v1_AllocateProducerIdsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_AllocateProducerIdsResponse__Output>): grpc.ClientUnaryCall;
  allocateProducerIds(argument: _sluice_v1_AllocateProducerIdsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AllocateProducerIdsResponse__Output>): grpc.ClientUnaryCall;
  allocateProducerIds(argument: _sluice_v1_AllocateProducerIdsRequest, callback: grpc.requestCallback<_sluice_v1_AllocateProducerIdsResponse__Output>): grpc.ClientUnaryCall;
  
  AlterConfigs(argument: _sluice_v1_AlterConfigsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterConfigsResponse__Output>): grpc.ClientUnaryCall;
  AlterConfigs(argument: _sluice_v1_AlterConfigsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_AlterConfigsResponse__Output>): grpc.ClientUnaryCall;
  AlterConfigs(argument: _sluice_v1_AlterConfigsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterConfigsResponse__Output>): grpc.ClientUnaryCall;
  AlterConfigs(argument: _sluice_v1_AlterConfigsRequest, callback: grpc.requestCallback<_sluice_v1_AlterConfigsResponse__Output>): grpc.ClientUnaryCall;
  alterConfigs(argument: _sluice_v1_AlterConfigsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterConfigsResponse__Output>): grpc.ClientUnaryCall;
  alterConfigs(argument: _sluice_v1_AlterConfigsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_AlterConfigsResponse__Output>): grpc.ClientUnaryCall;
  alterConfigs(argument: _sluice_v1_AlterConfigsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterConfigsResponse__Output>): grpc.ClientUnaryCall;
  alterConfigs(argument: _sluice_v1_AlterConfigsRequest, callback: grpc.requestCallback<_sluice_v1_AlterConfigsResponse__Output>): grpc.ClientUnaryCall;
  
  AlterPartition(argument: _sluice_v1_AlterPartitionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterPartitionResponse__Output>): grpc.ClientUnaryCall;
  AlterPartition(argument: _sluice_v1_AlterPartitionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_AlterPartitionResponse__Output>): grpc.ClientUnaryCall;
  AlterPartition(argument: _sluice_v1_AlterPartitionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterPartitionResponse__Output>): grpc.ClientUnaryCall;
  AlterPartition(argument: _sluice_v1_AlterPartitionRequest, callback: grpc.requestCallback<_sluice_v1_AlterPartitionResponse__Output>): grpc.ClientUnaryCall;
  alterPartition(argument: _sluice_v1_AlterPartitionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterPartitionResponse__Output>): grpc.ClientUnaryCall;
  alterPartition(argument: _sluice_v1_AlterPartitionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_AlterPartitionResponse__Output>): grpc.ClientUnaryCall;
  alterPartition(argument: _sluice_v1_AlterPartitionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterPartitionResponse__Output>): grpc.ClientUnaryCall;
  alterPartition(argument: _sluice_v1_AlterPartitionRequest, callback: grpc.requestCallback<_sluice_v1_AlterPartitionResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Kafka's AlterPartitionReassignments (KIP-455; ALTER on the cluster): per partition a target
   * replica list, or cancel. Adding replicas catch up and join the ISR; the controller then drops
   * the removed ones. Answers per partition.
   */
  AlterPartitionReassignments(argument: _sluice_v1_AlterPartitionReassignmentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  AlterPartitionReassignments(argument: _sluice_v1_AlterPartitionReassignmentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  AlterPartitionReassignments(argument: _sluice_v1_AlterPartitionReassignmentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  AlterPartitionReassignments(argument: _sluice_v1_AlterPartitionReassignmentsRequest, callback: grpc.requestCallback<_sluice_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Kafka's AlterPartitionReassignments (KIP-455; ALTER on the cluster): per partition a target
   * replica list, or cancel. Adding replicas catch up and join the ISR; the controller then drops
   * the removed ones. Answers per partition.
   */
  alterPartitionReassignments(argument: _sluice_v1_AlterPartitionReassignmentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  alterPartitionReassignments(argument: _sluice_v1_AlterPartitionReassignmentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  alterPartitionReassignments(argument: _sluice_v1_AlterPartitionReassignmentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  alterPartitionReassignments(argument: _sluice_v1_AlterPartitionReassignmentsRequest, callback: grpc.requestCallback<_sluice_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  
  BrokerHeartbeat(argument: _sluice_v1_BrokerHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_BrokerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  BrokerHeartbeat(argument: _sluice_v1_BrokerHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_BrokerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  BrokerHeartbeat(argument: _sluice_v1_BrokerHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_BrokerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  BrokerHeartbeat(argument: _sluice_v1_BrokerHeartbeatRequest, callback: grpc.requestCallback<_sluice_v1_BrokerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  brokerHeartbeat(argument: _sluice_v1_BrokerHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_BrokerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  brokerHeartbeat(argument: _sluice_v1_BrokerHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_BrokerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  brokerHeartbeat(argument: _sluice_v1_BrokerHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_BrokerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  brokerHeartbeat(argument: _sluice_v1_BrokerHeartbeatRequest, callback: grpc.requestCallback<_sluice_v1_BrokerHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  ControlledShutdown(argument: _sluice_v1_ControlledShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ControlledShutdownResponse__Output>): grpc.ClientUnaryCall;
  ControlledShutdown(argument: _sluice_v1_ControlledShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ControlledShutdownResponse__Output>): grpc.ClientUnaryCall;
  ControlledShutdown(argument: _sluice_v1_ControlledShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ControlledShutdownResponse__Output>): grpc.ClientUnaryCall;
  ControlledShutdown(argument: _sluice_v1_ControlledShutdownRequest, callback: grpc.requestCallback<_sluice_v1_ControlledShutdownResponse__Output>): grpc.ClientUnaryCall;
  controlledShutdown(argument: _sluice_v1_ControlledShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ControlledShutdownResponse__Output>): grpc.ClientUnaryCall;
  controlledShutdown(argument: _sluice_v1_ControlledShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ControlledShutdownResponse__Output>): grpc.ClientUnaryCall;
  controlledShutdown(argument: _sluice_v1_ControlledShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ControlledShutdownResponse__Output>): grpc.ClientUnaryCall;
  controlledShutdown(argument: _sluice_v1_ControlledShutdownRequest, callback: grpc.requestCallback<_sluice_v1_ControlledShutdownResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ---- ACLs (Kafka's CreateAcls / DescribeAcls / DeleteAcls; need ALTER / DESCRIBE on the cluster) ----
   * Each ACL becomes an AccessControlEntryRecord in the metadata log; one that is already held
   * is not added twice. Answers per ACL.
   */
  CreateAcls(argument: _sluice_v1_CreateAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  CreateAcls(argument: _sluice_v1_CreateAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  CreateAcls(argument: _sluice_v1_CreateAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  CreateAcls(argument: _sluice_v1_CreateAclsRequest, callback: grpc.requestCallback<_sluice_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ---- ACLs (Kafka's CreateAcls / DescribeAcls / DeleteAcls; need ALTER / DESCRIBE on the cluster) ----
   * Each ACL becomes an AccessControlEntryRecord in the metadata log; one that is already held
   * is not added twice. Answers per ACL.
   */
  createAcls(argument: _sluice_v1_CreateAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  createAcls(argument: _sluice_v1_CreateAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  createAcls(argument: _sluice_v1_CreateAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  createAcls(argument: _sluice_v1_CreateAclsRequest, callback: grpc.requestCallback<_sluice_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  
  CreatePartitions(argument: _sluice_v1_CreatePartitionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  CreatePartitions(argument: _sluice_v1_CreatePartitionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  CreatePartitions(argument: _sluice_v1_CreatePartitionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  CreatePartitions(argument: _sluice_v1_CreatePartitionsRequest, callback: grpc.requestCallback<_sluice_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  createPartitions(argument: _sluice_v1_CreatePartitionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  createPartitions(argument: _sluice_v1_CreatePartitionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  createPartitions(argument: _sluice_v1_CreatePartitionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  createPartitions(argument: _sluice_v1_CreatePartitionsRequest, callback: grpc.requestCallback<_sluice_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ---- admin ----
   */
  CreateTopics(argument: _sluice_v1_CreateTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreateTopicsResponse__Output>): grpc.ClientUnaryCall;
  CreateTopics(argument: _sluice_v1_CreateTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_CreateTopicsResponse__Output>): grpc.ClientUnaryCall;
  CreateTopics(argument: _sluice_v1_CreateTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreateTopicsResponse__Output>): grpc.ClientUnaryCall;
  CreateTopics(argument: _sluice_v1_CreateTopicsRequest, callback: grpc.requestCallback<_sluice_v1_CreateTopicsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ---- admin ----
   */
  createTopics(argument: _sluice_v1_CreateTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreateTopicsResponse__Output>): grpc.ClientUnaryCall;
  createTopics(argument: _sluice_v1_CreateTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_CreateTopicsResponse__Output>): grpc.ClientUnaryCall;
  createTopics(argument: _sluice_v1_CreateTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_CreateTopicsResponse__Output>): grpc.ClientUnaryCall;
  createTopics(argument: _sluice_v1_CreateTopicsRequest, callback: grpc.requestCallback<_sluice_v1_CreateTopicsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Removes every ACL matching each filter (RemoveAccessControlEntryRecords); answers per filter.
   */
  DeleteAcls(argument: _sluice_v1_DeleteAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  DeleteAcls(argument: _sluice_v1_DeleteAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  DeleteAcls(argument: _sluice_v1_DeleteAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  DeleteAcls(argument: _sluice_v1_DeleteAclsRequest, callback: grpc.requestCallback<_sluice_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Removes every ACL matching each filter (RemoveAccessControlEntryRecords); answers per filter.
   */
  deleteAcls(argument: _sluice_v1_DeleteAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  deleteAcls(argument: _sluice_v1_DeleteAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  deleteAcls(argument: _sluice_v1_DeleteAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  deleteAcls(argument: _sluice_v1_DeleteAclsRequest, callback: grpc.requestCallback<_sluice_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteTopics(argument: _sluice_v1_DeleteTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteTopicsResponse__Output>): grpc.ClientUnaryCall;
  DeleteTopics(argument: _sluice_v1_DeleteTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DeleteTopicsResponse__Output>): grpc.ClientUnaryCall;
  DeleteTopics(argument: _sluice_v1_DeleteTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteTopicsResponse__Output>): grpc.ClientUnaryCall;
  DeleteTopics(argument: _sluice_v1_DeleteTopicsRequest, callback: grpc.requestCallback<_sluice_v1_DeleteTopicsResponse__Output>): grpc.ClientUnaryCall;
  deleteTopics(argument: _sluice_v1_DeleteTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteTopicsResponse__Output>): grpc.ClientUnaryCall;
  deleteTopics(argument: _sluice_v1_DeleteTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DeleteTopicsResponse__Output>): grpc.ClientUnaryCall;
  deleteTopics(argument: _sluice_v1_DeleteTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteTopicsResponse__Output>): grpc.ClientUnaryCall;
  deleteTopics(argument: _sluice_v1_DeleteTopicsRequest, callback: grpc.requestCallback<_sluice_v1_DeleteTopicsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The ACLs matching a filter, from this controller's applied image.
   */
  DescribeAcls(argument: _sluice_v1_DescribeAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  DescribeAcls(argument: _sluice_v1_DescribeAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  DescribeAcls(argument: _sluice_v1_DescribeAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  DescribeAcls(argument: _sluice_v1_DescribeAclsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The ACLs matching a filter, from this controller's applied image.
   */
  describeAcls(argument: _sluice_v1_DescribeAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  describeAcls(argument: _sluice_v1_DescribeAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  describeAcls(argument: _sluice_v1_DescribeAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  describeAcls(argument: _sluice_v1_DescribeAclsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeCluster(argument: _sluice_v1_DescribeClusterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeClusterResponse__Output>): grpc.ClientUnaryCall;
  DescribeCluster(argument: _sluice_v1_DescribeClusterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeClusterResponse__Output>): grpc.ClientUnaryCall;
  DescribeCluster(argument: _sluice_v1_DescribeClusterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeClusterResponse__Output>): grpc.ClientUnaryCall;
  DescribeCluster(argument: _sluice_v1_DescribeClusterRequest, callback: grpc.requestCallback<_sluice_v1_DescribeClusterResponse__Output>): grpc.ClientUnaryCall;
  describeCluster(argument: _sluice_v1_DescribeClusterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeClusterResponse__Output>): grpc.ClientUnaryCall;
  describeCluster(argument: _sluice_v1_DescribeClusterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeClusterResponse__Output>): grpc.ClientUnaryCall;
  describeCluster(argument: _sluice_v1_DescribeClusterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeClusterResponse__Output>): grpc.ClientUnaryCall;
  describeCluster(argument: _sluice_v1_DescribeClusterRequest, callback: grpc.requestCallback<_sluice_v1_DescribeClusterResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeTopics(argument: _sluice_v1_DescribeTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  DescribeTopics(argument: _sluice_v1_DescribeTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  DescribeTopics(argument: _sluice_v1_DescribeTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  DescribeTopics(argument: _sluice_v1_DescribeTopicsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  describeTopics(argument: _sluice_v1_DescribeTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  describeTopics(argument: _sluice_v1_DescribeTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  describeTopics(argument: _sluice_v1_DescribeTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  describeTopics(argument: _sluice_v1_DescribeTopicsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  
  ElectLeaders(argument: _sluice_v1_ElectLeadersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  ElectLeaders(argument: _sluice_v1_ElectLeadersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  ElectLeaders(argument: _sluice_v1_ElectLeadersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  ElectLeaders(argument: _sluice_v1_ElectLeadersRequest, callback: grpc.requestCallback<_sluice_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  electLeaders(argument: _sluice_v1_ElectLeadersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  electLeaders(argument: _sluice_v1_ElectLeadersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  electLeaders(argument: _sluice_v1_ElectLeadersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  electLeaders(argument: _sluice_v1_ElectLeadersRequest, callback: grpc.requestCallback<_sluice_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Committed metadata from an offset: a snapshot first when the offset is older than what the
   * controller still has as records, then record batches, then new batches as they commit.
   */
  FetchMetadata(argument: _sluice_v1_FetchMetadataRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sluice_v1_FetchMetadataResponse__Output>;
  FetchMetadata(argument: _sluice_v1_FetchMetadataRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sluice_v1_FetchMetadataResponse__Output>;
  /**
   * Committed metadata from an offset: a snapshot first when the offset is older than what the
   * controller still has as records, then record batches, then new batches as they commit.
   */
  fetchMetadata(argument: _sluice_v1_FetchMetadataRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sluice_v1_FetchMetadataResponse__Output>;
  fetchMetadata(argument: _sluice_v1_FetchMetadataRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sluice_v1_FetchMetadataResponse__Output>;
  
  /**
   * Kafka's ListPartitionReassignments (DESCRIBE on the cluster): reassignments in progress.
   */
  ListPartitionReassignments(argument: _sluice_v1_ListPartitionReassignmentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  ListPartitionReassignments(argument: _sluice_v1_ListPartitionReassignmentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  ListPartitionReassignments(argument: _sluice_v1_ListPartitionReassignmentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  ListPartitionReassignments(argument: _sluice_v1_ListPartitionReassignmentsRequest, callback: grpc.requestCallback<_sluice_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Kafka's ListPartitionReassignments (DESCRIBE on the cluster): reassignments in progress.
   */
  listPartitionReassignments(argument: _sluice_v1_ListPartitionReassignmentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  listPartitionReassignments(argument: _sluice_v1_ListPartitionReassignmentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  listPartitionReassignments(argument: _sluice_v1_ListPartitionReassignmentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  listPartitionReassignments(argument: _sluice_v1_ListPartitionReassignmentsRequest, callback: grpc.requestCallback<_sluice_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ---- broker-facing ----
   */
  RegisterBroker(argument: _sluice_v1_RegisterBrokerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RegisterBrokerResponse__Output>): grpc.ClientUnaryCall;
  RegisterBroker(argument: _sluice_v1_RegisterBrokerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_RegisterBrokerResponse__Output>): grpc.ClientUnaryCall;
  RegisterBroker(argument: _sluice_v1_RegisterBrokerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RegisterBrokerResponse__Output>): grpc.ClientUnaryCall;
  RegisterBroker(argument: _sluice_v1_RegisterBrokerRequest, callback: grpc.requestCallback<_sluice_v1_RegisterBrokerResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ---- broker-facing ----
   */
  registerBroker(argument: _sluice_v1_RegisterBrokerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RegisterBrokerResponse__Output>): grpc.ClientUnaryCall;
  registerBroker(argument: _sluice_v1_RegisterBrokerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_RegisterBrokerResponse__Output>): grpc.ClientUnaryCall;
  registerBroker(argument: _sluice_v1_RegisterBrokerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_RegisterBrokerResponse__Output>): grpc.ClientUnaryCall;
  registerBroker(argument: _sluice_v1_RegisterBrokerRequest, callback: grpc.requestCallback<_sluice_v1_RegisterBrokerResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ControllerHandlers extends grpc.UntypedServiceImplementation {
  AllocateProducerIds: grpc.handleUnaryCall<_sluice_v1_AllocateProducerIdsRequest__Output, _sluice_v1_AllocateProducerIdsResponse>;
  
  AlterConfigs: grpc.handleUnaryCall<_sluice_v1_AlterConfigsRequest__Output, _sluice_v1_AlterConfigsResponse>;
  
  AlterPartition: grpc.handleUnaryCall<_sluice_v1_AlterPartitionRequest__Output, _sluice_v1_AlterPartitionResponse>;
  
  /**
   * Kafka's AlterPartitionReassignments (KIP-455; ALTER on the cluster): per partition a target
   * replica list, or cancel. Adding replicas catch up and join the ISR; the controller then drops
   * the removed ones. Answers per partition.
   */
  AlterPartitionReassignments: grpc.handleUnaryCall<_sluice_v1_AlterPartitionReassignmentsRequest__Output, _sluice_v1_AlterPartitionReassignmentsResponse>;
  
  BrokerHeartbeat: grpc.handleUnaryCall<_sluice_v1_BrokerHeartbeatRequest__Output, _sluice_v1_BrokerHeartbeatResponse>;
  
  ControlledShutdown: grpc.handleUnaryCall<_sluice_v1_ControlledShutdownRequest__Output, _sluice_v1_ControlledShutdownResponse>;
  
  /**
   * ---- ACLs (Kafka's CreateAcls / DescribeAcls / DeleteAcls; need ALTER / DESCRIBE on the cluster) ----
   * Each ACL becomes an AccessControlEntryRecord in the metadata log; one that is already held
   * is not added twice. Answers per ACL.
   */
  CreateAcls: grpc.handleUnaryCall<_sluice_v1_CreateAclsRequest__Output, _sluice_v1_CreateAclsResponse>;
  
  CreatePartitions: grpc.handleUnaryCall<_sluice_v1_CreatePartitionsRequest__Output, _sluice_v1_CreatePartitionsResponse>;
  
  /**
   * ---- admin ----
   */
  CreateTopics: grpc.handleUnaryCall<_sluice_v1_CreateTopicsRequest__Output, _sluice_v1_CreateTopicsResponse>;
  
  /**
   * Removes every ACL matching each filter (RemoveAccessControlEntryRecords); answers per filter.
   */
  DeleteAcls: grpc.handleUnaryCall<_sluice_v1_DeleteAclsRequest__Output, _sluice_v1_DeleteAclsResponse>;
  
  DeleteTopics: grpc.handleUnaryCall<_sluice_v1_DeleteTopicsRequest__Output, _sluice_v1_DeleteTopicsResponse>;
  
  /**
   * The ACLs matching a filter, from this controller's applied image.
   */
  DescribeAcls: grpc.handleUnaryCall<_sluice_v1_DescribeAclsRequest__Output, _sluice_v1_DescribeAclsResponse>;
  
  DescribeCluster: grpc.handleUnaryCall<_sluice_v1_DescribeClusterRequest__Output, _sluice_v1_DescribeClusterResponse>;
  
  DescribeTopics: grpc.handleUnaryCall<_sluice_v1_DescribeTopicsRequest__Output, _sluice_v1_DescribeTopicsResponse>;
  
  ElectLeaders: grpc.handleUnaryCall<_sluice_v1_ElectLeadersRequest__Output, _sluice_v1_ElectLeadersResponse>;
  
  /**
   * Committed metadata from an offset: a snapshot first when the offset is older than what the
   * controller still has as records, then record batches, then new batches as they commit.
   */
  FetchMetadata: grpc.handleServerStreamingCall<_sluice_v1_FetchMetadataRequest__Output, _sluice_v1_FetchMetadataResponse>;
  
  /**
   * Kafka's ListPartitionReassignments (DESCRIBE on the cluster): reassignments in progress.
   */
  ListPartitionReassignments: grpc.handleUnaryCall<_sluice_v1_ListPartitionReassignmentsRequest__Output, _sluice_v1_ListPartitionReassignmentsResponse>;
  
  /**
   * ---- broker-facing ----
   */
  RegisterBroker: grpc.handleUnaryCall<_sluice_v1_RegisterBrokerRequest__Output, _sluice_v1_RegisterBrokerResponse>;
  
}

export interface ControllerDefinition extends grpc.ServiceDefinition {
  AllocateProducerIds: MethodDefinition<_sluice_v1_AllocateProducerIdsRequest, _sluice_v1_AllocateProducerIdsResponse, _sluice_v1_AllocateProducerIdsRequest__Output, _sluice_v1_AllocateProducerIdsResponse__Output>
  AlterConfigs: MethodDefinition<_sluice_v1_AlterConfigsRequest, _sluice_v1_AlterConfigsResponse, _sluice_v1_AlterConfigsRequest__Output, _sluice_v1_AlterConfigsResponse__Output>
  AlterPartition: MethodDefinition<_sluice_v1_AlterPartitionRequest, _sluice_v1_AlterPartitionResponse, _sluice_v1_AlterPartitionRequest__Output, _sluice_v1_AlterPartitionResponse__Output>
  AlterPartitionReassignments: MethodDefinition<_sluice_v1_AlterPartitionReassignmentsRequest, _sluice_v1_AlterPartitionReassignmentsResponse, _sluice_v1_AlterPartitionReassignmentsRequest__Output, _sluice_v1_AlterPartitionReassignmentsResponse__Output>
  BrokerHeartbeat: MethodDefinition<_sluice_v1_BrokerHeartbeatRequest, _sluice_v1_BrokerHeartbeatResponse, _sluice_v1_BrokerHeartbeatRequest__Output, _sluice_v1_BrokerHeartbeatResponse__Output>
  ControlledShutdown: MethodDefinition<_sluice_v1_ControlledShutdownRequest, _sluice_v1_ControlledShutdownResponse, _sluice_v1_ControlledShutdownRequest__Output, _sluice_v1_ControlledShutdownResponse__Output>
  CreateAcls: MethodDefinition<_sluice_v1_CreateAclsRequest, _sluice_v1_CreateAclsResponse, _sluice_v1_CreateAclsRequest__Output, _sluice_v1_CreateAclsResponse__Output>
  CreatePartitions: MethodDefinition<_sluice_v1_CreatePartitionsRequest, _sluice_v1_CreatePartitionsResponse, _sluice_v1_CreatePartitionsRequest__Output, _sluice_v1_CreatePartitionsResponse__Output>
  CreateTopics: MethodDefinition<_sluice_v1_CreateTopicsRequest, _sluice_v1_CreateTopicsResponse, _sluice_v1_CreateTopicsRequest__Output, _sluice_v1_CreateTopicsResponse__Output>
  DeleteAcls: MethodDefinition<_sluice_v1_DeleteAclsRequest, _sluice_v1_DeleteAclsResponse, _sluice_v1_DeleteAclsRequest__Output, _sluice_v1_DeleteAclsResponse__Output>
  DeleteTopics: MethodDefinition<_sluice_v1_DeleteTopicsRequest, _sluice_v1_DeleteTopicsResponse, _sluice_v1_DeleteTopicsRequest__Output, _sluice_v1_DeleteTopicsResponse__Output>
  DescribeAcls: MethodDefinition<_sluice_v1_DescribeAclsRequest, _sluice_v1_DescribeAclsResponse, _sluice_v1_DescribeAclsRequest__Output, _sluice_v1_DescribeAclsResponse__Output>
  DescribeCluster: MethodDefinition<_sluice_v1_DescribeClusterRequest, _sluice_v1_DescribeClusterResponse, _sluice_v1_DescribeClusterRequest__Output, _sluice_v1_DescribeClusterResponse__Output>
  DescribeTopics: MethodDefinition<_sluice_v1_DescribeTopicsRequest, _sluice_v1_DescribeTopicsResponse, _sluice_v1_DescribeTopicsRequest__Output, _sluice_v1_DescribeTopicsResponse__Output>
  ElectLeaders: MethodDefinition<_sluice_v1_ElectLeadersRequest, _sluice_v1_ElectLeadersResponse, _sluice_v1_ElectLeadersRequest__Output, _sluice_v1_ElectLeadersResponse__Output>
  FetchMetadata: MethodDefinition<_sluice_v1_FetchMetadataRequest, _sluice_v1_FetchMetadataResponse, _sluice_v1_FetchMetadataRequest__Output, _sluice_v1_FetchMetadataResponse__Output>
  ListPartitionReassignments: MethodDefinition<_sluice_v1_ListPartitionReassignmentsRequest, _sluice_v1_ListPartitionReassignmentsResponse, _sluice_v1_ListPartitionReassignmentsRequest__Output, _sluice_v1_ListPartitionReassignmentsResponse__Output>
  RegisterBroker: MethodDefinition<_sluice_v1_RegisterBrokerRequest, _sluice_v1_RegisterBrokerResponse, _sluice_v1_RegisterBrokerRequest__Output, _sluice_v1_RegisterBrokerResponse__Output>
}
