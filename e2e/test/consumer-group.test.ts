/**
 * Consumer groups end to end, real processes on loopback: one controller, three brokers, three
 * coordinators. Three group consumers share 6 partitions while records are produced; one member
 * leaves, one gets stuck (stops polling; its client leaves after max.poll.interval.ms), a new one joins, and the
 * coordinator process owning the group is killed -9 and restarted. Consumers commit manually
 * after processing. The checker proves every record was processed, no offset was committed
 * twice for a partition by the group (commits only move forward), and the restarted coordinator
 * went on from the committed offsets.
 */
import { Consumer, Producer } from '../../packages/client/src';
import { createGrpcClient, unaryCall, type CoordinatorEndpoint__Output } from '../../packages/proto/src';
import { sleep, waitFor, type LocalCluster, type LocalRole } from '@sluice/local-cluster';
import { SECURITY_MODES, startSluice } from './local-sluice';

jest.setTimeout(180_000);

const TOPIC = 'work';
const GROUP = 'workers';
const PARTITIONS = 6;
const RECORDS = 3_000;

interface Worker {
  readonly name: string;
  readonly consumer: Consumer;
  running: boolean;
  loop: Promise<void>;
}

// Once as it always ran, and once with TLS, OIDC tokens and ACLs on (local-sluice.ts).
describe.each(SECURITY_MODES)(
  'consumer group of 3 over 6 partitions with members and the coordinator failing (%s)',
  (mode) => {
    let cluster: LocalCluster;
    let brokers: LocalRole;
    let coordinators: LocalRole;

    beforeAll(async () => {
      cluster = await startSluice({
        secure: mode === 'secure',
        name: 'group-e2e',
        controllerConfig: { 'broker.session.timeout.ms': 2_000 },
        coordinatorConfig: {
          'offsets.topic.num.partitions': 6,
          'group.consumer.session.timeout.ms': 3_000,
          'group.consumer.heartbeat.interval.ms': 300,
        },
      });
      ({ brokers, coordinators } = cluster);
      await cluster.admin.createTopic({ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 });
    });

    afterAll(async () => {
      await cluster?.stop({ removeBaseDir: true });
    });

    it('processes every record, commits forward only, and survives the coordinator', async () => {
      const bootstrap = brokers.addresses().join(',');
      const coordinatorAddresses = coordinators.addresses().join(',');
      const processed = new Map<string, number>();
      const commits = new Map<number, number[]>();
      const commitRegressions: string[] = [];

      const startWorker = (name: string): Worker => {
        const consumer = new Consumer({
          bootstrap,
          groupId: GROUP,
          coordinators: coordinatorAddresses,
          enableAutoCommit: false,
          autoOffsetReset: 'earliest',
          fetchMaxWaitMs: 200,
          requestTimeoutMs: 5_000,
          maxPollIntervalMs: 3_000,
        });
        consumer.subscribe([TOPIC]);
        const worker: Worker = { name, consumer, running: true, loop: Promise.resolve() };
        const pending = new Map<number, number>();
        worker.loop = (async () => {
          while (worker.running) {
            const records = await consumer.poll(200).catch(() => []);
            if (!worker.running) break;
            for (const record of records)
              processed.set(record.value!.toString(), (processed.get(record.value!.toString()) ?? 0) + 1);
            // Manual commit after processing, at the member epoch. A refused commit (a rebalance bumped
            // the epoch) is retried on the next round for the partitions the member still owns; for
            // the others, the new owner starts at the last commit and processes again.
            for (const record of records) pending.set(record.partition, record.offset + 1);
            const owned = new Set(consumer.group!.ownedPartitions().map((tp) => tp.partition));
            for (const partition of [...pending.keys()]) if (!owned.has(partition)) pending.delete(partition);
            if (pending.size === 0) continue;
            const positions = new Map(pending);
            try {
              await consumer.commitSync(
                [...positions].map(([partition, offset]) => ({ topicPartition: { topic: TOPIC, partition }, offset })),
              );
              for (const [partition, offset] of positions) {
                if (pending.get(partition) === offset) pending.delete(partition);
                const history = commits.get(partition) ?? [];
                if (history.length > 0 && offset < history.at(-1)!)
                  commitRegressions.push(`partition ${partition}: ${offset} after ${history.at(-1)} by ${name}`);
                history.push(offset);
                commits.set(partition, history);
              }
            } catch {
              // Retried next round (above).
            }
          }
        })();
        return worker;
      };

      const producer = new Producer({ bootstrap, lingerMs: 5 });
      const produced = (async () => {
        for (let i = 0; i < RECORDS; i += 100) {
          await Promise.all(
            Array.from({ length: 100 }, (_, j) =>
              producer.send({ topic: TOPIC, key: `k${(i + j) % 50}`, value: `v${i + j}` }),
            ),
          );
          await sleep(20);
        }
      })();

      const workers = [startWorker('w1'), startWorker('w2'), startWorker('w3')];
      await waitFor(
        'all three members to own partitions',
        () => workers.every((w) => (w.consumer.group?.ownedPartitions().length ?? 0) > 0),
        30_000,
      );

      // w1 leaves cleanly; w2 gets stuck: it stops polling without leaving, and after
      // max.poll.interval.ms its client leaves the group so the others take its partitions.
      workers[0]!.running = false;
      await workers[0]!.loop;
      await workers[0]!.consumer.close();
      workers[1]!.running = false;
      await workers[1]!.loop;
      // A new member joins.
      workers.push(startWorker('w4'));

      // kill -9 the coordinator process serving the group, then restart it.
      // Any coordinator answers FindCoordinator once it is up (they start independently).
      let found: CoordinatorEndpoint__Output | undefined;
      const finders = coordinators.addresses().map((address) => createGrpcClient('Coordinator', address));
      await waitFor(
        "a coordinator to name the group's coordinator",
        async () => {
          for (const client of finders) {
            const answer = await unaryCall(
              client,
              'FindCoordinator',
              { groupIds: [GROUP] },
              { timeoutMs: 2_000 },
            ).catch(() => undefined);
            if (answer?.coordinators[0]?.errorName === '') found = answer.coordinators[0];
            if (found !== undefined) return true;
          }
          return false;
        },
        30_000,
      );
      for (const client of finders) client.close();
      if (found === undefined) throw new Error('no coordinator found');
      await sleep(500);
      await coordinators.kill(found.nodeId, 'SIGKILL');
      await sleep(1_000);
      coordinators.start(found.nodeId);

      await produced;
      await producer.close();
      const dump = (): void => {
        const state = workers.map(
          (w) =>
            `${w.name}: running=${w.running} epoch=${w.consumer.group?.epoch} owned=${JSON.stringify(w.consumer.group?.ownedPartitions().map((tp) => tp.partition))} error=${w.consumer.group?.error?.message ?? ''} stats=${JSON.stringify(w.consumer.group?.stats)}`,
        );
        process.stdout.write(
          `processed ${processed.size}; commits ${[...commits].map(([p, h]) => `${p}:${h.at(-1)}`).join(' ')}\n${state.join('\n')}\n`,
        );
      };
      try {
        await waitFor(`all ${RECORDS} records processed`, () => processed.size === RECORDS, 90_000);
      } catch (error) {
        dump();
        throw error;
      }
      const ends = await workers[2]!.consumer.endOffsets(
        Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })),
      );
      try {
        await waitFor(
          'commits to reach the end of every partition',
          () =>
            Array.from({ length: PARTITIONS }, (_, partition) => partition).every(
              (partition) =>
                (commits.get(partition)?.at(-1) ?? 0) === ends.get(Consumer.key({ topic: TOPIC, partition }))!.offset,
            ),
          60_000,
        );
      } catch (error) {
        const state = workers.map(
          (w) =>
            `${w.name}: running=${w.running} epoch=${w.consumer.group?.epoch} owned=${JSON.stringify(w.consumer.group?.ownedPartitions())} error=${w.consumer.group?.error?.message ?? ''} stats=${JSON.stringify(w.consumer.group?.stats)}`,
        );
        process.stdout.write(
          `ends ${[...ends.values()].map((e) => e.offset).join(',')} commits ${[...commits].map(([p, h]) => `${p}:${h.at(-1)}`).join(' ')}\n${state.join('\n')}\n`,
        );
        throw error;
      }

      // What the restarted coordinator holds as committed is the end of every partition.
      const committed = await workers[2]!.consumer.committed(
        Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })),
      );
      for (const [key, offset] of committed) expect(offset).toBe(ends.get(key)!.offset);
      for (const worker of workers.slice(2)) {
        worker.running = false;
        await worker.loop;
        await worker.consumer.close();
      }
      await workers[1]!.consumer.close();

      const duplicates = [...processed.values()].filter((count) => count > 1).length;
      process.stdout.write(
        `consumer-group: ${RECORDS} records, ${processed.size} processed, ${duplicates} processed more than once (at-least-once after failures), commits per partition ${[...commits].map(([p, h]) => `${p}:${h.length}`).join(' ')}, coordinator ${found.nodeId} killed and restarted\n`,
      );
      expect(processed.size).toBe(RECORDS);
      expect(commitRegressions).toEqual([]);
    });
  },
);
