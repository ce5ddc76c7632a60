/**
 * The TypeScript SDK against real processes (one controller, three brokers on loopback): the
 * idempotent Producer's records come back through the Consumer with the offsets send() gave,
 * keyed records land where Kafka's murmur2 puts them, seeks work (offset, beginning, end,
 * timestamp), and bad input (unknown topic, bad config) is a named error.
 */
import {
  Consumer,
  partitionForKey,
  Producer,
  type Admin,
  type ConsumerRecord,
  type RecordMetadata,
} from '../../packages/client/src';
import { type LocalCluster } from '@sluice/local-cluster';
import { startSluice } from './local-sluice';

jest.setTimeout(60_000);

const TOPIC = 'client-orders';

async function consumeUntil(consumer: Consumer, count: number, timeoutMs = 20_000): Promise<ConsumerRecord[]> {
  const records: ConsumerRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (records.length < count && Date.now() < deadline) records.push(...(await consumer.poll(500)));
  return records;
}

describe('client Producer and Consumer against real brokers', () => {
  let cluster: LocalCluster;
  let admin: Admin;
  let bootstrap: string;

  beforeAll(async () => {
    cluster = await startSluice({ name: 'client-e2e' });
    admin = cluster.admin;
    bootstrap = cluster.brokers.addresses().join(',');
    await admin.createTopic({ name: TOPIC, numPartitions: 6, replicationFactor: 3 });
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
  });

  it('delivers keyed records to murmur2 partitions, once, in order, with the offsets send() reported', async () => {
    const producer = new Producer({ bootstrap, lingerMs: 2 });
    const sent: Promise<RecordMetadata>[] = [];
    const count = 3_000;
    const startMs = Date.now();
    for (let i = 0; i < count; i++)
      sent.push(
        producer.send({ topic: TOPIC, key: `key-${i % 97}`, value: `value-${i}`, headers: { seq: String(i) } }),
      );
    const acked = await Promise.all(sent);
    await producer.close();
    expect(producer.stats().producerId).toBeGreaterThanOrEqual(0);

    // Keyed records: the partition Kafka's default partitioner picks for the same key.
    acked.forEach((meta, i) => expect(meta.partition).toBe(partitionForKey(Buffer.from(`key-${i % 97}`), 6)));
    // Offsets per partition are 0..n-1 in send order (one producer, idempotent, ordered).
    const byPartition = new Map<number, number[]>();
    acked.forEach((meta, i) => byPartition.set(meta.partition, [...(byPartition.get(meta.partition) ?? []), i]));
    for (const indexes of byPartition.values())
      expect(indexes.map((i) => acked[i]!.offset)).toEqual(indexes.map((_, n) => n));

    const consumer = new Consumer({ bootstrap, autoOffsetReset: 'earliest' });
    try {
      await consumer.assignTopics([TOPIC]);
      const records = await consumeUntil(consumer, count);
      expect(records).toHaveLength(count);
      const seen = new Map(records.map((r) => [`${r.partition}/${r.offset}`, r]));
      expect(seen.size).toBe(count);
      acked.forEach((meta, i) => {
        const record = seen.get(`${meta.partition}/${meta.offset}`)!;
        expect(record.value?.toString()).toBe(`value-${i}`);
        expect(record.key?.toString()).toBe(`key-${i % 97}`);
        expect(record.headers).toEqual([{ key: 'seq', value: Buffer.from(String(i)) }]);
        expect(record.timestamp).toBeGreaterThanOrEqual(startMs);
      });
      // Nothing more arrives: no duplicates.
      expect(await consumer.poll(300)).toEqual([]);
      const ends = await consumer.endOffsets(consumer.assignment());
      expect([...ends.values()].reduce((sum, o) => sum + o.offset, 0)).toBe(count);
    } finally {
      consumer.close();
    }
  });

  it('seeks to an offset, the beginning, the end and a timestamp', async () => {
    const topic = 'client-seeks';
    await admin.createTopic({ name: topic, numPartitions: 1, replicationFactor: 3 });
    const producer = new Producer({ bootstrap, compression: 'zstd' });
    const base = 1_700_000_000_000;
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        producer.send({ topic, partition: 0, value: `v${i}`, timestamp: base + i * 1_000 }),
      ),
    );
    await producer.close();

    const consumer = new Consumer({ bootstrap, autoOffsetReset: 'none' });
    const tp = { topic, partition: 0 };
    try {
      consumer.assign([tp]);
      // auto.offset.reset=none and no position: a named error, not a silent start.
      await expect(consumer.poll(200)).rejects.toMatchObject({ errorName: 'OFFSET_OUT_OF_RANGE' });
      consumer.seek(tp, 40);
      expect((await consumeUntil(consumer, 60)).map((r) => r.offset)).toEqual(
        Array.from({ length: 60 }, (_, i) => 40 + i),
      );
      consumer.seekToBeginning();
      expect(await consumer.position(tp)).toBe(0);
      consumer.seekToEnd();
      expect(await consumer.position(tp)).toBe(100);
      await consumer.seekToTimestamp(base + 72_500);
      expect(await consumer.position(tp)).toBe(73);
      expect((await consumer.poll(2_000))[0]?.value?.toString()).toBe('v73');
      await consumer.seekToTimestamp(base + 10_000_000);
      expect(await consumer.position(tp)).toBe(100);
      // The Admin asks the same leaders (brokers found through the controller).
      expect((await admin.listOffsets([tp], 'earliest')).get(Consumer.key(tp))?.offset).toBe(0);
      expect((await admin.listOffsets([tp], 'latest')).get(Consumer.key(tp))?.offset).toBe(100);
      expect((await admin.listOffsets([tp], { timestampMs: base + 72_500 })).get(Consumer.key(tp))).toEqual({
        offset: 73,
        timestamp: base + 73_000,
      });
      await expect(admin.listOffsets([{ topic, partition: 5 }], 'latest')).rejects.toMatchObject({
        errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    } finally {
      consumer.close();
    }
  });

  it('reads a backlog through many small fetches ahead of poll(): every offset once, in order, also across a seek', async () => {
    const topic = 'client-fetch-ahead';
    await admin.createTopic({ name: topic, numPartitions: 1, replicationFactor: 3 });
    const producer = new Producer({ bootstrap, batchSizeBytes: 1_024, lingerMs: 1 });
    const count = 2_000;
    await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, partition: 0, value: `v${i}` })));
    await producer.close();

    // 4 KiB per fetch and 50 records per poll: the consumer fetches ahead while records are
    // buffered, so most answers are appended behind records poll() has not handed out yet.
    const consumer = new Consumer({
      bootstrap,
      autoOffsetReset: 'earliest',
      maxPartitionFetchBytes: 4_096,
      maxPollRecords: 50,
    });
    const tp = { topic, partition: 0 };
    const valuesOf = (records: readonly ConsumerRecord[]): string[] => records.map((r) => r.value!.toString());
    try {
      consumer.assign([tp]);
      const firstHalf = await consumeUntil(consumer, count / 2);
      expect(firstHalf.map((r) => r.offset)).toEqual(Array.from({ length: firstHalf.length }, (_, i) => i));
      expect(valuesOf(firstHalf)).toEqual(firstHalf.map((r) => `v${r.offset}`));
      // A seek drops what was buffered or fetched ahead: the next records start at the seek.
      consumer.seek(tp, 300);
      const rest = await consumeUntil(consumer, count - 300);
      expect(rest.map((r) => r.offset)).toEqual(Array.from({ length: count - 300 }, (_, i) => 300 + i));
      expect(valuesOf(rest)).toEqual(rest.map((r) => `v${r.offset}`));
      expect(await consumer.poll(300)).toEqual([]);
      expect(await consumer.position(tp)).toBe(count);
    } finally {
      consumer.close();
    }
  });

  it('hands out buffered partitions in turns and fetches the partitions of one broker together', async () => {
    const topic = 'client-fetch-turns';
    const partitions = 6;
    const perPartition = 300;
    await admin.createTopic({ name: topic, numPartitions: partitions, replicationFactor: 3 });
    // Small batches (about 25 records each), so that a 1 KiB fetch ends after a batch or two.
    const producer = new Producer({ bootstrap, batchSizeBytes: 512, lingerMs: 1 });
    await Promise.all(
      Array.from({ length: partitions * perPartition }, (_, i) =>
        producer.send({ topic, partition: i % partitions, value: `p${i % partitions}-${Math.floor(i / partitions)}` }),
      ),
    );
    await producer.close();

    // 10 records a poll, 1 KiB fetches (dozens of records each): a backlog read of many fetches.
    const consumer = new Consumer({
      bootstrap,
      autoOffsetReset: 'earliest',
      maxPollRecords: 10,
      maxPartitionFetchBytes: 1_024,
    });
    const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    try {
      consumer.assign(tps);
      const records: ConsumerRecord[] = [...(await consumer.poll(10_000))];
      // Let every partition's first answer arrive: each then holds several polls' worth.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const firstOfPolls: number[] = [];
      for (let polls = 0; polls < 12; polls++) {
        const got = await consumer.poll(1_000);
        if (got.length > 0) firstOfPolls.push(got[0]!.partition);
        records.push(...got);
      }
      // Taking turns: twelve polls reach every partition (one after another, the first partition
      // alone would fill them all).
      expect(new Set(firstOfPolls).size).toBe(partitions);
      records.push(...(await consumeUntil(consumer, partitions * perPartition - records.length)));
      expect(records).toHaveLength(partitions * perPartition);
      for (let partition = 0; partition < partitions; partition++) {
        const mine = records.filter((r) => r.partition === partition);
        expect(mine.map((r) => r.offset)).toEqual(Array.from({ length: perPartition }, (_, i) => i));
        expect(mine.map((r) => r.value!.toString())).toEqual(mine.map((r) => `p${partition}-${r.offset}`));
      }
      expect(await consumer.poll(300)).toEqual([]);
      const stats = consumer.fetchStats();
      // Some broker leads two or more partitions; their buffers drain in turns, and the broker's
      // fetch waits for the fuller one to drain, so each Fetch carries its partitions together
      // (not one per Fetch, the moment each drained), and never more than two are out.
      expect(stats.maxFetchesInFlightPerBroker).toBeGreaterThanOrEqual(1);
      expect(stats.maxFetchesInFlightPerBroker).toBeLessThanOrEqual(2);
      expect(stats.partitionsFetched).toBeGreaterThanOrEqual(1.5 * stats.fetchRequests);
      // Each answer holds at most 1 KiB (two batches) per partition: many fetches for the backlog.
      expect(stats.fetchRequests).toBeGreaterThanOrEqual(stats.fetchedBytes / (2 * 1_024 * partitions));
      expect(stats.fetchedBytes).toBeGreaterThan(partitions * perPartition * 6);
    } finally {
      consumer.close();
    }
  });

  it('names bad input: unknown topic, bad config, out-of-range partition', async () => {
    const producer = new Producer({ bootstrap, maxBlockMs: 1_000 });
    try {
      await expect(producer.send({ topic: 'no-such-topic', value: 'x' })).rejects.toMatchObject({
        errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
      await expect(producer.send({ topic: TOPIC, partition: 6, value: 'x' })).rejects.toMatchObject({
        errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    } finally {
      await producer.close();
    }
    expect(() => new Producer({ bootstrap, acks: 1, enableIdempotence: true })).toThrow(
      expect.objectContaining({ errorName: 'INVALID_CONFIG' }),
    );
    expect(() => new Producer({ bootstrap, compression: 'brotli' as 'gzip' })).toThrow(
      expect.objectContaining({ errorName: 'INVALID_CONFIG' }),
    );
    const consumer = new Consumer({ bootstrap });
    try {
      await expect(consumer.assignTopics(['no-such-topic'])).rejects.toMatchObject({
        errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    } finally {
      consumer.close();
    }
  });
});
