/**
 * The share groups of one `__consumer_offsets` partition (KIP-932's ShareGroupHeartbeat), kept
 * next to the consumer groups by GroupShard, which owns the record log and the namespace check
 * (one group id is either a consumer group or a share group).
 *
 * Unlike consumer groups there is no revocation handshake: members do not own partitions
 * exclusively (the partition leader hands out records under per-record locks), so a change of
 * members or subscriptions bumps the group epoch, recomputes the target assignment at once with
 * the share assignor, and each member gets its new target on its next heartbeat, at the new
 * epoch. A member's epoch must be its current one (or the one before, when an answer was lost);
 * anything else is FENCED_MEMBER_EPOCH. A member silent for group.share.session.timeout.ms
 * leaves the group.
 *
 * Every operation checks everything before it emits its first record, so a refused request
 * changes nothing.
 */
import { ApiError } from '@sluice/protocol';
import type { ShareGroupMemberValue, ShareGroupRecord } from './group-records';
import { assignShareGroup } from './share-assignor';
import { ShareGroup, type ShareGroupState } from './share-group';
import { equalTopicPartitions, fromList, NO_PARTITIONS, toSortedList } from './topic-partitions';

export interface ShareGroupsConfig {
  /** group.share.session.timeout.ms (Kafka default 45000). */
  readonly sessionTimeoutMs: number;
  /** group.share.heartbeat.interval.ms (Kafka default 5000). */
  readonly heartbeatIntervalMs: number;
  /** group.share.max.size (Kafka default 200). */
  readonly maxGroupSize: number;
}

export const DEFAULT_SHARE_GROUPS_CONFIG: ShareGroupsConfig = {
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 5_000,
  maxGroupSize: 200,
};

export interface ShareHeartbeatRequest {
  readonly groupId: string;
  /** Empty on a first join lets the coordinator choose one. */
  readonly memberId: string;
  /** 0 join, -1 leave, else the member's epoch. */
  readonly memberEpoch: number;
  readonly rackId: string | null;
  readonly clientId: string;
  /** null = unchanged; required (non-empty) when joining. */
  readonly subscribedTopicNames: readonly string[] | null;
}

export interface ShareHeartbeatResponse {
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  /** The partitions the member fetches from now; null when unchanged since its last answer. */
  readonly assignment: { topic: string; partitions: number[] }[] | null;
}

export interface ShareGroupDescription {
  readonly groupId: string;
  readonly state: ShareGroupState;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly members: {
    readonly memberId: string;
    readonly rackId: string | null;
    readonly clientId: string;
    readonly memberEpoch: number;
    readonly subscribedTopicNames: readonly string[];
    readonly assigned: { topic: string; partitions: number[] }[];
  }[];
}

/** Partition counts of existing topics, by name (GroupShard's TopicsView). */
export interface ShareTopicsView {
  partitionCount(topic: string): number | undefined;
}

type Emit = (record: ShareGroupRecord) => void;

const MAX_ID_LENGTH = 1_024;
const MAX_SUBSCRIBED_TOPICS = 10_000;

function fail(name: ConstructorParameters<typeof ApiError>[0], message: string): never {
  throw new ApiError(name, message);
}

function timerKey(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}

export class ShareGroups {
  private readonly groups = new Map<string, ShareGroup>();
  /** `${groupId}\0${memberId}` -> session deadline. Not durable: armed anew on load. */
  private readonly sessionDeadlines = new Map<string, number>();

  constructor(
    readonly config: ShareGroupsConfig,
    private readonly topics: ShareTopicsView,
    private readonly newMemberId: () => string,
  ) {}

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** For tests and invariant checks. */
  group(groupId: string): ShareGroup | undefined {
    return this.groups.get(groupId);
  }

  replay(record: ShareGroupRecord): void {
    let group = this.groups.get(record.groupId);
    if (group === undefined) this.groups.set(record.groupId, (group = new ShareGroup(record.groupId)));
    group.replay(record);
    if (group.isGone) this.groups.delete(record.groupId);
  }

