/**
 * The durability checker, with real processes on loopback: one controller, three brokers, a
 * topic of 6 partitions with replication factor 3 (min.insync.replicas 2). An idempotent
 * acks=all Producer writes numbered records while the test kill -9s the leader of a partition
 * (a different broker each round) and restarts it. A tailing Consumer reads all along.
 *
 * Then a fresh Consumer reads every partition up to its end and the checker proves:
 * - every acknowledged record is in the log at the offset send() reported, with its value;
 * - no record is there twice (retries across leader changes were deduplicated);
 * - within a partition, records are in send order;
 * - every record the tailing consumer saw during the chaos is still there at the same offset
 *   (a consumer never saw an offset that later vanished), and it saw offsets without gaps;
 * - the restarted brokers are back in every partition's ISR.
 */
import { Consumer, Producer, type Admin, type ConsumerRecord, type RecordMetadata } from '../../packages/client/src';
import { sleep, waitFor, type LocalCluster, type LocalRole } from '@sluice/local-cluster';
import { SECURITY_MODES, startSluice } from './local-sluice';

jest.setTimeout(180_000);

const TOPIC = 'checked';
const PARTITIONS = 6;
const KILL_ROUNDS = 4;
/** Outstanding sends the writer allows (back-pressure on top of buffer.memory). */
const MAX_PENDING = 500;

interface Acked {
  readonly index: number;
  readonly meta: RecordMetadata;
}

