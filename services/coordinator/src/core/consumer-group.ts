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

function ownerKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class ConsumerGroup {
  groupEpoch = 0;
  topicPartitionCounts: Readonly<Record<string, number>> = {};
  assignmentEpoch = 0;
  readonly subscriptions = new Map<string, MemberSubscriptionValue>();
  readonly targetAssignment = new Map<string, TopicPartitions>();
  readonly currentAssignment = new Map<string, MemberAssignment>();
  /** instance id -> member id, for static members. */
  readonly staticMembers = new Map<string, string>();
  /** topic/partition -> the member holding it (assigned or pending revocation). */
  private readonly holders = new Map<string, string>();
  /** Whether a GroupEpoch record exists (else the group is only offsets, or nothing). */
  hasEpochRecord = false;

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
    const holder = this.holders.get(ownerKey(topic, partition));
    return holder !== undefined && holder !== memberId;
  }

  holderOf(topic: string, partition: number): string | undefined {
    return this.holders.get(ownerKey(topic, partition));
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

  replay(record: GroupRecord): void {
    switch (record.type) {
      case 'GroupEpoch':
        if (record.value === null) {
          this.groupEpoch = 0;
          this.topicPartitionCounts = {};
          this.hasEpochRecord = false;
        } else {
          this.groupEpoch = record.value.epoch;
          this.topicPartitionCounts = record.value.topicPartitionCounts;
          this.hasEpochRecord = true;
        }
        return;
      case 'TargetAssignmentEpoch':
        this.assignmentEpoch = record.value?.assignmentEpoch ?? 0;
        return;
      case 'MemberSubscription': {
        const previous = this.subscriptions.get(record.memberId);
        if (previous?.instanceId != null && this.staticMembers.get(previous.instanceId) === record.memberId) this.staticMembers.delete(previous.instanceId);
        if (record.value === null) {
          this.subscriptions.delete(record.memberId);
        } else {
          this.subscriptions.set(record.memberId, record.value);
          if (record.value.instanceId !== null) this.staticMembers.set(record.value.instanceId, record.memberId);
        }
        return;
      }
      case 'TargetAssignmentMember':
        if (record.value === null) this.targetAssignment.delete(record.memberId);
        else this.targetAssignment.set(record.memberId, fromList(record.value.partitions));
        return;
      case 'CurrentAssignment':
        this.replaceHoldings(record.memberId, record.value);
        return;
      case 'OffsetCommit':
        throw new Error('offset commits are kept by the shard, not the group');
    }
  }

  private replaceHoldings(memberId: string, value: CurrentAssignmentValue | null): void {
    const previous = this.currentAssignment.get(memberId);
    if (previous !== undefined) {
      for (const partitions of [previous.assigned, previous.pendingRevocation]) {
        for (const [topic, set] of partitions) {
          for (const partition of set) if (this.holders.get(ownerKey(topic, partition)) === memberId) this.holders.delete(ownerKey(topic, partition));
        }
      }
    }
    if (value === null) {
      this.currentAssignment.delete(memberId);
      return;
    }
    const assignment: MemberAssignment = {
      memberEpoch: value.memberEpoch,
      previousMemberEpoch: value.previousMemberEpoch,
      state: value.state,
      assigned: fromList(value.assigned),
      pendingRevocation: fromList(value.pendingRevocation),
    };
    this.currentAssignment.set(memberId, assignment);
    for (const partitions of [assignment.assigned, assignment.pendingRevocation]) {
      for (const [topic, set] of partitions) for (const partition of set) this.holders.set(ownerKey(topic, partition), memberId);
    }
  }
}
