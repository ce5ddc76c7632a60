/**
 * Power loss, with real processes on loopback: one controller, three brokers whose logs journal
 * every fsync (SLUICE_TEST_FSYNC_JOURNAL_DIR), two topics of 3 partitions with replication factor
 * 3 (min.insync.replicas 2): `durable` (durable.acks.enable=true) and `cached` (Kafka's default;
 * segment.ms 2000, so its segments roll, and are flushed, every two seconds under load).
 *
 * An idempotent acks=all Producer writes numbered records to both while the test cuts the power
 * of brokers: SIGKILL, then every byte each broker had not fdatasynced is dropped from its files
 * (dropUnsyncedBytes: what a power cut leaves when the OS had not written the page cache back),
 * then a restart. First one broker (the leader of a durable partition), then all three at once.
 * A Consumer tails the durable topic all along.
 *
 * Then a fresh Consumer reads everything, and the checker proves:
 * - durable: every acknowledged record is where send() said, even after every replica lost its
 *   page cache; none twice; send order per partition; nothing the tailing consumer saw vanished;
 * - cached, after the one-broker cut: nothing lost (the other replicas had it);
 * - cached, after the cut of all three: what was lost is, per partition, a suffix of what was
 *   acknowledged before the cut (no hole: every acknowledged record below the first lost one is
 *   there), it starts no lower than what the replicas had flushed, and that was at least up to
 *   their second-newest segment (flush on roll): the bound the README documents;
 * - every record read passed its CRC check, and `storage check` finds no damage on any broker.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLogDirectory, dropUnsyncedBytes, PartitionLog, type DroppedBytes } from '@sluice/log';
import { sleep, waitFor, type LocalCluster, type LocalRole } from '@sluice/local-cluster';
import { ApiError } from '@sluice/protocol';
import { Consumer, Producer, type Admin, type ConsumerRecord, type RecordMetadata } from '../../packages/client/src';
import { FSYNC_JOURNAL_DIR_ENV } from '../../services/broker/src/node-options';
import { startSluice } from './local-sluice';

jest.setTimeout(240_000);

const DURABLE = 'durable';
const CACHED = 'cached';
const TOPICS = [DURABLE, CACHED] as const;
const PARTITIONS = 3;
const SEGMENT_MS = 2_000;
const MAX_PENDING = 400;

interface Acked {
  readonly index: number;
  readonly meta: RecordMetadata;
  /** Acknowledged before the cut of every broker. */
  readonly beforeTotalCut: boolean;
}

type Topic = (typeof TOPICS)[number];

