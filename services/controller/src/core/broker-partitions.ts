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

/** A partition to start a scan at: a topic (by id) and a partition index in it. */
export interface ScanPosition {
  readonly topicId: string;
  readonly partitionId: number;
}

/**
 * Where the bounded move passes stopped (the core's soft state, reset with each controller
 * term). Only an optimization: a scan may start anywhere, as it goes round every partition
 * once; starting where the last one stopped makes the chunks of one fence cost about one pass
 * over the partitions in all, not one pass each.
 */
export interface MoveScanState {
  /** Where the pass moving leadership off leaving brokers resumes. */
  leaders: ScanPosition | null;
  /** Where the pass removing leaving brokers from ISRs resumes. */
  isr: ScanPosition | null;
  /** The leaving set (ids joined) of the last call; another set starts the leaders pass afresh. */
  leavingKey: string;
  /** Set once the leaders pass went round without reaching its limit for `leavingKey`. */
  leadersDone: boolean;
}

export function newMoveScanState(): MoveScanState {
  return { leaders: null, isr: null, leavingKey: '', leadersDone: false };
}

/** First index in sorted `ids` whose id is >= `id`. */
function lowerBound(ids: readonly string[], id: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((ids[mid] as string) < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Visits every partition once, topics in id order, starting at `start` and wrapping around to
 * the partitions before it, until `visit` returns false. Returns where it stopped (the partition
 * `visit` refused, to be visited first next time), or null when it went all the way round.
 */
function scanFrom(
  image: MetadataImage,
  start: ScanPosition | null,
  visit: (topic: TopicImage, partitionId: number) => boolean,
): ScanPosition | null {
  const ids = image.topics.sortedTopicIds();
  if (ids.length === 0) return null;
  let first = start === null ? 0 : lowerBound(ids, start.topicId);
  let firstPartition = 0;
  if (first >= ids.length) first = 0;
  else if (start !== null && ids[first] === start.topicId) firstPartition = start.partitionId;
  for (let step = 0; step <= ids.length; step++) {
    const topic = image.topics.topicById(ids[(first + step) % ids.length] as string) as TopicImage;
    // The start topic twice: from `firstPartition` first, its earlier partitions at the very end.
    const from = step === 0 ? Math.min(firstPartition, topic.partitionCount) : 0;
    const to = step === ids.length ? Math.min(firstPartition, topic.partitionCount) : topic.partitionCount;
    for (let partitionId = from; partitionId < to; partitionId++)
      if (!visit(topic, partitionId)) return { topicId: topic.topicId, partitionId };
  }
  return null;
}

/**
 * Removes `leaving` brokers from every ISR they are in and re-elects where they led, for at
 * most `limit` partitions. The ISR never becomes empty: a partition whose last ISR member
 * leaves keeps it, leaderless, unless an eligible ELR member can lead or unclean election is
 * enabled for the topic and another eligible replica exists. Brokers with lost replicas
 * (`lostReplicas`, all of them fenced, so among `leaving`) leave every ISR and ELR outright,
 * even as the last ISR member.
 *
 * Leadership first: while a partition is led by a leaving broker nobody can write or read it,
 * while a leaving broker left in an ISR (or a lost one in an ELR) holds back acks=all or a clean
 * election only; so a first pass moves every leadership off leaving brokers before a second pass
 * takes them out of the remaining ISRs and ELRs. Each pass resumes where its previous chunk
 * stopped (`scan`). A call says `more: false` only after the second pass went round every
 * partition without reaching the limit, so nothing is left to move whatever `scan` held.
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
  scan: MoveScanState = newMoveScanState(),
): BoundedMoves {
  assert(Number.isSafeInteger(limit) && limit >= 1, `move limit ${limit} must be a positive integer`);
  const leavingSet = new Set(leaving);
  const lost = election.lostReplicas;
  for (const id of lost) assert(leavingSet.has(id), `broker ${id} with lost replicas is not leaving`);
  const leavingKey = [...leavingSet].sort((a, b) => a - b).join(',');
  if (scan.leavingKey !== leavingKey) {
    // Another set of brokers leaving (one more fenced, one back): its leaderships come first again.
    scan.leavingKey = leavingKey;
    scan.leadersDone = false;
  }
  if (leaving.length === 0) return { records: [], more: false };
  const eligible: Eligibility = (id) => !leavingSet.has(id) && election.isEligible(id);
  const uncleanAllowed = uncleanLookup(image, election.uncleanDefault);
  const minInsync = minInsyncLookup(image, election.minInsyncDefault);
  const records: PartitionChangeRecord[] = [];

  /** Adds the partition's move if it needs one; false when the chunk is full (stop here). */
  const collect = (topic: TopicImage, partitionId: number): boolean => {
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
    if (records.length >= limit) return false;
    records.push(outcome.record);
    return true;
  };

  const leadersPassRuns = !scan.leadersDone;
  if (leadersPassRuns) {
    // The cheap test first: the leader straight from the table, nothing materialized.
    scan.leaders = scanFrom(image, scan.leaders, (topic, partitionId) =>
      leavingSet.has(topic.partitions.leader(partitionId)) ? collect(topic, partitionId) : true,
    );
    if (scan.leaders !== null) return { records, more: true };
    scan.leadersDone = true;
  }
  scan.isr = scanFrom(image, scan.isr, (topic, partitionId) => {
    const table = topic.partitions;
    // Already moved by this call's leaders pass (which went all the way round).
    if (leadersPassRuns && leavingSet.has(table.leader(partitionId))) return true;
    // Without materializing the partition: a leaving broker in the ISR, or a lost one in the ELR.
    let touched = false;
    for (const id of leaving)
      if (table.isrIncludes(partitionId, id) || (lost.has(id) && table.elrIncludes(partitionId, id))) touched = true;
    return touched ? collect(topic, partitionId) : true;
  });
  return { records, more: scan.isr !== null };
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