  /** After a load: every member gets a full session from now. */
  armTimers(nowMs: number): void {
    for (const group of this.groups.values())
      for (const memberId of group.members.keys())
        this.sessionDeadlines.set(timerKey(group.groupId, memberId), nowMs + this.config.sessionTimeoutMs);
  }

  /** ShareGroupHeartbeat. Throws an ApiError, having emitted nothing, for a refused request. */
  heartbeat(request: ShareHeartbeatRequest, nowMs: number, emit: Emit): ShareHeartbeatResponse {
    validate(request);
    if (request.memberEpoch === -1) return this.leave(request, emit);
    const existing = this.groups.get(request.groupId);
    let memberId = request.memberId;
    let previous: ShareGroupMemberValue | undefined;
    if (request.memberEpoch === 0) {
      if (memberId === '') memberId = this.newMemberId();
      previous = existing?.members.get(memberId);
      if (previous === undefined && existing !== undefined && existing.memberCount >= this.config.maxGroupSize) {
        fail(
          'GROUP_MAX_SIZE_REACHED',
          `share group ${request.groupId} has reached group.share.max.size ${this.config.maxGroupSize}`,
        );
      }
    } else {
      previous = existing?.members.get(memberId);
      if (previous === undefined)
        fail('UNKNOWN_MEMBER_ID', `member ${memberId} is not in share group ${request.groupId}`);
      if (request.memberEpoch !== previous.memberEpoch && request.memberEpoch !== previous.previousMemberEpoch) {
        fail(
          'FENCED_MEMBER_EPOCH',
          `member ${memberId} sent epoch ${request.memberEpoch}; its epoch is ${previous.memberEpoch}`,
        );
      }
    }
    // Checked; from here on records are emitted.
    const group = existing ?? new ShareGroup(request.groupId);
    const subscribed =
      request.subscribedTopicNames === null
        ? (previous?.subscribedTopicNames ?? [])
        : [...new Set(request.subscribedTopicNames)].sort();
    const subscriptionChanged =
      previous === undefined || subscribed.join('\u0000') !== previous.subscribedTopicNames.join('\u0000');
    const subscriptions = new Map([...group.members].map(([id, m]) => [id, m.subscribedTopicNames] as const));
    subscriptions.set(memberId, subscribed);
    const counts = this.subscribedTopicCounts(subscriptions);
    let groupEpoch = group.groupEpoch;
    let member: ShareGroupMemberValue = previous ?? {
      rackId: null,
      clientId: request.clientId,
      subscribedTopicNames: subscribed,
      memberEpoch: 0,
      previousMemberEpoch: -1,
      assigned: [],
    };
    member = {
      ...member,
      rackId: request.rackId ?? member.rackId,
      clientId: request.clientId === '' ? member.clientId : request.clientId,
      subscribedTopicNames: subscribed,
    };
    if (subscriptionChanged || !sameCounts(counts, group.topicPartitionCounts) || !group.hasMetadataRecord) {
      groupEpoch = group.groupEpoch + 1;
      // The member's record first: the assignment below must see its subscription.
      emit({ type: 'ShareGroupMember', groupId: group.groupId, memberId, value: member });
      this.computeTargets(this.groups.get(group.groupId)!, subscriptions, counts, emit);
      emit({
        type: 'ShareGroupMetadata',
        groupId: group.groupId,
        value: { epoch: groupEpoch, topicPartitionCounts: counts },
      });
    }
    const target = this.groups.get(group.groupId)!.targets.get(memberId) ?? NO_PARTITIONS;
    const assignedChanged = !equalTopicPartitions(fromList(member.assigned), target);
    const next: ShareGroupMemberValue =
      member.memberEpoch === groupEpoch && !assignedChanged
        ? member
        : {
            ...member,
            memberEpoch: groupEpoch,
            previousMemberEpoch: member.memberEpoch,
            assigned: toSortedList(target),
          };
    const stored = this.groups.get(group.groupId)?.members.get(memberId);
    if (stored === undefined || !sameMember(next, stored)) {
      emit({ type: 'ShareGroupMember', groupId: group.groupId, memberId, value: next });
    }
    this.sessionDeadlines.set(timerKey(group.groupId, memberId), nowMs + this.config.sessionTimeoutMs);
    const sendAssignment = request.memberEpoch === 0 || request.memberEpoch !== next.memberEpoch || assignedChanged;
    return {
      memberId,
      memberEpoch: next.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      assignment: sendAssignment
        ? next.assigned.map((entry) => ({ topic: entry.topic, partitions: [...entry.partitions] }))
        : null,
    };
  }

