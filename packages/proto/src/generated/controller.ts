import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AclBinding as _sluice_v1_AclBinding, AclBinding__Output as _sluice_v1_AclBinding__Output } from './sluice/v1/AclBinding';
import type { AclBindingFilter as _sluice_v1_AclBindingFilter, AclBindingFilter__Output as _sluice_v1_AclBindingFilter__Output } from './sluice/v1/AclBindingFilter';
import type { AclCreationResult as _sluice_v1_AclCreationResult, AclCreationResult__Output as _sluice_v1_AclCreationResult__Output } from './sluice/v1/AclCreationResult';
import type { AclDeletionFilterResult as _sluice_v1_AclDeletionFilterResult, AclDeletionFilterResult__Output as _sluice_v1_AclDeletionFilterResult__Output } from './sluice/v1/AclDeletionFilterResult';
import type { AllocateProducerIdsRequest as _sluice_v1_AllocateProducerIdsRequest, AllocateProducerIdsRequest__Output as _sluice_v1_AllocateProducerIdsRequest__Output } from './sluice/v1/AllocateProducerIdsRequest';
import type { AllocateProducerIdsResponse as _sluice_v1_AllocateProducerIdsResponse, AllocateProducerIdsResponse__Output as _sluice_v1_AllocateProducerIdsResponse__Output } from './sluice/v1/AllocateProducerIdsResponse';
import type { AlterConfigsRequest as _sluice_v1_AlterConfigsRequest, AlterConfigsRequest__Output as _sluice_v1_AlterConfigsRequest__Output } from './sluice/v1/AlterConfigsRequest';
import type { AlterConfigsResource as _sluice_v1_AlterConfigsResource, AlterConfigsResource__Output as _sluice_v1_AlterConfigsResource__Output } from './sluice/v1/AlterConfigsResource';
import type { AlterConfigsResourceResult as _sluice_v1_AlterConfigsResourceResult, AlterConfigsResourceResult__Output as _sluice_v1_AlterConfigsResourceResult__Output } from './sluice/v1/AlterConfigsResourceResult';
import type { AlterConfigsResponse as _sluice_v1_AlterConfigsResponse, AlterConfigsResponse__Output as _sluice_v1_AlterConfigsResponse__Output } from './sluice/v1/AlterConfigsResponse';
import type { AlterPartitionItem as _sluice_v1_AlterPartitionItem, AlterPartitionItem__Output as _sluice_v1_AlterPartitionItem__Output } from './sluice/v1/AlterPartitionItem';
import type { AlterPartitionItemResult as _sluice_v1_AlterPartitionItemResult, AlterPartitionItemResult__Output as _sluice_v1_AlterPartitionItemResult__Output } from './sluice/v1/AlterPartitionItemResult';
import type { AlterPartitionReassignmentsRequest as _sluice_v1_AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsRequest__Output as _sluice_v1_AlterPartitionReassignmentsRequest__Output } from './sluice/v1/AlterPartitionReassignmentsRequest';
import type { AlterPartitionReassignmentsResponse as _sluice_v1_AlterPartitionReassignmentsResponse, AlterPartitionReassignmentsResponse__Output as _sluice_v1_AlterPartitionReassignmentsResponse__Output } from './sluice/v1/AlterPartitionReassignmentsResponse';
import type { AlterPartitionRequest as _sluice_v1_AlterPartitionRequest, AlterPartitionRequest__Output as _sluice_v1_AlterPartitionRequest__Output } from './sluice/v1/AlterPartitionRequest';
import type { AlterPartitionResponse as _sluice_v1_AlterPartitionResponse, AlterPartitionResponse__Output as _sluice_v1_AlterPartitionResponse__Output } from './sluice/v1/AlterPartitionResponse';
import type { AlterPartitionTopic as _sluice_v1_AlterPartitionTopic, AlterPartitionTopic__Output as _sluice_v1_AlterPartitionTopic__Output } from './sluice/v1/AlterPartitionTopic';
import type { AlterPartitionTopicResult as _sluice_v1_AlterPartitionTopicResult, AlterPartitionTopicResult__Output as _sluice_v1_AlterPartitionTopicResult__Output } from './sluice/v1/AlterPartitionTopicResult';
import type { AlterableConfig as _sluice_v1_AlterableConfig, AlterableConfig__Output as _sluice_v1_AlterableConfig__Output } from './sluice/v1/AlterableConfig';
import type { BrokerDescription as _sluice_v1_BrokerDescription, BrokerDescription__Output as _sluice_v1_BrokerDescription__Output } from './sluice/v1/BrokerDescription';
import type { BrokerHeartbeatRequest as _sluice_v1_BrokerHeartbeatRequest, BrokerHeartbeatRequest__Output as _sluice_v1_BrokerHeartbeatRequest__Output } from './sluice/v1/BrokerHeartbeatRequest';
import type { BrokerHeartbeatResponse as _sluice_v1_BrokerHeartbeatResponse, BrokerHeartbeatResponse__Output as _sluice_v1_BrokerHeartbeatResponse__Output } from './sluice/v1/BrokerHeartbeatResponse';
import type { ControlledShutdownRequest as _sluice_v1_ControlledShutdownRequest, ControlledShutdownRequest__Output as _sluice_v1_ControlledShutdownRequest__Output } from './sluice/v1/ControlledShutdownRequest';
import type { ControlledShutdownResponse as _sluice_v1_ControlledShutdownResponse, ControlledShutdownResponse__Output as _sluice_v1_ControlledShutdownResponse__Output } from './sluice/v1/ControlledShutdownResponse';
import type { ControllerClient as _sluice_v1_ControllerClient, ControllerDefinition as _sluice_v1_ControllerDefinition } from './sluice/v1/Controller';
import type { ControllerDescription as _sluice_v1_ControllerDescription, ControllerDescription__Output as _sluice_v1_ControllerDescription__Output } from './sluice/v1/ControllerDescription';
import type { CreatableTopic as _sluice_v1_CreatableTopic, CreatableTopic__Output as _sluice_v1_CreatableTopic__Output } from './sluice/v1/CreatableTopic';
import type { CreatableTopicResult as _sluice_v1_CreatableTopicResult, CreatableTopicResult__Output as _sluice_v1_CreatableTopicResult__Output } from './sluice/v1/CreatableTopicResult';
import type { CreateAclsRequest as _sluice_v1_CreateAclsRequest, CreateAclsRequest__Output as _sluice_v1_CreateAclsRequest__Output } from './sluice/v1/CreateAclsRequest';
import type { CreateAclsResponse as _sluice_v1_CreateAclsResponse, CreateAclsResponse__Output as _sluice_v1_CreateAclsResponse__Output } from './sluice/v1/CreateAclsResponse';
import type { CreatePartitionsRequest as _sluice_v1_CreatePartitionsRequest, CreatePartitionsRequest__Output as _sluice_v1_CreatePartitionsRequest__Output } from './sluice/v1/CreatePartitionsRequest';
import type { CreatePartitionsResponse as _sluice_v1_CreatePartitionsResponse, CreatePartitionsResponse__Output as _sluice_v1_CreatePartitionsResponse__Output } from './sluice/v1/CreatePartitionsResponse';
import type { CreatePartitionsTopic as _sluice_v1_CreatePartitionsTopic, CreatePartitionsTopic__Output as _sluice_v1_CreatePartitionsTopic__Output } from './sluice/v1/CreatePartitionsTopic';
import type { CreatePartitionsTopicResult as _sluice_v1_CreatePartitionsTopicResult, CreatePartitionsTopicResult__Output as _sluice_v1_CreatePartitionsTopicResult__Output } from './sluice/v1/CreatePartitionsTopicResult';
import type { CreateTopicsRequest as _sluice_v1_CreateTopicsRequest, CreateTopicsRequest__Output as _sluice_v1_CreateTopicsRequest__Output } from './sluice/v1/CreateTopicsRequest';
import type { CreateTopicsResponse as _sluice_v1_CreateTopicsResponse, CreateTopicsResponse__Output as _sluice_v1_CreateTopicsResponse__Output } from './sluice/v1/CreateTopicsResponse';
import type { DeletableTopicResult as _sluice_v1_DeletableTopicResult, DeletableTopicResult__Output as _sluice_v1_DeletableTopicResult__Output } from './sluice/v1/DeletableTopicResult';
import type { DeleteAclsRequest as _sluice_v1_DeleteAclsRequest, DeleteAclsRequest__Output as _sluice_v1_DeleteAclsRequest__Output } from './sluice/v1/DeleteAclsRequest';
import type { DeleteAclsResponse as _sluice_v1_DeleteAclsResponse, DeleteAclsResponse__Output as _sluice_v1_DeleteAclsResponse__Output } from './sluice/v1/DeleteAclsResponse';
import type { DeleteTopicsRequest as _sluice_v1_DeleteTopicsRequest, DeleteTopicsRequest__Output as _sluice_v1_DeleteTopicsRequest__Output } from './sluice/v1/DeleteTopicsRequest';
import type { DeleteTopicsResponse as _sluice_v1_DeleteTopicsResponse, DeleteTopicsResponse__Output as _sluice_v1_DeleteTopicsResponse__Output } from './sluice/v1/DeleteTopicsResponse';
import type { DescribeAclsRequest as _sluice_v1_DescribeAclsRequest, DescribeAclsRequest__Output as _sluice_v1_DescribeAclsRequest__Output } from './sluice/v1/DescribeAclsRequest';
import type { DescribeAclsResponse as _sluice_v1_DescribeAclsResponse, DescribeAclsResponse__Output as _sluice_v1_DescribeAclsResponse__Output } from './sluice/v1/DescribeAclsResponse';
import type { DescribeClusterRequest as _sluice_v1_DescribeClusterRequest, DescribeClusterRequest__Output as _sluice_v1_DescribeClusterRequest__Output } from './sluice/v1/DescribeClusterRequest';
import type { DescribeClusterResponse as _sluice_v1_DescribeClusterResponse, DescribeClusterResponse__Output as _sluice_v1_DescribeClusterResponse__Output } from './sluice/v1/DescribeClusterResponse';
import type { DescribeTopicsRequest as _sluice_v1_DescribeTopicsRequest, DescribeTopicsRequest__Output as _sluice_v1_DescribeTopicsRequest__Output } from './sluice/v1/DescribeTopicsRequest';
import type { DescribeTopicsResponse as _sluice_v1_DescribeTopicsResponse, DescribeTopicsResponse__Output as _sluice_v1_DescribeTopicsResponse__Output } from './sluice/v1/DescribeTopicsResponse';
import type { ElectLeadersRequest as _sluice_v1_ElectLeadersRequest, ElectLeadersRequest__Output as _sluice_v1_ElectLeadersRequest__Output } from './sluice/v1/ElectLeadersRequest';
import type { ElectLeadersResponse as _sluice_v1_ElectLeadersResponse, ElectLeadersResponse__Output as _sluice_v1_ElectLeadersResponse__Output } from './sluice/v1/ElectLeadersResponse';
import type { ElectLeadersResult as _sluice_v1_ElectLeadersResult, ElectLeadersResult__Output as _sluice_v1_ElectLeadersResult__Output } from './sluice/v1/ElectLeadersResult';
import type { Empty as _sluice_v1_Empty, Empty__Output as _sluice_v1_Empty__Output } from './sluice/v1/Empty';
import type { FetchMetadataRequest as _sluice_v1_FetchMetadataRequest, FetchMetadataRequest__Output as _sluice_v1_FetchMetadataRequest__Output } from './sluice/v1/FetchMetadataRequest';
import type { FetchMetadataResponse as _sluice_v1_FetchMetadataResponse, FetchMetadataResponse__Output as _sluice_v1_FetchMetadataResponse__Output } from './sluice/v1/FetchMetadataResponse';
import type { ItemError as _sluice_v1_ItemError, ItemError__Output as _sluice_v1_ItemError__Output } from './sluice/v1/ItemError';
import type { ListPartitionReassignmentsRequest as _sluice_v1_ListPartitionReassignmentsRequest, ListPartitionReassignmentsRequest__Output as _sluice_v1_ListPartitionReassignmentsRequest__Output } from './sluice/v1/ListPartitionReassignmentsRequest';
import type { ListPartitionReassignmentsResponse as _sluice_v1_ListPartitionReassignmentsResponse, ListPartitionReassignmentsResponse__Output as _sluice_v1_ListPartitionReassignmentsResponse__Output } from './sluice/v1/ListPartitionReassignmentsResponse';
import type { Listener as _sluice_v1_Listener, Listener__Output as _sluice_v1_Listener__Output } from './sluice/v1/Listener';
import type { MetadataBatch as _sluice_v1_MetadataBatch, MetadataBatch__Output as _sluice_v1_MetadataBatch__Output } from './sluice/v1/MetadataBatch';
import type { OngoingPartitionReassignment as _sluice_v1_OngoingPartitionReassignment, OngoingPartitionReassignment__Output as _sluice_v1_OngoingPartitionReassignment__Output } from './sluice/v1/OngoingPartitionReassignment';
import type { PartitionDescription as _sluice_v1_PartitionDescription, PartitionDescription__Output as _sluice_v1_PartitionDescription__Output } from './sluice/v1/PartitionDescription';
import type { ReassignablePartition as _sluice_v1_ReassignablePartition, ReassignablePartition__Output as _sluice_v1_ReassignablePartition__Output } from './sluice/v1/ReassignablePartition';
import type { ReassignmentResult as _sluice_v1_ReassignmentResult, ReassignmentResult__Output as _sluice_v1_ReassignmentResult__Output } from './sluice/v1/ReassignmentResult';
import type { RegisterBrokerRequest as _sluice_v1_RegisterBrokerRequest, RegisterBrokerRequest__Output as _sluice_v1_RegisterBrokerRequest__Output } from './sluice/v1/RegisterBrokerRequest';
import type { RegisterBrokerResponse as _sluice_v1_RegisterBrokerResponse, RegisterBrokerResponse__Output as _sluice_v1_RegisterBrokerResponse__Output } from './sluice/v1/RegisterBrokerResponse';
import type { ReplicaAssignment as _sluice_v1_ReplicaAssignment, ReplicaAssignment__Output as _sluice_v1_ReplicaAssignment__Output } from './sluice/v1/ReplicaAssignment';
import type { SnapshotChunk as _sluice_v1_SnapshotChunk, SnapshotChunk__Output as _sluice_v1_SnapshotChunk__Output } from './sluice/v1/SnapshotChunk';
import type { TopicDescription as _sluice_v1_TopicDescription, TopicDescription__Output as _sluice_v1_TopicDescription__Output } from './sluice/v1/TopicDescription';
import type { TopicPartitionCursor as _sluice_v1_TopicPartitionCursor, TopicPartitionCursor__Output as _sluice_v1_TopicPartitionCursor__Output } from './sluice/v1/TopicPartitionCursor';
import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from './sluice/v1/TopicPartitions';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sluice: {
    v1: {
      AclBinding: MessageTypeDefinition<_sluice_v1_AclBinding, _sluice_v1_AclBinding__Output>
      AclBindingFilter: MessageTypeDefinition<_sluice_v1_AclBindingFilter, _sluice_v1_AclBindingFilter__Output>
      AclCreationResult: MessageTypeDefinition<_sluice_v1_AclCreationResult, _sluice_v1_AclCreationResult__Output>
      AclDeletionFilterResult: MessageTypeDefinition<_sluice_v1_AclDeletionFilterResult, _sluice_v1_AclDeletionFilterResult__Output>
      AllocateProducerIdsRequest: MessageTypeDefinition<_sluice_v1_AllocateProducerIdsRequest, _sluice_v1_AllocateProducerIdsRequest__Output>
      AllocateProducerIdsResponse: MessageTypeDefinition<_sluice_v1_AllocateProducerIdsResponse, _sluice_v1_AllocateProducerIdsResponse__Output>
      AlterConfigsRequest: MessageTypeDefinition<_sluice_v1_AlterConfigsRequest, _sluice_v1_AlterConfigsRequest__Output>
      AlterConfigsResource: MessageTypeDefinition<_sluice_v1_AlterConfigsResource, _sluice_v1_AlterConfigsResource__Output>
      AlterConfigsResourceResult: MessageTypeDefinition<_sluice_v1_AlterConfigsResourceResult, _sluice_v1_AlterConfigsResourceResult__Output>
      AlterConfigsResponse: MessageTypeDefinition<_sluice_v1_AlterConfigsResponse, _sluice_v1_AlterConfigsResponse__Output>
      AlterPartitionItem: MessageTypeDefinition<_sluice_v1_AlterPartitionItem, _sluice_v1_AlterPartitionItem__Output>
      AlterPartitionItemResult: MessageTypeDefinition<_sluice_v1_AlterPartitionItemResult, _sluice_v1_AlterPartitionItemResult__Output>
      AlterPartitionReassignmentsRequest: MessageTypeDefinition<_sluice_v1_AlterPartitionReassignmentsRequest, _sluice_v1_AlterPartitionReassignmentsRequest__Output>
      AlterPartitionReassignmentsResponse: MessageTypeDefinition<_sluice_v1_AlterPartitionReassignmentsResponse, _sluice_v1_AlterPartitionReassignmentsResponse__Output>
      AlterPartitionRequest: MessageTypeDefinition<_sluice_v1_AlterPartitionRequest, _sluice_v1_AlterPartitionRequest__Output>
      AlterPartitionResponse: MessageTypeDefinition<_sluice_v1_AlterPartitionResponse, _sluice_v1_AlterPartitionResponse__Output>
      AlterPartitionTopic: MessageTypeDefinition<_sluice_v1_AlterPartitionTopic, _sluice_v1_AlterPartitionTopic__Output>
      AlterPartitionTopicResult: MessageTypeDefinition<_sluice_v1_AlterPartitionTopicResult, _sluice_v1_AlterPartitionTopicResult__Output>
      AlterableConfig: MessageTypeDefinition<_sluice_v1_AlterableConfig, _sluice_v1_AlterableConfig__Output>
      BrokerDescription: MessageTypeDefinition<_sluice_v1_BrokerDescription, _sluice_v1_BrokerDescription__Output>
      BrokerHeartbeatRequest: MessageTypeDefinition<_sluice_v1_BrokerHeartbeatRequest, _sluice_v1_BrokerHeartbeatRequest__Output>
      BrokerHeartbeatResponse: MessageTypeDefinition<_sluice_v1_BrokerHeartbeatResponse, _sluice_v1_BrokerHeartbeatResponse__Output>
      ControlledShutdownRequest: MessageTypeDefinition<_sluice_v1_ControlledShutdownRequest, _sluice_v1_ControlledShutdownRequest__Output>
      ControlledShutdownResponse: MessageTypeDefinition<_sluice_v1_ControlledShutdownResponse, _sluice_v1_ControlledShutdownResponse__Output>
      Controller: SubtypeConstructor<typeof grpc.Client, _sluice_v1_ControllerClient> & { service: _sluice_v1_ControllerDefinition }
      ControllerDescription: MessageTypeDefinition<_sluice_v1_ControllerDescription, _sluice_v1_ControllerDescription__Output>
      CreatableTopic: MessageTypeDefinition<_sluice_v1_CreatableTopic, _sluice_v1_CreatableTopic__Output>
      CreatableTopicResult: MessageTypeDefinition<_sluice_v1_CreatableTopicResult, _sluice_v1_CreatableTopicResult__Output>
      CreateAclsRequest: MessageTypeDefinition<_sluice_v1_CreateAclsRequest, _sluice_v1_CreateAclsRequest__Output>
      CreateAclsResponse: MessageTypeDefinition<_sluice_v1_CreateAclsResponse, _sluice_v1_CreateAclsResponse__Output>
      CreatePartitionsRequest: MessageTypeDefinition<_sluice_v1_CreatePartitionsRequest, _sluice_v1_CreatePartitionsRequest__Output>
      CreatePartitionsResponse: MessageTypeDefinition<_sluice_v1_CreatePartitionsResponse, _sluice_v1_CreatePartitionsResponse__Output>
      CreatePartitionsTopic: MessageTypeDefinition<_sluice_v1_CreatePartitionsTopic, _sluice_v1_CreatePartitionsTopic__Output>
      CreatePartitionsTopicResult: MessageTypeDefinition<_sluice_v1_CreatePartitionsTopicResult, _sluice_v1_CreatePartitionsTopicResult__Output>
      CreateTopicsRequest: MessageTypeDefinition<_sluice_v1_CreateTopicsRequest, _sluice_v1_CreateTopicsRequest__Output>
      CreateTopicsResponse: MessageTypeDefinition<_sluice_v1_CreateTopicsResponse, _sluice_v1_CreateTopicsResponse__Output>
      DeletableTopicResult: MessageTypeDefinition<_sluice_v1_DeletableTopicResult, _sluice_v1_DeletableTopicResult__Output>
      DeleteAclsRequest: MessageTypeDefinition<_sluice_v1_DeleteAclsRequest, _sluice_v1_DeleteAclsRequest__Output>
      DeleteAclsResponse: MessageTypeDefinition<_sluice_v1_DeleteAclsResponse, _sluice_v1_DeleteAclsResponse__Output>
      DeleteTopicsRequest: MessageTypeDefinition<_sluice_v1_DeleteTopicsRequest, _sluice_v1_DeleteTopicsRequest__Output>
      DeleteTopicsResponse: MessageTypeDefinition<_sluice_v1_DeleteTopicsResponse, _sluice_v1_DeleteTopicsResponse__Output>
      DescribeAclsRequest: MessageTypeDefinition<_sluice_v1_DescribeAclsRequest, _sluice_v1_DescribeAclsRequest__Output>
      DescribeAclsResponse: MessageTypeDefinition<_sluice_v1_DescribeAclsResponse, _sluice_v1_DescribeAclsResponse__Output>
      DescribeClusterRequest: MessageTypeDefinition<_sluice_v1_DescribeClusterRequest, _sluice_v1_DescribeClusterRequest__Output>
      DescribeClusterResponse: MessageTypeDefinition<_sluice_v1_DescribeClusterResponse, _sluice_v1_DescribeClusterResponse__Output>
      DescribeTopicsRequest: MessageTypeDefinition<_sluice_v1_DescribeTopicsRequest, _sluice_v1_DescribeTopicsRequest__Output>
      DescribeTopicsResponse: MessageTypeDefinition<_sluice_v1_DescribeTopicsResponse, _sluice_v1_DescribeTopicsResponse__Output>
      ElectLeadersRequest: MessageTypeDefinition<_sluice_v1_ElectLeadersRequest, _sluice_v1_ElectLeadersRequest__Output>
      ElectLeadersResponse: MessageTypeDefinition<_sluice_v1_ElectLeadersResponse, _sluice_v1_ElectLeadersResponse__Output>
      ElectLeadersResult: MessageTypeDefinition<_sluice_v1_ElectLeadersResult, _sluice_v1_ElectLeadersResult__Output>
      Empty: MessageTypeDefinition<_sluice_v1_Empty, _sluice_v1_Empty__Output>
      FetchMetadataRequest: MessageTypeDefinition<_sluice_v1_FetchMetadataRequest, _sluice_v1_FetchMetadataRequest__Output>
      FetchMetadataResponse: MessageTypeDefinition<_sluice_v1_FetchMetadataResponse, _sluice_v1_FetchMetadataResponse__Output>
      ItemError: MessageTypeDefinition<_sluice_v1_ItemError, _sluice_v1_ItemError__Output>
      ListPartitionReassignmentsRequest: MessageTypeDefinition<_sluice_v1_ListPartitionReassignmentsRequest, _sluice_v1_ListPartitionReassignmentsRequest__Output>
      ListPartitionReassignmentsResponse: MessageTypeDefinition<_sluice_v1_ListPartitionReassignmentsResponse, _sluice_v1_ListPartitionReassignmentsResponse__Output>
      Listener: MessageTypeDefinition<_sluice_v1_Listener, _sluice_v1_Listener__Output>
      MetadataBatch: MessageTypeDefinition<_sluice_v1_MetadataBatch, _sluice_v1_MetadataBatch__Output>
      OngoingPartitionReassignment: MessageTypeDefinition<_sluice_v1_OngoingPartitionReassignment, _sluice_v1_OngoingPartitionReassignment__Output>
      PartitionDescription: MessageTypeDefinition<_sluice_v1_PartitionDescription, _sluice_v1_PartitionDescription__Output>
      ReassignablePartition: MessageTypeDefinition<_sluice_v1_ReassignablePartition, _sluice_v1_ReassignablePartition__Output>
      ReassignmentResult: MessageTypeDefinition<_sluice_v1_ReassignmentResult, _sluice_v1_ReassignmentResult__Output>
      RegisterBrokerRequest: MessageTypeDefinition<_sluice_v1_RegisterBrokerRequest, _sluice_v1_RegisterBrokerRequest__Output>
      RegisterBrokerResponse: MessageTypeDefinition<_sluice_v1_RegisterBrokerResponse, _sluice_v1_RegisterBrokerResponse__Output>
      ReplicaAssignment: MessageTypeDefinition<_sluice_v1_ReplicaAssignment, _sluice_v1_ReplicaAssignment__Output>
      SnapshotChunk: MessageTypeDefinition<_sluice_v1_SnapshotChunk, _sluice_v1_SnapshotChunk__Output>
      TopicDescription: MessageTypeDefinition<_sluice_v1_TopicDescription, _sluice_v1_TopicDescription__Output>
      TopicPartitionCursor: MessageTypeDefinition<_sluice_v1_TopicPartitionCursor, _sluice_v1_TopicPartitionCursor__Output>
      TopicPartitions: MessageTypeDefinition<_sluice_v1_TopicPartitions, _sluice_v1_TopicPartitions__Output>
    }
  }
}

