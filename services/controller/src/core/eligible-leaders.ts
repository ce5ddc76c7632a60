/**
 * Kafka's eligible leader replicas (KIP-966), as this controller keeps them, and the rule for
 * replicas a broker lost with a log directory.
 *
 * Why: with acks=all, a record is acknowledged once every ISR member has it and the ISR holds at
 * least min.insync.replicas members; below that, nothing more is acknowledged and the high
 * watermark stands still (the brokers enforce both). So a replica leaving an ISR that is then
 * below min.insync.replicas still holds every acknowledged record: it goes into the ELR and
 * may be elected when no ISR member can lead, instead of the partition staying offline or an
 * unclean election losing data. Once the ISR is back at min.insync.replicas, acknowledgements
 * resume without the ELR members, so the ELR is cleared.
 *
 * A broker that registers without a log directory it had (replicasLost) holds none of that: it
 * leaves every ISR and ELR, even as the last ISR member (the ISR may then be empty, the
 * partition offline until an ELR member returns or an operator elects uncleanly), and leads
 * nothing it lost. Our departure from KIP-966: the last ISR member of a partition whose other
 * replicas are all gone stays in the ISR (as before ELR) rather than moving into the ELR; the
 * election looks at both, so it is the same set of candidates.
 */
import type { MetadataImage, PartitionChangeRecord } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { topicConfigValue, type ConfigResourceRef } from './configuration-control';

/** min.insync.replicas of a topic as the controller sees it, capped at its replication factor (as the brokers do). */
export function minInsyncReplicasOf(
  image: MetadataImage,
  topicName: string,
  replicationFactor: number,
  defaultValue: number,
): number {
  const configured = Number(topicConfigValue(image, topicName, 'min.insync.replicas') ?? defaultValue);
  const value = Number.isSafeInteger(configured) && configured >= 1 ? configured : 1;
  return Math.min(value, Math.max(1, replicationFactor));
}

/** One lookup per topic per scan (a fence walks every partition). */
export function minInsyncLookup(
  image: MetadataImage,
  defaultValue: number,
): (topicName: string, replicationFactor: number) => number {
  const cache = new Map<string, number>();
  return (topicName, replicationFactor) => {
    const key = `${topicName}\u0000${replicationFactor}`;
    let value = cache.get(key);
    if (value === undefined)
      cache.set(key, (value = minInsyncReplicasOf(image, topicName, replicationFactor, defaultValue)));
    return value;
  };
}

/**
 * The ELR after the ISR went from `currentIsr` to `nextIsr`: the old ELR and whoever left the
 * ISR, minus the new ISR and minus brokers with lost replicas; empty once the ISR has
 * `minInsyncReplicas` members. Order: the old ELR's, then the leavers' in old ISR order.
 */
export function nextEligibleLeaderReplicas(
  currentIsr: readonly number[],
  currentElr: readonly number[],
  nextIsr: readonly number[],
  minInsyncReplicas: number,
  lostReplicas: ReadonlySet<number>,
): number[] {
  if (nextIsr.length >= minInsyncReplicas) return [];
  const elr: number[] = [];
  for (const id of [...currentElr, ...currentIsr])
    if (!nextIsr.includes(id) && !lostReplicas.has(id) && !elr.includes(id)) elr.push(id);
  return elr;
}

/** Brokers whose replicas are void: registered without a directory they had, not unfenced since. */
export function brokersWithLostReplicas(image: MetadataImage): Set<number> {
  const lost = new Set<number>();
  for (const broker of image.cluster.brokers()) if (broker.replicasLost === true) lost.add(broker.brokerId);
  return lost;
}

/**
 * Kafka clears the ELR when min.insync.replicas changes: an ELR entered under the old value
 * may not hold what is acknowledged under the new one (a lower value lets acknowledgements
 * resume without its members). PartitionChange records clearing the ELR of every partition the
 * change reaches (the topic's, or, for a cluster-wide change, those of topics without their
 * own value); refused with POLICY_VIOLATION, changing nothing, past `maxRecords`.
 */
export function elrClearingRecords(
  image: MetadataImage,
  resource: ConfigResourceRef,
  maxRecords: number,
): PartitionChangeRecord[] {
  if (resource.type === 'broker') return [];
  const records: PartitionChangeRecord[] = [];
  for (const topic of image.topics.sortedTopics()) {
    if (resource.type === 'topic' && topic.name !== resource.name) continue;
    if (resource.type === 'cluster' && image.configs.value('topic', topic.name, 'min.insync.replicas') !== undefined)
      continue;
    for (let partitionId = 0; partitionId < topic.partitionCount; partitionId++) {
      const partition = topic.partitions.get(partitionId);
      if (partition === undefined || partition.eligibleLeaderReplicas.length === 0) continue;
      if (records.length >= maxRecords)
        throw new ApiError(
          'POLICY_VIOLATION',
          `changing min.insync.replicas clears the eligible leader replicas of more than ${maxRecords} partitions, ` +
            'more than one operation may write; change it topic by topic',
        );
      records.push({ type: 'PartitionChange', topicId: topic.topicId, partitionId, eligibleLeaderReplicas: [] });
    }
  }
  return records;
}
