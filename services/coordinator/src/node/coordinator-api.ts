/**
 * What the Coordinator gRPC service does (its NestJS controllers in rpc/ delegate here): turns
 * wire requests into GroupShard operations on the owning partition and back. Whole-request failures (NOT_COORDINATOR, FENCED_MEMBER_EPOCH, ...) are
 * gRPC errors with Kafka names; multi-item requests answer per item.
 */
import type { RequestPhases } from '@sluice/runtime';
import { groupPartition } from '@sluice/client';
import type * as wire from '@sluice/proto';
import { ApiError, type DurableRange } from '@sluice/protocol';
import type { HeartbeatRequest } from '../core/group-shard';
import { pageOfGroups } from '../core/group-pages';
import { MAX_SHARE_STATE_RANGES, validateShareStateKey } from '../core/share-state-shard';
import { SHARE_STATE_TOPIC, type CoordinatorNode } from './coordinator-node';
import { inCoordinatorSpan } from './coordinator-spans';
import type { WakeupSink } from './member-wakeups';

function itemError(error: unknown): Required<wire.ItemError> {
  if (error instanceof ApiError) return { errorName: error.errorName, errorMessage: error.message };
  return { errorName: 'UNKNOWN_SERVER_ERROR', errorMessage: String(error) };
}

const OK = { errorName: '', errorMessage: '' };

/** Errors that say "ask another coordinator / later", kept as gRPC errors so clients route them. */
const ROUTING_ERRORS: ReadonlySet<string> = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
]);

function isRouting(error: unknown): boolean {
  return !(error instanceof ApiError) || ROUTING_ERRORS.has(error.errorName);
}

/** `group:topic:partition`, split from the right (group ids may hold ':', topic names may not). */
export function parseShareStateKey(key: string): { groupId: string; topic: string; partition: number } | null {
  const last = key.lastIndexOf(':');
  const middle = last <= 0 ? -1 : key.lastIndexOf(':', last - 1);
  if (middle <= 0) return null;
  const partitionText = key.slice(last + 1);
  if (!/^\d{1,10}$/.test(partitionText)) return null;
  const partition = Number(partitionText);
  const topic = key.slice(middle + 1, last);
  if (topic === '' || partition > 0x7fffffff) return null;
  return { groupId: key.slice(0, middle), topic, partition };
}

function rangeToWire(r: DurableRange): wire.ShareStateRange {
  return {
    firstOffset: String(r.firstOffset),
    lastOffset: String(r.lastOffset),
    state: r.state,
    deliveryCount: r.deliveryCount,
  };
}

function rangeFromWire(r: wire.ShareStateRange__Output): DurableRange {
  // validateShareState (in the fold) refuses a state name that is not durable.
  return {
    firstOffset: Number(r.firstOffset),
    lastOffset: Number(r.lastOffset),
    state: r.state as DurableRange['state'],
    deliveryCount: r.deliveryCount,
  };
}

