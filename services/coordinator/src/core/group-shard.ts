/**
 * The groups of one `__consumer_offsets` partition, as one coordinator owns them: the KIP-848
 * heartbeat (join, leave, reconcile), session and rebalance timeouts, offset commits and
 * fetches, describe/list/delete. Pure: time comes in as `nowMs`, topics as a lookup; every
 * operation answers `{ records, response }`, having already replayed the records into memory.
 * The shell writes the records (acks=all) and only then sends the response; if the write fails
 * it reloads the partition from the log, which undoes them.
 */
import { ApiError } from '@sluice/protocol';
import type { AssignmentMemberSpec, PartitionAssignor } from './assignor';
import {
  ConsumerGroup,
  NEW_MEMBER_ASSIGNMENT,
  STATIC_MEMBER_LEFT_EPOCH,
  type ConsumerGroupState,
  type PartitionMaps,
} from './consumer-group';
import {
  isShareGroupRecord,
  type GroupRecord,
  type MemberSubscriptionValue,
  type OffsetCommitValue,
} from './group-records';
import { reconcile, type MemberAssignment, type MemberState } from './reconciliation';
import {
  DEFAULT_SHARE_GROUPS_CONFIG,
  ShareGroups,
  type ShareGroupDescription,
  type ShareGroupsConfig,
  type ShareHeartbeatRequest,
  type ShareHeartbeatResponse,
} from './share-groups';
import { MemberDeadlines } from './member-deadlines';
import { topicsMetadataHash } from './metadata-hash';
import { equalTopicPartitions, fromList, NO_PARTITIONS, toSortedList, type TopicPartitions } from './topic-partitions';

export interface GroupShardConfig {
  /** group.consumer.session.timeout.ms (Kafka default 45000). */
  readonly sessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms (Kafka default 5000). */
  readonly heartbeatIntervalMs: number;
  /** group.consumer.max.size. */
  readonly maxGroupSize: number;
  /** Assignors by name; the first is the default (group.consumer.assignors). */
  readonly assignors: readonly PartitionAssignor[];
  /** offset.metadata.max.bytes (Kafka default 4096). */
  readonly maxOffsetMetadataBytes: number;
  /** Share groups (group.share.*); default DEFAULT_SHARE_GROUPS_CONFIG. */
  readonly share?: ShareGroupsConfig;
  /**
   * group.consumer.assignment.interval.ms (Kafka 4.3+, KIP-1263; 1000 there): the least time
   * between two target-assignment computations of a group. Members joining meanwhile reconcile
   * towards the last target (a newcomer gets nothing yet) and the next computation covers them
   * all, so 10,000 members joining cost a handful of assignor runs instead of 10,000. 0 or
   * absent: compute on every group epoch bump (Kafka before 4.3).
   */
  readonly assignmentIntervalMs?: number;
}

export const DEFAULT_GROUP_SHARD_CONFIG: Omit<GroupShardConfig, 'assignors'> = {
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 5_000,
  maxGroupSize: 2_147_483_647,
  maxOffsetMetadataBytes: 4_096,
};

/** Partition counts of existing topics, by name. */
export interface TopicsView {
  partitionCount(topic: string): number | undefined;
  topicNames(): Iterable<string>;
  /**
   * A number that changes whenever a topic appears, goes or changes partition count (a metadata
   * image version). Optional: without it every heartbeat looks the group's subscribed topics up
   * again to see whether the metadata changed; with it a heartbeat does so only after a change.
   */
  metadataVersion?(): number;
}

/** A group's subscribed topics as resolved against the metadata (see GroupShard.resolveMetadata). */
interface ResolvedMetadata {
  readonly metadataVersion: number | undefined;
  /** ConsumerGroup.subscribedTopicsGeneration when resolved. */
  readonly generation: number;
  /** The subscribed topics that exist, with their partition counts. */
  readonly counts: ReadonlyMap<string, number>;
  readonly hash: number;
}

export interface HeartbeatRequest {
  readonly groupId: string;
  /** Empty on a first join lets the coordinator choose one. */
  readonly memberId: string;
  /** 0 join, -1 leave, -2 static member leaving for a while, else the member's epoch. */
  readonly memberEpoch: number;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  /** Required on join (> 0); null = unchanged. */
  readonly rebalanceTimeoutMs: number | null;
  /** null = unchanged. */
  readonly subscribedTopicNames: readonly string[] | null;
  /** null = unchanged, '' = none. */
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  /** What the member owns now; null = unchanged since its last heartbeat. */
  readonly ownedPartitions: readonly { readonly topic: string; readonly partitions: readonly number[] }[] | null;
}

export interface HeartbeatResponse {
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  /** The partitions the member may own now; null when unchanged since the last response. */
  readonly assignment: { topic: string; partitions: number[] }[] | null;
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  /** '' with epoch -1: an admin commit (reset-offsets), allowed only while the group has no members. */
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly topics: readonly {
    readonly name: string;
    readonly partitions: readonly {
      readonly partition: number;
      readonly offset: number;
      readonly leaderEpoch: number;
      readonly metadata: string;
    }[];
  }[];
}

export interface PartitionOutcome {
  readonly partition: number;
  readonly error: ApiError | null;
}

export interface OffsetCommitResponse {
  readonly topics: { readonly name: string; readonly partitions: PartitionOutcome[] }[];
}

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  /** -1: nothing committed. */
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
}

export interface MemberDescription {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly memberEpoch: number;
  readonly state: MemberState;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly assigned: { topic: string; partitions: number[] }[];
  readonly pendingRevocation: { topic: string; partitions: number[] }[];
  readonly target: { topic: string; partitions: number[] }[];
}

export interface GroupDescription {
  readonly groupId: string;
  readonly state: ConsumerGroupState | 'DEAD';
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly assignor: string;
  readonly members: MemberDescription[];
}