  private leave(request: ShareHeartbeatRequest, emit: Emit): ShareHeartbeatResponse {
    const group = this.groups.get(request.groupId);
    if (group === undefined || !group.members.has(request.memberId))
      fail('UNKNOWN_MEMBER_ID', `member ${request.memberId} is not in share group ${request.groupId}`);
    this.removeMember(group, request.memberId, emit);
    return { memberId: request.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
  }

  /** The member goes; the others get a new target at a new epoch. */
  private removeMember(group: ShareGroup, memberId: string, emit: Emit): void {
    this.sessionDeadlines.delete(timerKey(group.groupId, memberId));
    emit({ type: 'ShareGroupMember', groupId: group.groupId, memberId, value: null });
    if (group.targets.has(memberId))
      emit({ type: 'ShareGroupTargetMember', groupId: group.groupId, memberId, value: null });
    const subscriptions = new Map([...group.members].map(([id, m]) => [id, m.subscribedTopicNames] as const));
    const counts = this.subscribedTopicCounts(subscriptions);
    this.computeTargets(group, subscriptions, counts, emit);
    emit({
      type: 'ShareGroupMetadata',
      groupId: group.groupId,
      value: { epoch: group.groupEpoch + 1, topicPartitionCounts: counts },
    });
  }

  private computeTargets(
    group: ShareGroup,
    subscriptions: ReadonlyMap<string, readonly string[]>,
    counts: Readonly<Record<string, number>>,
    emit: Emit,
  ): void {
    const topics = new Map(Object.entries(counts));
    const members = new Map(
      [...subscriptions].map(([id, names]) => [id, new Set(names.filter((name) => topics.has(name)))] as const),
    );
    const assignment = assignShareGroup({ members, topics, previous: group.targets });
    for (const [memberId, partitions] of assignment) {
      const previous = group.targets.get(memberId);
      if (previous === undefined || !equalTopicPartitions(previous, partitions)) {
        emit({
          type: 'ShareGroupTargetMember',
          groupId: group.groupId,
          memberId,
          value: { partitions: toSortedList(partitions) },
        });
      }
    }
  }

  /** Subscribed topics that exist, with partition counts, sorted by name. */
  private subscribedTopicCounts(subscriptions: ReadonlyMap<string, readonly string[]>): Record<string, number> {
    const names = new Set<string>();
    for (const topics of subscriptions.values()) for (const topic of topics) names.add(topic);
    const counts: Record<string, number> = {};
    for (const topic of [...names].sort()) {
      const count = this.topics.partitionCount(topic);
      if (count !== undefined) counts[topic] = count;
    }
    return counts;
  }

  /** Members past their session leave their groups. */
  expire(nowMs: number, emit: Emit): { groupId: string; memberId: string }[] {
    const expired: { groupId: string; memberId: string }[] = [];
    for (const [key, deadline] of [...this.sessionDeadlines]) {
      if (deadline > nowMs) continue;
      this.sessionDeadlines.delete(key);
      const [groupId, memberId] = key.split('\u0000') as [string, string];
      const group = this.groups.get(groupId);
      if (group === undefined || !group.members.has(memberId)) continue;
      this.removeMember(group, memberId, emit);
      expired.push({ groupId, memberId });
    }
    return expired;
  }

  nextDeadlineMs(): number | null {
    let next: number | null = null;
    for (const deadline of this.sessionDeadlines.values()) next = next === null ? deadline : Math.min(next, deadline);
    return next;
  }

  list(): { groupId: string; state: ShareGroupState; members: number }[] {
    return [...this.groups.values()]
      .sort((a, b) => (a.groupId < b.groupId ? -1 : 1))
      .map((g) => ({ groupId: g.groupId, state: g.state(), members: g.memberCount }));
  }

  /** DescribeShareGroups for one group; GROUP_ID_NOT_FOUND when it is not a share group here. */
  describe(groupId: string): ShareGroupDescription {
    const group = this.groups.get(groupId);
    if (group === undefined) fail('GROUP_ID_NOT_FOUND', `share group ${groupId} does not exist`);
    return {
      groupId,
      state: group.state(),
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.groupEpoch,
      members: [...group.members]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([memberId, m]) => ({
          memberId,
          rackId: m.rackId,
          clientId: m.clientId,
          memberEpoch: m.memberEpoch,
          subscribedTopicNames: m.subscribedTopicNames,
          assigned: m.assigned.map((entry) => ({ topic: entry.topic, partitions: [...entry.partitions] })),
        })),
    };
  }

