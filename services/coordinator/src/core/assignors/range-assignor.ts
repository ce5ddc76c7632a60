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
import { assignmentFromOwners, emptyAssignment, indexSpec } from './common';

export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range' as const;

  assign(spec: AssignmentSpec): GroupAssignment {
    const indexed = indexSpec(spec);
    if (indexed.memberIds.length === 0 || indexed.topicNames.length === 0) return emptyAssignment(indexed.memberIds);
    const owners = indexed.topicNames.map((topicName, topic) => {
      const partitionCount = indexed.partitionCounts[topic]!;
      const subscribers = indexed.topicMembers[topic]!;
      const topicOwners = new Int32Array(partitionCount).fill(-1);
      const subscriberCount = subscribers.length;
      const minQuota = Math.floor(partitionCount / subscriberCount);
      let extrasLeft = partitionCount % subscriberCount;
      const counts = new Int32Array(subscriberCount);

      // Keep current partitions: lowest first, up to the quota, plus one if it held more and an extra slot is free.
      subscribers.forEach((member, slot) => {
        const current = spec.members.get(indexed.memberIds[member]!)?.currentAssignment.get(topicName);
        if (current === undefined || current.size === 0) return;
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
        counts[slot] = keep;
      });

      let cursor = 0;
      const take = (member: number, slot: number): void => {
        while (topicOwners[cursor]! >= 0) cursor++;
        topicOwners[cursor++] = member;
        counts[slot]!++;
      };
      // Then in member order: each member short of its quota (plus an extra slot while any remain)
      // takes the lowest unassigned partitions.
      subscribers.forEach((member, slot) => {
        let need = minQuota - counts[slot]!;
        if (need < 0) return;
        if (extrasLeft > 0) {
          need++;
          extrasLeft--;
        }
        while (need-- > 0) take(member, slot);
      });
      return topicOwners;
    });
    return assignmentFromOwners(indexed, owners);
  }
}