/**
 * A member whose next heartbeat would learn something it has not been told: the shell wakes it
 * (ConsumerGroupWakeups) so it heartbeats now rather than at its next interval.
 */
export interface MemberWakeup {
  readonly groupId: string;
  readonly memberId: string;
  /** 'assignment': a new target assignment; 'released': partitions it waits for are free now. */
  readonly reason: 'assignment' | 'released';
  readonly assignmentEpoch: number;
}

export interface Outcome<T> {
  readonly records: GroupRecord[];
  readonly response: T;
}

const MAX_ID_LENGTH = 1_024;

function fail(name: ConstructorParameters<typeof ApiError>[0], message: string): never {
  throw new ApiError(name, message);
}

export class GroupShard {
  readonly config: GroupShardConfig;
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly offsets = new Map<string, Map<string, OffsetCommitValue & { topic: string; partition: number }>>();
  /** Not durable: armed anew on load. */
  private readonly sessionDeadlines = new MemberDeadlines();
  private readonly rebalanceDeadlines = new MemberDeadlines();
  /** groupId -> when its target assignment was last computed. Not durable: after a load the first heartbeat computes. */
  private readonly lastAssignmentMs = new Map<string, number>();
  private pending: GroupRecord[] | null = null;
  /**
   * groupId -> when its deferred target assignment is due: a group epoch bumped while
   * group.consumer.assignment.interval.ms had not passed. Not durable: after a load the first
   * heartbeat computes.
   */
  private readonly deferredAssignments = new Map<string, number>();
  /** Members to wake, gathered by the operations since the last takeWakeups (one entry per member). */
  private wakeups = new Map<string, MemberWakeup>();
  /** The last resolution of each group's subscribed topics. Not durable: a cache, checked before use. */
  private readonly resolvedMetadata = new WeakMap<ConsumerGroup, ResolvedMetadata>();
  /** Share groups (KIP-932) live in the same partition and namespace: see share-groups.ts. */
  private readonly shares: ShareGroups;

  constructor(
    config: GroupShardConfig,
    private readonly topics: TopicsView,
    private readonly newMemberId: () => string,
  ) {
    if (config.assignors.length === 0) throw new RangeError('at least one assignor is needed');
    if (
      config.assignmentIntervalMs !== undefined &&
      !(Number.isSafeInteger(config.assignmentIntervalMs) && config.assignmentIntervalMs >= 0)
    ) {
      throw new RangeError(`assignment interval ${config.assignmentIntervalMs} ms is not a non-negative integer`);
    }
    this.config = config;
    this.shares = new ShareGroups(config.share ?? DEFAULT_SHARE_GROUPS_CONFIG, topics, newMemberId);
  }

  // ------------------------------------------------------------------ replay

  /** Applies one record read from the log (or just emitted). */
  replay(record: GroupRecord): void {
    this.apply(record, undefined);
  }

  private apply(record: GroupRecord, maps: PartitionMaps | undefined): void {
    if (isShareGroupRecord(record)) {
      this.shares.replay(record);
      return;
    }
    if (record.type === 'OffsetCommit') {
      const key = `${record.topic}\u0000${record.partition}`;
      let offsets = this.offsets.get(record.groupId);
      if (record.value === null) {
        offsets?.delete(key);
        if (offsets !== undefined && offsets.size === 0) this.offsets.delete(record.groupId);
        return;
      }
      if (offsets === undefined) this.offsets.set(record.groupId, (offsets = new Map()));
      offsets.set(key, { ...record.value, topic: record.topic, partition: record.partition });
      return;
    }
    let group = this.groups.get(record.groupId);
    if (group === undefined) this.groups.set(record.groupId, (group = new ConsumerGroup(record.groupId)));
    group.replay(record, maps);
    if (!group.hasEpochRecord && group.memberCount === 0 && group.targetAssignment.size === 0) {
      this.groups.delete(record.groupId);
      this.lastAssignmentMs.delete(record.groupId);
      this.deferredAssignments.delete(record.groupId);
    }
  }

  /** After a load: every member gets a full session from now (Kafka re-arms timers the same way). */
  armTimers(nowMs: number): void {
    this.shares.armTimers(nowMs);
    for (const group of this.groups.values()) {
      for (const memberId of group.subscriptions.keys())
        this.sessionDeadlines.set(group.groupId, memberId, nowMs + this.config.sessionTimeoutMs);
    }
  }

  private run<T>(body: () => T): Outcome<T> {
    if (this.pending !== null) throw new Error('GroupShard operations do not nest');
    this.pending = [];
    try {
      const response = body();
      return { records: this.pending, response };
    } finally {
      this.pending = null;
    }
  }

  /** Writes a record and applies it; `maps`: what its partition lists were made from (see PartitionMaps). */
  private emit(record: GroupRecord, maps?: PartitionMaps): void {
    if (this.pending === null) throw new Error('emit outside an operation');
    this.pending.push(record);
    this.apply(record, maps);
  }

  // ------------------------------------------------------------------ heartbeat

