/**
 * Large metadata images for the metadata benches, and controllers started on them without
 * creating a million partitions through CreateTopics first: the image is written as each
 * controller's Raft snapshot (DiskRaftStorage, the format a controller writes itself), and the
 * quorum starts from it as after a restart.
 *
 * The image: 6 brokers (ids 0..5, epoch id + 1, unfenced, racks rack-0..2), topics of 100
 * partitions, 3 replicas each spread round the brokers, the first replica leading.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_METADATA_DIR, DiskRaftStorage } from '@sluice/controller';
import { MetadataDelta, MetadataImage, snapshotChunks, uuidFromBytes } from '@sluice/metadata';

export const SEED_BROKERS = 6;
export const SEED_PARTITIONS_PER_TOPIC = 100;
/** The Raft index (and image offset) of a seeded snapshot; its term is 1. */
export const SEED_SNAPSHOT_INDEX = 1_000_000;

export function seedTopicId(index: number): string {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(12, index + 1);
  bytes[0] = 0x5a;
  return uuidFromBytes(bytes);
}

/** The broker epoch of seeded broker `brokerId`. */
export function seedBrokerEpoch(brokerId: number): number {
  return brokerId + 1;
}

/** Replicas of partition `p` of topic `t` (the first leads). */
export function seedReplicas(t: number, p: number): number[] {
  return [(t + p) % SEED_BROKERS, (t + p + 1) % SEED_BROKERS, (t + p + 2) % SEED_BROKERS];
}

/** An image of `partitions` partitions (see the file comment). */
export function buildSeedImage(partitions: number): { image: MetadataImage; topics: number } {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  for (let brokerId = 0; brokerId < SEED_BROKERS; brokerId++) {
    delta.replay({
      type: 'BrokerRegistration',
      brokerId,
      brokerEpoch: seedBrokerEpoch(brokerId),
      incarnationId: seedTopicId(1e9 + brokerId),
      listeners: [{ name: 'PLAINTEXT', host: `broker-${brokerId}`, port: 9092 }],
      rack: `rack-${brokerId % 3}`,
      fenced: false,
    });
  }
  const topics = Math.ceil(partitions / SEED_PARTITIONS_PER_TOPIC);
  for (let t = 0; t < topics; t++) {
    const id = seedTopicId(t);
    delta.replay({ type: 'Topic', name: `topic-${String(t).padStart(7, '0')}`, topicId: id });
    const count = Math.min(SEED_PARTITIONS_PER_TOPIC, partitions - t * SEED_PARTITIONS_PER_TOPIC);
    for (let p = 0; p < count; p++) {
      const replicas = seedReplicas(t, p);
      delta.replay({
        type: 'Partition',
        topicId: id,
        partitionId: p,
        replicas,
        isr: replicas,
        leader: replicas[0] as number,
        leaderEpoch: 0,
        partitionEpoch: 0,
      });
    }
  }
  return {
    image: delta.apply({ lastContainedOffset: SEED_SNAPSHOT_INDEX, lastContainedEpoch: 1 }),
    topics,
  };
}

/** The image as the state machine's snapshot bytes (what a controller's takeSnapshot returns). */
export function seedSnapshotBytes(image: MetadataImage): Buffer {
  return Buffer.concat([...snapshotChunks(image)]);
}

/**
 * Writes the snapshot into a formatted controller's metadata directory, as its Raft snapshot at
 * SEED_SNAPSHOT_INDEX (term 1, committed), with the quorum's fixed voters.
 */
export function seedController(metadataLogDir: string, voters: readonly number[], data: Uint8Array): void {
  const dir = join(metadataLogDir, CLUSTER_METADATA_DIR);
  mkdirSync(dir, { recursive: true });
  const membership = { voters: [...voters].sort((a, b) => a - b), observers: [] };
  const storage = DiskRaftStorage.open({ dir, membership });
  try {
    storage.installSnapshot({ metadata: { index: SEED_SNAPSHOT_INDEX, term: 1, membership }, data });
    storage.setHardState({ term: 1, vote: null, commit: SEED_SNAPSHOT_INDEX });
  } finally {
    storage.close();
  }
}
