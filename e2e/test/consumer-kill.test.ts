/**
 * A group member killed with SIGKILL mid-stream, real processes on loopback: one controller,
 * three brokers, three coordinators (group.consumer.session.timeout.ms 3000). Three members share
 * 6 partitions: two Consumers in this process and one `sluice consume --group` child process.
 * While records are produced the child is killed -9; once its session times out the coordinator
 * gives its partitions to the two survivors, which go on from its last commit. Every produced
 * record is processed (at least once: what the child printed after its last commit is processed
 * again), and the group's committed offsets, sampled throughout, only move forward.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, Producer, type Admin } from '../../packages/client/src';
import { sleep, waitFor, type LocalCluster, type LocalRole } from '@sluice/local-cluster';
import { startSluice } from './local-sluice';

jest.setTimeout(120_000);

const TOPIC = 'work';
const GROUP = 'killable';
const PARTITIONS = 6;
const RECORDS = 3_000;
const SESSION_TIMEOUT_MS = 3_000;
const CLI_MAIN = join(__dirname, '../../packages/cli/dist/main.js');

interface Worker {
  readonly name: string;
  readonly consumer: Consumer;
  running: boolean;
  loop: Promise<void>;
}

describe('a group member killed -9 mid-stream', () => {
  let cluster: LocalCluster;
  let controllers: LocalRole;
  let brokers: LocalRole;
  let coordinators: LocalRole;
  let admin: Admin;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npx -y pnpm@12 exec tsc -b\` first`);
    cluster = await startSluice({
      name: 'consumer-kill-e2e',
      coordinatorConfig: {
        'offsets.topic.num.partitions': 3,
        'group.consumer.session.timeout.ms': SESSION_TIMEOUT_MS,
        'group.consumer.heartbeat.interval.ms': 300,
      },
    });
    ({ controllers, brokers, coordinators, admin } = cluster);
    await admin.createTopic({ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 });
  });

  afterAll(async () => {
    // The child is normally dead already; by pid, never by name.
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, 'SIGKILL');
    await cluster?.stop({ removeBaseDir: true });
  });

  it('gives its partitions to the survivors after the session timeout; every record is processed and commits only move forward', async () => {
    const bootstrap = brokers.addresses().join(',');
    const processed = new Map<string, number>();
    const markProcessed = (value: string): void => void processed.set(value, (processed.get(value) ?? 0) + 1);

    // Commits sampled from the coordinator throughout: per partition they must never go back.
    const sampled = new Map<number, number>();
    const regressions: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const offsets = await admin.listGroupOffsets(GROUP).catch(() => []);
        for (const o of offsets) {
          const before = sampled.get(o.partition) ?? -1;
          if (o.offset < before) regressions.push(`partition ${o.partition}: ${o.offset} after ${before}`);
          sampled.set(o.partition, Math.max(before, o.offset));
        }
        await sleep(100);
      }
    })();

    // The child: `sluice consume --group`, which commits what it printed.
    let childOut = '';
    let childErr = '';
    child = spawn(
      process.execPath,
      [
        CLI_MAIN,
        'consume',
        TOPIC,
        '--group',
        GROUP,
        '--from-beginning',
        '--bootstrap',
        controllers.addresses().join(','),
        '--coordinators',
        coordinators.addresses().join(','),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let childPrinted = 0;
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      childOut += text;
      const lines = childOut.split('\n');
      childOut = lines.pop() as string;
      for (const line of lines)
        if (line !== '') {
          childPrinted++;
          markProcessed(line);
        }
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => void (childErr = (childErr + text).slice(-4_000)));
    const childExited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child!.once('exit', (code, signal) => resolve(signal ?? code)),
    );

    // Two members here: manual commits after processing, at the member epoch; a refused commit
    // (the partition moved) is dropped, and the next owner processes from the last commit again.
    const startWorker = (name: string): Worker => {
      const consumer = new Consumer({
        bootstrap,
        groupId: GROUP,
        coordinators: coordinators.addresses(),
        enableAutoCommit: false,
        autoOffsetReset: 'earliest',
        fetchMaxWaitMs: 200,
        requestTimeoutMs: 5_000,
        clientId: name,
      });
      consumer.subscribe([TOPIC]);
      const worker: Worker = { name, consumer, running: true, loop: Promise.resolve() };
      worker.loop = (async () => {
        while (worker.running) {
          const records = await consumer.poll(200).catch(() => []);
          if (records.length === 0) {
            // A commit refused above (the partition was moving) is retried here, at the positions
            // poll() handed out (all processed), or a partition whose last records it carried
            // would keep an old commit forever once no new records come.
            await consumer.commitAsync().catch(() => undefined);
            continue;
          }
          for (const record of records) markProcessed(record.value!.toString());
          const next = new Map<number, number>();
          for (const record of records)
            next.set(record.partition, Math.max(next.get(record.partition) ?? 0, record.offset + 1));
          const owned = new Set(consumer.group!.ownedPartitions().map((tp) => tp.partition));
          const positions = [...next]
            .filter(([partition]) => owned.has(partition))
            .map(([partition, offset]) => ({ topicPartition: { topic: TOPIC, partition }, offset }));
          await consumer.commitSync(positions).catch(() => undefined);
        }
      })();
      return worker;
    };
    const workers = [startWorker('survivor-1'), startWorker('survivor-2')];

    try {
      await waitFor(
        'three members, each owning partitions',
        async () => {
          const group = await admin.describeGroup(GROUP);
          return (
            group.members.length === 3 &&
            group.members.every((m) => m.assigned.length > 0) &&
            group.members.reduce((n, m) => n + m.assigned.length, 0) === PARTITIONS
          );
        },
        30_000,
      );
      const before = await admin.describeGroup(GROUP);
      const workerIds = new Set(workers.map((w) => w.consumer.group!.memberId));
      const childMember = before.members.find((m) => !workerIds.has(m.memberId));
      expect(childMember).toBeDefined();
      const childPartitions = childMember!.assigned.map((tp) => tp.partition).sort((a, b) => a - b);

      const producer = new Producer({ bootstrap, lingerMs: 5 });
      let producedCount = 0;
      const produced = (async () => {
        for (let i = 0; i < RECORDS; i += 50) {
          await Promise.all(
            Array.from({ length: 50 }, (_, j) =>
              producer.send({ topic: TOPIC, key: `k${(i + j) % 97}`, value: `v${i + j}` }),
            ),
          );
          producedCount = i + 50;
          await sleep(40);
        }
      })();

      // Kill the child mid-stream, once it has printed (and committed some of) its share.
      await waitFor('the child to print records', () => childPrinted >= 100, 30_000);
      expect(producedCount).toBeLessThan(RECORDS);
      process.kill(child.pid!, 'SIGKILL');
      expect(await childExited).toBe('SIGKILL');
      const killedAtMs = Date.now();
      const printedByChild = childPrinted;

      // After its session times out, the survivors own all six partitions, the child's included.
      await waitFor(
        "the child's partitions to move to the survivors",
        async () => {
          const group = await admin.describeGroup(GROUP);
          return (
            group.members.length === 2 &&
            group.members.every((m) => workerIds.has(m.memberId)) &&
            group.members.reduce((n, m) => n + m.assigned.length, 0) === PARTITIONS
          );
        },
        SESSION_TIMEOUT_MS + 15_000,
      );
      const movedAfterMs = Date.now() - killedAtMs;
      expect(movedAfterMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 500);
      await waitFor(
        'the survivors to own the partitions themselves',
        () => workers.reduce((n, w) => n + w.consumer.group!.ownedPartitions().length, 0) === PARTITIONS,
        30_000,
      );
      const survivorsOwn = workers.flatMap((w) => w.consumer.group!.ownedPartitions().map((tp) => tp.partition));
      for (const partition of childPartitions) expect(survivorsOwn).toContain(partition);

      await produced;
      await producer.close();
      try {
        await waitFor(`all ${RECORDS} records processed`, () => processed.size === RECORDS, 40_000);
      } catch (error) {
        process.stdout.write(`processed ${processed.size}/${RECORDS}; child stderr: ${childErr}\n`);
        throw error;
      }
      const all = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition }));
      const ends = await admin.listOffsets(all, 'latest');
      await waitFor(
        'the committed offsets to reach every partition end',
        () => all.every((tp) => sampled.get(tp.partition) === ends.get(Consumer.key(tp))!.offset),
        20_000,
      );

      const duplicates = [...processed.values()].filter((count) => count > 1).length;
      process.stdout.write(
        `consumer-kill: ${RECORDS} records, child printed ${printedByChild} before SIGKILL (owned partitions ${childPartitions.join(',')}), partitions moved ${movedAfterMs} ms after the kill (session timeout ${SESSION_TIMEOUT_MS} ms), ${duplicates} records processed twice\n`,
      );
      expect(processed.size).toBe(RECORDS);
      for (let i = 0; i < RECORDS; i++) expect(processed.has(`v${i}`)).toBe(true);
      expect(regressions).toEqual([]);
    } finally {
      sampling = false;
      await sampler;
      for (const worker of workers) worker.running = false;
      for (const worker of workers) {
        await worker.loop;
        await worker.consumer.close();
      }
    }
  });
});
