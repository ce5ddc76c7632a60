/**
 * Share groups (KIP-932) end to end on real processes: one controller, three brokers, three
 * coordinators on loopback.
 * - Six consumers share two partitions and all get work. One of them is a separate process that
 *   acquires records and is killed -9 while holding their locks: those records go to the others
 *   after the lock timeout, with a higher delivery count.
 * - While records flow, the coordinator keeping the share state and a partition leader are killed
 *   -9 and restarted: no record whose acknowledgement was confirmed (commitSync answered without
 *   error) is ever delivered again, and every record is processed.
 * - REJECT archives a record; RELEASE past group.share.delivery.count.limit archives it too: neither
 *   is delivered again, and later records still are.
 */
import { defaultClientSecurity } from '../../packages/proto/src';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CoordinatorShareStatePersister,
  Producer,
  ShareConsumer,
  shareStateKeyString,
  type ShareConsumerRecord,
} from '../../packages/client/src';
import { createGrpcClient, unaryCall } from '../../packages/proto/src';
import { sleep, waitFor, type LocalCluster } from '@sluice/local-cluster';
import { leaderOf, SECURITY_MODES, startSluice } from './local-sluice';

jest.setTimeout(180_000);

const TOPIC = 'tasks';
const GROUP = 'crew';
const RECORDS = 1_200;
const LOCK_MS = 3_000;
const DELIVERY_LIMIT = 3;

/** A share consumer in its own process: takes one poll's records, prints their values, never acknowledges. */
const HOLDER_SCRIPT = `
const { ShareConsumer } = require(${JSON.stringify(resolve(__dirname, '../../packages/client/dist/index.js'))});
const [bootstrap, coordinators, group, topic] = process.argv.slice(1);
// The secure run hands over the CA and a token of the test's principal.
const { HOLDER_CA: caFile, HOLDER_TOKEN: token } = process.env;
const security = caFile ? { tls: { caFile }, tokens: { token: () => Promise.resolve(token) } } : undefined;
const consumer = new ShareConsumer({ bootstrap, coordinators, groupId: group, acknowledgementMode: 'explicit', maxPollRecords: 20, fetchMaxWaitMs: 200, ...(security ? { security } : {}) });
consumer.subscribe([topic]);
(async () => {
  for (;;) {
    const records = await consumer.poll(500);
    if (records.length > 0) {
      process.stdout.write(JSON.stringify(records.map((r) => r.value.toString())) + '\\n');
      setInterval(() => undefined, 60000);
      return;
    }
  }
})();
`;

