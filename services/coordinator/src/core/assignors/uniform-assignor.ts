/**
 * The KIP-848 "uniform" server-side assignor (Kafka's UniformAssignor): spreads the partitions of
 * the subscribed topics evenly over the members, keeping partitions where they are when that does
 * not cost balance.
 *
 * Goals, in priority order:
 *  1. every partition of every subscribed, existing topic goes to exactly one member subscribed to
 *     that topic (nothing else is assigned);
 *  2. balance: with homogeneous subscriptions partition counts differ by at most one; with
 *     heterogeneous ones the counts are as even as the subscriptions allow;
 *  3. stickiness: a partition stays with its current owner unless balance needs it elsewhere.
 *
 * Homogeneous subscriptions (every member subscribes to the same existing topics) take a quota
 * path like Kafka's OptimizedUniformAssignmentBuilder / UniformHomogeneousAssignmentBuilder:
 * quota floor(P/M), the P mod M extra slots go first to members already holding more than the
 * quota, so adding one member to a balanced group of N moves at most ceil(P/(N+1)) partitions and
 * removing one moves only its own. O(M + P log P).
 *
 * Heterogeneous subscriptions keep every valid current partition, hand out the unassigned ones to
 * the least-loaded subscriber (topics sharing a subscriber set are handled together, most
 * constrained sets first), then balance: single moves, the heaviest member first, to the least
 * loaded member that subscribes to a topic it gives from, while they differ by two or more; then
 * chains of moves (a gives to b, b gives to c, ...) found by a breadth-first search until no chain
 * from a member to one with at least two fewer partitions exists. Without such a chain the counts
 * are as even as the subscriptions allow (no member can be relieved without another ending up at
 * least as loaded); the single-move check Kafka's heterogeneous builders stop at can leave a
 * 3/2/1 split that one chain turns into 2/2/2. Moves take a member's most recently received
 * partition first, so kept (sticky) partitions move last. Each chain costs a sort of the members
 * plus one search over the (member, subscriber set) pairs; the single moves before leave few.
 *
 * Deterministic: members are taken in sorted member-id order and topics in sorted name order, so
 * the answer does not depend on the order of the spec's maps and sets. Static membership
 * (instanceId) and racks play no part.
 */

import type { AssignmentSpec, GroupAssignment, PartitionAssignor } from '../assignor';
import {
  MEMBER_SLOTS,
  NumberHeap,
  assignmentFromOwners,
  emptyAssignment,
  forEachKeepablePartition,
  indexSpec,
  type IndexedSpec,
} from './common';

export class UniformAssignor implements PartitionAssignor {
  readonly name = 'uniform' as const;

  assign(spec: AssignmentSpec): GroupAssignment {
    const indexed = indexSpec(spec);
    if (indexed.memberIds.length === 0 || indexed.topicNames.length === 0) return emptyAssignment(indexed.memberIds);
    if (indexed.memberIds.length >= MEMBER_SLOTS) throw new RangeError(`too many members: ${indexed.memberIds.length}`);
    return isHomogeneous(indexed) ? assignHomogeneous(spec, indexed) : assignHeterogeneous(spec, indexed);
  }
}

function isHomogeneous(indexed: IndexedSpec): boolean {
  const first = indexed.memberTopics[0]!;
  return indexed.memberTopics.every(
    (topics) => topics === first || (topics.length === first.length && topics.every((topic, i) => topic === first[i])),
  );
}