  /** DeleteGroups of an empty share group. */
  delete(groupId: string, emit: Emit): void {
    const group = this.groups.get(groupId);
    if (group === undefined) fail('GROUP_ID_NOT_FOUND', `share group ${groupId} does not exist`);
    if (group.memberCount > 0) fail('NON_EMPTY_GROUP', `share group ${groupId} has ${group.memberCount} member(s)`);
    for (const memberId of [...group.targets.keys()])
      emit({ type: 'ShareGroupTargetMember', groupId, memberId, value: null });
    emit({ type: 'ShareGroupMetadata', groupId, value: null });
  }
}

function validate(request: ShareHeartbeatRequest): void {
  if (request.groupId === '' || request.groupId.length > MAX_ID_LENGTH)
    fail('INVALID_GROUP_ID', `group id ${JSON.stringify(request.groupId.slice(0, 50))} is empty or too long`);
  if (request.memberId.length > MAX_ID_LENGTH) fail('INVALID_REQUEST', 'member id is too long');
  if (!Number.isInteger(request.memberEpoch) || request.memberEpoch < -1)
    fail(
      'INVALID_REQUEST',
      `member epoch ${request.memberEpoch} is not valid for a share group (0 join, -1 leave, else the member's epoch)`,
    );
  if (request.memberEpoch !== 0 && request.memberId === '')
    fail('INVALID_REQUEST', 'member id is required after joining');
  if (request.memberEpoch === 0 && (request.subscribedTopicNames === null || request.subscribedTopicNames.length === 0))
    fail('INVALID_REQUEST', 'subscribed topic names must be given when joining');
  if (request.subscribedTopicNames !== null) {
    if (request.subscribedTopicNames.length > MAX_SUBSCRIBED_TOPICS)
      fail('INVALID_REQUEST', `more than ${MAX_SUBSCRIBED_TOPICS} subscribed topics`);
    if (request.subscribedTopicNames.some((name) => typeof name !== 'string' || name === '' || name.length > 249))
      fail('INVALID_REQUEST', 'a subscribed topic name is empty or too long');
  }
}

function sameMember(a: ShareGroupMemberValue, b: ShareGroupMemberValue): boolean {
  return (
    a.rackId === b.rackId &&
    a.clientId === b.clientId &&
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.subscribedTopicNames.join('\u0000') === b.subscribedTopicNames.join('\u0000') &&
    equalTopicPartitions(fromList(a.assigned), fromList(b.assigned))
  );
}

function sameCounts(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => a[key] === b[key]);
}
