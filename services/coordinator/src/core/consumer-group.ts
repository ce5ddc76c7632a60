/**
 * One consumer group's state as the coordinator holds it in memory: the group epoch, the
 * target assignment and its epoch, each member's subscription and current assignment, and who
 * holds which partition now. Changed only by `replay(record)`: the coordinator's operations
 * emit records and replay them at once, and a coordinator taking over replays the topic, so both
 * arrive at the same state.
 */
import type { CurrentAssignmentValue, GroupRecord, MemberSubscriptionValue } from './group-records';
import type { MemberAssignment } from './reconciliation';
import { fromList, NO_PARTITIONS, type TopicPartitions } from './topic-partitions';

/** Epoch a static member has after leaving with -2: it keeps its assignment for a successor. */
export const STATIC_MEMBER_LEFT_EPOCH = -2;

export type ConsumerGroupState = 'EMPTY' | 'ASSIGNING' | 'RECONCILING' | 'STABLE';

export const NEW_MEMBER_ASSIGNMENT: MemberAssignment = {
  memberEpoch: 0,
  previousMemberEpoch: -1,
  state: 'STABLE',
  assigned: NO_PARTITIONS,
  pendingRevocation: NO_PARTITIONS,
};

const NO_TOPICS: ReadonlySet<string> = new Set();

/**
 * The maps a record just emitted made its partition lists from (CurrentAssignment: assigned and
 * pendingRevocation; TargetAssignmentMember: partitions), so replaying it need not read the
 * lists back into equal maps. They must hold what the record's lists hold; records read from the
 * log come without.
 */
export type PartitionMaps =
  | { readonly assigned: TopicPartitions; readonly pendingRevocation: TopicPartitions }
  | { readonly partitions: TopicPartitions };