// Once as it always ran, and once with TLS, OIDC tokens and ACLs on (local-sluice.ts).
describe.each(SECURITY_MODES)('share groups on real processes (%s)', (mode) => {
  let sluice: LocalCluster;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sluice = await startSluice({
      secure: mode === 'secure',
      name: 'share-e2e',
      controllerConfig: { 'broker.session.timeout.ms': 2_000 },
      brokerConfig: {
        'group.share.record.lock.duration.ms': LOCK_MS,
        'group.share.delivery.count.limit': DELIVERY_LIMIT,
        'replica.lag.time.max.ms': 5_000,
      },
      coordinatorConfig: {
        'offsets.topic.num.partitions': 3,
        'share.coordinator.state.topic.num.partitions': 3,
        'group.share.heartbeat.interval.ms': 200,
        'group.share.session.timeout.ms': 6_000,
      },
    });
    await sluice.admin.createTopic({ name: TOPIC, numPartitions: 2, replicationFactor: 3 });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sluice?.stop({ removeBaseDir: true });
  });

  const shareConsumer = (options: { explicit?: boolean; maxPollRecords?: number } = {}): ShareConsumer =>
    new ShareConsumer({
      bootstrap: sluice.brokers.addresses().join(','),
      coordinators: sluice.coordinators.addresses(),
      groupId: GROUP,
      acknowledgementMode: options.explicit === true ? 'explicit' : 'implicit',
      maxPollRecords: options.maxPollRecords ?? 20,
      fetchMaxWaitMs: 200,
      requestTimeoutMs: 5_000,
      retryBackoffMs: 50,
    });

  /**
   * Waits until the share partitions of `group` on `topic` are initialized (records after this are
   * delivered); `whileWaiting` keeps a member fetching, which is what makes the leaders initialize them.
   */
  const waitForShareState = async (
    group: string,
    topic: string,
    partitions: number,
    whileWaiting: () => Promise<unknown> = () => sleep(100),
  ): Promise<void> => {
    const persister = new CoordinatorShareStatePersister({
      coordinators: sluice.coordinators.addresses(),
      requestTimeoutMs: 5_000,
    });
    try {
      for (let partition = 0; partition < partitions; partition++) {
        await waitFor(
          `share state of ${group} on ${topic}-${partition}`,
          async () =>
            (await persister.read({ groupId: group, topic, partition }, -1)) !== null || (await whileWaiting(), false),
          30_000,
        );
      }
    } finally {
      persister.close();
    }
  };

  it("spreads two partitions over six consumers, redelivers a killed holder's records, and loses no acknowledgement when a coordinator and a leader die", async () => {
    const coordinatorAddresses = sluice.coordinators.addresses();
    /** value -> deliveries seen by the in-process workers. */
    const deliveries = new Map<string, { worker: number; deliveryCount: number; atMs: number }[]>();
    /** Values whose ACCEPT a commitSync confirmed. */
    const confirmed = new Set<string>();
    const redeliveredAfterConfirm: string[] = [];
    const perWorker = [0, 0, 0, 0, 0];
    let running = true;

    const workers = perWorker.map((_, index) => {
      const consumer = shareConsumer();
      consumer.subscribe([TOPIC]);
      const loop = (async () => {
        while (running) {
          let records: ShareConsumerRecord[];
          try {
            records = await consumer.poll(200);
          } catch {
            await sleep(100);
            continue;
          }
          for (const record of records) {
            const value = record.value!.toString();
            if (confirmed.has(value))
              redeliveredAfterConfirm.push(`${value} (delivery ${record.deliveryCount} to worker ${index})`);
            deliveries.set(value, [
              ...(deliveries.get(value) ?? []),
              { worker: index, deliveryCount: record.deliveryCount, atMs: Date.now() },
            ]);
            perWorker[index]! += 1;
          }
          if (records.length === 0) continue;
          // Processing takes a moment, so the other members get their turn at the partitions.
          await sleep(20);
          const results = await consumer.commitSync().catch(() => null);
          if (results === null) continue;
          for (const record of records)
            if (results.get(`${record.topic}-${record.partition}`) === null) confirmed.add(record.value!.toString());
        }
      })();
      return { consumer, loop };
    });

    // The sixth member: a process that takes records and is killed -9 holding their locks.
    const security = defaultClientSecurity();
    const holderEnv =
      security.tls === undefined || security.tokens === undefined
        ? {}
        : { HOLDER_CA: security.tls.caFile, HOLDER_TOKEN: await security.tokens.token() };
    const holder = spawn(
      process.execPath,
      ['-e', HOLDER_SCRIPT, sluice.brokers.addresses().join(','), coordinatorAddresses.join(','), GROUP, TOPIC],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...holderEnv } },
    );
    children.push(holder);
    let heldAtMs = 0;
    const held = new Promise<string[]>((resolveHeld) => {
      createInterface({ input: holder.stdout! }).once('line', (line) => {
        heldAtMs = Date.now();
        resolveHeld(JSON.parse(line) as string[]);
      });
    });

    try {
      // Records count from the moment each share partition is initialized (share.auto.offset.reset=latest).
      await waitForShareState(GROUP, TOPIC, 2);
      const producer = new Producer({
        bootstrap: sluice.brokers.addresses().join(','),
        acks: 'all',
        lingerMs: 2,
        requestTimeoutMs: 5_000,
        deliveryTimeoutMs: 60_000,
      });
      const produce = async (from: number, to: number): Promise<void> => {
        for (let i = from; i < to; i += 20) {
          await Promise.all(
            Array.from({ length: Math.min(20, to - i) }, (_, k) =>
              producer.send({ topic: TOPIC, partition: (i + k) % 2, value: Buffer.from(`r-${i + k}`) }),
            ),
          );
          await sleep(10);
        }
      };
      try {
        await produce(0, RECORDS / 2);
        const heldValues = await Promise.race([held, sleep(30_000).then(() => null)]);
        if (heldValues === null) throw new Error('the holder process received no records within 30 s');
        expect(heldValues.length).toBeGreaterThan(0);
        holder.kill('SIGKILL');

        // kill -9 the coordinator keeping partition 0's share state, then restart it.
        const coordinatorClient = createGrpcClient('Coordinator', coordinatorAddresses[0]!);
        const found = await unaryCall(
          coordinatorClient,
          'FindCoordinator',
          { groupIds: [shareStateKeyString({ groupId: GROUP, topic: TOPIC, partition: 0 })], keyType: 'SHARE' },
          { timeoutMs: 5_000 },
        ).finally(() => coordinatorClient.close());
        const stateCoordinator = found.coordinators[0]!.nodeId;
        await sluice.coordinators.kill(stateCoordinator, 'SIGKILL');
        const producing = produce(RECORDS / 2, (RECORDS * 3) / 4);
        await sleep(1_000);
        sluice.coordinators.start(stateCoordinator);
        await producing;

        // kill -9 the leader of partition 1, then restart it.
        const leader = await leaderOf(sluice, TOPIC, 1);
        await sluice.brokers.kill(leader, 'SIGKILL');
        await produce((RECORDS * 3) / 4, RECORDS);
        sluice.brokers.start(leader);

        await waitFor(`all ${RECORDS} records processed`, () => deliveries.size === RECORDS, 90_000);
        await sluice.waitForUnfencedBrokers(60_000);
        // Every record is acknowledged: the durable share start offset reaches each partition's end.
        const persister = new CoordinatorShareStatePersister({
          coordinators: coordinatorAddresses,
          requestTimeoutMs: 5_000,
        });
        try {
          await waitFor(
            'the durable share state at the end of both partitions',
            async () =>
              (
                await Promise.all(
                  [0, 1].map(
                    async (partition) =>
                      (await persister.read({ groupId: GROUP, topic: TOPIC, partition }, -1))?.startOffset,
                  ),
                )
              ).every((start) => start === RECORDS / 2),
            30_000,
          );
        } finally {
          persister.close();
        }
        // The holder's records come back only once their locks ran out (taken just before heldAtMs).
        for (const value of heldValues) {
          const seen = deliveries.get(value) ?? [];
          expect({ value, redelivered: seen.some((d) => d.deliveryCount >= 2) }).toEqual({ value, redelivered: true });
          expect(Math.min(...seen.map((d) => d.atMs)) - heldAtMs).toBeGreaterThanOrEqual(LOCK_MS - 1_000);
        }
        process.stdout.write(
          `share-group e2e: ${RECORDS} records, per worker ${perWorker.join('/')}, holder took ${heldValues.length} (redelivered), ` +
            `${[...deliveries.values()].filter((d) => d.length > 1).length} delivered more than once, ${confirmed.size} confirmed; share coordinator ${stateCoordinator} and broker ${leader} killed -9\n`,
        );
      } finally {
        await producer.close();
      }
      expect(perWorker.every((count) => count > 0)).toBe(true);
      expect(redeliveredAfterConfirm).toEqual([]);
      expect([...deliveries.keys()].sort()).toEqual(Array.from({ length: RECORDS }, (_, i) => `r-${i}`).sort());
    } finally {
      running = false;
      await Promise.all(workers.map((w) => w.loop));
      await Promise.all(workers.map((w) => w.consumer.close()));
    }
  });

  it('archives a rejected record and one released past the delivery limit', async () => {
    const topic = 'poison';
    const group = 'poison-crew';
    await sluice.admin.createTopic({ name: topic, numPartitions: 1, replicationFactor: 3 });
    const consumer = new ShareConsumer({
      bootstrap: sluice.brokers.addresses().join(','),
      coordinators: sluice.coordinators.addresses(),
      groupId: group,
      acknowledgementMode: 'explicit',
      fetchMaxWaitMs: 200,
      requestTimeoutMs: 5_000,
    });
    const producer = new Producer({ bootstrap: sluice.brokers.addresses().join(','), acks: 'all' });
    try {
      consumer.subscribe([topic]);
      const pollSome = async (timeoutMs: number): Promise<ShareConsumerRecord[]> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const records = await consumer.poll(200);
          if (records.length > 0 || Date.now() >= deadline) return records;
        }
      };
      // Polling makes the leader initialize the share partition; records after that are delivered.
      await waitForShareState(group, topic, 1, () => consumer.poll(200));
      await producer.send({ topic, partition: 0, value: Buffer.from('rejected') });
      await producer.send({ topic, partition: 0, value: Buffer.from('released') });

      const deliveryCounts: number[] = [];
      let rejected = 0;
      for (let round = 0; round < 20 && deliveryCounts.length < DELIVERY_LIMIT; round++) {
        for (const record of await pollSome(2_000)) {
          const value = record.value!.toString();
          if (value === 'rejected') {
            rejected += 1;
            consumer.acknowledge(record, 'REJECT');
          } else {
            deliveryCounts.push(record.deliveryCount);
            consumer.acknowledge(record, 'RELEASE');
          }
        }
        await consumer.commitSync();
      }
      expect(rejected).toBe(1);
      expect(deliveryCounts).toEqual([1, 2, 3]);

      // Both are archived now: a later record is delivered, they are not.
      await producer.send({ topic, partition: 0, value: Buffer.from('after') });
      const later: string[] = [];
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline) {
        for (const record of await consumer.poll(200)) {
          later.push(record.value!.toString());
          consumer.acknowledge(record, 'ACCEPT');
        }
      }
      await consumer.commitSync();
      expect(later).toEqual(['after']);
    } finally {
      await producer.close();
      await consumer.close();
    }
  });
});
