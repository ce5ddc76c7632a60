/**
 * A full disk, with real processes on loopback: one controller and three brokers, broker 3's log
 * directory on a size-limited filesystem (a tmpfs of a few MiB mounted for this test, unmounted
 * whatever happens; CI runs as root). An idempotent acks=all Producer writes 1 KiB records to a
 * topic of 3 partitions, replication factor 3, min.insync.replicas 2, until broker 3's disk fills.
 *
 * Then, as Kafka handles a failed log directory:
 * - broker 3 takes its log directory offline: it answers KAFKA_STORAGE_ERROR for its replicas
 *   (Produce, Fetch), reports `sluice_broker_offline_log_dirs 1`, and tells the controller in its
 *   next heartbeat, which fences it and moves every leadership and ISR place off it;
 * - the producer goes on against brokers 1 and 2;
 * - nothing on the full disk is corrupt (`storage check` after a kill -9).
 * Space returns (the tmpfs is remounted larger) and broker 3 restarts: it recovers, catches up
 * and is back in every ISR. The checker proves no acknowledged record was lost, none duplicated,
 * order per partition, and that the three replicas of every partition hold the same bytes.
 *
 * Needs the `mount` command and the privilege to use it: without them the test says so and fails
 * (the file-layer variant, services/broker/test/full-disk.component.test.ts, runs anywhere).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLogDirectory, PartitionLog } from '@sluice/log';
import { LocalCluster, sleep, waitFor } from '@sluice/local-cluster';
import { CompressionType, encodeRecordBatch } from '@sluice/protocol';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import {
  Consumer,
  Producer,
  topicPartitionKey,
  type ConsumerRecord,
  type RecordMetadata,
} from '../../packages/client/src';

jest.setTimeout(300_000);

const TOPIC = 'disk';
const PARTITIONS = 3;
const FULL_BROKER = 3;
/** The filesystem broker 3 gets: a few MiB, filled in seconds by the producer. */
const SMALL_DISK = '4m';
const ROOMY_DISK = '256m';
const VALUE_BYTES = 1_024;
const MAX_PENDING = 200;

interface Acked {
  readonly index: number;
  readonly meta: RecordMetadata;
}

function mount(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
}

function unmount(dir: string): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      return;
    } catch {
      // Busy for a moment after the processes with files there exit.
      execFileSync('sleep', ['0.25']);
    }
  }
  execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
}