  /** ConsumerGroupHeartbeat. Throws an ApiError (nothing emitted) for a refused request. */
  heartbeat(request: HeartbeatRequest, nowMs: number): Outcome<HeartbeatResponse> {
    validateHeartbeat(request);
    if (this.shares.has(request.groupId))
      fail('GROUP_ID_NOT_FOUND', `group ${request.groupId} is a share group, not a consumer group`);
    const assignor = this.assignorFor(request.serverAssignor);
    return this.run(() => {
      if (request.memberEpoch === -1 || request.memberEpoch === STATIC_MEMBER_LEFT_EPOCH) return this.leave(request);
      const group = this.groups.get(request.groupId) ?? new ConsumerGroup(request.groupId);
      let memberId = request.memberId;
      let bump = false;
      let current: MemberAssignment;
      if (request.memberEpoch === 0) {
        if (memberId === '') memberId = this.newMemberId();
        const joined = this.join(group, memberId, request);
        current = joined.current;
        bump = joined.bump;
      } else {
        if (!group.hasMember(memberId))
          fail('UNKNOWN_MEMBER_ID', `member ${memberId} is not in group ${request.groupId}`);
        const subscription = group.subscriptions.get(memberId)!;
        if (request.instanceId !== null && subscription.instanceId !== request.instanceId)
          fail('FENCED_INSTANCE_ID', `member ${memberId} is not instance ${request.instanceId}`);
        current = group.memberAssignment(memberId);
        if (request.memberEpoch !== current.memberEpoch) {
          // A heartbeat whose answer was lost: the previous epoch is still fine if the member owns
          // nothing beyond what it has now.
          const owned = request.ownedPartitions === null ? null : fromList(request.ownedPartitions);
          const lostAnswer =
            request.memberEpoch === current.previousMemberEpoch && owned !== null && isSubset(owned, current.assigned);
          if (!lostAnswer)
            fail(
              'FENCED_MEMBER_EPOCH',
              `member ${memberId} sent epoch ${request.memberEpoch}; its epoch is ${current.memberEpoch}`,
            );
        }
      }
      const subscriptionChanged = this.updateSubscription(group, memberId, request);
      const g = this.groups.get(request.groupId)!;
      const metadataHash = this.resolveMetadata(g).hash;
      if (bump || subscriptionChanged || !g.hasEpochRecord || metadataHash !== g.metadataHash) {
        this.emit({ type: 'GroupEpoch', groupId: g.groupId, value: { epoch: g.groupEpoch + 1, metadataHash } });
      }
      if (g.groupEpoch > g.assignmentEpoch) {
        if (this.assignmentDue(g.groupId, nowMs)) this.assignTargets(g, assignor, nowMs);
        else this.deferAssignment(g.groupId);
      }
      // What the member owns matters to reconciliation only while it has partitions to revoke.
      const reported =
        request.ownedPartitions === null || current.state !== 'UNREVOKED_PARTITIONS'
          ? null
          : fromList(request.ownedPartitions);
      const next = reconcile({
        current,
        targetEpoch: g.assignmentEpoch,
        target: g.targetAssignment.get(memberId) ?? NO_PARTITIONS,
        heldByOther: (topic, partition) => g.heldByOther(memberId, topic, partition),
        reportedOwned: reported,
      });
      const changed = next !== current && !sameAssignment(next, current);
      if (changed || request.memberEpoch === 0) this.emitCurrent(g.groupId, memberId, next);
      // A confirmed revocation frees partitions that other members may be waiting for (the member
      // may have more to revoke already, towards a newer target: it is then UNREVOKED again).
      if (current.state === 'UNREVOKED_PARTITIONS' && changed) this.wakeWaiters(g, memberId, current.pendingRevocation);
      // This member hears everything in this answer.
      this.wakeups.delete(wakeupKey(g.groupId, memberId));
      this.sessionDeadlines.set(g.groupId, memberId, nowMs + this.config.sessionTimeoutMs);
      if (next.state === 'UNREVOKED_PARTITIONS') {
        if (!this.rebalanceDeadlines.has(g.groupId, memberId))
          this.rebalanceDeadlines.set(
            g.groupId,
            memberId,
            nowMs + (g.subscriptions.get(memberId)?.rebalanceTimeoutMs ?? this.config.sessionTimeoutMs),
          );
      } else {
        this.rebalanceDeadlines.delete(g.groupId, memberId);
      }
      const sendAssignment =
        request.memberEpoch === 0 ||
        changed ||
        request.ownedPartitions === null ||
        !listEquals(request.ownedPartitions, next.assigned);
      return {
        memberId,
        memberEpoch: next.memberEpoch,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        assignment: sendAssignment ? toSortedList(next.assigned) : null,
      };
    });
  }

  private join(
    group: ConsumerGroup,
    memberId: string,
    request: HeartbeatRequest,
  ): { current: MemberAssignment; bump: boolean } {
    if (request.instanceId !== null) {
      const previousId = group.staticMembers.get(request.instanceId);
      if (previousId !== undefined && previousId !== memberId) {
        const previous = group.memberAssignment(previousId);
        if (previous.memberEpoch !== STATIC_MEMBER_LEFT_EPOCH)
          fail(
            'UNRELEASED_INSTANCE_ID',
            `instance ${request.instanceId} is still member ${previousId} of group ${group.groupId}`,
          );
        // The successor takes the static member's place, assignment and target, without a rebalance.
        const subscription = group.subscriptions.get(previousId)!;
        const target = group.targetAssignment.get(previousId) ?? NO_PARTITIONS;
        this.removeMemberRecords(group.groupId, previousId);
        this.emit({ type: 'MemberSubscription', groupId: group.groupId, memberId, value: subscription });
        this.emit(
          {
            type: 'TargetAssignmentMember',
            groupId: group.groupId,
            memberId,
            value: { partitions: toSortedList(target) },
          },
          { partitions: target },
        );
        // It resumes at the epoch the static member had before leaving (kept as its previous epoch).
        this.emitCurrent(group.groupId, memberId, {
          ...previous,
          memberEpoch: Math.max(0, previous.previousMemberEpoch),
          previousMemberEpoch: -1,
        });
        return { current: group.memberAssignment(memberId), bump: false };
      }
    }
    if (group.hasMember(memberId)) {
      // A member that lost its state rejoins: it owns nothing now, so its holdings are released.
      const previous = group.memberAssignment(memberId);
      this.emitCurrent(group.groupId, memberId, NEW_MEMBER_ASSIGNMENT);
      this.wakeWaiters(group, memberId, previous.assigned);
      this.wakeWaiters(group, memberId, previous.pendingRevocation);
      return { current: NEW_MEMBER_ASSIGNMENT, bump: false };
    }
    if (group.memberCount >= this.config.maxGroupSize)
      fail(
        'GROUP_MAX_SIZE_REACHED',
        `group ${group.groupId} has reached group.consumer.max.size ${this.config.maxGroupSize}`,
      );
    return { current: NEW_MEMBER_ASSIGNMENT, bump: true };
  }