describe('power loss under an idempotent acks=all producer', () => {
  let baseDir: string;
  let cluster: LocalCluster;
  let brokers: LocalRole;
  let admin: Admin;

  beforeAll(async () => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-power-loss-'));
    cluster = await startSluice(
      {
        name: 'power-loss',
        controllerConfig: { 'broker.session.timeout.ms': 2_000 },
        brokerConfig: { 'replica.fetch.wait.max.ms': 200, 'replica.lag.time.max.ms': 5_000 },
        brokerEnv: { [FSYNC_JOURNAL_DIR_ENV]: baseDir },
      },
      baseDir,
    );
    ({ brokers, admin } = cluster);
    await admin.createTopic({
      name: DURABLE,
      numPartitions: PARTITIONS,
      replicationFactor: 3,
      configs: { 'durable.acks.enable': 'true' },
    });
    await admin.createTopic({
      name: CACHED,
      numPartitions: PARTITIONS,
      replicationFactor: 3,
      configs: { 'segment.ms': String(SEGMENT_MS) },
    });
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
  });

  /** SIGKILL, then drop every byte the broker had not fdatasynced. */
  async function powerCut(ids: readonly number[]): Promise<DroppedBytes[]> {
    await Promise.all(ids.map((id) => brokers.kill(id, 'SIGKILL')));
    return ids.map((id) => dropUnsyncedBytes(join(baseDir, `broker-${id}.fsync-journal`)));
  }

  const fullIsrs = async (): Promise<boolean> => {
    for (const topic of TOPICS)
      if (!(await admin.describeTopic(topic)).partitions.every((p) => p.isr.length === 3 && p.leader >= 0))
        return false;
    return true;
  };

  it('loses no durably acknowledged record even when every replica loses its page cache, and bounds what the default loses', async () => {
    const bootstrap = brokers.addresses().join(',');
    const producer = new Producer({
      bootstrap,
      acks: 'all',
      lingerMs: 5,
      deliveryTimeoutMs: 120_000,
      requestTimeoutMs: 5_000,
      retryBackoffMs: 50,
      retryBackoffMaxMs: 500,
    });
    const acked = new Map<Topic, Acked[]>(TOPICS.map((topic) => [topic, []]));
    const failed: { topic: Topic; index: number; sentBeforeTotalCut: boolean; error: unknown }[] = [];
    let writing = true;
    let beforeTotalCut = true;
    const sent = new Map<Topic, number>(TOPICS.map((topic) => [topic, 0]));

    const writer = (async () => {
      const pending = new Set<Promise<void>>();
      for (let n = 0; writing; n++) {
        const topic = TOPICS[n % 2]!;
        const index = sent.get(topic)!;
        sent.set(topic, index + 1);
        const flag = beforeTotalCut;
        const send = producer
          .send({ topic, key: `k${index % 64}`, value: `${topic}-${index}` })
          .then(
            (meta) => void acked.get(topic)!.push({ index, meta, beforeTotalCut: flag && beforeTotalCut }),
            (error: unknown) => void failed.push({ topic, index, sentBeforeTotalCut: flag, error }),
          )
          .finally(() => pending.delete(send));
        pending.add(send);
        if (pending.size >= MAX_PENDING) await Promise.race(pending);
        if (n % 50 === 0) await sleep(1);
      }
      await Promise.all(pending);
    })();

    const tail = new Consumer({ bootstrap, autoOffsetReset: 'earliest', fetchMaxWaitMs: 200, requestTimeoutMs: 5_000 });
    const tailSeen = new Map<string, string>();
    let tailing = true;
    tail.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: DURABLE, partition })));
    const tailer = (async () => {
      while (tailing) {
        for (const record of await tail.poll(200))
          tailSeen.set(`${record.partition}/${record.offset}`, record.value?.toString() ?? '');
      }
    })();
    const total = (): number => [...acked.values()].reduce((sum, list) => sum + list.length, 0);

    // 1. One broker: the leader of durable-0.
    await waitFor('records to flow', () => total() > 1_000, 60_000);
    const victim = (await admin.describeTopic(DURABLE)).partitions[0]!.leader;
    const ackedBefore = total();
    const oneCut = await powerCut([victim]);
    await waitFor(
      `writes to continue after the power cut of broker ${victim}`,
      () => total() > ackedBefore + 500,
      60_000,
    );
    brokers.start(victim);
    await waitFor(`broker ${victim} back in every ISR`, fullIsrs, 60_000);
    // Past at least one roll of the cached topic's segments, so the bound below has something to say.
    await sleep(2 * SEGMENT_MS + 500);

    // 2. All three at once.
    await Promise.all(brokers.nodeIds.map((id) => brokers.kill(id, 'SIGKILL')));
    // Answers the brokers sent before they died may still be in our sockets: read them first.
    await sleep(500);
    beforeTotalCut = false;
    // What each replica of the cached topic had rolled before the cut: the segment files' names.
    const segmentBases = new Map<string, number[]>();
    for (const id of brokers.nodeIds)
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const names = readdirSync(join(brokers.dataDir(id), `${CACHED}-${partition}`));
        segmentBases.set(
          `${id}/${partition}`,
          names
            .filter((name) => name.endsWith('.log'))
            .map((name) => Number(name.slice(0, 20)))
            .sort((a, b) => a - b),
        );
      }
    const allCut = brokers.nodeIds.map((id) => dropUnsyncedBytes(join(baseDir, `broker-${id}.fsync-journal`)));
    // What survives on each replica: its log end after recovery (the broker would recover the same).
    const survivingEnd = new Map<string, number>();
    for (const id of brokers.nodeIds)
      for (const topic of TOPICS)
        for (let partition = 0; partition < PARTITIONS; partition++) {
          const log = PartitionLog.open({ dir: join(brokers.dataDir(id), `${topic}-${partition}`) });
          survivingEnd.set(`${id}/${topic}-${partition}`, log.logEndOffset);
          log.abandon();
        }
    for (const id of brokers.nodeIds) brokers.start(id);
    await cluster.waitForUnfencedBrokers(60_000);
    const ackedAfterRestart = total();
    await waitFor(
      'writes to continue after every broker lost its page cache',
      () => total() > ackedAfterRestart + 500,
      90_000,
    );
    await waitFor('every broker back in every ISR', fullIsrs, 90_000);

    writing = false;
    await writer;
    await producer.close({ timeoutMs: 30_000 });
    tailing = false;
    await tailer;
    tail.close();

    // Read everything back, every batch CRC-checked by the consumer.
    const reader = new Consumer({ bootstrap, autoOffsetReset: 'earliest', checkCrcs: true });
    const all: ConsumerRecord[] = [];
    try {
      const assignment = TOPICS.flatMap((topic) =>
        Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })),
      );
      reader.assign(assignment);
      const ends = await reader.endOffsets(assignment);
      const expected = [...ends.values()].reduce((sum, end) => sum + end.offset, 0);
      const deadline = Date.now() + 60_000;
      while (all.length < expected && Date.now() < deadline) all.push(...(await reader.poll(500)));
      expect(all.length).toBe(expected);
    } finally {
      reader.close();
    }
    const at = new Map(all.map((r) => [`${r.topic}/${r.partition}/${r.offset}`, r.value?.toString() ?? '']));
    const lost = (topic: Topic): Acked[] =>
      acked
        .get(topic)!
        .filter((a) => at.get(`${topic}/${a.meta.partition}/${a.meta.offset}`) !== `${topic}-${a.index}`);

    const durableLost = lost(DURABLE);
    const cachedLost = lost(CACHED);
    const dropped = (cuts: readonly DroppedBytes[]): number => cuts.reduce((sum, cut) => sum + cut.bytes, 0);
    process.stdout.write(
      `power-loss: broker ${victim} alone (${dropped(oneCut)} unsynced bytes dropped), then all three (${dropped(allCut)} dropped); ` +
        TOPICS.map(
          (topic) =>
            `${topic}: ${sent.get(topic)} sent, ${acked.get(topic)!.length} acknowledged, ${lost(topic).length} lost`,
        ).join('; ') +
        `; ${failed.length} failed (${failed.filter((f) => f.error instanceof ApiError && f.error.errorName === 'OUT_OF_ORDER_SEQUENCE_NUMBER').length} OUT_OF_ORDER_SEQUENCE_NUMBER), ${tailSeen.size} seen by the tailing consumer\n`,
    );

    // Every send has an outcome. With retries for 120 s and the cluster back, all succeed, except
    // on the default topic the ones in flight at the cut of every broker that follow a lost batch
    // of theirs: the brokers lost the producer's sequence numbers with the records (the idempotent
    // producer notices the loss, as Kafka's does).
    for (const topic of TOPICS)
      expect(acked.get(topic)!.length + failed.filter((f) => f.topic === topic).length).toBe(sent.get(topic));
    expect(
      failed
        .filter(
          (f) =>
            !(
              f.topic === CACHED &&
              f.sentBeforeTotalCut &&
              f.error instanceof ApiError &&
              f.error.errorName === 'OUT_OF_ORDER_SEQUENCE_NUMBER'
            ),
        )
        .slice(0, 10)
        .map((f) => `${f.topic}-${f.index}: ${String(f.error)}`),
    ).toEqual([]);
    // No record twice, send order per partition.
    for (const topic of TOPICS) {
      const values = all.filter((r) => r.topic === topic).map((r) => r.value?.toString() ?? '');
      expect(values.length - new Set(values).size).toBe(0);
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const indexes = all
          .filter((r) => r.topic === topic && r.partition === partition)
          .sort((a, b) => a.offset - b.offset)
          .map((r) => Number(r.value!.toString().slice(topic.length + 1)));
        expect({
          topic,
          partition,
          outOfOrder: indexes.findIndex((index, i) => i > 0 && index <= indexes[i - 1]!),
        }).toEqual({ topic, partition, outOfOrder: -1 });
      }
    }

    // Durable acks: nothing acknowledged is lost, and nothing a consumer saw vanished.
    expect(
      durableLost.slice(0, 10).map((a) => `${DURABLE}-${a.index} at ${a.meta.partition}/${a.meta.offset}`),
    ).toEqual([]);
    expect(
      [...tailSeen].filter(([position, value]) => at.get(`${DURABLE}/${position}`) !== value).slice(0, 10),
    ).toEqual([]);
    expect(tailSeen.size).toBeGreaterThan(0);

    // Default: only the cut of every broker loses anything, and within the documented bound.
    expect(cachedLost.filter((a) => !a.beforeTotalCut).length).toBe(0);
    const bounds: string[] = [];
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const before = acked.get(CACHED)!.filter((a) => a.beforeTotalCut && a.meta.partition === partition);
      const lostHere = cachedLost.filter((a) => a.meta.partition === partition);
      if (lostHere.length === 0) continue;
      const firstLost = Math.min(...lostHere.map((a) => a.meta.offset));
      // A suffix: every acknowledged record below the first lost offset is there.
      expect(lostHere.length).toBe(before.filter((a) => a.meta.offset >= firstLost).length);
      const replicas = brokers.nodeIds.map((id) => ({
        end: survivingEnd.get(`${id}/${CACHED}-${partition}`)!,
        bases: segmentBases.get(`${id}/${partition}`)!,
      }));
      // Nothing a replica had flushed is lost (the new leader keeps its whole surviving log).
      expect(firstLost).toBeGreaterThanOrEqual(Math.min(...replicas.map((r) => r.end)));
      // And each had flushed at least up to its second-newest segment: a roll flushes (2 s apart).
      for (const replica of replicas)
        expect(replica.end).toBeGreaterThanOrEqual(replica.bases.length >= 2 ? replica.bases.at(-2)! : 0);
      bounds.push(
        `${CACHED}-${partition}: lost ${lostHere.length} from offset ${firstLost}; replicas kept up to ` +
          replicas.map((r) => `${r.end} (newest segments from ${r.bases.slice(-2).join(', ')})`).join(' / '),
      );
    }
    process.stdout.write(`power-loss bound: ${bounds.join('; ')}\n`);

    // Recovery served no corrupt batch, and left none on disk.
    await cluster.stop();
    for (const id of brokers.nodeIds) {
      const report = checkLogDirectory(brokers.dataDir(id));
      expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    }
  });
});
