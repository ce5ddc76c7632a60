/**
 * The KIP-848 "range" server-side assignor (Kafka's server-side RangeAssignor): topic by topic,
 * the members subscribed to the topic, in member-id order, share its partitions in contiguous
 * ranges, floor(n/S) each and one more for the first n mod S of them. Members subscribed to
 * topics with equal partition counts therefore get the same partition numbers of each
 * (co-partitioning, for joins).
 *
 * Sticky like Kafka's: a member keeps its lowest-numbered current partitions of a topic up to the
 * quota, and one more if it had more than the quota and an extra slot is still free (extra slots
 * go, in member-id order, to members that already hold one). The partitions left over are then
 * handed out in ascending order, members in id order each taking what it lacks of the quota plus
 * an extra slot while any remain. On a fresh group this is exactly the classic range split; with a
 * sticky start a member's partitions may have holes, but its count per topic stays within one of
 * its fellow subscribers'.
 *
 * Differences from Kafka's RangeAssignor: members are taken in sorted member-id order (Kafka
 * iterates its member map), stale current partitions (out of range, or already kept by an earlier
 * member) are skipped instead of trusted, and subscribed topics missing from the metadata are
 * skipped instead of failing the assignment.
 *
 * Topics that do not exist (absent from spec.topics) or have no partitions are not assigned.
 * Static membership (instanceId) and racks play no part. O(sum of subscriptions + P log P).
 */

import type { AssignmentSpec, GroupAssignment, PartitionAssignor } from '../assignor';
import { assignmentFromOwners, emptyAssignment, indexSpec, type IndexedSpec } from './common';

export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range' as const;

  assign(spec: AssignmentSpec): GroupAssignment {
    const indexed = indexSpec(spec);
    if (indexed.memberIds.length === 0 || indexed.topicNames.length === 0) return emptyAssignment(indexed.memberIds);
    const currentByTopic = currentHoldingsByTopic(spec, indexed);
    // Partitions per member within the topic being assigned; zeroed again after each topic.
    const counts = new Int32Array(indexed.memberIds.length);
    const owners = indexed.topicNames.map((_topicName, topic) => {
      const partitionCount = indexed.partitionCounts[topic]!;
      const subscribers = indexed.topicMembers[topic]!;
      const topicOwners = new Int32Array(partitionCount).fill(-1);
      const subscriberCount = subscribers.length;
      const minQuota = Math.floor(partitionCount / subscriberCount);
      let extrasLeft = partitionCount % subscriberCount;

      // Keep current partitions: lowest first, up to the quota, plus one if it held more and an extra slot is free.
      for (const { member, partitions: current } of currentByTopic[topic]!) {
        const valid: number[] = [];
        for (const partition of current) {
          if (
            Number.isInteger(partition) &&
            partition >= 0 &&
            partition < partitionCount &&
            topicOwners[partition]! < 0
          ) {
            valid.push(partition);
          }
        }
        valid.sort((a, b) => a - b);
        let keep = Math.min(valid.length, minQuota);
        if (valid.length > minQuota && extrasLeft > 0) {
          keep++;
          extrasLeft--;
        }
        for (let i = 0; i < keep; i++) topicOwners[valid[i]!] = member;
        counts[member] = keep;
      }

      let cursor = 0;
      // Then in member order: each member short of its quota (plus an extra slot while any remain)
      // takes the lowest unassigned partitions.
      for (const member of subscribers) {
        let need = minQuota - counts[member]!;
        counts[member] = 0;
        if (need < 0) continue;
        if (extrasLeft > 0) {
          need++;
          extrasLeft--;
        }
        while (need-- > 0) {
          while (topicOwners[cursor]! >= 0) cursor++;
          topicOwners[cursor++] = member;
        }
      }
      return topicOwners;
    });
    return assignmentFromOwners(indexed, owners);
  }
}

/**
 * Each topic's current holders, in member order, with what they hold of it: only subscribed,
 * existing topics, and only non-empty holdings. One pass over the members' current assignments,
 * where looking every (topic, subscriber) pair up cost 1,000,000 map lookups per run at 10,000
 * members x 100 topics (the range assignor's largest cost in bench:groups).
 */
function currentHoldingsByTopic(
  spec: AssignmentSpec,
  indexed: IndexedSpec,
): { readonly member: number; readonly partitions: ReadonlySet<number> }[][] {
  const byTopic: { member: number; partitions: ReadonlySet<number> }[][] = indexed.topicNames.map(() => []);
  indexed.memberIds.forEach((memberId, member) => {
    const entry = spec.members.get(memberId);
    if (entry === undefined) return;
    for (const [name, partitions] of entry.currentAssignment) {
      const topic = indexed.topicIndex.get(name);
      if (topic === undefined || partitions.size === 0 || !entry.subscribedTopics.has(name)) continue;
      byTopic[topic]!.push({ member, partitions });
    }
  });
  return byTopic;
}