  private leave(request: HeartbeatRequest): HeartbeatResponse {
    const group = this.groups.get(request.groupId);
    if (group === undefined || !group.hasMember(request.memberId))
      fail('UNKNOWN_MEMBER_ID', `member ${request.memberId} is not in group ${request.groupId}`);
    const subscription = group.subscriptions.get(request.memberId)!;
    if (request.memberEpoch === STATIC_MEMBER_LEFT_EPOCH && subscription.instanceId !== null) {
      // A static member leaving for a while keeps its partitions for whoever comes back as it.
      const current = group.memberAssignment(request.memberId);
      this.emitCurrent(group.groupId, request.memberId, {
        ...current,
        previousMemberEpoch: current.memberEpoch,
        memberEpoch: STATIC_MEMBER_LEFT_EPOCH,
      });
      return {
        memberId: request.memberId,
        memberEpoch: STATIC_MEMBER_LEFT_EPOCH,
        heartbeatIntervalMs: 0,
        assignment: null,
      };
    }
    this.removeMember(group, request.memberId);
    return { memberId: request.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
  }

  private removeMember(group: ConsumerGroup, memberId: string): void {
    const previous = group.memberAssignment(memberId);
    this.removeMemberRecords(group.groupId, memberId);
    this.wakeups.delete(wakeupKey(group.groupId, memberId));
    this.wakeWaiters(group, memberId, previous.assigned);
    this.wakeWaiters(group, memberId, previous.pendingRevocation);
    this.emit({
      type: 'GroupEpoch',
      groupId: group.groupId,
      value: { epoch: group.groupEpoch + 1, metadataHash: this.resolveMetadata(group).hash },
    });
    // The members left get their new target without waiting for one of them to heartbeat.
    if (group.memberCount > 0) this.deferAssignment(group.groupId);
  }

  private removeMemberRecords(groupId: string, memberId: string): void {
    this.emit({ type: 'CurrentAssignment', groupId, memberId, value: null });
    this.emit({ type: 'TargetAssignmentMember', groupId, memberId, value: null });
    this.emit({ type: 'MemberSubscription', groupId, memberId, value: null });
    this.sessionDeadlines.delete(groupId, memberId);
    this.rebalanceDeadlines.delete(groupId, memberId);
  }

  private emitCurrent(groupId: string, memberId: string, assignment: MemberAssignment): void {
    this.emit(
      {
        type: 'CurrentAssignment',
        groupId,
        memberId,
        value: {
          memberEpoch: assignment.memberEpoch,
          previousMemberEpoch: assignment.previousMemberEpoch,
          state: assignment.state,
          assigned: toSortedList(assignment.assigned),
          pendingRevocation: toSortedList(assignment.pendingRevocation),
        },
      },
      assignment,
    );
  }

  /** Writes the member's subscription if it changed; true when it did. */
  private updateSubscription(group: ConsumerGroup, memberId: string, request: HeartbeatRequest): boolean {
    const previous = group.subscriptions.get(memberId);
    if (previous !== undefined && unchangedSubscription(previous, request)) return false;
    const next: MemberSubscriptionValue = {
      instanceId: request.instanceId ?? previous?.instanceId ?? null,
      rackId: request.rackId ?? previous?.rackId ?? null,
      clientId: request.clientId !== '' ? request.clientId : (previous?.clientId ?? ''),
      // Shared with members subscribing to the same names (one array, serialized once).
      subscribedTopicNames:
        request.subscribedTopicNames !== null
          ? group.internNames(sortedUnique(request.subscribedTopicNames))
          : (previous?.subscribedTopicNames ?? []),
      subscribedTopicRegex:
        request.subscribedTopicRegex !== null
          ? request.subscribedTopicRegex || null
          : (previous?.subscribedTopicRegex ?? null),
      serverAssignor: request.serverAssignor ?? previous?.serverAssignor ?? null,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs ?? previous?.rebalanceTimeoutMs ?? this.config.sessionTimeoutMs,
    };
    if (previous !== undefined && sameSubscription(previous, next)) return false;
    const subscriptionChanged =
      previous === undefined ||
      previous.subscribedTopicRegex !== next.subscribedTopicRegex ||
      previous.serverAssignor !== next.serverAssignor ||
      previous.rackId !== next.rackId ||
      previous.subscribedTopicNames.join('\u0000') !== next.subscribedTopicNames.join('\u0000');
    if (!this.groups.has(group.groupId)) this.groups.set(group.groupId, group);
    this.emit({ type: 'MemberSubscription', groupId: group.groupId, memberId, value: next });
    return subscriptionChanged;
  }

  /**
   * The group's subscribed topics (names and regexes) that exist, with partition counts and
   * their hash. Runs on every heartbeat, so it reuses the last resolution while the group's
   * subscribed names and regexes are the same and the metadata version has not moved; without a
   * version it looks the topics up, but builds and hashes nothing unless a count differs.
   */
  private resolveMetadata(group: ConsumerGroup): ResolvedMetadata {
    const metadataVersion = this.topics.metadataVersion?.();
    const last = this.resolvedMetadata.get(group);
    if (last !== undefined && last.generation === group.subscribedTopicsGeneration) {
      if (metadataVersion !== undefined && metadataVersion === last.metadataVersion) return last;
      if (this.sameCounts(group, last.counts)) {
        if (metadataVersion === last.metadataVersion) return last;
        const refreshed = { ...last, metadataVersion };
        this.resolvedMetadata.set(group, refreshed);
        return refreshed;
      }
    }
    const counts = new Map<string, number>();
    for (const topic of this.subscribedTopics(group)) {
      const count = this.topics.partitionCount(topic);
      if (count !== undefined) counts.set(topic, count);
    }
    const resolved: ResolvedMetadata = {
      metadataVersion,
      generation: group.subscribedTopicsGeneration,
      counts,
      hash: topicsMetadataHash(counts),
    };
    this.resolvedMetadata.set(group, resolved);
    return resolved;
  }

  /** Whether the group's subscribed topics that exist now, and their partition counts, are `counts`. */
  private sameCounts(group: ConsumerGroup, counts: ReadonlyMap<string, number>): boolean {
    let existing = 0;
    for (const topic of this.subscribedTopics(group)) {
      const count = this.topics.partitionCount(topic);
      if (count === undefined) continue;
      existing++;
      if (counts.get(topic) !== count) return false;
    }
    return existing === counts.size;
  }

  /** The names the group subscribes to, each once: by name, and the topics its regexes match. */
  private subscribedTopics(group: ConsumerGroup): Iterable<string> {
    let regexes: RegExp[] | undefined;
    for (const regex of group.subscribedRegexes()) (regexes ??= []).push(new RegExp(`^(?:${regex})$`));
    if (regexes === undefined) return group.subscribedTopicNameList();
    const all = new Set(group.subscribedTopicNameList());
    for (const name of this.topics.topicNames())
      if (!name.startsWith('__') && regexes.some((regex) => regex.test(name))) all.add(name);
    return all;
  }

  private computeTargetAssignment(group: ConsumerGroup, requested: PartitionAssignor): void {
    const topics = this.resolveMetadata(group).counts;
    // Members with equal subscriptions share one resolved topic set (built once, not once per member).
    const resolved = new Map<ReadonlySet<string>, Map<string | null, ReadonlySet<string>>>();
    let topicNames: string[] | undefined;
    const members = new Map<string, AssignmentMemberSpec>();
    for (const [memberId, subscription] of group.subscriptions) {
      const names = group.subscribedNameSet(memberId);
      let byRegex = resolved.get(names);
      if (byRegex === undefined) resolved.set(names, (byRegex = new Map()));
      let subscribedTopics = byRegex.get(subscription.subscribedTopicRegex);
      if (subscribedTopics === undefined) {
        const all = new Set(names);
        if (subscription.subscribedTopicRegex !== null) {
          const regex = new RegExp(`^(?:${subscription.subscribedTopicRegex})$`);
          topicNames ??= [...this.topics.topicNames()];
          for (const name of topicNames) if (!name.startsWith('__') && regex.test(name)) all.add(name);
        }
        subscribedTopics = new Set([...all].filter((topic) => topics.has(topic)));
        byRegex.set(subscription.subscribedTopicRegex, subscribedTopics);
      }
      members.set(memberId, {
        memberId,
        instanceId: subscription.instanceId,
        rackId: subscription.rackId,
        subscribedTopics,
        currentAssignment: group.targetAssignment.get(memberId) ?? NO_PARTITIONS,
      });
    }
    // One assignor per group: the one most members ask for, else the default (Kafka's rule).
    const assignor = this.groupAssignor(group) ?? requested;
    const assignment = assignor.assign({ members, topics });
    for (const memberId of group.subscriptions.keys()) {
      const next = assignment.get(memberId) ?? new Map<string, Set<number>>();
      const previous = group.targetAssignment.get(memberId);
      if (previous === undefined || !equalTopicPartitions(previous, next)) {
        this.emit(
          {
            type: 'TargetAssignmentMember',
            groupId: group.groupId,
            memberId,
            value: { partitions: toSortedList(next) },
          },
          { partitions: next },
        );
      }
    }
    this.emit({ type: 'TargetAssignmentEpoch', groupId: group.groupId, value: { assignmentEpoch: group.groupEpoch } });
  }

  /** Computes the group's target assignment now and wakes every member not yet at its epoch. */
  private assignTargets(group: ConsumerGroup, requested: PartitionAssignor, nowMs: number): void {
    this.computeTargetAssignment(group, requested);
    this.lastAssignmentMs.set(group.groupId, nowMs);
    this.deferredAssignments.delete(group.groupId);
    for (const [memberId, current] of group.currentAssignment) {
      // A static member away (-2) has no one to wake; one already at the epoch has nothing to hear.
      if (current.memberEpoch === STATIC_MEMBER_LEFT_EPOCH || current.memberEpoch === group.assignmentEpoch) continue;
      this.wake(group, memberId, 'assignment');
    }
  }

  /** Notes that the group's target assignment waits for group.consumer.assignment.interval.ms. */
  private deferAssignment(groupId: string): void {
    if (this.deferredAssignments.has(groupId)) return;
    const lastMs = this.lastAssignmentMs.get(groupId) ?? 0;
    this.deferredAssignments.set(groupId, lastMs + (this.config.assignmentIntervalMs ?? 0));
  }

  /**
   * Wakes the members waiting for partitions of `released` that `releaser` no longer holds (called
   * after its new assignment is applied) and that their targets hold.
   */
  private wakeWaiters(group: ConsumerGroup, releaser: string, released: TopicPartitions): void {
    for (const [topic, partitions] of released) {
      for (const partition of partitions) {
        if (group.holderOf(topic, partition) === releaser) continue;
        const waiter = group.targetOwnerOf(topic, partition);
        if (waiter === undefined || waiter === releaser) continue;
        if (group.memberAssignment(waiter).state === 'UNRELEASED_PARTITIONS') this.wake(group, waiter, 'released');
      }
    }
  }

  private wake(group: ConsumerGroup, memberId: string, reason: MemberWakeup['reason']): void {
    this.wakeups.set(wakeupKey(group.groupId, memberId), {
      groupId: group.groupId,
      memberId,
      reason,
      assignmentEpoch: group.assignmentEpoch,
    });
  }

  /** The members the operations since the last call would wake (see MemberWakeup); clears them. */
  takeWakeups(): MemberWakeup[] {
    if (this.wakeups.size === 0) return [];
    const taken = [...this.wakeups.values()];
    this.wakeups = new Map();
    return taken;
  }

  /**
   * Computes the target assignments deferred by group.consumer.assignment.interval.ms that are
   * due by `nowMs` (a 10,000-member join must not wait for some member's next heartbeat to get
   * its assignment computed); the members to tell come from takeWakeups.
   */
  assignDeferred(nowMs: number): Outcome<number> {
    return this.run(() => {
      let computed = 0;
      for (const [groupId, dueMs] of [...this.deferredAssignments]) {
        if (dueMs > nowMs) continue;
        this.deferredAssignments.delete(groupId);
        const group = this.groups.get(groupId);
        if (group === undefined || group.memberCount === 0 || group.groupEpoch <= group.assignmentEpoch) continue;
        this.assignTargets(group, this.groupAssignor(group) ?? this.config.assignors[0]!, nowMs);
        computed++;
      }
      return computed;
    });
  }

  /** When the earliest deferred target assignment is due; null when none waits. */
  nextDeferredAssignmentMs(): number | null {
    let next: number | null = null;
    for (const dueMs of this.deferredAssignments.values()) next = next === null ? dueMs : Math.min(next, dueMs);
    return next;
  }

  /** Whether group.consumer.assignment.interval.ms has passed since the group's last target assignment (always, without an interval). */
  private assignmentDue(groupId: string, nowMs: number): boolean {
    const intervalMs = this.config.assignmentIntervalMs ?? 0;
    if (intervalMs <= 0) return true;
    const lastMs = this.lastAssignmentMs.get(groupId);
    return lastMs === undefined || nowMs - lastMs >= intervalMs || nowMs < lastMs;
  }

  private groupAssignor(group: ConsumerGroup): PartitionAssignor | undefined {
    const votes = new Map<string, number>();
    for (const subscription of group.subscriptions.values())
      if (subscription.serverAssignor !== null)
        votes.set(subscription.serverAssignor, (votes.get(subscription.serverAssignor) ?? 0) + 1);
    const [name] = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? [];
    return name === undefined ? undefined : this.config.assignors.find((a) => a.name === name);
  }

  private assignorFor(name: string | null): PartitionAssignor {
    if (name === null || name === '') return this.config.assignors[0]!;
    const assignor = this.config.assignors.find((a) => a.name === name);
    if (assignor === undefined)
      fail(
        'UNSUPPORTED_ASSIGNOR',
        `assignor ${name} is not one of ${this.config.assignors.map((a) => a.name).join(', ')}`,
      );
    return assignor;
  }

  // ------------------------------------------------------------------ timers

  /** Members past their session (or stuck revoking past their rebalance timeout) leave the group. */
  expireMembers(nowMs: number): Outcome<{ groupId: string; memberId: string; reason: 'session' | 'rebalance' }[]> {
    return this.run(() => {
      const expired: { groupId: string; memberId: string; reason: 'session' | 'rebalance' }[] = [];
      // Session deadlines first; a member removed then has no rebalance deadline left to take.
      for (const [deadlines, reason] of [
        [this.sessionDeadlines, 'session'],
        [this.rebalanceDeadlines, 'rebalance'],
      ] as const) {
        for (const { groupId, memberId } of deadlines.takeDue(nowMs)) {
          const group = this.groups.get(groupId);
          if (group === undefined || !group.hasMember(memberId)) continue;
          this.removeMember(group, memberId);
          expired.push({ groupId, memberId, reason });
        }
      }
      for (const gone of this.shares.expire(nowMs, (record) => this.emit(record)))
        expired.push({ ...gone, reason: 'session' });
      return expired;
    });
  }

  /** The earliest timer deadline, for the shell's next tick; null when none. */
  nextDeadlineMs(): number | null {
    let next: number | null = this.shares.nextDeadlineMs();
    for (const deadlines of [this.sessionDeadlines, this.rebalanceDeadlines]) {
      const earliest = deadlines.earliestMs();
      if (earliest !== null) next = next === null ? earliest : Math.min(next, earliest);
    }
    return next;
  }

  // ------------------------------------------------------------------ offsets

  offsetCommit(request: OffsetCommitRequest, nowMs: number): Outcome<OffsetCommitResponse> {
    if (request.groupId === '' || request.groupId.length > MAX_ID_LENGTH)
      fail('INVALID_GROUP_ID', `group id ${JSON.stringify(request.groupId.slice(0, 50))} is empty or too long`);
    if (this.shares.has(request.groupId))
      fail('GROUP_ID_NOT_FOUND', `group ${request.groupId} is a share group: share groups commit no offsets`);
    const group = this.groups.get(request.groupId);
    if (request.memberEpoch < 0) {
      if (request.memberId !== '' && request.memberEpoch !== -1)
        fail('INVALID_REQUEST', 'an admin commit has member id "" and epoch -1');
      if (group !== undefined && group.memberCount > 0)
        fail(
          'NON_EMPTY_GROUP',
          `group ${request.groupId} has ${group.memberCount} member(s); stop them before committing offsets for it`,
        );
    } else {
      if (group === undefined || !group.hasMember(request.memberId))
        fail('UNKNOWN_MEMBER_ID', `member ${request.memberId} is not in group ${request.groupId}`);
      const epoch = group.memberAssignment(request.memberId).memberEpoch;
      if (request.memberEpoch > epoch)
        fail('FENCED_MEMBER_EPOCH', `commit with epoch ${request.memberEpoch} is ahead of member epoch ${epoch}`);
      if (request.memberEpoch < epoch)
        fail('STALE_MEMBER_EPOCH', `commit with epoch ${request.memberEpoch} is behind member epoch ${epoch}`);
    }
    return this.run(() => ({
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p): PartitionOutcome => {
          if (
            !Number.isInteger(p.partition) ||
            p.partition < 0 ||
            this.topics.partitionCount(topic.name) === undefined ||
            p.partition >= this.topics.partitionCount(topic.name)!
          ) {
            return {
              partition: p.partition,
              error: new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `${topic.name}-${p.partition} does not exist`),
            };
          }
          if (!Number.isSafeInteger(p.offset) || p.offset < 0)
            return {
              partition: p.partition,
              error: new ApiError('INVALID_REQUEST', `offset ${p.offset} must be >= 0`),
            };
          if (Buffer.byteLength(p.metadata, 'utf8') > this.config.maxOffsetMetadataBytes) {
            return {
              partition: p.partition,
              error: new ApiError(
                'INVALID_REQUEST',
                `offset metadata is over offset.metadata.max.bytes ${this.config.maxOffsetMetadataBytes}`,
              ),
            };
          }
          this.emit({
            type: 'OffsetCommit',
            groupId: request.groupId,
            topic: topic.name,
            partition: p.partition,
            value: { offset: p.offset, leaderEpoch: p.leaderEpoch, metadata: p.metadata, commitTimestampMs: nowMs },
          });
          return { partition: p.partition, error: null };
        }),
      })),
    }));
  }

  /** Committed offsets of the group: the given partitions (-1 when none), or every committed one. */
  offsetFetch(groupId: string, partitions: readonly { topic: string; partition: number }[] | null): CommittedOffset[] {
    const offsets = this.offsets.get(groupId);
    if (partitions === null) {
      return [...(offsets?.values() ?? [])]
        .map((o) => ({
          topic: o.topic,
          partition: o.partition,
          offset: o.offset,
          leaderEpoch: o.leaderEpoch,
          metadata: o.metadata,
        }))
        .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    }
    return partitions.map(({ topic, partition }) => {
      const o = offsets?.get(`${topic}\u0000${partition}`);
      return o === undefined
        ? { topic, partition, offset: -1, leaderEpoch: -1, metadata: '' }
        : { topic, partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata };
    });
  }

  /** Every committed offset of every group, unsorted (for the lag gauge at scrape time). */
  *committedOffsets(): IterableIterator<{ groupId: string; topic: string; partition: number; offset: number }> {
    for (const [groupId, offsets] of this.offsets)
      for (const o of offsets.values()) yield { groupId, topic: o.topic, partition: o.partition, offset: o.offset };
  }

  // ------------------------------------------------------------------ admin

  listGroups(): { groupId: string; state: ConsumerGroupState; members: number }[] {
    const ids = new Set([...this.groups.keys(), ...this.offsets.keys()]);
    return [...ids].sort().map((groupId) => {
      const group = this.groups.get(groupId);
      return { groupId, state: group?.state() ?? 'EMPTY', members: group?.memberCount ?? 0 };
    });
  }

  describeGroup(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      return {
        groupId,
        state: this.offsets.has(groupId) ? 'EMPTY' : 'DEAD',
        groupEpoch: 0,
        assignmentEpoch: 0,
        assignor: this.config.assignors[0]!.name,
        members: [],
      };
    }
    return {
      groupId,
      state: group.state(),
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.assignmentEpoch,
      assignor: (this.groupAssignor(group) ?? this.config.assignors[0]!).name,
      members: [...group.subscriptions]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([memberId, subscription]) => {
          const current = group.memberAssignment(memberId);
          return {
            memberId,
            instanceId: subscription.instanceId,
            rackId: subscription.rackId,
            clientId: subscription.clientId,
            memberEpoch: current.memberEpoch,
            state: current.state,
            subscribedTopicNames: subscription.subscribedTopicNames,
            subscribedTopicRegex: subscription.subscribedTopicRegex,
            assigned: toSortedList(current.assigned),
            pendingRevocation: toSortedList(current.pendingRevocation),
            target: toSortedList(group.targetAssignment.get(memberId) ?? NO_PARTITIONS),
          };
        }),
    };
  }

  /** DeleteGroups: only an empty group; its offsets go too. */
  deleteGroup(groupId: string): Outcome<void> {
    if (this.shares.has(groupId)) return this.run(() => this.shares.delete(groupId, (record) => this.emit(record)));
    const group = this.groups.get(groupId);
    if (group === undefined && !this.offsets.has(groupId))
      fail('GROUP_ID_NOT_FOUND', `group ${groupId} does not exist`);
    if (group !== undefined && group.memberCount > 0)
      fail('NON_EMPTY_GROUP', `group ${groupId} has ${group.memberCount} member(s)`);
    return this.run(() => {
      for (const o of [...(this.offsets.get(groupId)?.values() ?? [])])
        this.emit({ type: 'OffsetCommit', groupId, topic: o.topic, partition: o.partition, value: null });
      if (group !== undefined) {
        for (const memberId of [...group.targetAssignment.keys()])
          this.emit({ type: 'TargetAssignmentMember', groupId, memberId, value: null });
        this.emit({ type: 'TargetAssignmentEpoch', groupId, value: null });
        this.emit({ type: 'GroupEpoch', groupId, value: null });
      }
    });
  }

  // ------------------------------------------------------------------ share groups (KIP-932)

  /** ShareGroupHeartbeat. A consumer group's id (members or offsets) is GROUP_ID_NOT_FOUND, as in Kafka. */
  shareHeartbeat(request: ShareHeartbeatRequest, nowMs: number): Outcome<ShareHeartbeatResponse> {
    if (this.groups.has(request.groupId) || this.offsets.has(request.groupId))
      fail('GROUP_ID_NOT_FOUND', `group ${request.groupId} is a consumer group, not a share group`);
    return this.run(() => this.shares.heartbeat(request, nowMs, (record) => this.emit(record)));
  }

  listShareGroups(): { groupId: string; state: string; members: number }[] {
    return this.shares.list();
  }

  describeShareGroup(groupId: string): ShareGroupDescription {
    if (this.groups.has(groupId)) fail('GROUP_ID_NOT_FOUND', `group ${groupId} is a consumer group, not a share group`);
    return this.shares.describe(groupId);
  }

  /** For tests and invariant checks: the group's in-memory state. */
  group(groupId: string): ConsumerGroup | undefined {
    return this.groups.get(groupId);
  }
}

