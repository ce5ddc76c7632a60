/**
 * Remote data of deleted topics whose last leaders never cleaned it up (a topic deleted while its
 * brokers were down: a restarted broker's metadata image no longer has the topic, so it never
 * leads the partition again and never deletes its uploads). The metadata still names those
 * uploads, so the orphan scrub keeps them; this pass, run by the tiering service, deletes them
 * the way a leader would: DELETE_PARTITION_STARTED, each upload's DELETE_SEGMENT_STARTED /
 * objects / DELETE_SEGMENT_FINISHED, DELETE_PARTITION_FINISHED. A leader doing the same at the
 * same time writes the same steps, which replay takes as no-ops.
 */
import { remoteObjectKeys } from './object-keys';
import type { ObjectStore, ObjectSummary } from './object-store';
import type { RemoteLogMetadataLog } from './metadata-log';
import { RemotePartitionState, type RemoteLogMetadataRecord } from './remote-log-metadata';
import { parseObjectKey } from './scrub';

export interface DeletedPartition {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  /** The newest of its objects' last-modified times. */
  readonly newestObjectMs: number;
}

/**
 * Pure: partitions with objects under `prefix` whose topic id is not a live topic, and whose
 * newest object is at least `graceMs` old (a topic created after the live ids were read cannot
 * have objects listed before them; the grace period covers clocks and a leader still cleaning).
 * `liveTopicIds` must be read after `objects` were listed.
 */
export function deletedTopicPartitions(
  prefix: string,
  objects: readonly ObjectSummary[],
  liveTopicIds: ReadonlySet<string>,
  nowMs: number,
  graceMs: number,
): DeletedPartition[] {
  const found = new Map<string, DeletedPartition>();
  for (const object of objects) {
    const parsed = parseObjectKey(prefix, object.key);
    if (parsed === null || liveTopicIds.has(parsed.topicId)) continue;
    const key = `${parsed.topicId}:${parsed.partition}`;
    const seen = found.get(key);
    found.set(key, {
      topic: parsed.topic,
      topicId: parsed.topicId,
      partition: parsed.partition,
      newestObjectMs: Math.max(seen?.newestObjectMs ?? 0, object.lastModifiedMs),
    });
  }
  return [...found.values()]
    .filter((partition) => nowMs - partition.newestObjectMs >= graceMs)
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/**
 * Deletes every upload the metadata names for one partition of a deleted topic, recording each
 * step durably before the next; returns the uploads deleted. Objects the metadata does not name
 * are left to the orphan scrub.
 */
export async function deleteRemotePartition(options: {
  readonly store: ObjectStore;
  readonly metadataLog: RemoteLogMetadataLog;
  readonly prefix: string;
  readonly partition: DeletedPartition;
  readonly nowMs: () => number;
}): Promise<number> {
  const { topic, topicId, partition } = options.partition;
  const state = new RemotePartitionState(topicId, partition);
  for (const record of await options.metadataLog.replay(topicId, partition)) state.apply(record);
  if (state.deleteState === 'DELETE_PARTITION_FINISHED' && state.all().length === 0) return 0;
  const write = async (record: RemoteLogMetadataRecord): Promise<void> => {
    // Checked on a copy first: a refused step is never written (it would poison every replay).
    state.clone().apply(record);
    await options.metadataLog.append(record);
    state.apply(record);
  };
  const partitionStep = (step: 'DELETE_PARTITION_STARTED' | 'DELETE_PARTITION_FINISHED'): RemoteLogMetadataRecord => ({
    kind: 'partition-delete',
    state: step,
    topicId,
    topic,
    partition,
    eventTimestampMs: options.nowMs(),
  });
  if (state.deleteState === null) await write(partitionStep('DELETE_PARTITION_STARTED'));
  let deleted = 0;
  for (const entry of state.all()) {
    if (entry.state !== 'DELETE_SEGMENT_STARTED')
      await write({
        kind: 'segment',
        state: 'DELETE_SEGMENT_STARTED',
        metadata: entry.metadata,
        eventTimestampMs: options.nowMs(),
      });
    await options.store.deleteMany(remoteObjectKeys(options.prefix, entry.metadata));
    await write({
      kind: 'segment',
      state: 'DELETE_SEGMENT_FINISHED',
      metadata: entry.metadata,
      eventTimestampMs: options.nowMs(),
    });
    deleted++;
  }
  if (state.deleteState !== 'DELETE_PARTITION_FINISHED') await write(partitionStep('DELETE_PARTITION_FINISHED'));
  return deleted;
}
