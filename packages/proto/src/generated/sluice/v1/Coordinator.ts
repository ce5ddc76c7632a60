// Original file: proto/sluice/v1/coordinator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ConsumerGroupHeartbeatRequest as _sluice_v1_ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatRequest__Output as _sluice_v1_ConsumerGroupHeartbeatRequest__Output } from '../../sluice/v1/ConsumerGroupHeartbeatRequest';
import type { ConsumerGroupHeartbeatResponse as _sluice_v1_ConsumerGroupHeartbeatResponse, ConsumerGroupHeartbeatResponse__Output as _sluice_v1_ConsumerGroupHeartbeatResponse__Output } from '../../sluice/v1/ConsumerGroupHeartbeatResponse';
import type { ConsumerGroupWakeupsRequest as _sluice_v1_ConsumerGroupWakeupsRequest, ConsumerGroupWakeupsRequest__Output as _sluice_v1_ConsumerGroupWakeupsRequest__Output } from '../../sluice/v1/ConsumerGroupWakeupsRequest';
import type { ConsumerGroupWakeupsResponse as _sluice_v1_ConsumerGroupWakeupsResponse, ConsumerGroupWakeupsResponse__Output as _sluice_v1_ConsumerGroupWakeupsResponse__Output } from '../../sluice/v1/ConsumerGroupWakeupsResponse';
import type { DeleteGroupsRequest as _sluice_v1_DeleteGroupsRequest, DeleteGroupsRequest__Output as _sluice_v1_DeleteGroupsRequest__Output } from '../../sluice/v1/DeleteGroupsRequest';
import type { DeleteGroupsResponse as _sluice_v1_DeleteGroupsResponse, DeleteGroupsResponse__Output as _sluice_v1_DeleteGroupsResponse__Output } from '../../sluice/v1/DeleteGroupsResponse';
import type { DescribeGroupsRequest as _sluice_v1_DescribeGroupsRequest, DescribeGroupsRequest__Output as _sluice_v1_DescribeGroupsRequest__Output } from '../../sluice/v1/DescribeGroupsRequest';
import type { DescribeGroupsResponse as _sluice_v1_DescribeGroupsResponse, DescribeGroupsResponse__Output as _sluice_v1_DescribeGroupsResponse__Output } from '../../sluice/v1/DescribeGroupsResponse';
import type { DescribeShareGroupsRequest as _sluice_v1_DescribeShareGroupsRequest, DescribeShareGroupsRequest__Output as _sluice_v1_DescribeShareGroupsRequest__Output } from '../../sluice/v1/DescribeShareGroupsRequest';
import type { DescribeShareGroupsResponse as _sluice_v1_DescribeShareGroupsResponse, DescribeShareGroupsResponse__Output as _sluice_v1_DescribeShareGroupsResponse__Output } from '../../sluice/v1/DescribeShareGroupsResponse';
import type { FindCoordinatorRequest as _sluice_v1_FindCoordinatorRequest, FindCoordinatorRequest__Output as _sluice_v1_FindCoordinatorRequest__Output } from '../../sluice/v1/FindCoordinatorRequest';
import type { FindCoordinatorResponse as _sluice_v1_FindCoordinatorResponse, FindCoordinatorResponse__Output as _sluice_v1_FindCoordinatorResponse__Output } from '../../sluice/v1/FindCoordinatorResponse';
import type { ListGroupsRequest as _sluice_v1_ListGroupsRequest, ListGroupsRequest__Output as _sluice_v1_ListGroupsRequest__Output } from '../../sluice/v1/ListGroupsRequest';
import type { ListGroupsResponse as _sluice_v1_ListGroupsResponse, ListGroupsResponse__Output as _sluice_v1_ListGroupsResponse__Output } from '../../sluice/v1/ListGroupsResponse';
import type { OffsetCommitRequest as _sluice_v1_OffsetCommitRequest, OffsetCommitRequest__Output as _sluice_v1_OffsetCommitRequest__Output } from '../../sluice/v1/OffsetCommitRequest';
import type { OffsetCommitResponse as _sluice_v1_OffsetCommitResponse, OffsetCommitResponse__Output as _sluice_v1_OffsetCommitResponse__Output } from '../../sluice/v1/OffsetCommitResponse';
import type { OffsetFetchRequest as _sluice_v1_OffsetFetchRequest, OffsetFetchRequest__Output as _sluice_v1_OffsetFetchRequest__Output } from '../../sluice/v1/OffsetFetchRequest';
import type { OffsetFetchResponse as _sluice_v1_OffsetFetchResponse, OffsetFetchResponse__Output as _sluice_v1_OffsetFetchResponse__Output } from '../../sluice/v1/OffsetFetchResponse';
import type { ReadShareGroupStateRequest as _sluice_v1_ReadShareGroupStateRequest, ReadShareGroupStateRequest__Output as _sluice_v1_ReadShareGroupStateRequest__Output } from '../../sluice/v1/ReadShareGroupStateRequest';
import type { ReadShareGroupStateResponse as _sluice_v1_ReadShareGroupStateResponse, ReadShareGroupStateResponse__Output as _sluice_v1_ReadShareGroupStateResponse__Output } from '../../sluice/v1/ReadShareGroupStateResponse';
import type { ShareGroupHeartbeatRequest as _sluice_v1_ShareGroupHeartbeatRequest, ShareGroupHeartbeatRequest__Output as _sluice_v1_ShareGroupHeartbeatRequest__Output } from '../../sluice/v1/ShareGroupHeartbeatRequest';
import type { ShareGroupHeartbeatResponse as _sluice_v1_ShareGroupHeartbeatResponse, ShareGroupHeartbeatResponse__Output as _sluice_v1_ShareGroupHeartbeatResponse__Output } from '../../sluice/v1/ShareGroupHeartbeatResponse';
import type { WriteShareGroupStateRequest as _sluice_v1_WriteShareGroupStateRequest, WriteShareGroupStateRequest__Output as _sluice_v1_WriteShareGroupStateRequest__Output } from '../../sluice/v1/WriteShareGroupStateRequest';
import type { WriteShareGroupStateResponse as _sluice_v1_WriteShareGroupStateResponse, WriteShareGroupStateResponse__Output as _sluice_v1_WriteShareGroupStateResponse__Output } from '../../sluice/v1/WriteShareGroupStateResponse';

