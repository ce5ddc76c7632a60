/**
 * Partition changes driven by a broker's state: moving leadership and ISR membership off
 * brokers being fenced or shut down, and electing leaders for leaderless partitions when a
 * broker comes back. The image has no broker-to-partition index, so these scan every partition
 * with an allocation-free replica check (see the scale test for the cost).
 */
import { NO_LEADER, type MetadataImage, type PartitionChangeRecord, type TopicImage } from '@sluice/metadata';
import { assert } from './assert';
import { uncleanLeaderElectionEnabled } from './configuration-control';
import { buildPartitionChange } from './partition-change';

export type Eligibility = (brokerId: number) => boolean;

/**
 * Calls `visit` for every partition with a replica on any of `brokerIds`, topics in id order,
 * until `visit` returns false.
 */
function forPartitionsWithAnyReplica(
  image: MetadataImage,
  brokerIds: readonly number[],
  visit: (topic: TopicImage, partitionId: number) => boolean,
): void {
  if (brokerIds.length === 0) return;
  for (const topic of image.topics.sortedTopics()) {
    const table = topic.partitions;
    for (let partitionId = 0; partitionId < topic.partitionCount; partitionId++) {
      for (const brokerId of brokerIds) {
        if (table.hasReplica(partitionId, brokerId)) {
          if (!visit(topic, partitionId)) return;
          break;
        }
      }
    }
  }
}

/** unclean.leader.election.enable per topic, looked up once per topic per scan. */
function uncleanLookup(image: MetadataImage, uncleanDefault: boolean): (topic: TopicImage) => boolean {
  const cache = new Map<string, boolean>();
  return (topic) => {
    let enabled = cache.get(topic.topicId);
    if (enabled === undefined)
      cache.set(topic.topicId, (enabled = uncleanLeaderElectionEnabled(image, topic.name, uncleanDefault)));
    return enabled;
  };
}

/** A bounded batch of moves: at most the limit, and whether more remain after it. */
export interface BoundedMoves {
  readonly records: PartitionChangeRecord[];
  /** True when partitions beyond the limit still need a move (the caller continues later). */
  readonly more: boolean;
}

/**
 * Removes `leaving` brokers from every ISR they are in and re-elects where they led, for at
 * most `limit` partitions (topics in id order, partitions in id order). The ISR never becomes
 * empty: a partition whose last ISR member leaves keeps it, leaderless, unless unclean election
 * is enabled for the topic and another eligible replica exists.
 *
 * Each record is the whole change of one partition (ISR and leader together), so a bounded
 * batch never half-moves a partition: a partition is either untouched (still naming a leaving
 * broker, picked up by the next call) or done. Calling again on the image with the records
 * applied continues where this one stopped, since finished partitions produce no record.
 */
export function movesOffBrokers(
  image: MetadataImage,
  leaving: readonly number[],
  isEligible: Eligibility,
  uncleanDefault: boolean,
  limit: number,
): BoundedMoves {
  assert(Number.isSafeInteger(limit) && limit >= 1, `move limit ${limit} must be a positive integer`);
  const leavingSet = new Set(leaving);
  const eligible: Eligibility = (id) => !leavingSet.has(id) && isEligible(id);
  const uncleanAllowed = uncleanLookup(image, uncleanDefault);
  const records: PartitionChangeRecord[] = [];
  let more = false;
  forPartitionsWithAnyReplica(image, leaving, (topic, partitionId) => {
    // Cheap pre-check without materializing the partition: skip when no leaving broker is in the ISR.
    let inIsr = false;
    for (const id of leaving) if (topic.partitions.isrIncludes(partitionId, id)) inIsr = true;
    if (!inIsr) return true;
    const current = topic.partitions.getPlain(partitionId);
    assert(current !== undefined, `partition ${topic.name}-${partitionId} vanished`);
    let lastLeavingMember: number | undefined;
    for (const id of leaving) if (current.isr.includes(id)) lastLeavingMember = id;
    if (lastLeavingMember === undefined) return true;
    let targetIsr = current.isr.filter((id) => !leavingSet.has(id));
    // As if the brokers left one by one in `leaving` order: the last one out stays as the
    // single ISR member of a now leaderless partition (the ISR is never empty).
    if (targetIsr.length === 0) targetIsr = [lastLeavingMember];
    const outcome = buildPartitionChange({
      topicId: topic.topicId,
      partitionId,
      current,
      targetIsr,
      election: 'keep',
      isEligible: eligible,
      uncleanAllowed: uncleanAllowed(topic),
    });
    assert(outcome.leader === NO_LEADER || !leavingSet.has(outcome.leader), `leader ${outcome.leader} is leaving`);
    if (outcome.record === null) return true;
    if (records.length >= limit) {
      more = true;
      return false;
    }
    records.push(outcome.record);
    return true;
  });
  return { records, more };
}

/** Elects leaders for leaderless partitions that `brokerId` (now eligible) is a replica of. */
export function electionsForReturningBroker(
  image: MetadataImage,
  brokerId: number,
  isEligible: Eligibility,
  uncleanDefault: boolean,
): PartitionChangeRecord[] {
  assert(isEligible(brokerId), `broker ${brokerId} is not eligible to lead`);
  const uncleanAllowed = uncleanLookup(image, uncleanDefault);
  const records: PartitionChangeRecord[] = [];
  forPartitionsWithAnyReplica(image, [brokerId], (topic, partitionId) => {
    if (topic.leader(partitionId) !== NO_LEADER) return true;
    const current = topic.partitions.getPlain(partitionId);
    assert(current !== undefined, `partition ${topic.name}-${partitionId} vanished`);
    const outcome = buildPartitionChange({
      topicId: topic.topicId,
      partitionId,
      current,
      election: 'keep',
      isEligible,
      uncleanAllowed: uncleanAllowed(topic),
    });
    if (outcome.record !== null) records.push(outcome.record);
    return true;
  });
  return records;
}
