/**
 * The Coordinator gRPC service: turns wire requests into GroupShard operations on the owning
 * partition and back. Whole-request failures (NOT_COORDINATOR, FENCED_MEMBER_EPOCH, ...) are
 * gRPC errors with Kafka names; multi-item requests answer per item.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { groupPartition } from '@sluice/client';
import type * as wire from '@sluice/client';
import { ApiError } from '@sluice/protocol';
import { unaryHandler, type ServerErrorReporter } from '@sluice/runtime';
import type { HeartbeatRequest } from '../core/group-shard';
import type { CoordinatorNode } from './coordinator-node';

function itemError(error: unknown): { errorName: string; errorMessage: string } {
  if (error instanceof ApiError) return { errorName: error.errorName, errorMessage: error.message };
  return { errorName: 'UNKNOWN_SERVER_ERROR', errorMessage: String(error) };
}

const OK = { errorName: '', errorMessage: '' };

export function heartbeatFromWire(request: wire.ConsumerGroupHeartbeatRequest): HeartbeatRequest {
  return {
    groupId: request.groupId,
    memberId: request.memberId,
    memberEpoch: request.memberEpoch,
    instanceId: request.instanceId === '' ? null : request.instanceId,
    rackId: request.rackId === '' ? null : request.rackId,
    clientId: request.clientId,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs > 0 ? request.rebalanceTimeoutMs : null,
    subscribedTopicNames: request.subscribedTopicNamesSet ? request.subscribedTopicNames : null,
    subscribedTopicRegex: request.subscribedTopicRegex === '' ? null : request.subscribedTopicRegex,
    serverAssignor: request.serverAssignor === '' ? null : request.serverAssignor,
    ownedPartitions: request.ownedSet ? request.owned : null,
  };
}

export class CoordinatorApi {
  constructor(private readonly node: CoordinatorNode) {}

  handlers(report: ServerErrorReporter): UntypedServiceImplementation {
    return {
      FindCoordinator: unaryHandler((r: wire.FindCoordinatorRequest) => this.findCoordinator(r), report),
      ConsumerGroupHeartbeat: unaryHandler((r: wire.ConsumerGroupHeartbeatRequest) => this.heartbeat(r), report),
      OffsetCommit: unaryHandler((r: wire.OffsetCommitRequest) => this.offsetCommit(r), report),
      OffsetFetch: unaryHandler((r: wire.OffsetFetchRequest) => this.offsetFetch(r), report),
      ListGroups: unaryHandler(() => this.listGroups(), report),
      DescribeGroups: unaryHandler((r: { groupIds: string[] }) => this.describeGroups(r), report),
      DeleteGroups: unaryHandler((r: { groupIds: string[] }) => this.deleteGroups(r), report),
    };
  }

  findCoordinator(request: wire.FindCoordinatorRequest): wire.FindCoordinatorResponse {
    return {
      coordinators: request.groupIds.map((groupId) => {
        const partition = groupPartition(groupId, this.node.offsetsPartitionCount());
        const owner = groupId === '' ? undefined : this.node.coordinatorFor(partition);
        if (owner === undefined) {
          const error = groupId === '' ? new ApiError('INVALID_GROUP_ID', 'the group id is empty') : new ApiError('COORDINATOR_NOT_AVAILABLE', `partition ${partition} of __consumer_offsets has no leader with a coordinator`);
          return { groupId, ...itemError(error), nodeId: -1, address: '', partition };
        }
        return { groupId, ...OK, nodeId: owner.nodeId, address: owner.address, partition };
      }),
    };
  }

  async heartbeat(request: wire.ConsumerGroupHeartbeatRequest): Promise<wire.ConsumerGroupHeartbeatResponse> {
    const converted = heartbeatFromWire(request);
    const owned = this.node.partitionFor(request.groupId);
    const response = await this.node.enqueue(owned, (shard) => shard.heartbeat(converted, Date.now()));
    return {
      memberId: response.memberId,
      memberEpoch: response.memberEpoch,
      heartbeatIntervalMs: response.heartbeatIntervalMs,
      assignment: response.assignment ?? [],
      assignmentSet: response.assignment !== null,
    };
  }

  async offsetCommit(request: wire.OffsetCommitRequest): Promise<wire.OffsetCommitResponse> {
    const owned = this.node.partitionFor(request.groupId);
    const response = await this.node.enqueue(owned, (shard) =>
      shard.offsetCommit(
        {
          groupId: request.groupId,
          memberId: request.memberId,
          memberEpoch: request.memberEpoch,
          topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, offset: Number(p.offset), leaderEpoch: p.leaderEpoch, metadata: p.metadata })) })),
        },
        Date.now(),
      ),
    );
    return {
      topics: response.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, ...(p.error === null ? OK : itemError(p.error)) })) })),
    };
  }

  async offsetFetch(request: wire.OffsetFetchRequest): Promise<wire.OffsetFetchResponse> {
    const owned = this.node.partitionFor(request.groupId);
    const partitions = request.partitions.length === 0 ? null : request.partitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    // Through the queue: an answer must not show offsets whose commit is still being written.
    const offsets = await this.node.enqueue(owned, (shard) => ({ records: [], response: shard.offsetFetch(request.groupId, partitions) }));
    return { offsets: offsets.map((o) => ({ ...o, offset: String(o.offset) })) };
  }

  listGroups(): wire.ListGroupsResponse {
    return { groups: this.node.activeShards().flatMap((shard) => shard.listGroups()) };
  }

  describeGroups(request: { groupIds: string[] }): wire.DescribeGroupsResponse {
    return {
      groups: request.groupIds.map((groupId) => {
        try {
          const described = this.node.partitionFor(groupId).shard.describeGroup(groupId);
          return {
            groupId,
            ...OK,
            state: described.state,
            groupEpoch: described.groupEpoch,
            assignmentEpoch: described.assignmentEpoch,
            assignor: described.assignor,
            members: described.members.map((m) => ({ ...m, instanceId: m.instanceId ?? '', rackId: m.rackId ?? '', subscribedTopicNames: [...m.subscribedTopicNames], subscribedTopicRegex: m.subscribedTopicRegex ?? '' })),
          };
        } catch (error) {
          return { groupId, ...itemError(error), state: 'DEAD', groupEpoch: 0, assignmentEpoch: 0, assignor: '', members: [] };
        }
      }),
    };
  }

  async deleteGroups(request: { groupIds: string[] }): Promise<wire.DeleteGroupsResponse> {
    const groups = await Promise.all(
      request.groupIds.map(async (groupId) => {
        try {
          await this.node.enqueue(this.node.partitionFor(groupId), (shard) => shard.deleteGroup(groupId));
          return { groupId, ...OK };
        } catch (error) {
          return { groupId, ...itemError(error) };
        }
      }),
    );
    return { groups };
  }
}