// Once as it always ran, and once with TLS, OIDC tokens and ACLs on (local-sluice.ts).
describe.each(SECURITY_MODES)('kill -9 of partition leaders under an idempotent acks=all producer (%s)', (mode) => {
  let cluster: LocalCluster;
  let brokers: LocalRole;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await startSluice({
      secure: mode === 'secure',
      name: 'kill-leaders',
      controllerConfig: { 'broker.session.timeout.ms': 2_000 },
      brokerConfig: { 'replica.fetch.wait.max.ms': 200, 'replica.lag.time.max.ms': 5_000 },
    });
    ({ brokers, admin } = cluster);
    await admin.createTopic({ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 });
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
  });

  it('loses no acknowledged record, duplicates none, keeps order, and never shows an offset that later vanishes', async () => {
    const bootstrap = brokers.addresses().join(',');
    const producer = new Producer({
      bootstrap,
      acks: 'all',
      lingerMs: 5,
      deliveryTimeoutMs: 90_000,
      requestTimeoutMs: 5_000,
      retryBackoffMs: 50,
      retryBackoffMaxMs: 500,
    });
    const acked: Acked[] = [];
    const failed: { index: number; error: unknown }[] = [];
    let writing = true;
    let sentCount = 0;

    // The writer: numbered records, keyed so every partition gets some; bounded outstanding sends.
    const writer = (async () => {
      const pending = new Set<Promise<void>>();
      while (writing) {
        const index = sentCount++;
        const sent = producer
          .send({ topic: TOPIC, key: `k${index % 64}`, value: `r${index}` })
          .then(
            (meta) => void acked.push({ index, meta }),
            (error: unknown) => void failed.push({ index, error }),
          )
          .finally(() => pending.delete(sent));
        pending.add(sent);
        if (pending.size >= MAX_PENDING) await Promise.race(pending);
        if (index % 50 === 0) await sleep(1);
      }
      await Promise.all(pending);
    })();

    // The tailing consumer: what a reader saw while leaders died.
    const tail = new Consumer({ bootstrap, autoOffsetReset: 'earliest', fetchMaxWaitMs: 200, requestTimeoutMs: 5_000 });
    const tailSeen = new Map<string, string>();
    const tailNext = new Map<number, number>();
    const tailGaps: string[] = [];
    let tailing = true;
    tail.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
    const tailer = (async () => {
      while (tailing) {
        for (const record of await tail.poll(200)) {
          const expected = tailNext.get(record.partition) ?? 0;
          if (record.offset !== expected)
            tailGaps.push(`partition ${record.partition}: expected offset ${expected}, got ${record.offset}`);
          tailNext.set(record.partition, record.offset + 1);
          tailSeen.set(`${record.partition}/${record.offset}`, record.value?.toString() ?? '');
        }
      }
    })();

    // The chaos: kill -9 the leader of a partition, a different broker each round, then restart it.
    const killed: number[] = [];
    await sleep(1_500);
    for (let round = 0; round < KILL_ROUNDS; round++) {
      const topic = await admin.describeTopic(TOPIC);
      const candidates = topic.partitions
        .map((p) => p.leader)
        .filter((leader) => leader >= 0 && leader !== killed.at(-1));
      const victim = candidates[round % candidates.length];
      if (victim === undefined)
        throw new Error(`round ${round}: no partition leader to kill (${JSON.stringify(topic.partitions)})`);
      const ackedBefore = acked.length;
      await brokers.kill(victim, 'SIGKILL');
      killed.push(victim);
      // Writes go on through the other leaders while the controller fences the dead broker.
      await waitFor(
        `writes to continue after killing broker ${victim}`,
        () => acked.length > ackedBefore + 200,
        30_000,
      );
      await sleep(1_000);
      brokers.start(victim);
      await waitFor(
        `broker ${victim} back in every ISR`,
        async () => (await admin.describeTopic(TOPIC)).partitions.every((p) => p.isr.length === 3),
        45_000,
      );
      await sleep(500);
    }

    writing = false;
    await writer;
    await producer.close({ timeoutMs: 30_000 });
    tailing = false;
    await tailer;
    tail.close();

    // Read everything back with a fresh consumer, up to each partition's end offset.
    const reader = new Consumer({ bootstrap, autoOffsetReset: 'earliest' });
    const all: ConsumerRecord[] = [];
    try {
      const assignment = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition }));
      reader.assign(assignment);
      const ends = await reader.endOffsets(assignment);
      const total = [...ends.values()].reduce((sum, end) => sum + end.offset, 0);
      const deadline = Date.now() + 60_000;
      while (all.length < total && Date.now() < deadline) all.push(...(await reader.poll(500)));
      expect(all.length).toBe(total);
    } finally {
      reader.close();
    }

    const stats = producer.stats();
    process.stdout.write(
      `kill-leaders: ${KILL_ROUNDS} kills (brokers ${killed.join(', ')}), ${sentCount} sent, ${acked.length} acknowledged, ${failed.length} failed, ` +
        `${all.length} in the log, ${stats.retries} batch retries, ${stats.requests} produce requests, ${stats.metadataRefreshes} metadata refreshes, ${tailSeen.size} seen by the tailing consumer\n`,
    );

    // Every send has an outcome; with retries for 90 s and the cluster back, all succeed.
    expect(acked.length + failed.length).toBe(sentCount);
    expect(failed.map((f) => `${f.index}: ${String(f.error)}`)).toEqual([]);
    expect(new Set(killed).size).toBeGreaterThanOrEqual(2);

    const byPosition = new Map(all.map((r) => [`${r.partition}/${r.offset}`, r.value?.toString() ?? '']));
    // 1. Every acknowledged record is where send() said, with its value.
    const missing = acked.filter((a) => byPosition.get(`${a.meta.partition}/${a.meta.offset}`) !== `r${a.index}`);
    expect(
      missing
        .slice(0, 10)
        .map(
          (a) =>
            `r${a.index} at ${a.meta.partition}/${a.meta.offset}: found ${byPosition.get(`${a.meta.partition}/${a.meta.offset}`)}`,
        ),
    ).toEqual([]);
    // 2. None twice.
    const counts = new Map<string, number>();
    for (const r of all) counts.set(r.value?.toString() ?? '', (counts.get(r.value?.toString() ?? '') ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1).slice(0, 10)).toEqual([]);
    // 3. Send order within each partition.
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const indexes = all
        .filter((r) => r.partition === partition)
        .sort((a, b) => a.offset - b.offset)
        .map((r) => Number(r.value!.toString().slice(1)));
      const outOfOrder = indexes.findIndex((index, i) => i > 0 && index <= indexes[i - 1]!);
      expect({ partition, outOfOrder }).toEqual({ partition, outOfOrder: -1 });
    }
    // 4. What the tailing consumer saw is still there, and it saw no gaps.
    const vanished = [...tailSeen].filter(([position, value]) => byPosition.get(position) !== value);
    expect(vanished.slice(0, 10)).toEqual([]);
    expect(tailGaps.slice(0, 10)).toEqual([]);
    expect(tailSeen.size).toBeGreaterThan(0);
    // 5. Everyone is back in sync.
    await waitFor(
      'full ISRs',
      async () => (await admin.describeTopic(TOPIC)).partitions.every((p) => p.isr.length === 3),
      30_000,
    );
  });
});
