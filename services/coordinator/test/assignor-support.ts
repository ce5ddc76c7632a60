/** Spec builders and checks shared by the assignor tests. */

import type { AssignmentMemberSpec, AssignmentSpec, GroupAssignment } from '../src/core/assignor';

export interface MemberInput {
  readonly id: string;
  readonly topics: readonly string[];
  /** topic -> partitions currently assigned. */
  readonly current?: Readonly<Record<string, readonly number[]>>;
  readonly instanceId?: string | null;
  readonly rackId?: string | null;
}

export function member(input: MemberInput): AssignmentMemberSpec {
  const current = new Map<string, ReadonlySet<number>>();
  for (const [topic, partitions] of Object.entries(input.current ?? {})) current.set(topic, new Set(partitions));
  return {
    memberId: input.id,
    instanceId: input.instanceId ?? null,
    rackId: input.rackId ?? null,
    subscribedTopics: new Set(input.topics),
    currentAssignment: current,
  };
}

export function makeSpec(members: readonly MemberInput[], topics: Readonly<Record<string, number>>): AssignmentSpec {
  return {
    members: new Map(members.map((input) => [input.id, member(input)])),
    topics: new Map(Object.entries(topics)),
  };
}

/** The same spec with every member's current assignment replaced by its part of `assignment`. */
export function withCurrent(spec: AssignmentSpec, assignment: GroupAssignment): AssignmentSpec {
  const members = new Map<string, AssignmentMemberSpec>();
  for (const [id, memberSpec] of spec.members) {
    members.set(id, { ...memberSpec, currentAssignment: assignment.get(id) ?? new Map() });
  }
  return { members, topics: spec.topics };
}

/** Ordered, plain form of an assignment, for comparisons that also check iteration order. */
export function plain(assignment: GroupAssignment): [string, [string, number[]][]][] {
  return [...assignment].map(([id, topics]) => [
    id,
    [...topics].map(([topic, partitions]) => [topic, [...partitions]]),
  ]);
}

export function partitionCount(assignment: GroupAssignment, memberId: string): number {
  let count = 0;
  for (const partitions of assignment.get(memberId)?.values() ?? []) count += partitions.size;
  return count;
}

/** "topic:partition" -> owner. */
export function ownerMap(assignment: GroupAssignment): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [id, topics] of assignment) {
    for (const [topic, partitions] of topics)
      for (const partition of partitions) owners.set(`${topic}:${partition}`, id);
  }
  return owners;
}

/** Partitions owned in both assignments whose owner differs, plus those owned in `after` only. */
export function movedPartitions(before: GroupAssignment, after: GroupAssignment): number {
  const previous = ownerMap(before);
  let moved = 0;
  for (const [partition, owner] of ownerMap(after)) if (previous.get(partition) !== owner) moved++;
  return moved;
}

/**
 * Problems with an assignment: every partition of every subscribed, existing topic owned by exactly
 * one member subscribed to it, nothing else assigned, every member present, no empty topic sets.
 */
export function validityProblems(spec: AssignmentSpec, assignment: GroupAssignment): string[] {
  const problems: string[] = [];
  for (const id of spec.members.keys()) if (!assignment.has(id)) problems.push(`member ${id} missing`);
  for (const id of assignment.keys()) if (!spec.members.has(id)) problems.push(`unknown member ${id} in the answer`);
  const seen = new Map<string, string>();
  for (const [id, topics] of assignment) {
    const memberSpec = spec.members.get(id);
    for (const [topic, partitions] of topics) {
      if (partitions.size === 0) problems.push(`${id} has an empty set for ${topic}`);
      if (memberSpec !== undefined && !memberSpec.subscribedTopics.has(topic))
        problems.push(`${id} got ${topic} without subscribing`);
      const count = spec.topics.get(topic);
      for (const partition of partitions) {
        if (count === undefined || !Number.isInteger(partition) || partition < 0 || partition >= count) {
          problems.push(`${id} got nonexistent ${topic}:${partition}`);
        }
        const key = `${topic}:${partition}`;
        const other = seen.get(key);
        if (other !== undefined) problems.push(`${key} owned by both ${other} and ${id}`);
        seen.set(key, id);
      }
    }
  }
  const subscribed = new Set<string>();
  for (const memberSpec of spec.members.values())
    for (const topic of memberSpec.subscribedTopics) subscribed.add(topic);
  for (const topic of subscribed) {
    const count = spec.topics.get(topic) ?? 0;
    for (let partition = 0; partition < count; partition++) {
      if (!seen.has(`${topic}:${partition}`)) problems.push(`${topic}:${partition} unassigned`);
    }
  }
  return problems;
}

/**
 * Pairs (a, b) where b has at least two partitions fewer than a and a chain of single moves
 * (a gives a partition of a topic c subscribes to, c gives one to ..., to b) exists: an
 * assignment without such a pair is as balanced as the subscriptions allow.
 */
export function improvableChains(spec: AssignmentSpec, assignment: GroupAssignment): string[] {
  const ids = [...spec.members.keys()];
  const counts = new Map(ids.map((id) => [id, partitionCount(assignment, id)]));
  const found: string[] = [];
  for (const from of ids) {
    const reached = new Set([from]);
    const queue = [from];
    while (queue.length > 0) {
      const giver = queue.shift()!;
      for (const topic of assignment.get(giver)?.keys() ?? []) {
        for (const id of ids) {
          if (reached.has(id) || !spec.members.get(id)!.subscribedTopics.has(topic)) continue;
          reached.add(id);
          queue.push(id);
        }
      }
    }
    for (const to of reached) {
      if (counts.get(to)! <= counts.get(from)! - 2)
        found.push(`${from} (${counts.get(from)}) -> ${to} (${counts.get(to)})`);
    }
  }
  return found;
}