/** Adds delta to a reference count; true when the key appeared or went. */
function adjust(counts: Map<string, number>, key: string, delta: 1 | -1): boolean {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
  return delta === 1 ? next === 1 : next <= 0;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ConsumerGroup {
  groupEpoch = 0;
  /** The metadata hash the group epoch was written with (see metadata-hash.ts). */
  metadataHash = 0;
  assignmentEpoch = 0;
  readonly subscriptions = new Map<string, MemberSubscriptionValue>();
  readonly targetAssignment = new Map<string, TopicPartitions>();
  readonly currentAssignment = new Map<string, MemberAssignment>();
  /** instance id -> member id, for static members. */
  readonly staticMembers = new Map<string, string>();
  /** topic -> partition -> the member holding it (assigned or pending revocation). */
  private readonly holders = new Map<string, Map<number, string>>();
  /** topic -> partition -> the member whose target assignment holds it (who waits for it when released). */
  private readonly targetOwners = new Map<string, Map<number, string>>();
  /** Whether a GroupEpoch record exists (else the group is only offsets, or nothing). */
  hasEpochRecord = false;
  /**
   * Topic name -> how many distinct subscribed name lists hold it, and regex -> how many members use it:
   * kept on replay so a heartbeat learns what the group subscribes to without visiting every
   * member (which made each heartbeat O(members x topics)).
   */
  private readonly topicNameRefs = new Map<string, number>();
  private readonly regexRefs = new Map<string, number>();
  /**
   * One shared, read-only set per distinct list of subscribed names (members with equal
   * subscriptions share it), so target assignment and the assignors can treat equal
   * subscriptions once instead of once per member.
   */
  private readonly internedNames = new Map<
    string,
    { readonly names: readonly string[]; readonly topics: ReadonlySet<string>; refs: number }
  >();
  private readonly memberNames = new Map<string, string>();
  private readonly namesKeys = new WeakMap<readonly string[], string>();
  private lastInterned: { readonly names: readonly string[] } | undefined;
  /** topicNameRefs' keys, rebuilt after a name is first subscribed or last unsubscribed. */
  private topicNameList: string[] | undefined;
  /**
   * Bumped whenever the set of subscribed names or regexes changes (never goes back, not even
   * when a reload undoes records): lets the shard skip re-resolving the subscribed topics while
   * neither they nor the metadata changed.
   */
  subscribedTopicsGeneration = 0;

  constructor(readonly groupId: string) {}

  get memberCount(): number {
    return this.subscriptions.size;
  }

  hasMember(memberId: string): boolean {
    return this.subscriptions.has(memberId);
  }

  memberAssignment(memberId: string): MemberAssignment {
    return this.currentAssignment.get(memberId) ?? NEW_MEMBER_ASSIGNMENT;
  }

  heldByOther(memberId: string, topic: string, partition: number): boolean {
    const holder = this.holders.get(topic)?.get(partition);
    return holder !== undefined && holder !== memberId;
  }

  /** Topic names some member subscribes to by name (regexes not resolved), each once. */
  subscribedTopicNameList(): readonly string[] {
    return (this.topicNameList ??= [...this.topicNameRefs.keys()]);
  }

  /** The distinct regexes members subscribe with. */
  subscribedRegexes(): Iterable<string> {
    return this.regexRefs.keys();
  }

  /**
   * The list of names some member already subscribes with, if equal to `names` (sorted, unique),
   * so equal subscriptions share one array (and recordValue serializes it once); else `names`.
   */
  internNames(names: readonly string[]): readonly string[] {
    // A joining member usually subscribes like the one before it: compare before joining 100 names.
    const last = this.lastInterned;
    if (last !== undefined && sameNames(last.names, names)) return last.names;
    const interned = this.internedNames.get(names.join('\u0000'));
    if (interned === undefined) return names;
    this.lastInterned = interned;
    return interned.names;
  }

  /** The interning key of a names list, remembered for shared (interned) lists. */
  private namesKey(names: readonly string[]): string {
    let key = this.namesKeys.get(names);
    if (key === undefined) this.namesKeys.set(names, (key = names.join('\u0000')));
    return key;
  }

  /** The member's subscribed topic names as a set shared by every member subscribing to the same names. */
  subscribedNameSet(memberId: string): ReadonlySet<string> {
    const key = this.memberNames.get(memberId);
    return (key === undefined ? undefined : this.internedNames.get(key)?.topics) ?? NO_TOPICS;
  }

  holderOf(topic: string, partition: number): string | undefined {
    return this.holders.get(topic)?.get(partition);
  }

  /** The member whose target assignment holds the partition, if any. */
  targetOwnerOf(topic: string, partition: number): string | undefined {
    return this.targetOwners.get(topic)?.get(partition);
  }

  state(): ConsumerGroupState {
    if (this.subscriptions.size === 0) return 'EMPTY';
    if (this.groupEpoch > this.assignmentEpoch) return 'ASSIGNING';
    for (const assignment of this.currentAssignment.values()) {
      if (assignment.memberEpoch === STATIC_MEMBER_LEFT_EPOCH) continue;
      if (assignment.memberEpoch !== this.assignmentEpoch || assignment.state !== 'STABLE') return 'RECONCILING';
    }
    return 'STABLE';
  }

  replay(record: GroupRecord, maps?: PartitionMaps): void {
    switch (record.type) {
      case 'GroupEpoch':
        if (record.value === null) {
          this.groupEpoch = 0;
          this.metadataHash = 0;
          this.hasEpochRecord = false;
        } else {
          this.groupEpoch = record.value.epoch;
          this.metadataHash = record.value.metadataHash;
          this.hasEpochRecord = true;
        }
        return;
      case 'TargetAssignmentEpoch':
        this.assignmentEpoch = record.value?.assignmentEpoch ?? 0;
        return;
      case 'MemberSubscription': {
        const previous = this.subscriptions.get(record.memberId);
        if (previous?.instanceId != null && this.staticMembers.get(previous.instanceId) === record.memberId)
          this.staticMembers.delete(previous.instanceId);
        if (previous !== undefined) this.countSubscription(record.memberId, previous, -1);
        if (record.value === null) {
          this.subscriptions.delete(record.memberId);
        } else {
          this.subscriptions.set(record.memberId, record.value);
          this.countSubscription(record.memberId, record.value, 1);
          if (record.value.instanceId !== null) this.staticMembers.set(record.value.instanceId, record.memberId);
        }
        return;
      }
      case 'TargetAssignmentMember': {
        const previous = this.targetAssignment.get(record.memberId);
        if (previous !== undefined) unindex(this.targetOwners, record.memberId, previous);
        if (record.value === null) {
          this.targetAssignment.delete(record.memberId);
          return;
        }
        const partitions =
          maps !== undefined && 'partitions' in maps ? maps.partitions : fromList(record.value.partitions);
        this.targetAssignment.set(record.memberId, partitions);
        index(this.targetOwners, record.memberId, partitions);
        return;
      }
      case 'CurrentAssignment':
        this.replaceHoldings(
          record.memberId,
          record.value,
          maps !== undefined && 'assigned' in maps ? maps : undefined,
        );
        return;
      case 'OffsetCommit':
        throw new Error('offset commits are kept by the shard, not the group');
    }
  }

  private countSubscription(memberId: string, subscription: MemberSubscriptionValue, delta: 1 | -1): void {
    if (subscription.subscribedTopicRegex !== null && adjust(this.regexRefs, subscription.subscribedTopicRegex, delta))
      this.subscribedTopicsGeneration++;
    // Names are counted once per distinct list (when the list first appears or last goes), so a
    // member joining with the group's usual subscription costs one lookup, not one per topic.
    const key = this.namesKey(subscription.subscribedTopicNames);
    let interned = this.internedNames.get(key);
    if (delta === 1) {
      if (interned === undefined) {
        this.internedNames.set(
          key,
          (interned = {
            names: subscription.subscribedTopicNames,
            topics: new Set(subscription.subscribedTopicNames),
            refs: 0,
          }),
        );
        this.countNames(interned.topics, 1);
      }
      interned.refs++;
      this.memberNames.set(memberId, key);
    } else {
      if (interned !== undefined && --interned.refs === 0) {
        this.internedNames.delete(key);
        if (this.lastInterned === interned) this.lastInterned = undefined;
        this.countNames(interned.topics, -1);
      }
      this.memberNames.delete(memberId);
    }
  }

  private countNames(topics: ReadonlySet<string>, delta: 1 | -1): void {
    for (const topic of topics) {
      if (!adjust(this.topicNameRefs, topic, delta)) continue;
      this.topicNameList = undefined;
      this.subscribedTopicsGeneration++;
    }
  }

  private replaceHoldings(
    memberId: string,
    value: CurrentAssignmentValue | null,
    maps: { readonly assigned: TopicPartitions; readonly pendingRevocation: TopicPartitions } | undefined,
  ): void {
    const previous = this.currentAssignment.get(memberId);
    if (previous !== undefined) {
      unindex(this.holders, memberId, previous.assigned);
      unindex(this.holders, memberId, previous.pendingRevocation);
    }
    if (value === null) {
      this.currentAssignment.delete(memberId);
      return;
    }
    const assignment: MemberAssignment = {
      memberEpoch: value.memberEpoch,
      previousMemberEpoch: value.previousMemberEpoch,
      state: value.state,
      assigned: maps?.assigned ?? fromList(value.assigned),
      pendingRevocation: maps?.pendingRevocation ?? fromList(value.pendingRevocation),
    };
    this.currentAssignment.set(memberId, assignment);
    index(this.holders, memberId, assignment.assigned);
    index(this.holders, memberId, assignment.pendingRevocation);
  }
}

/** Records `memberId` as the member of each partition (topic -> partition -> member). */
function index(byTopic: Map<string, Map<number, string>>, memberId: string, partitions: TopicPartitions): void {
  for (const [topic, set] of partitions) {
    if (set.size === 0) continue;
    let members = byTopic.get(topic);
    if (members === undefined) byTopic.set(topic, (members = new Map()));
    for (const partition of set) members.set(partition, memberId);
  }
}

/** Forgets `memberId` for each partition it is still recorded for (another may have taken one since). */
function unindex(byTopic: Map<string, Map<number, string>>, memberId: string, partitions: TopicPartitions): void {
  for (const [topic, set] of partitions) {
    const members = byTopic.get(topic);
    if (members === undefined) continue;
    for (const partition of set) if (members.get(partition) === memberId) members.delete(partition);
    if (members.size === 0) byTopic.delete(topic);
  }
}
