/**
 * Where a tiered topic's partitions start remotely and locally: ListOffsets earliest (remote
 * storage included), earliest-local (the leader's disk) and latest, asked of the partition leaders.
 */
import { topicPartitionKey, type Admin, type TopicInfo } from '@sluice/client';

export interface PartitionTieringOffsets {
  readonly partition: number;
  readonly leader: number;
  /** The first offset readable anywhere (ListOffsets earliest). */
  readonly logStartOffset: number;
  /** The first offset on the leader's disk (ListOffsets earliest-local). */
  readonly localLogStartOffset: number;
  readonly highWatermark: number;
}

export function isTiered(topic: TopicInfo): boolean {
  return topic.configs['remote.storage.enable']?.trim().toLowerCase() === 'true';
}

/** The three offsets of every partition of a tiered topic, from its leaders. */
export async function tieringOffsets(admin: Admin, topic: TopicInfo): Promise<PartitionTieringOffsets[]> {
  const partitions = topic.partitions.map((p) => ({ topic: topic.name, partition: p.partition }));
  const [earliest, earliestLocal, latest] = await Promise.all([
    admin.listOffsets(partitions, 'earliest'),
    admin.listOffsets(partitions, 'earliest-local'),
    admin.listOffsets(partitions, 'latest'),
  ]);
  const offsetOf = (map: Map<string, { offset: number }>, partition: number): number =>
    map.get(topicPartitionKey(topic.name, partition))?.offset ?? -1;
  return topic.partitions.map((p) => ({
    partition: p.partition,
    leader: p.leader,
    logStartOffset: offsetOf(earliest, p.partition),
    localLogStartOffset: offsetOf(earliestLocal, p.partition),
    highWatermark: offsetOf(latest, p.partition),
  }));
}