export function heartbeatFromWire(request: wire.ConsumerGroupHeartbeatRequest__Output): HeartbeatRequest {
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

/** A heartbeat's answer, consumer or share group: a null assignment means "unchanged". */
function heartbeatToWire(response: {
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  readonly assignment: wire.TopicPartitions[] | null;
}): wire.ConsumerGroupHeartbeatResponse & wire.ShareGroupHeartbeatResponse {
  return {
    memberId: response.memberId,
    memberEpoch: response.memberEpoch,
    heartbeatIntervalMs: response.heartbeatIntervalMs,
    assignment: response.assignment ?? [],
    assignmentSet: response.assignment !== null,
  };
}

export class CoordinatorApi {
  constructor(private readonly node: CoordinatorNode) {}

  findCoordinator(request: wire.FindCoordinatorRequest__Output): wire.FindCoordinatorResponse {
    const keyType = request.keyType ?? '';
    if (keyType === 'SHARE') return { coordinators: request.groupIds.map((key) => this.findShareCoordinator(key)) };
    if (keyType !== '' && keyType !== 'GROUP') {
      return {
        coordinators: request.groupIds.map((groupId) => ({
          groupId,
          ...itemError(
            new ApiError('INVALID_REQUEST', `key type ${JSON.stringify(keyType.slice(0, 50))} is not GROUP or SHARE`),
          ),
          nodeId: -1,
          address: '',
          partition: -1,
        })),
      };
    }
    return {
      coordinators: request.groupIds.map((groupId) => {
        const partition = groupPartition(groupId, this.node.offsetsPartitionCount());
        const owner = groupId === '' ? undefined : this.node.coordinatorFor(partition);
        if (owner === undefined) {
          const error =
            groupId === ''
              ? new ApiError('INVALID_GROUP_ID', 'the group id is empty')
              : new ApiError(
                  'COORDINATOR_NOT_AVAILABLE',
                  `partition ${partition} of __consumer_offsets has no leader whose coordinator holds it`,
                );
          return { groupId, ...itemError(error), nodeId: -1, address: '', partition };
        }
        return { groupId, ...OK, nodeId: owner.nodeId, address: owner.address, partition };
      }),
    };
  }

  async shareGroupHeartbeat(
    request: wire.ShareGroupHeartbeatRequest__Output,
    phases?: RequestPhases,
  ): Promise<wire.ShareGroupHeartbeatResponse> {
    const converted = {
      groupId: request.groupId,
      memberId: request.memberId,
      memberEpoch: request.memberEpoch,
      rackId: request.rackId === '' ? null : request.rackId,
      clientId: request.clientId,
      subscribedTopicNames: request.subscribedTopicNamesSet ? request.subscribedTopicNames : null,
    };
    const owned = this.node.partitionFor(request.groupId);
    const response = await inCoordinatorSpan(
      'heartbeat',
      request.groupId,
      { 'sluice.group.type': 'share', 'sluice.member.epoch': request.memberEpoch },
      () => this.node.enqueue(owned, (shard) => shard.shareHeartbeat(converted, Date.now()), phases),
    );
    return heartbeatToWire(response);
  }

  describeShareGroups(request: wire.DescribeShareGroupsRequest__Output): wire.DescribeShareGroupsResponse {
    return {
      groups: request.groupIds.map((groupId) => {
        try {
          const described = this.node.partitionFor(groupId).shard.describeShareGroup(groupId);
          return {
            ...described,
            ...OK,
            members: described.members.map((m) => ({
              ...m,
              rackId: m.rackId ?? '',
              subscribedTopicNames: [...m.subscribedTopicNames],
            })),
          };
        } catch (error) {
          return { groupId, ...itemError(error), state: 'DEAD', groupEpoch: 0, assignmentEpoch: 0, members: [] };
        }
      }),
    };
  }

  /** FindCoordinator with key type SHARE: the share coordinator of `group:topic:partition`. */
  private findShareCoordinator(key: string): wire.CoordinatorEndpoint {
    const parsed = parseShareStateKey(key);
    if (parsed === null)
      return {
        groupId: key,
        ...itemError(
          new ApiError(
            'INVALID_REQUEST',
            `share key ${JSON.stringify(key.slice(0, 100))} is not group:topic:partition`,
          ),
        ),
        nodeId: -1,
        address: '',
        partition: -1,
      };
    const partition = groupPartition(key, this.node.shareStatePartitionCount());
    const owner = this.node.coordinatorFor(partition, SHARE_STATE_TOPIC);
    if (owner === undefined)
      return {
        groupId: key,
        ...itemError(
          new ApiError(
            'COORDINATOR_NOT_AVAILABLE',
            `partition ${partition} of ${SHARE_STATE_TOPIC} has no leader whose coordinator holds it`,
          ),
        ),
        nodeId: -1,
        address: '',
        partition,
      };
    return { groupId: key, ...OK, nodeId: owner.nodeId, address: owner.address, partition };
  }

  /**
   * ReadShareGroupState. Whole-request failures of the owner (NOT_COORDINATOR, loading) are gRPC
   * errors like every coordinator call, so clients route them the same way; the state's own
   * refusals (FENCED_LEADER_EPOCH, INVALID_REQUEST) answer in error_name.
   */
  async readShareGroupState(
    request: wire.ReadShareGroupStateRequest__Output,
    phases?: RequestPhases,
  ): Promise<wire.ReadShareGroupStateResponse> {
    const key = { groupId: request.groupId, topic: request.topic, partition: request.partition };
    try {
      validateShareStateKey(key);
      const owned = this.node.shareStatePartitionFor(key);
      const { state } = await this.node.enqueueShareState(
        owned,
        (shard) => shard.read(key, request.leaderEpoch),
        phases,
      );
      if (state === null) return { ...OK, found: false, stateEpoch: 0, startOffset: '0', ranges: [] };
      return {
        ...OK,
        found: true,
        stateEpoch: state.stateEpoch,
        startOffset: String(state.startOffset),
        ranges: state.ranges.map(rangeToWire),
      };
    } catch (error) {
      if (isRouting(error)) throw error;
      return { ...itemError(error), found: false, stateEpoch: 0, startOffset: '0', ranges: [] };
    }
  }

  /** WriteShareGroupState: answered after the folded state is committed to __share_group_state. */
  async writeShareGroupState(
    request: wire.WriteShareGroupStateRequest__Output,
    phases?: RequestPhases,
  ): Promise<wire.WriteShareGroupStateResponse> {
    const key = { groupId: request.groupId, topic: request.topic, partition: request.partition };
    try {
      validateShareStateKey(key);
      const owned = this.node.shareStatePartitionFor(key);
      if (request.ranges.length > MAX_SHARE_STATE_RANGES)
        throw new ApiError(
          'INVALID_REQUEST',
          `${request.ranges.length} ranges in one write; at most ${MAX_SHARE_STATE_RANGES}`,
        );
      const state = {
        stateEpoch: request.stateEpoch,
        startOffset: Number(request.startOffset),
        ranges: request.ranges.map(rangeFromWire),
      };
      await inCoordinatorSpan(
        'share_state_write',
        '__share_group_state',
        {
          'sluice.share.group': key.groupId,
          'sluice.share.topic': key.topic,
          'sluice.share.partition': key.partition,
          'sluice.share.state_epoch': request.stateEpoch,
          'sluice.share.ranges': state.ranges.length,
          'sluice.share.snapshot': request.snapshot,
        },
        () =>
          this.node.enqueueShareState(
            owned,
            (shard) =>
              shard.write({
                key,
                leaderEpoch: request.leaderEpoch,
                state,
                kind: request.snapshot ? 'snapshot' : 'update',
              }),
            phases,
          ),
      );
      return OK;
    } catch (error) {
      if (isRouting(error)) throw error;
      return itemError(error);
    }
  }

  async heartbeat(
    request: wire.ConsumerGroupHeartbeatRequest__Output,
    phases?: RequestPhases,
  ): Promise<wire.ConsumerGroupHeartbeatResponse> {
    const converted = heartbeatFromWire(request);
    const owned = this.node.partitionFor(request.groupId);
    // This heartbeat learns whatever a wake-up sent before it was about.
    this.node.wakeups.heard(request.groupId, request.memberId);
    const response = await inCoordinatorSpan(
      'heartbeat',
      request.groupId,
      { 'sluice.group.type': 'consumer', 'sluice.member.epoch': request.memberEpoch },
      () => this.node.enqueue(owned, (shard) => shard.heartbeat(converted, Date.now()), phases),
    );
    return heartbeatToWire(response);
  }

  /**
   * Opens a member's ConsumerGroupWakeups stream: returns what closes it (the member cancelled),
   * or null when the coordinator holds its maximum of streams. Only a member of a group this
   * coordinator owns may open one.
   */
  openWakeups(request: wire.ConsumerGroupWakeupsRequest__Output, sink: WakeupSink): (() => void) | null {
    if (request.groupId === '') throw new ApiError('INVALID_GROUP_ID', 'the group id is empty');
    const owned = this.node.partitionFor(request.groupId);
    const group = owned.shard.group(request.groupId);
    if (group?.hasMember(request.memberId) !== true)
      throw new ApiError('UNKNOWN_MEMBER_ID', `member ${request.memberId} is not in group ${request.groupId}`);
    const close = this.node.wakeups.open(request.groupId, request.memberId, sink);
    // Wake-ups sent between the member's last answer and now went nowhere: a member behind its
    // group's assignment epoch, or still reconciling, is woken at once rather than left to its interval.
    const current = group.memberAssignment(request.memberId);
    if (close !== null && (current.memberEpoch !== group.assignmentEpoch || current.state !== 'STABLE'))
      this.node.wakeups.wake([
        {
          groupId: request.groupId,
          memberId: request.memberId,
          reason: current.memberEpoch !== group.assignmentEpoch ? 'assignment' : 'released',
          assignmentEpoch: group.assignmentEpoch,
        },
      ]);
    return close;
  }

  async offsetCommit(
    request: wire.OffsetCommitRequest__Output,
    phases?: RequestPhases,
  ): Promise<wire.OffsetCommitResponse> {
    const owned = this.node.partitionFor(request.groupId);
    const offsets = request.topics.reduce((n, t) => n + t.partitions.length, 0);
    const response = await inCoordinatorSpan('commit', request.groupId, { 'sluice.commit.offsets': offsets }, () =>
      this.node.enqueue(
        owned,
        (shard) =>
          shard.offsetCommit(
            {
              groupId: request.groupId,
              memberId: request.memberId,
              memberEpoch: request.memberEpoch,
              topics: request.topics.map((t) => ({
                name: t.name,
                partitions: t.partitions.map((p) => ({
                  partition: p.partition,
                  offset: Number(p.offset),
                  leaderEpoch: p.leaderEpoch,
                  metadata: p.metadata,
                })),
              })),
            },
            Date.now(),
          ),
        phases,
      ),
    );
    return {
      topics: response.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          ...(p.error === null ? OK : itemError(p.error)),
        })),
      })),
    };
  }

  async offsetFetch(
    request: wire.OffsetFetchRequest__Output,
    phases?: RequestPhases,
  ): Promise<wire.OffsetFetchResponse> {
    const owned = this.node.partitionFor(request.groupId);
    const partitions =
      request.partitions.length === 0
        ? null
        : request.partitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    // Through the queue: an answer must not show offsets whose commit is still being written.
    const offsets = await this.node.enqueue(
      owned,
      (shard) => ({ records: [], response: shard.offsetFetch(request.groupId, partitions) }),
      phases,
    );
    return { offsets: offsets.map((o) => ({ ...o, offset: String(o.offset) })) };
  }

  /** One page of this coordinator's groups, consumer and share, in (group id, type) order. */
  listGroups(request: wire.ListGroupsRequest__Output): wire.ListGroupsResponse {
    const all = this.node
      .activeShards()
      .flatMap((shard) => [
        ...shard.listGroups().map((g) => ({ ...g, type: 'consumer' })),
        ...shard.listShareGroups().map((g) => ({ ...g, type: 'share' })),
      ]);
    const page = pageOfGroups(all, request.pageToken ?? '', request.maxGroups ?? 0);
    return { groups: page.groups, nextPageToken: page.nextPageToken };
  }

  describeGroups(request: wire.DescribeGroupsRequest__Output): wire.DescribeGroupsResponse {
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
            members: described.members.map((m) => ({
              ...m,
              instanceId: m.instanceId ?? '',
              rackId: m.rackId ?? '',
              subscribedTopicNames: [...m.subscribedTopicNames],
              subscribedTopicRegex: m.subscribedTopicRegex ?? '',
            })),
          };
        } catch (error) {
          return {
            groupId,
            ...itemError(error),
            state: 'DEAD',
            groupEpoch: 0,
            assignmentEpoch: 0,
            assignor: '',
            members: [],
          };
        }
      }),
    };
  }

  async deleteGroups(request: wire.DeleteGroupsRequest__Output): Promise<wire.DeleteGroupsResponse> {
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