function wakeupKey(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}

function validateHeartbeat(request: HeartbeatRequest): void {
  if (request.groupId === '' || request.groupId.length > MAX_ID_LENGTH)
    fail('INVALID_GROUP_ID', `group id ${JSON.stringify(request.groupId.slice(0, 50))} is empty or too long`);
  if (request.memberId.length > MAX_ID_LENGTH) fail('INVALID_REQUEST', 'member id is too long');
  if (!Number.isInteger(request.memberEpoch) || request.memberEpoch < STATIC_MEMBER_LEFT_EPOCH)
    fail('INVALID_REQUEST', `member epoch ${request.memberEpoch} is not valid`);
  if (request.memberEpoch !== 0 && request.memberId === '')
    fail('INVALID_REQUEST', 'member id is required after joining');
  if (request.memberEpoch === 0) {
    if (
      request.rebalanceTimeoutMs === null ||
      !Number.isInteger(request.rebalanceTimeoutMs) ||
      request.rebalanceTimeoutMs <= 0
    )
      fail('INVALID_REQUEST', 'rebalance timeout must be given (> 0) when joining');
    if (
      (request.subscribedTopicNames === null || request.subscribedTopicNames.length === 0) &&
      (request.subscribedTopicRegex === null || request.subscribedTopicRegex === '')
    ) {
      fail('INVALID_REQUEST', 'subscribed topic names or a regex must be given when joining');
    }
    if (request.ownedPartitions !== null && request.ownedPartitions.some((t) => t.partitions.length > 0))
      fail('INVALID_REQUEST', 'a joining member owns no partitions');
  }
  if (request.subscribedTopicRegex !== null && request.subscribedTopicRegex !== '') {
    try {
      new RegExp(request.subscribedTopicRegex);
    } catch (error) {
      fail('INVALID_REQUEST', `subscribed topic regex is invalid: ${(error as Error).message}`);
    }
  }
}

