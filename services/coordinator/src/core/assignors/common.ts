/**
 * Shared pieces of the server-side assignors: validating and indexing an AssignmentSpec (members
 * and topics in sorted order, so equal specs give equal answers whatever order their maps were
 * built in), a binary heap of numbers, and building the GroupAssignment answer.
 */

import type { AssignmentSpec, GroupAssignment } from '../assignor';

/** A spec indexed for the assignors: member and topic indices follow sorted id / name order. */
export interface IndexedSpec {
  /** Member ids, sorted (code-unit order). */
  readonly memberIds: readonly string[];
  /** Names of the topics some member subscribes to that exist with at least one partition, sorted. */
  readonly topicNames: readonly string[];
  /** Partition count of each topic, by topic index. */
  readonly partitionCounts: readonly number[];
  /** Topic index by name. */
  readonly topicIndex: ReadonlyMap<string, number>;
  /** Topic indices each member subscribes to (existing, non-empty topics only), ascending, by member index. */
  readonly memberTopics: readonly (readonly number[])[];
  /** Member indices subscribed to each topic, ascending, by topic index. */
  readonly topicMembers: readonly (readonly number[])[];
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function sortedStrings(values: Iterable<string>): string[] {
  return [...values].sort(compareStrings);
}

export function indexSpec(spec: AssignmentSpec): IndexedSpec {
  for (const [topic, count] of spec.topics) {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`topic ${topic} has partition count ${count}; expected a non-negative integer`);
    }
  }
  const memberIds = sortedStrings(spec.members.keys());
  // Members usually share few distinct subscription sets (the coordinator hands equal
  // subscriptions over as one set object): each distinct set is resolved once, so indexing costs
  // O(members + topics x distinct sets) rather than O(members x topics).
  const bySet = new Map<ReadonlySet<string>, { topics: number[]; members: number[] }>();
  const memberSets: (ReadonlySet<string> | undefined)[] = memberIds.map(
    (memberId) => spec.members.get(memberId)?.subscribedTopics,
  );
  const subscribed = new Set<string>();
  for (const set of memberSets) {
    if (set === undefined || bySet.has(set)) continue;
    bySet.set(set, { topics: [], members: [] });
    for (const topic of set) {
      if ((spec.topics.get(topic) ?? 0) > 0) subscribed.add(topic);
    }
  }
  const topicNames = sortedStrings(subscribed);
  const topicIndex = new Map<string, number>();
  topicNames.forEach((name, index) => topicIndex.set(name, index));
  const partitionCounts = topicNames.map((name) => spec.topics.get(name) ?? 0);
  for (const [set, entry] of bySet) {
    for (const topic of set) {
      const index = topicIndex.get(topic);
      if (index !== undefined) entry.topics.push(index);
    }
    entry.topics.sort((a, b) => a - b);
  }
  const noTopics: number[] = [];
  const memberTopics: (readonly number[])[] = memberSets.map((set, memberIndex) => {
    const entry = set === undefined ? undefined : bySet.get(set);
    if (entry === undefined) return noTopics;
    entry.members.push(memberIndex);
    return entry.topics;
  });
  // Subscribers of each topic, ascending: one set's member list as it is (shared by its topics),
  // or several sets' lists merged.
  const topicSets: { members: number[] }[][] = topicNames.map(() => []);
  for (const entry of bySet.values()) {
    if (entry.members.length === 0) continue;
    for (const topic of entry.topics) topicSets[topic]!.push(entry);
  }
  const topicMembers: (readonly number[])[] = topicSets.map((entries) => {
    if (entries.length === 1) return entries[0]!.members;
    const merged: number[] = [];
    for (const entry of entries) for (const member of entry.members) merged.push(member);
    return merged.sort((a, b) => a - b);
  });
  return { memberIds, topicNames, partitionCounts, topicIndex, memberTopics, topicMembers };
}

/**
 * Calls visit(topicIndex, partition) for each partition in a member's current assignment that it
 * may keep: its topic exists, is non-empty and subscribed by the member, and the partition number
 * is in range. Topics in name order, partitions ascending, each partition at most once.
 */
export function forEachKeepablePartition(
  spec: AssignmentSpec,
  indexed: IndexedSpec,
  memberIndex: number,
  visit: (topic: number, partition: number) => void,
): void {
  const member = spec.members.get(indexed.memberIds[memberIndex]!);
  if (member === undefined || member.currentAssignment.size === 0) return;
  const topics: number[] = [];
  for (const name of member.currentAssignment.keys()) {
    const topic = indexed.topicIndex.get(name);
    if (topic !== undefined && member.subscribedTopics.has(name)) topics.push(topic);
  }
  topics.sort((a, b) => a - b);
  for (const topic of topics) {
    const partitions = member.currentAssignment.get(indexed.topicNames[topic]!);
    if (partitions === undefined) continue;
    const count = indexed.partitionCounts[topic]!;
    const valid: number[] = [];
    for (const partition of partitions) {
      if (Number.isInteger(partition) && partition >= 0 && partition < count) valid.push(partition);
    }
    valid.sort((a, b) => a - b);
    let previous = -1;
    for (const partition of valid) {
      if (partition !== previous) visit(topic, partition);
      previous = partition;
    }
  }
}

/** An answer with an (empty) entry for every member, in sorted member order. */
export function emptyAssignment(memberIds: readonly string[]): GroupAssignment {
  const result: GroupAssignment = new Map();
  for (const memberId of memberIds) result.set(memberId, new Map());
  return result;
}

/**
 * The answer from per-topic owner arrays (owner member index per partition, -1 for none): topics in
 * name order, partitions ascending within each member's set.
 */
export function assignmentFromOwners(indexed: IndexedSpec, owners: readonly Int32Array[]): GroupAssignment {
  const result = emptyAssignment(indexed.memberIds);
  const perMember = indexed.memberIds.map((memberId) => result.get(memberId)!);
  owners.forEach((topicOwners, topic) => {
    const name = indexed.topicNames[topic]!;
    for (let partition = 0; partition < topicOwners.length; partition++) {
      const owner = topicOwners[partition]!;
      if (owner < 0) continue;
      const memberAssignment = perMember[owner]!;
      let set = memberAssignment.get(name);
      if (set === undefined) {
        set = new Set();
        memberAssignment.set(name, set);
      }
      set.add(partition);
    }
  });
  return result;
}

/** A binary min-heap of numbers (callers encode their priority and tie-break into the number). */
export class NumberHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let index = items.length;
    items.push(value);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentValue = items[parent]!;
      if (parentValue <= value) break;
      items[index] = parentValue;
      index = parent;
    }
    items[index] = value;
  }

  peek(): number | undefined {
    return this.items[0];
  }

  pop(): number | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    const length = items.length;
    if (length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= length) break;
        const right = left + 1;
        let child = left;
        if (right < length && items[right]! < items[left]!) child = right;
        if (items[child]! >= last) break;
        items[index] = items[child]!;
        index = child;
      }
      items[index] = last;
    }
    return top;
  }
}

/** Multiplier for encoding (count, member index) into one heap number; member indices stay below it. */
export const MEMBER_SLOTS = 2 ** 22;
