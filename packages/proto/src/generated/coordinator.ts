import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CommittedOffset as _sluice_v1_CommittedOffset, CommittedOffset__Output as _sluice_v1_CommittedOffset__Output } from './sluice/v1/CommittedOffset';
import type { ConsumerGroupHeartbeatRequest as _sluice_v1_ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatRequest__Output as _sluice_v1_ConsumerGroupHeartbeatRequest__Output } from './sluice/v1/ConsumerGroupHeartbeatRequest';
import type { ConsumerGroupHeartbeatResponse as _sluice_v1_ConsumerGroupHeartbeatResponse, ConsumerGroupHeartbeatResponse__Output as _sluice_v1_ConsumerGroupHeartbeatResponse__Output } from './sluice/v1/ConsumerGroupHeartbeatResponse';
import type { ConsumerGroupWakeupsRequest as _sluice_v1_ConsumerGroupWakeupsRequest, ConsumerGroupWakeupsRequest__Output as _sluice_v1_ConsumerGroupWakeupsRequest__Output } from './sluice/v1/ConsumerGroupWakeupsRequest';
import type { ConsumerGroupWakeupsResponse as _sluice_v1_ConsumerGroupWakeupsResponse, ConsumerGroupWakeupsResponse__Output as _sluice_v1_ConsumerGroupWakeupsResponse__Output } from './sluice/v1/ConsumerGroupWakeupsResponse';
import type { CoordinatorClient as _sluice_v1_CoordinatorClient, CoordinatorDefinition as _sluice_v1_CoordinatorDefinition } from './sluice/v1/Coordinator';
import type { CoordinatorEndpoint as _sluice_v1_CoordinatorEndpoint, CoordinatorEndpoint__Output as _sluice_v1_CoordinatorEndpoint__Output } from './sluice/v1/CoordinatorEndpoint';
import type { DeleteGroupsRequest as _sluice_v1_DeleteGroupsRequest, DeleteGroupsRequest__Output as _sluice_v1_DeleteGroupsRequest__Output } from './sluice/v1/DeleteGroupsRequest';
import type { DeleteGroupsResponse as _sluice_v1_DeleteGroupsResponse, DeleteGroupsResponse__Output as _sluice_v1_DeleteGroupsResponse__Output } from './sluice/v1/DeleteGroupsResponse';
import type { DescribeGroupsRequest as _sluice_v1_DescribeGroupsRequest, DescribeGroupsRequest__Output as _sluice_v1_DescribeGroupsRequest__Output } from './sluice/v1/DescribeGroupsRequest';
import type { DescribeGroupsResponse as _sluice_v1_DescribeGroupsResponse, DescribeGroupsResponse__Output as _sluice_v1_DescribeGroupsResponse__Output } from './sluice/v1/DescribeGroupsResponse';
import type { DescribeShareGroupsRequest as _sluice_v1_DescribeShareGroupsRequest, DescribeShareGroupsRequest__Output as _sluice_v1_DescribeShareGroupsRequest__Output } from './sluice/v1/DescribeShareGroupsRequest';
import type { DescribeShareGroupsResponse as _sluice_v1_DescribeShareGroupsResponse, DescribeShareGroupsResponse__Output as _sluice_v1_DescribeShareGroupsResponse__Output } from './sluice/v1/DescribeShareGroupsResponse';
import type { DescribedGroup as _sluice_v1_DescribedGroup, DescribedGroup__Output as _sluice_v1_DescribedGroup__Output } from './sluice/v1/DescribedGroup';
import type { DescribedMember as _sluice_v1_DescribedMember, DescribedMember__Output as _sluice_v1_DescribedMember__Output } from './sluice/v1/DescribedMember';
import type { DescribedShareGroup as _sluice_v1_DescribedShareGroup, DescribedShareGroup__Output as _sluice_v1_DescribedShareGroup__Output } from './sluice/v1/DescribedShareGroup';
import type { DescribedShareMember as _sluice_v1_DescribedShareMember, DescribedShareMember__Output as _sluice_v1_DescribedShareMember__Output } from './sluice/v1/DescribedShareMember';
import type { Empty as _sluice_v1_Empty, Empty__Output as _sluice_v1_Empty__Output } from './sluice/v1/Empty';
import type { FindCoordinatorRequest as _sluice_v1_FindCoordinatorRequest, FindCoordinatorRequest__Output as _sluice_v1_FindCoordinatorRequest__Output } from './sluice/v1/FindCoordinatorRequest';
import type { FindCoordinatorResponse as _sluice_v1_FindCoordinatorResponse, FindCoordinatorResponse__Output as _sluice_v1_FindCoordinatorResponse__Output } from './sluice/v1/FindCoordinatorResponse';
import type { GroupResult as _sluice_v1_GroupResult, GroupResult__Output as _sluice_v1_GroupResult__Output } from './sluice/v1/GroupResult';
import type { ItemError as _sluice_v1_ItemError, ItemError__Output as _sluice_v1_ItemError__Output } from './sluice/v1/ItemError';
import type { ListGroupsRequest as _sluice_v1_ListGroupsRequest, ListGroupsRequest__Output as _sluice_v1_ListGroupsRequest__Output } from './sluice/v1/ListGroupsRequest';
import type { ListGroupsResponse as _sluice_v1_ListGroupsResponse, ListGroupsResponse__Output as _sluice_v1_ListGroupsResponse__Output } from './sluice/v1/ListGroupsResponse';
import type { ListedGroup as _sluice_v1_ListedGroup, ListedGroup__Output as _sluice_v1_ListedGroup__Output } from './sluice/v1/ListedGroup';
import type { Listener as _sluice_v1_Listener, Listener__Output as _sluice_v1_Listener__Output } from './sluice/v1/Listener';
import type { OffsetCommitPartition as _sluice_v1_OffsetCommitPartition, OffsetCommitPartition__Output as _sluice_v1_OffsetCommitPartition__Output } from './sluice/v1/OffsetCommitPartition';
import type { OffsetCommitRequest as _sluice_v1_OffsetCommitRequest, OffsetCommitRequest__Output as _sluice_v1_OffsetCommitRequest__Output } from './sluice/v1/OffsetCommitRequest';
import type { OffsetCommitResponse as _sluice_v1_OffsetCommitResponse, OffsetCommitResponse__Output as _sluice_v1_OffsetCommitResponse__Output } from './sluice/v1/OffsetCommitResponse';
import type { OffsetCommitTopic as _sluice_v1_OffsetCommitTopic, OffsetCommitTopic__Output as _sluice_v1_OffsetCommitTopic__Output } from './sluice/v1/OffsetCommitTopic';
import type { OffsetCommitTopicResult as _sluice_v1_OffsetCommitTopicResult, OffsetCommitTopicResult__Output as _sluice_v1_OffsetCommitTopicResult__Output } from './sluice/v1/OffsetCommitTopicResult';
import type { OffsetFetchRequest as _sluice_v1_OffsetFetchRequest, OffsetFetchRequest__Output as _sluice_v1_OffsetFetchRequest__Output } from './sluice/v1/OffsetFetchRequest';
import type { OffsetFetchResponse as _sluice_v1_OffsetFetchResponse, OffsetFetchResponse__Output as _sluice_v1_OffsetFetchResponse__Output } from './sluice/v1/OffsetFetchResponse';
import type { PartitionResult as _sluice_v1_PartitionResult, PartitionResult__Output as _sluice_v1_PartitionResult__Output } from './sluice/v1/PartitionResult';
import type { ReadShareGroupStateRequest as _sluice_v1_ReadShareGroupStateRequest, ReadShareGroupStateRequest__Output as _sluice_v1_ReadShareGroupStateRequest__Output } from './sluice/v1/ReadShareGroupStateRequest';
import type { ReadShareGroupStateResponse as _sluice_v1_ReadShareGroupStateResponse, ReadShareGroupStateResponse__Output as _sluice_v1_ReadShareGroupStateResponse__Output } from './sluice/v1/ReadShareGroupStateResponse';
import type { ShareGroupHeartbeatRequest as _sluice_v1_ShareGroupHeartbeatRequest, ShareGroupHeartbeatRequest__Output as _sluice_v1_ShareGroupHeartbeatRequest__Output } from './sluice/v1/ShareGroupHeartbeatRequest';
import type { ShareGroupHeartbeatResponse as _sluice_v1_ShareGroupHeartbeatResponse, ShareGroupHeartbeatResponse__Output as _sluice_v1_ShareGroupHeartbeatResponse__Output } from './sluice/v1/ShareGroupHeartbeatResponse';
import type { ShareStateRange as _sluice_v1_ShareStateRange, ShareStateRange__Output as _sluice_v1_ShareStateRange__Output } from './sluice/v1/ShareStateRange';
import type { TopicPartitionCursor as _sluice_v1_TopicPartitionCursor, TopicPartitionCursor__Output as _sluice_v1_TopicPartitionCursor__Output } from './sluice/v1/TopicPartitionCursor';
import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from './sluice/v1/TopicPartitions';
import type { WriteShareGroupStateRequest as _sluice_v1_WriteShareGroupStateRequest, WriteShareGroupStateRequest__Output as _sluice_v1_WriteShareGroupStateRequest__Output } from './sluice/v1/WriteShareGroupStateRequest';
import type { WriteShareGroupStateResponse as _sluice_v1_WriteShareGroupStateResponse, WriteShareGroupStateResponse__Output as _sluice_v1_WriteShareGroupStateResponse__Output } from './sluice/v1/WriteShareGroupStateResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sluice: {
    v1: {
      CommittedOffset: MessageTypeDefinition<_sluice_v1_CommittedOffset, _sluice_v1_CommittedOffset__Output>
      ConsumerGroupHeartbeatRequest: MessageTypeDefinition<_sluice_v1_ConsumerGroupHeartbeatRequest, _sluice_v1_ConsumerGroupHeartbeatRequest__Output>
      ConsumerGroupHeartbeatResponse: MessageTypeDefinition<_sluice_v1_ConsumerGroupHeartbeatResponse, _sluice_v1_ConsumerGroupHeartbeatResponse__Output>
      ConsumerGroupWakeupsRequest: MessageTypeDefinition<_sluice_v1_ConsumerGroupWakeupsRequest, _sluice_v1_ConsumerGroupWakeupsRequest__Output>
      ConsumerGroupWakeupsResponse: MessageTypeDefinition<_sluice_v1_ConsumerGroupWakeupsResponse, _sluice_v1_ConsumerGroupWakeupsResponse__Output>
      Coordinator: SubtypeConstructor<typeof grpc.Client, _sluice_v1_CoordinatorClient> & { service: _sluice_v1_CoordinatorDefinition }
      CoordinatorEndpoint: MessageTypeDefinition<_sluice_v1_CoordinatorEndpoint, _sluice_v1_CoordinatorEndpoint__Output>
      DeleteGroupsRequest: MessageTypeDefinition<_sluice_v1_DeleteGroupsRequest, _sluice_v1_DeleteGroupsRequest__Output>
      DeleteGroupsResponse: MessageTypeDefinition<_sluice_v1_DeleteGroupsResponse, _sluice_v1_DeleteGroupsResponse__Output>
      DescribeGroupsRequest: MessageTypeDefinition<_sluice_v1_DescribeGroupsRequest, _sluice_v1_DescribeGroupsRequest__Output>
      DescribeGroupsResponse: MessageTypeDefinition<_sluice_v1_DescribeGroupsResponse, _sluice_v1_DescribeGroupsResponse__Output>
      DescribeShareGroupsRequest: MessageTypeDefinition<_sluice_v1_DescribeShareGroupsRequest, _sluice_v1_DescribeShareGroupsRequest__Output>
      DescribeShareGroupsResponse: MessageTypeDefinition<_sluice_v1_DescribeShareGroupsResponse, _sluice_v1_DescribeShareGroupsResponse__Output>
      DescribedGroup: MessageTypeDefinition<_sluice_v1_DescribedGroup, _sluice_v1_DescribedGroup__Output>
      DescribedMember: MessageTypeDefinition<_sluice_v1_DescribedMember, _sluice_v1_DescribedMember__Output>
      DescribedShareGroup: MessageTypeDefinition<_sluice_v1_DescribedShareGroup, _sluice_v1_DescribedShareGroup__Output>
      DescribedShareMember: MessageTypeDefinition<_sluice_v1_DescribedShareMember, _sluice_v1_DescribedShareMember__Output>
      Empty: MessageTypeDefinition<_sluice_v1_Empty, _sluice_v1_Empty__Output>
      FindCoordinatorRequest: MessageTypeDefinition<_sluice_v1_FindCoordinatorRequest, _sluice_v1_FindCoordinatorRequest__Output>
      FindCoordinatorResponse: MessageTypeDefinition<_sluice_v1_FindCoordinatorResponse, _sluice_v1_FindCoordinatorResponse__Output>
      GroupResult: MessageTypeDefinition<_sluice_v1_GroupResult, _sluice_v1_GroupResult__Output>
      ItemError: MessageTypeDefinition<_sluice_v1_ItemError, _sluice_v1_ItemError__Output>
      ListGroupsRequest: MessageTypeDefinition<_sluice_v1_ListGroupsRequest, _sluice_v1_ListGroupsRequest__Output>
      ListGroupsResponse: MessageTypeDefinition<_sluice_v1_ListGroupsResponse, _sluice_v1_ListGroupsResponse__Output>
      ListedGroup: MessageTypeDefinition<_sluice_v1_ListedGroup, _sluice_v1_ListedGroup__Output>
      Listener: MessageTypeDefinition<_sluice_v1_Listener, _sluice_v1_Listener__Output>
      OffsetCommitPartition: MessageTypeDefinition<_sluice_v1_OffsetCommitPartition, _sluice_v1_OffsetCommitPartition__Output>
      OffsetCommitRequest: MessageTypeDefinition<_sluice_v1_OffsetCommitRequest, _sluice_v1_OffsetCommitRequest__Output>
      OffsetCommitResponse: MessageTypeDefinition<_sluice_v1_OffsetCommitResponse, _sluice_v1_OffsetCommitResponse__Output>
      OffsetCommitTopic: MessageTypeDefinition<_sluice_v1_OffsetCommitTopic, _sluice_v1_OffsetCommitTopic__Output>
      OffsetCommitTopicResult: MessageTypeDefinition<_sluice_v1_OffsetCommitTopicResult, _sluice_v1_OffsetCommitTopicResult__Output>
      OffsetFetchRequest: MessageTypeDefinition<_sluice_v1_OffsetFetchRequest, _sluice_v1_OffsetFetchRequest__Output>
      OffsetFetchResponse: MessageTypeDefinition<_sluice_v1_OffsetFetchResponse, _sluice_v1_OffsetFetchResponse__Output>
      PartitionResult: MessageTypeDefinition<_sluice_v1_PartitionResult, _sluice_v1_PartitionResult__Output>
      ReadShareGroupStateRequest: MessageTypeDefinition<_sluice_v1_ReadShareGroupStateRequest, _sluice_v1_ReadShareGroupStateRequest__Output>
      ReadShareGroupStateResponse: MessageTypeDefinition<_sluice_v1_ReadShareGroupStateResponse, _sluice_v1_ReadShareGroupStateResponse__Output>
      ShareGroupHeartbeatRequest: MessageTypeDefinition<_sluice_v1_ShareGroupHeartbeatRequest, _sluice_v1_ShareGroupHeartbeatRequest__Output>
      ShareGroupHeartbeatResponse: MessageTypeDefinition<_sluice_v1_ShareGroupHeartbeatResponse, _sluice_v1_ShareGroupHeartbeatResponse__Output>
      ShareStateRange: MessageTypeDefinition<_sluice_v1_ShareStateRange, _sluice_v1_ShareStateRange__Output>
      TopicPartitionCursor: MessageTypeDefinition<_sluice_v1_TopicPartitionCursor, _sluice_v1_TopicPartitionCursor__Output>
      TopicPartitions: MessageTypeDefinition<_sluice_v1_TopicPartitions, _sluice_v1_TopicPartitions__Output>
      WriteShareGroupStateRequest: MessageTypeDefinition<_sluice_v1_WriteShareGroupStateRequest, _sluice_v1_WriteShareGroupStateRequest__Output>
      WriteShareGroupStateResponse: MessageTypeDefinition<_sluice_v1_WriteShareGroupStateResponse, _sluice_v1_WriteShareGroupStateResponse__Output>
    }
  }
}