/**
 * Whether the reported list holds exactly the partitions (as fromList would read it), without
 * building maps for it on every heartbeat: a list of distinct topics whose partitions ascend is
 * compared in place, anything else is read with fromList.
 */
function listEquals(
  list: readonly { readonly topic: string; readonly partitions: readonly number[] }[],
  partitions: TopicPartitions,
): boolean {
  let nonEmpty = 0;
  let previousTopic: string | undefined;
  let topicsAscend = true;
  for (const entry of list) {
    const reported = entry.partitions;
    if (reported.length === 0) continue;
    nonEmpty++;
    if (previousTopic !== undefined && !(previousTopic < entry.topic)) topicsAscend = false;
    previousTopic = entry.topic;
    const set = partitions.get(entry.topic);
    if (set === undefined || set.size !== reported.length) return equalTopicPartitions(fromList(list), partitions);
    for (let i = 0; i < reported.length; i++) {
      if ((i > 0 && !(reported[i - 1]! < reported[i]!)) || !set.has(reported[i]!))
        return equalTopicPartitions(fromList(list), partitions);
    }
  }
  let expected = 0;
  for (const set of partitions.values()) if (set.size > 0) expected++;
  if (nonEmpty !== expected) return equalTopicPartitions(fromList(list), partitions);
  // Every entry matched a topic's set exactly and there are as many entries as topics: unless a
  // topic came twice (leaving another unmatched), the two are equal. Ascending topics are distinct.
  if (
    !topicsAscend &&
    new Set(list.filter((entry) => entry.partitions.length > 0).map((entry) => entry.topic)).size !== nonEmpty
  )
    return equalTopicPartitions(fromList(list), partitions);
  return true;
}

