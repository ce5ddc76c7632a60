/**
 * The group coordinator's gRPC API (proto/sluice/v1/coordinator.proto) as clients and the
 * coordinator service use it: the proto files, a cached client constructor and the TypeScript
 * shapes @sluice/runtime's loader gives (int64 fields arrive as strings).
 */
import type { Client, ServiceClientConstructor, ServiceDefinition } from '@grpc/grpc-js';
import { createGrpcClient, serviceClientConstructor } from '@sluice/runtime/dist/grpc';
import { loadProtos } from '@sluice/runtime/dist/proto';
import type { Int64 } from './broker-api';

export const COORDINATOR_PROTO_FILES = ['sluice/v1/coordinator.proto'] as const;
export const COORDINATOR_SERVICE_NAME = 'sluice.v1.Coordinator';

let cachedCtor: ServiceClientConstructor | undefined;

export function coordinatorClientConstructor(): ServiceClientConstructor {
  cachedCtor ??= serviceClientConstructor(loadProtos(COORDINATOR_PROTO_FILES), COORDINATOR_SERVICE_NAME);
  return cachedCtor;
}

export function coordinatorServiceDefinition(): ServiceDefinition {
  return coordinatorClientConstructor().service;
}

export function createCoordinatorClient(address: string): Client {
  return createGrpcClient(coordinatorClientConstructor(), address);
}

export interface WireTopicPartitions {
  topic: string;
  partitions: number[];
}

export interface FindCoordinatorRequest {
  groupIds: string[];
  /** '' or 'GROUP': group ids; 'SHARE': share-state keys `group:topic:partition`. */
  keyType?: string;
}
export interface FindCoordinatorResponse {
  coordinators: {
    groupId: string;
    errorName: string;
    errorMessage: string;
    nodeId: number;
    address: string;
    partition: number;
  }[];
}

export interface ConsumerGroupHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string;
  rackId: string;
  clientId: string;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[];
  subscribedTopicNamesSet: boolean;
  subscribedTopicRegex: string;
  serverAssignor: string;
  owned: WireTopicPartitions[];
  ownedSet: boolean;
}
export interface ConsumerGroupHeartbeatResponse {
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: WireTopicPartitions[];
  assignmentSet: boolean;
}

export interface OffsetCommitRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  topics: { name: string; partitions: { partition: number; offset: Int64; leaderEpoch: number; metadata: string }[] }[];
}
export interface OffsetCommitResponse {
  topics: { name: string; partitions: { partition: number; errorName: string; errorMessage: string }[] }[];
}

export interface OffsetFetchRequest {
  groupId: string;
  partitions: WireTopicPartitions[];
}
export interface OffsetFetchResponse {
  offsets: { topic: string; partition: number; offset: Int64; leaderEpoch: number; metadata: string }[];
}

export interface ListGroupsResponse {
  /** `type`: 'consumer' or 'share'. */
  groups: { groupId: string; state: string; members: number; type: string }[];
}

export interface DescribedMember {
  memberId: string;
  instanceId: string;
  rackId: string;
  clientId: string;
  memberEpoch: number;
  state: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string;
  assigned: WireTopicPartitions[];
  pendingRevocation: WireTopicPartitions[];
  target: WireTopicPartitions[];
}
export interface DescribeGroupsResponse {
  groups: {
    groupId: string;
    errorName: string;
    errorMessage: string;
    state: string;
    groupEpoch: number;
    assignmentEpoch: number;
    assignor: string;
    members: DescribedMember[];
  }[];
}

export interface DeleteGroupsResponse {
  groups: { groupId: string; errorName: string; errorMessage: string }[];
}

// ---------------------------------------------------------------- share groups (KIP-932)

export interface ShareGroupHeartbeatRequest {
  groupId: string;
  memberId: string;
  /** 0 join, -1 leave, else the member's epoch. */
  memberEpoch: number;
  rackId: string;
  clientId: string;
  subscribedTopicNames: string[];
  subscribedTopicNamesSet: boolean;
}
export interface ShareGroupHeartbeatResponse {
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: WireTopicPartitions[];
  assignmentSet: boolean;
}

export interface DescribedShareMember {
  memberId: string;
  rackId: string;
  clientId: string;
  memberEpoch: number;
  subscribedTopicNames: string[];
  assigned: WireTopicPartitions[];
}
export interface DescribeShareGroupsResponse {
  groups: {
    groupId: string;
    errorName: string;
    errorMessage: string;
    state: string;
    groupEpoch: number;
    assignmentEpoch: number;
    members: DescribedShareMember[];
  }[];
}

export interface WireShareStateRange {
  firstOffset: Int64;
  lastOffset: Int64;
  state: string;
  deliveryCount: number;
}
export interface ReadShareGroupStateRequest {
  groupId: string;
  topic: string;
  partition: number;
  leaderEpoch: number;
}
export interface ReadShareGroupStateResponse {
  errorName: string;
  errorMessage: string;
  found: boolean;
  stateEpoch: number;
  startOffset: Int64;
  ranges: WireShareStateRange[];
}
export interface WriteShareGroupStateRequest {
  groupId: string;
  topic: string;
  partition: number;
  leaderEpoch: number;
  stateEpoch: number;
  startOffset: Int64;
  ranges: WireShareStateRange[];
  snapshot: boolean;
}
export interface WriteShareGroupStateResponse {
  errorName: string;
  errorMessage: string;
}

/** Kafka's group partition: Utils.abs(groupId.hashCode()) % partitions, with Java's String.hashCode. */
export function groupPartition(groupId: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1)
    throw new RangeError(`partition count ${partitionCount} must be >= 1`);
  let hash = 0;
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(31, hash) + groupId.charCodeAt(i)) | 0;
  return (hash & 0x7fffffff) % partitionCount;
}
