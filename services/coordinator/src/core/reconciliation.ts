/**
 * One member's step towards its target assignment (Kafka's CurrentAssignmentBuilder, KIP-848).
 *
 * A member moves from its current assignment to the target one without a stop-the-world
 * rebalance, and without any partition being owned by two members at once:
 * 1. Partitions it holds that are no longer in its target are revoked first. It stays at its
 *    epoch in UNREVOKED_PARTITIONS, keeping only what it may keep, until a heartbeat reports that
 *    it no longer owns them.
 * 2. Then it moves to the target epoch and gets the target partitions that are free. Target
 *    partitions still held by another member (which has yet to revoke them) are withheld: the
 *    member is UNRELEASED_PARTITIONS and gets them on a later heartbeat, once released.
 * 3. With everything in place it is STABLE at the target epoch.
 * Members whose target did not change only have their epoch bumped.
 */
import { intersect, isEmpty, subtract, union, type TopicPartitions, NO_PARTITIONS } from './topic-partitions';

export type MemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS';

export interface MemberAssignment {
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  /** What the member may consume now. */
  readonly assigned: TopicPartitions;
  /** What it must give up before it moves on (it still owns these). */
  readonly pendingRevocation: TopicPartitions;
}

export interface ReconcileInput {
  readonly current: MemberAssignment;
  readonly targetEpoch: number;
  /** The member's part of the target assignment. */
  readonly target: TopicPartitions;
  /** Whether another member holds the partition now (assigned or pending revocation). */
  readonly heldByOther: (topic: string, partition: number) => boolean;
  /** What the member's heartbeat says it owns; null when the heartbeat did not say. */
  readonly reportedOwned: TopicPartitions | null;
}

export function reconcile(input: ReconcileInput): MemberAssignment {
  const { current } = input;
  switch (current.state) {
    case 'STABLE':
      return current.memberEpoch === input.targetEpoch ? current : nextAssignment(input);
    case 'UNREVOKED_PARTITIONS':
      // Until the member confirms the revocation nothing else moves.
      if (input.reportedOwned === null || !isEmpty(intersect(input.reportedOwned, current.pendingRevocation)))
        return current;
      return nextAssignment(input);
    case 'UNRELEASED_PARTITIONS':
      return nextAssignment(input);
  }
}

function nextAssignment(input: ReconcileInput): MemberAssignment {
  const { current, target, targetEpoch } = input;
  // A member owning nothing (every joining one) has nothing to keep or revoke: no sets to build.
  const ownsNothing = isEmpty(current.assigned);
  const kept = ownsNothing ? NO_PARTITIONS : intersect(current.assigned, target);
  const revoke = ownsNothing ? NO_PARTITIONS : subtract(current.assigned, target);
  if (!isEmpty(revoke)) {
    return {
      memberEpoch: current.memberEpoch,
      previousMemberEpoch: current.previousMemberEpoch,
      state: 'UNREVOKED_PARTITIONS',
      assigned: kept,
      pendingRevocation: revoke,
    };
  }
  const wanted = ownsNothing ? target : subtract(target, current.assigned);
  const free = new Map<string, Set<number>>();
  let unreleased = false;
  for (const [topic, partitions] of wanted) {
    for (const partition of partitions) {
      if (input.heldByOther(topic, partition)) {
        unreleased = true;
        continue;
      }
      const set = free.get(topic) ?? new Set<number>();
      set.add(partition);
      free.set(topic, set);
    }
  }
  return {
    memberEpoch: targetEpoch,
    previousMemberEpoch: targetEpoch === current.memberEpoch ? current.previousMemberEpoch : current.memberEpoch,
    state: unreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE',
    assigned: isEmpty(kept) ? free : isEmpty(free) ? kept : union(kept, free),
    pendingRevocation: NO_PARTITIONS,
  };
}