function isSubset(a: TopicPartitions, b: TopicPartitions): boolean {
  for (const [topic, set] of a) {
    const other = b.get(topic);
    for (const partition of set) if (other === undefined || !other.has(partition)) return false;
  }
  return true;
}

/** The names sorted (code-unit order) without duplicates; a list already so is only copied. */
function sortedUnique(names: readonly string[]): string[] {
  let ascending = true;
  for (let i = 1; i < names.length && ascending; i++) ascending = names[i - 1]! < names[i]!;
  return ascending ? [...names] : [...new Set(names)].sort();
}

/** Whether a heartbeat leaves the subscription as it is (what most heartbeats do), without building the next one. */
function unchangedSubscription(previous: MemberSubscriptionValue, request: HeartbeatRequest): boolean {
  return (
    request.subscribedTopicNames === null &&
    (request.instanceId === null || request.instanceId === previous.instanceId) &&
    (request.rackId === null || request.rackId === previous.rackId) &&
    (request.clientId === '' || request.clientId === previous.clientId) &&
    (request.subscribedTopicRegex === null ||
      (request.subscribedTopicRegex || null) === previous.subscribedTopicRegex) &&
    (request.serverAssignor === null || request.serverAssignor === previous.serverAssignor) &&
    (request.rebalanceTimeoutMs === null || request.rebalanceTimeoutMs === previous.rebalanceTimeoutMs)
  );
}

function sameSubscription(a: MemberSubscriptionValue, b: MemberSubscriptionValue): boolean {
  return (
    a.instanceId === b.instanceId &&
    a.rackId === b.rackId &&
    a.clientId === b.clientId &&
    a.subscribedTopicRegex === b.subscribedTopicRegex &&
    a.serverAssignor === b.serverAssignor &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    (a.subscribedTopicNames === b.subscribedTopicNames ||
      (a.subscribedTopicNames.length === b.subscribedTopicNames.length &&
        a.subscribedTopicNames.every((topic, i) => topic === b.subscribedTopicNames[i])))
  );
}

function sameAssignment(a: MemberAssignment, b: MemberAssignment): boolean {
  return (
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state &&
    equalTopicPartitions(a.assigned, b.assigned) &&
    equalTopicPartitions(a.pendingRevocation, b.pendingRevocation)
  );
}