/** Every member subscribes to every topic of indexed.topicNames. */
function assignHomogeneous(spec: AssignmentSpec, indexed: IndexedSpec): GroupAssignment {
  const memberCount = indexed.memberIds.length;
  const owners = indexed.partitionCounts.map((count) => new Int32Array(count).fill(-1));
  const total = indexed.partitionCounts.reduce((sum, count) => sum + count, 0);
  const minQuota = Math.floor(total / memberCount);
  const extras = total % memberCount;
  const counts = new Int32Array(memberCount);
  const lastTopic = new Int32Array(memberCount);
  const lastPartition = new Int32Array(memberCount);

  // Keep current partitions, up to the quota plus a possible extra one.
  const cap = minQuota + (extras > 0 ? 1 : 0);
  if (cap > 0) {
    for (let member = 0; member < memberCount; member++) {
      forEachKeepablePartition(spec, indexed, member, (topic, partition) => {
        const topicOwners = owners[topic]!;
        if (counts[member]! >= cap || topicOwners[partition]! >= 0) return;
        topicOwners[partition] = member;
        counts[member]!++;
        lastTopic[member] = topic;
        lastPartition[member] = partition;
      });
    }
  }

  // Only `extras` members may hold quota + 1: the first ones (by member id) that already do keep it.
  let extrasGiven = 0;
  if (extras > 0) {
    for (let member = 0; member < memberCount; member++) {
      if (counts[member] !== cap) continue;
      if (extrasGiven < extras) {
        extrasGiven++;
      } else {
        owners[lastTopic[member]!]![lastPartition[member]!] = -1;
        counts[member]!--;
      }
    }
  }
  let extrasLeft = extras - extrasGiven;

  // Hand out the rest in topic / partition order: first up to the quota (plus an extra while any
  // remain) to members below it, then the remaining extras to members at exactly the quota.
  let cursorTopic = 0;
  let cursorPartition = 0;
  const take = (member: number): void => {
    for (;;) {
      const topicOwners = owners[cursorTopic]!;
      if (cursorPartition >= topicOwners.length) {
        cursorTopic++;
        cursorPartition = 0;
        continue;
      }
      if (topicOwners[cursorPartition]! < 0) {
        topicOwners[cursorPartition] = member;
        counts[member]!++;
        cursorPartition++;
        return;
      }
      cursorPartition++;
    }
  };
  for (let member = 0; member < memberCount; member++) {
    if (counts[member]! >= minQuota) continue;
    let need = minQuota - counts[member]!;
    if (extrasLeft > 0) {
      need++;
      extrasLeft--;
    }
    while (need-- > 0) take(member);
  }
  for (let member = 0; member < memberCount && extrasLeft > 0; member++) {
    if (counts[member] === minQuota) {
      take(member);
      extrasLeft--;
    }
  }
  return assignmentFromOwners(indexed, owners);
}

