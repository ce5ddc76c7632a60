/**
 * Partition changes driven by a broker's state: moving leadership and ISR membership off
 * brokers being fenced or shut down, and electing leaders for leaderless partitions when a
 * broker comes back. The image has no broker-to-partition index, so these scan every partition
 * with an allocation-free replica check; a million partitions is a few tens of milliseconds.
 */
import { NO_LEADER, type MetadataImage, type PartitionChangeRecord, type TopicImage } from '@sluice/metadata';
import { assert } from './assert';
import { uncleanLeaderElectionEnabled } from './configuration-control';
import { buildPartitionChange } from './partition-change';

export type Eligibility = (brokerId: number) => boolean;

function* partitionsWithAnyReplica(image: MetadataImage, brokerIds: ReadonlySet<number>): Generator<[TopicImage, number]> {
  for (const topic of image.topics.sortedTopics()) {
    for (let partitionId = 0; partitionId < topic.partitionCount; partitionId++) {
      for (const brokerId of brokerIds) {
        if (topic.partitions.hasReplica(partitionId, brokerId)) {
          yield [topic, partitionId];
          break;
        }
      }
    }
  }
}

/**
 * Removes `leaving` brokers from every ISR they are in and re-elects where they led. The ISR
 * never becomes empty: a partition whose last ISR member leaves keeps it, leaderless, unless
 * unclean election is enabled for the topic and another eligible replica exists.
 */
export function movesOffBrokers(
  image: MetadataImage,
  leaving: ReadonlySet<number>,
  isEligible: Eligibility,
  uncleanDefault: boolean,
): PartitionChangeRecord[] {
  const eligible: Eligibility = (id) => !leaving.has(id) && isEligible(id);
  const records: PartitionChangeRecord[] = [];
  for (const [topic, partitionId] of partitionsWithAnyReplica(image, leaving)) {
    const current = topic.partitions.getPlain(partitionId);
    assert(current !== undefined, `partition ${topic.name}-${partitionId} vanished`);
    const leavingMembers = [...leaving].filter((id) => current.isr.includes(id));
    if (leavingMembers.length === 0) continue;
    let targetIsr = current.isr.filter((id) => !leaving.has(id));
    // As if the brokers left one by one in `leaving` order: the last one out stays as the
    // single ISR member of a now leaderless partition (the ISR is never empty).
    if (targetIsr.length === 0) targetIsr = [leavingMembers[leavingMembers.length - 1] as number];
    const outcome = buildPartitionChange({
      topicId: topic.topicId,
      partitionId,
      current,
      targetIsr,
      election: 'keep',
      isEligible: eligible,
      uncleanAllowed: uncleanLeaderElectionEnabled(image, topic.name, uncleanDefault),
    });
    assert(outcome.leader === NO_LEADER || !leaving.has(outcome.leader), `leader ${outcome.leader} is leaving`);
    if (outcome.record !== null) records.push(outcome.record);
  }
  return records;
}

/** Elects leaders for leaderless partitions that `brokerId` (now eligible) is a replica of. */
export function electionsForReturningBroker(
  image: MetadataImage,
  brokerId: number,
  isEligible: Eligibility,
  uncleanDefault: boolean,
): PartitionChangeRecord[] {
  assert(isEligible(brokerId), `broker ${brokerId} is not eligible to lead`);
  const records: PartitionChangeRecord[] = [];
  for (const [topic, partitionId] of partitionsWithAnyReplica(image, new Set([brokerId]))) {
    if (topic.leader(partitionId) !== NO_LEADER) continue;
    const current = topic.partitions.getPlain(partitionId);
    assert(current !== undefined, `partition ${topic.name}-${partitionId} vanished`);
    const outcome = buildPartitionChange({
      topicId: topic.topicId,
      partitionId,
      current,
      election: 'keep',
      isEligible,
      uncleanAllowed: uncleanLeaderElectionEnabled(image, topic.name, uncleanDefault),
    });
    if (outcome.record !== null) records.push(outcome.record);
  }
  return records;
}

/** Partitions `brokerId` leads in the image. */
export function leaderCount(image: MetadataImage, brokerId: number): number {
  let count = 0;
  for (const [topic, partitionId] of partitionsWithAnyReplica(image, new Set([brokerId]))) {
    if (topic.leader(partitionId) === brokerId) count++;
  }
  return count;
}