export interface CoordinatorClient extends grpc.Client {
  ConsumerGroupHeartbeat(argument: _sluice_v1_ConsumerGroupHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ConsumerGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  ConsumerGroupHeartbeat(argument: _sluice_v1_ConsumerGroupHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ConsumerGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  ConsumerGroupHeartbeat(argument: _sluice_v1_ConsumerGroupHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ConsumerGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  ConsumerGroupHeartbeat(argument: _sluice_v1_ConsumerGroupHeartbeatRequest, callback: grpc.requestCallback<_sluice_v1_ConsumerGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  consumerGroupHeartbeat(argument: _sluice_v1_ConsumerGroupHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ConsumerGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  consumerGroupHeartbeat(argument: _sluice_v1_ConsumerGroupHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ConsumerGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  consumerGroupHeartbeat(argument: _sluice_v1_ConsumerGroupHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ConsumerGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  consumerGroupHeartbeat(argument: _sluice_v1_ConsumerGroupHeartbeatRequest, callback: grpc.requestCallback<_sluice_v1_ConsumerGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A member's wake-up line (sluice's addition to KIP-848): after joining, a member may hold one
   * such stream open to its group's coordinator, which sends a wake-up (ConsumerGroupWakeupsResponse) whenever the
   * member's next heartbeat would learn something new (a new target assignment, partitions it
   * waits for released by their previous owner). The member then heartbeats at once instead of at
   * its next interval. The wake-up carries no assignment: everything still goes through
   * ConsumerGroupHeartbeat (epochs, fencing, revocation), so a member without the stream only
   * learns the same things later. Refused when the member is unknown (UNKNOWN_MEMBER_ID) or the
   * coordinator holds its maximum of streams (RESOURCE_EXHAUSTED); a second stream of the same
   * member replaces the first, which ends.
   */
  ConsumerGroupWakeups(argument: _sluice_v1_ConsumerGroupWakeupsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sluice_v1_ConsumerGroupWakeupsResponse__Output>;
  ConsumerGroupWakeups(argument: _sluice_v1_ConsumerGroupWakeupsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sluice_v1_ConsumerGroupWakeupsResponse__Output>;
  /**
   * A member's wake-up line (sluice's addition to KIP-848): after joining, a member may hold one
   * such stream open to its group's coordinator, which sends a wake-up (ConsumerGroupWakeupsResponse) whenever the
   * member's next heartbeat would learn something new (a new target assignment, partitions it
   * waits for released by their previous owner). The member then heartbeats at once instead of at
   * its next interval. The wake-up carries no assignment: everything still goes through
   * ConsumerGroupHeartbeat (epochs, fencing, revocation), so a member without the stream only
   * learns the same things later. Refused when the member is unknown (UNKNOWN_MEMBER_ID) or the
   * coordinator holds its maximum of streams (RESOURCE_EXHAUSTED); a second stream of the same
   * member replaces the first, which ends.
   */
  consumerGroupWakeups(argument: _sluice_v1_ConsumerGroupWakeupsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sluice_v1_ConsumerGroupWakeupsResponse__Output>;
  consumerGroupWakeups(argument: _sluice_v1_ConsumerGroupWakeupsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sluice_v1_ConsumerGroupWakeupsResponse__Output>;
  
  DeleteGroups(argument: _sluice_v1_DeleteGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteGroupsResponse__Output>): grpc.ClientUnaryCall;
  DeleteGroups(argument: _sluice_v1_DeleteGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DeleteGroupsResponse__Output>): grpc.ClientUnaryCall;
  DeleteGroups(argument: _sluice_v1_DeleteGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteGroupsResponse__Output>): grpc.ClientUnaryCall;
  DeleteGroups(argument: _sluice_v1_DeleteGroupsRequest, callback: grpc.requestCallback<_sluice_v1_DeleteGroupsResponse__Output>): grpc.ClientUnaryCall;
  deleteGroups(argument: _sluice_v1_DeleteGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteGroupsResponse__Output>): grpc.ClientUnaryCall;
  deleteGroups(argument: _sluice_v1_DeleteGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DeleteGroupsResponse__Output>): grpc.ClientUnaryCall;
  deleteGroups(argument: _sluice_v1_DeleteGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DeleteGroupsResponse__Output>): grpc.ClientUnaryCall;
  deleteGroups(argument: _sluice_v1_DeleteGroupsRequest, callback: grpc.requestCallback<_sluice_v1_DeleteGroupsResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeGroups(argument: _sluice_v1_DescribeGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeGroupsResponse__Output>): grpc.ClientUnaryCall;
  DescribeGroups(argument: _sluice_v1_DescribeGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeGroupsResponse__Output>): grpc.ClientUnaryCall;
  DescribeGroups(argument: _sluice_v1_DescribeGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeGroupsResponse__Output>): grpc.ClientUnaryCall;
  DescribeGroups(argument: _sluice_v1_DescribeGroupsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeGroupsResponse__Output>): grpc.ClientUnaryCall;
  describeGroups(argument: _sluice_v1_DescribeGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeGroupsResponse__Output>): grpc.ClientUnaryCall;
  describeGroups(argument: _sluice_v1_DescribeGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeGroupsResponse__Output>): grpc.ClientUnaryCall;
  describeGroups(argument: _sluice_v1_DescribeGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeGroupsResponse__Output>): grpc.ClientUnaryCall;
  describeGroups(argument: _sluice_v1_DescribeGroupsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeGroupsResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeShareGroups(argument: _sluice_v1_DescribeShareGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeShareGroupsResponse__Output>): grpc.ClientUnaryCall;
  DescribeShareGroups(argument: _sluice_v1_DescribeShareGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeShareGroupsResponse__Output>): grpc.ClientUnaryCall;
  DescribeShareGroups(argument: _sluice_v1_DescribeShareGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeShareGroupsResponse__Output>): grpc.ClientUnaryCall;
  DescribeShareGroups(argument: _sluice_v1_DescribeShareGroupsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeShareGroupsResponse__Output>): grpc.ClientUnaryCall;
  describeShareGroups(argument: _sluice_v1_DescribeShareGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeShareGroupsResponse__Output>): grpc.ClientUnaryCall;
  describeShareGroups(argument: _sluice_v1_DescribeShareGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeShareGroupsResponse__Output>): grpc.ClientUnaryCall;
  describeShareGroups(argument: _sluice_v1_DescribeShareGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeShareGroupsResponse__Output>): grpc.ClientUnaryCall;
  describeShareGroups(argument: _sluice_v1_DescribeShareGroupsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeShareGroupsResponse__Output>): grpc.ClientUnaryCall;
  
  FindCoordinator(argument: _sluice_v1_FindCoordinatorRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  FindCoordinator(argument: _sluice_v1_FindCoordinatorRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  FindCoordinator(argument: _sluice_v1_FindCoordinatorRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  FindCoordinator(argument: _sluice_v1_FindCoordinatorRequest, callback: grpc.requestCallback<_sluice_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  findCoordinator(argument: _sluice_v1_FindCoordinatorRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  findCoordinator(argument: _sluice_v1_FindCoordinatorRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  findCoordinator(argument: _sluice_v1_FindCoordinatorRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  findCoordinator(argument: _sluice_v1_FindCoordinatorRequest, callback: grpc.requestCallback<_sluice_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  
  ListGroups(argument: _sluice_v1_ListGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  ListGroups(argument: _sluice_v1_ListGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  ListGroups(argument: _sluice_v1_ListGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  ListGroups(argument: _sluice_v1_ListGroupsRequest, callback: grpc.requestCallback<_sluice_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _sluice_v1_ListGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _sluice_v1_ListGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _sluice_v1_ListGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _sluice_v1_ListGroupsRequest, callback: grpc.requestCallback<_sluice_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  
  OffsetCommit(argument: _sluice_v1_OffsetCommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetCommitResponse__Output>): grpc.ClientUnaryCall;
  OffsetCommit(argument: _sluice_v1_OffsetCommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_OffsetCommitResponse__Output>): grpc.ClientUnaryCall;
  OffsetCommit(argument: _sluice_v1_OffsetCommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetCommitResponse__Output>): grpc.ClientUnaryCall;
  OffsetCommit(argument: _sluice_v1_OffsetCommitRequest, callback: grpc.requestCallback<_sluice_v1_OffsetCommitResponse__Output>): grpc.ClientUnaryCall;
  offsetCommit(argument: _sluice_v1_OffsetCommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetCommitResponse__Output>): grpc.ClientUnaryCall;
  offsetCommit(argument: _sluice_v1_OffsetCommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_OffsetCommitResponse__Output>): grpc.ClientUnaryCall;
  offsetCommit(argument: _sluice_v1_OffsetCommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetCommitResponse__Output>): grpc.ClientUnaryCall;
  offsetCommit(argument: _sluice_v1_OffsetCommitRequest, callback: grpc.requestCallback<_sluice_v1_OffsetCommitResponse__Output>): grpc.ClientUnaryCall;
  
  OffsetFetch(argument: _sluice_v1_OffsetFetchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetFetchResponse__Output>): grpc.ClientUnaryCall;
  OffsetFetch(argument: _sluice_v1_OffsetFetchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_OffsetFetchResponse__Output>): grpc.ClientUnaryCall;
  OffsetFetch(argument: _sluice_v1_OffsetFetchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetFetchResponse__Output>): grpc.ClientUnaryCall;
  OffsetFetch(argument: _sluice_v1_OffsetFetchRequest, callback: grpc.requestCallback<_sluice_v1_OffsetFetchResponse__Output>): grpc.ClientUnaryCall;
  offsetFetch(argument: _sluice_v1_OffsetFetchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetFetchResponse__Output>): grpc.ClientUnaryCall;
  offsetFetch(argument: _sluice_v1_OffsetFetchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_OffsetFetchResponse__Output>): grpc.ClientUnaryCall;
  offsetFetch(argument: _sluice_v1_OffsetFetchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetFetchResponse__Output>): grpc.ClientUnaryCall;
  offsetFetch(argument: _sluice_v1_OffsetFetchRequest, callback: grpc.requestCallback<_sluice_v1_OffsetFetchResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The share coordinator (Kafka's persister): the durable state of each (share group, topic
   * partition), kept in __share_group_state partition hash("group:topic:partition") % its
   * partitions, owned like __consumer_offsets partitions (by the coordinator paired with the
   * partition's leader). Called by partition leaders (and by `sluice share describe`).
   * Writes are answered only after they are committed (acks=all).
   */
  ReadShareGroupState(argument: _sluice_v1_ReadShareGroupStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ReadShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  ReadShareGroupState(argument: _sluice_v1_ReadShareGroupStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ReadShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  ReadShareGroupState(argument: _sluice_v1_ReadShareGroupStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ReadShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  ReadShareGroupState(argument: _sluice_v1_ReadShareGroupStateRequest, callback: grpc.requestCallback<_sluice_v1_ReadShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The share coordinator (Kafka's persister): the durable state of each (share group, topic
   * partition), kept in __share_group_state partition hash("group:topic:partition") % its
   * partitions, owned like __consumer_offsets partitions (by the coordinator paired with the
   * partition's leader). Called by partition leaders (and by `sluice share describe`).
   * Writes are answered only after they are committed (acks=all).
   */
  readShareGroupState(argument: _sluice_v1_ReadShareGroupStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ReadShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  readShareGroupState(argument: _sluice_v1_ReadShareGroupStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ReadShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  readShareGroupState(argument: _sluice_v1_ReadShareGroupStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ReadShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  readShareGroupState(argument: _sluice_v1_ReadShareGroupStateRequest, callback: grpc.requestCallback<_sluice_v1_ReadShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Share groups (KIP-932): membership and assignment. A share group lives where a consumer group
   * of the same id would (hash(group_id) % partitions of __consumer_offsets); the two kinds share
   * one namespace (a consumer group id used as a share group is GROUP_ID_NOT_FOUND /
   * INCONSISTENT_GROUP_PROTOCOL, as in Kafka).
   */
  ShareGroupHeartbeat(argument: _sluice_v1_ShareGroupHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  ShareGroupHeartbeat(argument: _sluice_v1_ShareGroupHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ShareGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  ShareGroupHeartbeat(argument: _sluice_v1_ShareGroupHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  ShareGroupHeartbeat(argument: _sluice_v1_ShareGroupHeartbeatRequest, callback: grpc.requestCallback<_sluice_v1_ShareGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Share groups (KIP-932): membership and assignment. A share group lives where a consumer group
   * of the same id would (hash(group_id) % partitions of __consumer_offsets); the two kinds share
   * one namespace (a consumer group id used as a share group is GROUP_ID_NOT_FOUND /
   * INCONSISTENT_GROUP_PROTOCOL, as in Kafka).
   */
  shareGroupHeartbeat(argument: _sluice_v1_ShareGroupHeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  shareGroupHeartbeat(argument: _sluice_v1_ShareGroupHeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ShareGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  shareGroupHeartbeat(argument: _sluice_v1_ShareGroupHeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  shareGroupHeartbeat(argument: _sluice_v1_ShareGroupHeartbeatRequest, callback: grpc.requestCallback<_sluice_v1_ShareGroupHeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  WriteShareGroupState(argument: _sluice_v1_WriteShareGroupStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_WriteShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  WriteShareGroupState(argument: _sluice_v1_WriteShareGroupStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_WriteShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  WriteShareGroupState(argument: _sluice_v1_WriteShareGroupStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_WriteShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  WriteShareGroupState(argument: _sluice_v1_WriteShareGroupStateRequest, callback: grpc.requestCallback<_sluice_v1_WriteShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  writeShareGroupState(argument: _sluice_v1_WriteShareGroupStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_WriteShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  writeShareGroupState(argument: _sluice_v1_WriteShareGroupStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_WriteShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  writeShareGroupState(argument: _sluice_v1_WriteShareGroupStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_WriteShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  writeShareGroupState(argument: _sluice_v1_WriteShareGroupStateRequest, callback: grpc.requestCallback<_sluice_v1_WriteShareGroupStateResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface CoordinatorHandlers extends grpc.UntypedServiceImplementation {
  ConsumerGroupHeartbeat: grpc.handleUnaryCall<_sluice_v1_ConsumerGroupHeartbeatRequest__Output, _sluice_v1_ConsumerGroupHeartbeatResponse>;
  
  /**
   * A member's wake-up line (sluice's addition to KIP-848): after joining, a member may hold one
   * such stream open to its group's coordinator, which sends a wake-up (ConsumerGroupWakeupsResponse) whenever the
   * member's next heartbeat would learn something new (a new target assignment, partitions it
   * waits for released by their previous owner). The member then heartbeats at once instead of at
   * its next interval. The wake-up carries no assignment: everything still goes through
   * ConsumerGroupHeartbeat (epochs, fencing, revocation), so a member without the stream only
   * learns the same things later. Refused when the member is unknown (UNKNOWN_MEMBER_ID) or the
   * coordinator holds its maximum of streams (RESOURCE_EXHAUSTED); a second stream of the same
   * member replaces the first, which ends.
   */
  ConsumerGroupWakeups: grpc.handleServerStreamingCall<_sluice_v1_ConsumerGroupWakeupsRequest__Output, _sluice_v1_ConsumerGroupWakeupsResponse>;
  
  DeleteGroups: grpc.handleUnaryCall<_sluice_v1_DeleteGroupsRequest__Output, _sluice_v1_DeleteGroupsResponse>;
  
  DescribeGroups: grpc.handleUnaryCall<_sluice_v1_DescribeGroupsRequest__Output, _sluice_v1_DescribeGroupsResponse>;
  
  DescribeShareGroups: grpc.handleUnaryCall<_sluice_v1_DescribeShareGroupsRequest__Output, _sluice_v1_DescribeShareGroupsResponse>;
  
  FindCoordinator: grpc.handleUnaryCall<_sluice_v1_FindCoordinatorRequest__Output, _sluice_v1_FindCoordinatorResponse>;
  
  ListGroups: grpc.handleUnaryCall<_sluice_v1_ListGroupsRequest__Output, _sluice_v1_ListGroupsResponse>;
  
  OffsetCommit: grpc.handleUnaryCall<_sluice_v1_OffsetCommitRequest__Output, _sluice_v1_OffsetCommitResponse>;
  
  OffsetFetch: grpc.handleUnaryCall<_sluice_v1_OffsetFetchRequest__Output, _sluice_v1_OffsetFetchResponse>;
  
  /**
   * The share coordinator (Kafka's persister): the durable state of each (share group, topic
   * partition), kept in __share_group_state partition hash("group:topic:partition") % its
   * partitions, owned like __consumer_offsets partitions (by the coordinator paired with the
   * partition's leader). Called by partition leaders (and by `sluice share describe`).
   * Writes are answered only after they are committed (acks=all).
   */
  ReadShareGroupState: grpc.handleUnaryCall<_sluice_v1_ReadShareGroupStateRequest__Output, _sluice_v1_ReadShareGroupStateResponse>;
  
  /**
   * Share groups (KIP-932): membership and assignment. A share group lives where a consumer group
   * of the same id would (hash(group_id) % partitions of __consumer_offsets); the two kinds share
   * one namespace (a consumer group id used as a share group is GROUP_ID_NOT_FOUND /
   * INCONSISTENT_GROUP_PROTOCOL, as in Kafka).
   */
  ShareGroupHeartbeat: grpc.handleUnaryCall<_sluice_v1_ShareGroupHeartbeatRequest__Output, _sluice_v1_ShareGroupHeartbeatResponse>;
  
  WriteShareGroupState: grpc.handleUnaryCall<_sluice_v1_WriteShareGroupStateRequest__Output, _sluice_v1_WriteShareGroupStateResponse>;
  
}

export interface CoordinatorDefinition extends grpc.ServiceDefinition {
  ConsumerGroupHeartbeat: MethodDefinition<_sluice_v1_ConsumerGroupHeartbeatRequest, _sluice_v1_ConsumerGroupHeartbeatResponse, _sluice_v1_ConsumerGroupHeartbeatRequest__Output, _sluice_v1_ConsumerGroupHeartbeatResponse__Output>
  ConsumerGroupWakeups: MethodDefinition<_sluice_v1_ConsumerGroupWakeupsRequest, _sluice_v1_ConsumerGroupWakeupsResponse, _sluice_v1_ConsumerGroupWakeupsRequest__Output, _sluice_v1_ConsumerGroupWakeupsResponse__Output>
  DeleteGroups: MethodDefinition<_sluice_v1_DeleteGroupsRequest, _sluice_v1_DeleteGroupsResponse, _sluice_v1_DeleteGroupsRequest__Output, _sluice_v1_DeleteGroupsResponse__Output>
  DescribeGroups: MethodDefinition<_sluice_v1_DescribeGroupsRequest, _sluice_v1_DescribeGroupsResponse, _sluice_v1_DescribeGroupsRequest__Output, _sluice_v1_DescribeGroupsResponse__Output>
  DescribeShareGroups: MethodDefinition<_sluice_v1_DescribeShareGroupsRequest, _sluice_v1_DescribeShareGroupsResponse, _sluice_v1_DescribeShareGroupsRequest__Output, _sluice_v1_DescribeShareGroupsResponse__Output>
  FindCoordinator: MethodDefinition<_sluice_v1_FindCoordinatorRequest, _sluice_v1_FindCoordinatorResponse, _sluice_v1_FindCoordinatorRequest__Output, _sluice_v1_FindCoordinatorResponse__Output>
  ListGroups: MethodDefinition<_sluice_v1_ListGroupsRequest, _sluice_v1_ListGroupsResponse, _sluice_v1_ListGroupsRequest__Output, _sluice_v1_ListGroupsResponse__Output>
  OffsetCommit: MethodDefinition<_sluice_v1_OffsetCommitRequest, _sluice_v1_OffsetCommitResponse, _sluice_v1_OffsetCommitRequest__Output, _sluice_v1_OffsetCommitResponse__Output>
  OffsetFetch: MethodDefinition<_sluice_v1_OffsetFetchRequest, _sluice_v1_OffsetFetchResponse, _sluice_v1_OffsetFetchRequest__Output, _sluice_v1_OffsetFetchResponse__Output>
  ReadShareGroupState: MethodDefinition<_sluice_v1_ReadShareGroupStateRequest, _sluice_v1_ReadShareGroupStateResponse, _sluice_v1_ReadShareGroupStateRequest__Output, _sluice_v1_ReadShareGroupStateResponse__Output>
  ShareGroupHeartbeat: MethodDefinition<_sluice_v1_ShareGroupHeartbeatRequest, _sluice_v1_ShareGroupHeartbeatResponse, _sluice_v1_ShareGroupHeartbeatRequest__Output, _sluice_v1_ShareGroupHeartbeatResponse__Output>
  WriteShareGroupState: MethodDefinition<_sluice_v1_WriteShareGroupStateRequest, _sluice_v1_WriteShareGroupStateResponse, _sluice_v1_WriteShareGroupStateRequest__Output, _sluice_v1_WriteShareGroupStateResponse__Output>
}
