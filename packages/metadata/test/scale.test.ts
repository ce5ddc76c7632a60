/**
 * A modest-scale check (100,000 partitions) of the compact partition storage, structural
 * sharing and streaming snapshots. No timing assertions: benchmarks live in bench/.
 */
import {
  MetadataDelta,
  MetadataImage,
  loadSnapshot,
  snapshotChunks,
  uuidFromBytes,
  type MetadataRecord,
} from '@sluice/metadata';

const TOPICS = 1_000;
const PARTITIONS_PER_TOPIC = 100;
const BROKERS = 12;

function topicId(index: number): string {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(12, index + 1);
  bytes[0] = 0x5a;
  return uuidFromBytes(bytes);
}

function buildImage(): MetadataImage {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  let offset = 0;
  const replay = (record: MetadataRecord): void => delta.replay(record, { offset: offset++, epoch: 1 });
  for (let brokerId = 0; brokerId < BROKERS; brokerId++) {
    replay({
      type: 'BrokerRegistration',
      brokerId,
      brokerEpoch: offset,
      incarnationId: topicId(10_000 + brokerId),
      listeners: [{ name: 'PLAINTEXT', host: `broker-${brokerId}`, port: 9092 }],
      rack: `rack-${brokerId % 3}`,
      fenced: false,
    });
  }
  for (let t = 0; t < TOPICS; t++) {
    const id = topicId(t);
    replay({ type: 'Topic', name: `topic-${t}`, topicId: id });
    for (let p = 0; p < PARTITIONS_PER_TOPIC; p++) {
      const replicas = [(t + p) % BROKERS, (t + p + 1) % BROKERS, (t + p + 2) % BROKERS];
      replay({
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
  return delta.apply();
}

function snapshotBytes(image: MetadataImage): Buffer {
  return Buffer.concat([...snapshotChunks(image)]);
}

describe('100,000-partition image', () => {
  const image = buildImage();

  it('holds every partition compactly', () => {
    expect(image.topics.topicCount).toBe(TOPICS);
    expect(image.topics.partitionCount).toBe(TOPICS * PARTITIONS_PER_TOPIC);
    // 6 header ints + 3 replicas + 3 isr + 1 start offset = 13 int32s = 52 bytes per partition.
    expect(image.topics.partitionTableBytes()).toBeLessThanOrEqual(TOPICS * (PARTITIONS_PER_TOPIC * 52 + 4));
    const topic = image.topics.topicByName('topic-999');
    expect(topic?.partition(99)).toMatchObject({ leader: (999 + 99) % BROKERS, leaderEpoch: 0 });
  });

  it('copies only the changed topic on a partition change', () => {
    const delta = new MetadataDelta(image);
    const id = topicId(500);
    const before = image.topics.partition(id, 42);
    const isr = Array.from(before?.isr ?? []).slice(1);
    delta.replay({ type: 'PartitionChange', topicId: id, partitionId: 42, isr, leader: isr[0] as number });
    const next = delta.apply();
    expect(next.topics.partition(id, 42)).toMatchObject({ leader: isr[0], leaderEpoch: 1, partitionEpoch: 1 });
    expect(image.topics.partition(id, 42)).toEqual(before);
    expect(next.topics.partition(id, 43)).toEqual(image.topics.partition(id, 43));
    let shared = 0;
    for (const topic of next.topics.topics()) if (image.topics.topicById(topic.topicId) === topic) shared++;
    expect(shared).toBe(TOPICS - 1);
  });

  it('streams a snapshot in bounded chunks and loads it back identically', async () => {
    const chunks = [...snapshotChunks(image)];
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(1024 * 1024 + 12);
    const bytes = Buffer.concat(chunks);
    const loaded = await loadSnapshot(bytes);
    expect(loaded.topics.partitionCount).toBe(TOPICS * PARTITIONS_PER_TOPIC);
    expect(loaded.provenance).toEqual(image.provenance);
    // Equal images write byte-identical snapshots.
    expect(snapshotBytes(loaded).equals(bytes)).toBe(true);
  });
});