/** Some members subscribe to different topics than others. */
function assignHeterogeneous(spec: AssignmentSpec, indexed: IndexedSpec): GroupAssignment {
  const memberCount = indexed.memberIds.length;
  const topicCount = indexed.topicNames.length;

  // Global partition ids: offsets[topic] + partition.
  const offsets = new Int32Array(topicCount + 1);
  for (let topic = 0; topic < topicCount; topic++)
    offsets[topic + 1] = offsets[topic]! + indexed.partitionCounts[topic]!;
  const owner = new Int32Array(offsets[topicCount]!).fill(-1);

  // Subscriber sets ("groups"): topics with the same subscribers are balanced together.
  const groupByKey = new Map<string, number>();
  const groupMembers: (readonly number[])[] = [];
  const groupTopics: number[][] = [];
  const topicGroup = new Int32Array(topicCount);
  for (let topic = 0; topic < topicCount; topic++) {
    const members = indexed.topicMembers[topic]!;
    const key = members.join(',');
    let group = groupByKey.get(key);
    if (group === undefined) {
      group = groupMembers.length;
      groupByKey.set(key, group);
      groupMembers.push(members);
      groupTopics.push([]);
    }
    groupTopics[group]!.push(topic);
    topicGroup[topic] = group;
  }
  const groupCount = groupMembers.length;
  const groupPartitions = groupTopics.map((topics) =>
    topics.reduce((sum, topic) => sum + indexed.partitionCounts[topic]!, 0),
  );

  const counts = new Int32Array(memberCount);
  /** member -> group -> the member's partitions of that group (global ids), most recently received last. */
  const owned: Map<number, number[]>[] = Array.from({ length: memberCount }, () => new Map());
  const ownedIn = (member: number, group: number): number[] => {
    const byGroup = owned[member]!;
    let list = byGroup.get(group);
    if (list === undefined) {
      list = [];
      byGroup.set(group, list);
    }
    return list;
  };
  const ownedCount = (member: number, group: number): number => owned[member]!.get(group)?.length ?? 0;
  const move = (from: number, to: number, group: number): void => {
    const partition = ownedIn(from, group).pop()!;
    ownedIn(to, group).push(partition);
    owner[partition] = to;
    counts[from]!--;
    counts[to]!++;
  };

  // 1. Keep every valid current partition (the first claimant, by member id, wins a disputed one).
  for (let member = 0; member < memberCount; member++) {
    forEachKeepablePartition(spec, indexed, member, (topic, partition) => {
      const id = offsets[topic]! + partition;
      if (owner[id]! >= 0) return;
      owner[id] = member;
      counts[member]!++;
      ownedIn(member, topicGroup[topic]!).push(id);
    });
  }

  // 2. Hand out unassigned partitions to the least-loaded subscriber, the most constrained
  //    subscriber sets (fewest members, then most partitions per member) first.
  const groupOrder = Array.from({ length: groupCount }, (_, group) => group).sort((a, b) => {
    const membersA = groupMembers[a]!.length;
    const membersB = groupMembers[b]!.length;
    if (membersA !== membersB) return membersA - membersB;
    const perMember = groupPartitions[b]! * membersA - groupPartitions[a]! * membersB;
    if (perMember !== 0) return perMember;
    return groupTopics[a]![0]! - groupTopics[b]![0]!;
  });
  for (const group of groupOrder) {
    const members = groupMembers[group]!;
    let heap: NumberHeap | undefined;
    for (const topic of groupTopics[group]!) {
      for (let id = offsets[topic]!; id < offsets[topic + 1]!; id++) {
        if (owner[id]! >= 0) continue;
        if (heap === undefined) {
          heap = new NumberHeap();
          for (const member of members) heap.push(counts[member]! * MEMBER_SLOTS + member);
        }
        const member = heap.pop()! % MEMBER_SLOTS;
        owner[id] = member;
        counts[member]!++;
        ownedIn(member, group).push(id);
        heap.push(counts[member]! * MEMBER_SLOTS + member);
      }
    }
  }

  // 3. Single moves, heaviest member first, each to the least-loaded member it can give to, while
  //    that one has at least two fewer partitions. Relieving the heaviest first keeps the number
  //    of moves low (balancing one subscriber set after the other can overshoot and move more).
  const memberGroups: number[][] = indexed.memberTopics.map((topics) => [
    ...new Set(topics.map((topic) => topicGroup[topic]!)),
  ]);
  const groupHeaps = groupMembers.map((members) => {
    const heap = new NumberHeap();
    for (const member of members) heap.push(counts[member]! * MEMBER_SLOTS + member);
    return heap;
  });
  const heaviest = new NumberHeap();
  const pushHeaviest = (member: number): void =>
    heaviest.push(-(counts[member]! * MEMBER_SLOTS + (MEMBER_SLOTS - 1 - member)));
  const countChanged = (member: number): void => {
    pushHeaviest(member);
    for (const group of memberGroups[member]!) groupHeaps[group]!.push(counts[member]! * MEMBER_SLOTS + member);
  };
  const leastIn = (group: number): number => {
    const heap = groupHeaps[group]!;
    for (;;) {
      const value = heap.peek()!;
      const member = value % MEMBER_SLOTS;
      if (Math.floor(value / MEMBER_SLOTS) === counts[member]) return member;
      heap.pop();
    }
  };
  // A member stuck when popped (nobody it can give to is two below it) may be freed once a fellow
  // subscriber gives elsewhere, so passes repeat while they move anything (bounded: step 4
  // finishes whatever is left).
  for (let pass = 0, moved = true; moved && pass < 8; pass++) {
    moved = false;
    for (let member = 0; member < memberCount; member++) if (counts[member]! >= 2) pushHeaviest(member);
    while (heaviest.size > 0) {
      const value = -heaviest.pop()!;
      const giver = MEMBER_SLOTS - 1 - (value % MEMBER_SLOTS);
      if (Math.floor(value / MEMBER_SLOTS) !== counts[giver]) continue;
      let bestGroup = -1;
      let bestMember = -1;
      for (const [group, list] of owned[giver]!) {
        if (list.length === 0 || groupMembers[group]!.length < 2) continue;
        const candidate = leastIn(group);
        if (
          bestMember < 0 ||
          counts[candidate]! < counts[bestMember]! ||
          (counts[candidate] === counts[bestMember] && candidate < bestMember)
        ) {
          bestGroup = group;
          bestMember = candidate;
        }
      }
      if (bestMember < 0 || counts[bestMember]! > counts[giver]! - 2) continue;
      move(giver, bestMember, bestGroup);
      moved = true;
      countChanged(giver);
      countChanged(bestMember);
    }
  }

  // 4. Chains of moves. Each sweep grows a breadth-first forest from the members in descending
  //    count order (so each member is reached first from the most loaded member that can reach
  //    it) and applies every chain it finds from an origin to a member with two fewer partitions,
  //    after checking the chain is still possible (an earlier chain of the sweep may have used a
  //    link). A sweep that finds no chain proves none exists.
  const subscribing: number[] = [];
  for (let member = 0; member < memberCount; member++) {
    if (indexed.memberTopics[member]!.length > 0) subscribing.push(member);
  }
  const visitedMember = new Int32Array(memberCount);
  const visitedGroup = new Int32Array(groupCount);
  const parent = new Int32Array(memberCount);
  const parentGroup = new Int32Array(memberCount);
  const queue = new Int32Array(memberCount);
  const applyChain = (source: number, target: number): void => {
    if (counts[target]! > counts[source]! - 2) return;
    for (let member = target; member !== source; member = parent[member]!) {
      if (ownedCount(parent[member]!, parentGroup[member]!) === 0) return;
    }
    for (let member = target; member !== source; member = parent[member]!) {
      move(parent[member]!, member, parentGroup[member]!);
    }
  };
  for (let stamp = 1; ; stamp++) {
    let minCount = Infinity;
    for (const member of subscribing) minCount = Math.min(minCount, counts[member]!);
    const order = subscribing.slice().sort((a, b) => counts[b]! - counts[a]! || a - b);
    let found = false;
    for (const origin of order) {
      if (counts[origin]! < minCount + 2) break;
      if (visitedMember[origin] === stamp) continue;
      visitedMember[origin] = stamp;
      let head = 0;
      let tail = 0;
      queue[tail++] = origin;
      while (head < tail) {
        const giver = queue[head++]!;
        for (const [group, list] of owned[giver]!) {
          if (list.length === 0 || visitedGroup[group] === stamp) continue;
          visitedGroup[group] = stamp;
          for (const member of groupMembers[group]!) {
            if (visitedMember[member] === stamp) continue;
            visitedMember[member] = stamp;
            parent[member] = giver;
            parentGroup[member] = group;
            queue[tail++] = member;
            if (counts[member]! <= counts[origin]! - 2) {
              found = true;
              applyChain(origin, member);
            }
          }
        }
      }
    }
    if (!found) break;
  }

  const owners = indexed.topicNames.map((_, topic) => owner.subarray(offsets[topic]!, offsets[topic + 1]!));
  return assignmentFromOwners(indexed, owners);
}
