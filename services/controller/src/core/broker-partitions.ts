/**
 * Partition changes driven by a broker's state: moving leadership and ISR membership off
 * brokers being fenced or shut down, and electing leaders for leaderless partitions when a
 * broker comes back. The image has no broker-to-partition index, so these scan every partition
 * with an allocation-free replica check (see the scale test for the cost).
 */
import { NO_LEADER, type MetadataImage, type PartitionChangeRecord, type TopicImage } from '@sluice/metadata';
import { assert } from './assert';
import { uncleanLeaderElectionEnabled } from './configuration-control';
import { minInsyncLookup } from './eligible-leaders';
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

/** What every election in a scan needs besides the partition: who may lead, and the topic defaults. */
export interface ElectionContext {
  readonly isEligible: Eligibility;
  /** The controller's unclean.leader.election.enable, when neither topic nor cluster sets it. */
  readonly uncleanDefault: boolean;
  /** The controller's min.insync.replicas, when neither topic nor cluster sets it. */
  readonly minInsyncDefault: number;
  /** Brokers whose replicas are void (registered without a log directory they had). */
  readonly lostReplicas: ReadonlySet<number>;
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
 * empty: a partition whose last ISR member leaves keeps it, leaderless, unless an eligible ELR
 * member can lead or unclean election is enabled for the topic and another eligible replica
 * exists. Brokers with lost replicas (`lostReplicas`, all of them fenced, so among `leaving`)
 * leave every ISR and ELR outright, even as the last ISR member.
 *
 * Each record is the whole change of one partition (ISR, ELR and leader together), so a
 * bounded batch never half-moves a partition: a partition is either untouched (still naming a
 * leaving broker, picked up by the next call) or done. Calling again on the image with the
 * records applied continues where this one stopped, since finished partitions produce no record.
 */
export function movesOffBrokers(
  image: MetadataImage,
  leaving: readonly number[],
  election: ElectionContext,
  limit: number,
): BoundedMoves {
  assert(Number.isSafeInteger(limit) && limit >= 1, `move limit ${limit} must be a positive integer`);
  const leavingSet = new Set(leaving);
  const lost = election.lostReplicas;
  for (const id of lost) assert(leavingSet.has(id), `broker ${id} with lost replicas is not leaving`);
  const eligible: Eligibility = (id) => !leavingSet.has(id) && election.isEligible(id);
  const uncleanAllowed = uncleanLookup(image, election.uncleanDefault);
  const minInsync = minInsyncLookup(image, election.minInsyncDefault);
  const records: PartitionChangeRecord[] = [];
  let more = false;
  forPartitionsWithAnyReplica(image, leaving, (topic, partitionId) => {
    // Cheap pre-check without materializing the partition: skip when no leaving broker is in
    // the ISR and no broker with lost replicas is in the ELR.
    let touched = false;
    for (const id of leaving)
      if (
        topic.partitions.isrIncludes(partitionId, id) ||
        (lost.has(id) && topic.partitions.elrIncludes(partitionId, id))
      )
        touched = true;
    if (!touched) return true;
    const current = topic.partitions.getPlain(partitionId);
    assert(current !== undefined, `partition ${topic.name}-${partitionId} vanished`);
    let lastLeavingMember: number | undefined;
    for (const id of leaving) if (current.isr.includes(id) && !lost.has(id)) lastLeavingMember = id;
    let targetIsr = current.isr.filter((id) => !leavingSet.has(id));
    // As if the brokers left one by one in `leaving` order: the last one out stays as the
    // single ISR member of a now leaderless partition, unless its replicas are lost too.
    if (targetIsr.length === 0 && lastLeavingMember !== undefined) targetIsr = [lastLeavingMember];
    const outcome = buildPartitionChange({
      topicId: topic.topicId,
      partitionId,
      current,
      targetIsr,
      election: 'keep',
      isEligible: eligible,
      uncleanAllowed: uncleanAllowed(topic),
      minInsyncReplicas: minInsync(topic.name, current.replicas.length),
      lostReplicas: lost,
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
  election: ElectionContext,
): PartitionChangeRecord[] {
  assert(election.isEligible(brokerId), `broker ${brokerId} is not eligible to lead`);
  assert(!election.lostReplicas.has(brokerId), `broker ${brokerId} returns with lost replicas still counted`);
  const uncleanAllowed = uncleanLookup(image, election.uncleanDefault);
  const minInsync = minInsyncLookup(image, election.minInsyncDefault);
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
      isEligible: election.isEligible,
      uncleanAllowed: uncleanAllowed(topic),
      minInsyncReplicas: minInsync(topic.name, current.replicas.length),
      lostReplicas: election.lostReplicas,
    });
    if (outcome.record !== null) records.push(outcome.record);
    return true;
  });
  return records;
}