describe('a full disk under an idempotent acks=all producer', () => {
  let baseDir: string;
  let cluster: LocalCluster;
  let mounted: string | undefined;

  beforeAll(async () => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-full-disk-'));
    cluster = await LocalCluster.create({
      baseDir,
      roles: {
        controller: { count: 1, config: { 'broker.session.timeout.ms': 3_000 } },
        broker: {
          config: {
            'broker.heartbeat.interval.ms': 200,
            'min.insync.replicas': 2,
            'replica.fetch.wait.max.ms': 200,
            'replica.lag.time.max.ms': 10_000,
          },
        },
        coordinator: { count: 0 },
      },
    });
    // The formatted directory's meta.properties goes onto the small filesystem mounted over it.
    const dir = cluster.brokers.dataDir(FULL_BROKER);
    const meta = readFileSync(join(dir, 'meta.properties'));
    try {
      mount(dir, SMALL_DISK);
    } catch (error) {
      throw new Error(
        `cannot mount a ${SMALL_DISK} tmpfs on ${dir} (this test needs root): ${(error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error)}`,
      );
    }
    mounted = dir;
    writeFileSync(join(dir, 'meta.properties'), meta);
    await cluster.start();
    await cluster.admin.createTopic({
      name: TOPIC,
      numPartitions: PARTITIONS,
      replicationFactor: 3,
      configs: { 'segment.bytes': String(1024 * 1024) },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    if (mounted !== undefined) unmount(mounted);
    rmSync(baseDir, { recursive: true, force: true });
  });

  const describe = () => cluster.admin.describeTopic(TOPIC);
  const movedOff = async (): Promise<boolean> =>
    (await describe()).partitions.every(
      (p) => p.leader >= 0 && p.leader !== FULL_BROKER && !p.isr.includes(FULL_BROKER),
    );
  const fullIsrs = async (): Promise<boolean> =>
    (await describe()).partitions.every((p) => p.leader >= 0 && p.isr.length === 3);

  it('takes the full log directory offline, moves leadership, corrupts nothing, and converges once space returns', async () => {
    const brokers = cluster.brokers;
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
    const acked: Acked[] = [];
    const failed: { index: number; error: unknown }[] = [];
    let writing = true;
    let sent = 0;
    const padding = 'x'.repeat(VALUE_BYTES);
    const writer = (async () => {
      const pending = new Set<Promise<void>>();
      while (writing) {
        const index = sent++;
        const send = producer
          .send({ topic: TOPIC, key: `k${index % 64}`, value: `${index}:${padding}` })
          .then(
            (meta) => void acked.push({ index, meta }),
            (error: unknown) => void failed.push({ index, error }),
          )
          .finally(() => pending.delete(send));
        pending.add(send);
        if (pending.size >= MAX_PENDING) await Promise.race(pending);
        if (index % 50 === 0) await sleep(1);
      }
      await Promise.all(pending);
    })();

    // 1. The disk fills; the controller fences broker 3 and moves everything off it.
    await waitFor(
      `broker ${FULL_BROKER} fenced after its disk filled`,
      async () =>
        (await cluster.admin.describeCluster()).brokers.find((b) => b.brokerId === FULL_BROKER)?.fenced === true,
      120_000,
    );
    const ackedAtFence = acked.length;
    await waitFor('every leadership and ISR place moved off the full broker', movedOff, 30_000);
    const df =
      execFileSync('df', ['-k', brokers.dataDir(FULL_BROKER)])
        .toString()
        .trim()
        .split('\n')
        .at(-1) ?? '';

    // 2. It serves nothing from the offline directory: KAFKA_STORAGE_ERROR, and the metric says so.
    const client = createGrpcClient('Broker', brokers.address(FULL_BROKER));
    try {
      const batch = encodeRecordBatch({
        baseOffset: 0,
        compression: CompressionType.None,
        records: [{ key: null, value: Buffer.from('probe'), timestamp: Date.now() }],
      });
      const produced = await unaryCall(
        client,
        'Produce',
        { acks: 1, timeoutMs: 2_000, topics: [{ name: TOPIC, partitions: [{ partition: 0, records: batch }] }] },
        { timeoutMs: 5_000 },
      );
      expect(produced.topics[0]?.partitions[0]?.errorName).toBe('KAFKA_STORAGE_ERROR');
      const fetched = await unaryCall(
        client,
        'Fetch',
        {
          replicaId: -1,
          replicaEpoch: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1_024,
          topics: [
            {
              name: TOPIC,
              partitions: [
                {
                  partition: 1,
                  fetchOffset: 0,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                  logStartOffset: -1,
                  partitionMaxBytes: 1_024,
                  flushedOffset: -1,
                },
              ],
            },
          ],
        },
        { timeoutMs: 5_000 },
      );
      expect(fetched.topics[0]?.partitions[0]?.errorName).toBe('KAFKA_STORAGE_ERROR');
    } finally {
      client.close();
    }
    const metrics = await (await fetch(`http://${brokers.metricsAddress(FULL_BROKER)}/metrics`)).text();
    expect(metrics).toMatch(/^sluice_broker_offline_log_dirs\{[^}]*\} 1$/m);
    // The real thing: the filesystem refused a write for want of space.
    const offlineLine = readFileSync(brokers.logFile(FULL_BROKER), 'utf8')
      .split('\n')
      .find((line) => line.includes('log directory offline'));
    expect(offlineLine).toMatch(/ENOSPC/);

    // 3. Writes go on against brokers 1 and 2.
    await waitFor('writes to go on without the full broker', () => acked.length > ackedAtFence + 500, 60_000);

    // 4. Nothing on the full disk is corrupt (checked after a kill -9: no clean shutdown to hide behind).
    await brokers.kill(FULL_BROKER, 'SIGKILL');
    const atFull = checkLogDirectory(brokers.dataDir(FULL_BROKER));
    expect(atFull.problems.filter((problem) => problem.severity === 'error')).toEqual([]);

    // 5. Space returns; broker 3 restarts, recovers, catches up, rejoins every ISR.
    execFileSync('mount', ['-o', `remount,size=${ROOMY_DISK}`, brokers.dataDir(FULL_BROKER)], { stdio: 'pipe' });
    brokers.start(FULL_BROKER);
    await waitFor(`broker ${FULL_BROKER} back in every ISR`, fullIsrs, 120_000);
    const ackedAtReturn = acked.length;
    await waitFor('writes to go on with all three', () => acked.length > ackedAtReturn + 500, 60_000);
    writing = false;
    await writer;
    await producer.close({ timeoutMs: 30_000 });

    // 6. The checker: every acknowledged record where send() said, none twice, order per partition.
    const reader = new Consumer({ bootstrap, autoOffsetReset: 'earliest', checkCrcs: true });
    const all: ConsumerRecord[] = [];
    const ends: number[] = [];
    try {
      const assignment = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition }));
      reader.assign(assignment);
      const endOffsets = await reader.endOffsets(assignment);
      for (let partition = 0; partition < PARTITIONS; partition++)
        ends.push(endOffsets.get(topicPartitionKey(TOPIC, partition))?.offset ?? -1);
      const expected = [...endOffsets.values()].reduce((sum, end) => sum + end.offset, 0);
      const deadline = Date.now() + 60_000;
      while (all.length < expected && Date.now() < deadline) all.push(...(await reader.poll(500)));
      expect(all.length).toBe(expected);
    } finally {
      reader.close();
    }
    const at = new Map(all.map((r) => [`${r.partition}/${r.offset}`, r.value?.toString() ?? '']));
    const lost = acked.filter((a) => !(at.get(`${a.meta.partition}/${a.meta.offset}`) ?? '').startsWith(`${a.index}:`));
    const indexes = all.map((r) => Number((r.value?.toString() ?? '').split(':')[0]));
    process.stdout.write(
      `full-disk: broker ${FULL_BROKER} on a ${SMALL_DISK} tmpfs (${df.replace(/\s+/g, ' ')}); ${sent} sent, ` +
        `${acked.length} acknowledged (${ackedAtFence} before the fence), ${failed.length} failed, ${lost.length} lost, ` +
        `${indexes.length - new Set(indexes).size} duplicated; partition ends ${ends.join(', ')}\n`,
    );
    expect(lost.slice(0, 10).map((a) => `${a.index} at ${a.meta.partition}/${a.meta.offset}`)).toEqual([]);
    expect(failed.slice(0, 10).map((f) => `${f.index}: ${String(f.error)}`)).toEqual([]);
    expect(indexes.length - new Set(indexes).size).toBe(0);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const inOrder = all
        .filter((r) => r.partition === partition)
        .sort((a, b) => a.offset - b.offset)
        .map((r) => Number((r.value?.toString() ?? '').split(':')[0]));
      expect({ partition, outOfOrder: inOrder.findIndex((index, i) => i > 0 && index <= inOrder[i - 1]!) }).toEqual({
        partition,
        outOfOrder: -1,
      });
    }

    // 7. The replicas converged: once every broker stopped cleanly, the same bytes on all three.
    await brokers.stopAll();
    for (const id of brokers.nodeIds) {
      const report = checkLogDirectory(brokers.dataDir(id));
      expect({ broker: id, problems: report.problems.filter((p) => p.severity === 'error') }).toEqual({
        broker: id,
        problems: [],
      });
    }
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const contents = brokers.nodeIds.map((id) => {
        const log = PartitionLog.open({ dir: join(brokers.dataDir(id), `${TOPIC}-${partition}`) });
        try {
          const chunks: Buffer[] = [];
          let offset = log.logStartOffset;
          while (offset < log.logEndOffset) {
            const read = log.read(offset, 1024 * 1024);
            if (read.lastOffset === null) break;
            chunks.push(Buffer.from(read.records));
            offset = read.lastOffset + 1;
          }
          return { end: log.logEndOffset, bytes: Buffer.concat(chunks) };
        } finally {
          log.abandon();
        }
      });
      // Every replica ends where the consumer's high watermark was, with the very same batches.
      expect(contents.map((c) => c.end)).toEqual([ends[partition], ends[partition], ends[partition]]);
      for (const other of contents.slice(1)) expect(other.bytes.equals(contents[0]!.bytes)).toBe(true);
    }
  });
});
