/**
 * Component test: share groups end to end on one real controller process and two in-process
 * brokers (real disks, real gRPC on loopback) sharing an in-memory share state persister, with
 * the client's ShareConsumer given a fixed assignment (the share group membership comes from the
 * coordinator elsewhere).
 */
import type { ControllerClient } from '@sluice/controller';
import {
  ShareConsumer,
  type ShareConsumerRecord,
  type ShareGroupMembershipLike,
  type ShareTopicPartition,
} from '@sluice/client';
import type { BrokerNode } from '../src/node/broker-node';
import { InMemoryShareStatePersister } from './support/in-memory-share-persister';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(60_000);

function fixedMembership(memberId: string, assignment: readonly ShareTopicPartition[]): ShareGroupMembershipLike {
  return { memberId, assignment: () => assignment, start: () => undefined, close: () => Promise.resolve() };
}

describe('share groups: ShareConsumer against two brokers', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const persister = new InMemoryShareStatePersister();
  const brokers: BrokerNode[] = [];
  const clients = new BrokerClients();
  const consumers: ShareConsumer[] = [];

  const bootstrap = (): string[] => brokers.map((b) => b.address);
  const consumer = (
    groupId: string,
    memberId: string,
    assignment: readonly ShareTopicPartition[],
    options: { explicit?: boolean; maxPollRecords?: number } = {},
  ): ShareConsumer => {
    const c = new ShareConsumer({
      bootstrap: bootstrap(),
      groupId,
      membership: fixedMembership(memberId, assignment),
      acknowledgementMode: options.explicit === true ? 'explicit' : 'implicit',
      maxPollRecords: options.maxPollRecords ?? 500,
      fetchMaxWaitMs: 200,
      retryBackoffMs: 50,
    });
    consumers.push(c);
    return c;
  };
  const leaderOf = async (topic: string, partition: number): Promise<BrokerNode> => {
    const meta = await clients.call(brokers[0]!, 'Metadata', { topics: [topic] });
    const leader = meta.topics[0]!.partitions.find((p) => p.partition === partition)!.leader;
    return brokers.find((b) => b.brokerId === leader)!;
  };
  const createTopic = async (name: string, partitions: number): Promise<void> => {
    const created = await controller.call('CreateTopics', {
      topics: [{ name, numPartitions: partitions, replicationFactor: 2, assignments: [], configs: {} }],
    });
    expect(created.topics[0]).toMatchObject({ name, errorName: '' });
    await waitFor(`leaders of ${name}`, async () => {
      const meta = await clients.call(brokers[0]!, 'Metadata', { topics: [name] });
      const ps = meta.topics[0]?.partitions ?? [];
      return (
        ps.length === partitions &&
        ps.every(
          (p) =>
            p.leader > 0 &&
            p.isr.length === 2 &&
            brokers.find((b) => b.brokerId === p.leader)?.replica(name, p.partition)?.role.kind === 'leader',
        )
      );
    });
  };
  const produce = async (topic: string, partition: number, first: number, count: number): Promise<void> => {
    const result = await clients.produce(await leaderOf(topic, partition), topic, partition, batch(first, count));
    expect(result.errorName).toBe('');
  };
  /** Polls `c` until `want` records came or the deadline passed. */
  const pollUntil = async (c: ShareConsumer, want: number, timeoutMs = 10_000): Promise<ShareConsumerRecord[]> => {
    const out: ShareConsumerRecord[] = [];
    const deadline = Date.now() + timeoutMs;
    while (out.length < want && Date.now() < deadline) out.push(...(await c.poll(200)));
    return out;
  };

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('share-component', { 'broker.session.timeout.ms': 3_000 }));
    for (const nodeId of [1, 2]) {
      brokers.push(
        await startLocalBroker(cluster, nodeId, {
          metrics: { host: '127.0.0.1', port: 0 },
          share: {
            config: { recordLockDurationMs: 1_000, deliveryCountLimit: 3, maxInFlightRecords: 2_000 },
            coordinatorAddresses: ['in-memory'],
            persisterFactory: () => ({ persister, close: () => undefined }),
            autoOffsetReset: 'earliest',
          },
        }),
      );
    }
    await cluster.waitForUnfencedBrokers(10_000, [1, 2]);
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.close().catch(() => undefined)));
    clients.close();
    await Promise.all(brokers.map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('implicit mode: three members share two partitions and every record is processed exactly once', async () => {
    await createTopic('jobs', 2);
    for (let i = 0; i < 12; i++) await produce('jobs', i % 2, i * 5, 5);
    const assignment = [0, 1].map((partition) => ({ topic: 'jobs', partition }));
    const members = ['a', 'b', 'c'].map((m) => consumer('workers', m, assignment, { maxPollRecords: 5 }));
    const seen = new Map<string, string>();
    const perMember = new Map<string, number>();
    const deadline = Date.now() + 20_000;
    await Promise.all(
      members.map(async (c) => {
        while (seen.size < 60 && Date.now() < deadline) {
          for (const record of await c.poll(200)) {
            const key = `${record.partition}-${record.offset}`;
            expect(seen.get(key)).toBeUndefined();
            expect(record.deliveryCount).toBe(1);
            seen.set(key, c.memberId);
            perMember.set(c.memberId, (perMember.get(c.memberId) ?? 0) + 1);
          }
        }
      }),
    );
    expect(seen.size).toBe(60);
    expect([...perMember.keys()].sort()).toEqual(['a', 'b', 'c']);
    await Promise.all(members.map((c) => c.close()));
    // The last poll's records were ACCEPTed by close: both share partitions are done.
    for (const partition of [0, 1])
      expect(persister.state({ groupId: 'workers', topic: 'jobs', partition })).toEqual({
        stateEpoch: 0,
        startOffset: 30,
        ranges: [],
      });
    const metrics = (
      await Promise.all(brokers.map((b) => fetch(`http://127.0.0.1:${b.metricsPort}/metrics`).then((r) => r.text())))
    ).join('\n');
    const total = (name: string): number =>
      [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    expect(total('sluice_broker_share_records_acquired_total')).toBeGreaterThanOrEqual(60);
    expect(total('sluice_broker_share_records_acknowledged_total')).toBeGreaterThanOrEqual(60);
    expect(metrics).toMatch(/sluice_broker_share_state_write_seconds_count\{[^}]*outcome="ok"/);
    expect(total('sluice_broker_share_partitions')).toBeGreaterThanOrEqual(2);
  });

  it('explicit mode: RELEASE redelivers with a higher delivery count, REJECT archives, poll refuses unacknowledged records', async () => {
    await createTopic('explicit', 1);
    await produce('explicit', 0, 0, 3);
    const c = consumer('checkers', 'x', [{ topic: 'explicit', partition: 0 }], { explicit: true });
    const first = await pollUntil(c, 3);
    expect(first.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    await expect(c.poll(0)).rejects.toMatchObject({ errorName: 'INVALID_REQUEST' });
    c.acknowledge(first[0]!, 'ACCEPT');
    c.acknowledge(first[1]!, 'RELEASE');
    c.acknowledge(first[2]!, 'REJECT');
    expect(() => c.acknowledge(first[2]!, 'ACCEPT')).toThrow(/already acknowledged/);
    const again = await pollUntil(c, 1);
    expect(again.map((r) => [r.offset, r.deliveryCount, r.value?.toString()])).toEqual([[1, 2, 'value-1']]);
    c.acknowledge(again[0]!, 'ACCEPT');
    const committed = await c.commitSync();
    expect(committed.get('explicit-0')).toBeNull();
    expect(persister.state({ groupId: 'checkers', topic: 'explicit', partition: 0 })).toEqual({
      stateEpoch: 0,
      startOffset: 3,
      ranges: [],
    });
    await c.close();
  });

  it('a member that stops acknowledging loses its records to another member after the lock duration', async () => {
    await createTopic('stall', 1);
    await produce('stall', 0, 0, 4);
    const assignment = [{ topic: 'stall', partition: 0 }];
    const stuck = consumer('stallers', 'stuck', assignment);
    expect((await pollUntil(stuck, 4)).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    const startedMs = Date.now();
    const other = consumer('stallers', 'other', assignment);
    const redelivered = await pollUntil(other, 4);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(500);
    expect(redelivered.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
    // The stuck member's late implicit ACCEPTs are refused: the records are another member's now.
    const late = await stuck.commitSync();
    expect(late.get('stall-0')).toMatchObject({ errorName: 'INVALID_RECORD_STATE' });
    expect((await other.commitSync()).get('stall-0')).toBeNull();
    expect(persister.state({ groupId: 'stallers', topic: 'stall', partition: 0 })!.startOffset).toBe(4);
  });

  it('acknowledgements for a partition the assignment moved away still reach its leader', async () => {
    await createTopic('moves', 2);
    // Only meaningful when the two partitions have different leaders (the moved one's broker then gets no ShareFetch).
    expect((await leaderOf('moves', 0)).brokerId).not.toBe((await leaderOf('moves', 1)).brokerId);
    await produce('moves', 0, 0, 5);
    await produce('moves', 1, 0, 5);
    let assignment: ShareTopicPartition[] = [0, 1].map((partition) => ({ topic: 'moves', partition }));
    const mover = new ShareConsumer({
      bootstrap: bootstrap(),
      groupId: 'movers',
      membership: {
        memberId: 'mover',
        assignment: () => assignment,
        start: () => undefined,
        close: () => Promise.resolve(),
      },
      fetchMaxWaitMs: 200,
      retryBackoffMs: 50,
    });
    consumers.push(mover);
    expect(await pollUntil(mover, 10)).toHaveLength(10);
    // The group moves partition 1 elsewhere; the next polls ACCEPT what the last one returned, partition 1's included.
    assignment = [{ topic: 'moves', partition: 0 }];
    const deadline = Date.now() + 500;
    while (Date.now() < deadline) await mover.poll(100);
    await waitFor(
      'partition 1 acknowledged at its leader',
      () => persister.state({ groupId: 'movers', topic: 'moves', partition: 1 })?.startOffset === 5,
    );
    // So nothing comes back after the 1 s lock duration.
    const next = consumer('movers', 'next', [{ topic: 'moves', partition: 1 }]);
    const again: ShareConsumerRecord[] = [];
    const until = Date.now() + 2_000;
    while (Date.now() < until) again.push(...(await next.poll(200)));
    expect(again).toEqual([]);
  });

  it('implicit commitSync fetches ahead: one share state write per poll-commit round, the next records already acquired', async () => {
    await createTopic('ahead', 1);
    await produce('ahead', 0, 0, 30);
    const key = { groupId: 'aheads', topic: 'ahead', partition: 0 };
    const c = consumer('aheads', 'h', [{ topic: 'ahead', partition: 0 }], { maxPollRecords: 10 });
    const first = await pollUntil(c, 10);
    expect(first.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Initialized (a snapshot) and the first acquisition written before the first poll answered.
    expect(persister.state(key)).toEqual({
      stateEpoch: 0,
      startOffset: 0,
      ranges: [{ firstOffset: 0, lastOffset: 9, state: 'AVAILABLE', deliveryCount: 1 }],
    });
    const writesBefore = persister.writes;
    for (let round = 1; round <= 2; round++) {
      expect((await c.commitSync()).get('ahead-0')).toBeNull();
      // The ACCEPTs and the next acquisition went in one write: durable start past the accepted
      // records, the next ten counted as delivered (an acquired record is stored as what losing
      // its lock makes it).
      expect(persister.writes - writesBefore).toBe(round);
      expect(persister.state(key)).toEqual({
        stateEpoch: 0,
        startOffset: round * 10,
        ranges: [{ firstOffset: round * 10, lastOffset: round * 10 + 9, state: 'AVAILABLE', deliveryCount: 1 }],
      });
      // The next poll answers from what the commit fetched, without another write.
      const next = await c.poll(0);
      expect(next.map((r) => [r.offset, r.deliveryCount])).toEqual(
        Array.from({ length: 10 }, (_, i) => [round * 10 + i, 1]),
      );
      expect(persister.writes - writesBefore).toBe(round);
    }
    // Nothing left to acquire: the last commit writes only its ACCEPTs.
    expect((await c.commitSync()).get('ahead-0')).toBeNull();
    expect(persister.writes - writesBefore).toBe(3);
    expect(persister.state(key)).toEqual({ stateEpoch: 0, startOffset: 30, ranges: [] });
    expect(await c.poll(0)).toEqual([]);
    await c.close();
  });

  it("a commitSync's fetched-ahead records are decoded after it answers: a poll at once or later hands out the same records", async () => {
    await createTopic('ahead-decode', 2);
    for (const partition of [0, 1]) await produce('ahead-decode', partition, 0, 12);
    const assignment = [
      { topic: 'ahead-decode', partition: 0 },
      { topic: 'ahead-decode', partition: 1 },
    ];
    const c = consumer('ahead-decodes', 'd', assignment, { maxPollRecords: 4 });
    const seen: string[] = [];
    const take = (records: readonly ShareConsumerRecord[]): void => {
      for (const r of records) {
        expect(r.deliveryCount).toBe(1);
        expect(r.value?.toString()).toBe(`value-${r.offset}`);
        seen.push(`${r.partition}@${r.offset}`);
      }
    };
    take(await pollUntil(c, 4));
    for (let round = 0; round < 10 && seen.length < 24; round++) {
      // Even rounds poll in the continuation of commitSync's answer (before its records' decoding
      // macrotask), odd rounds after a macrotask: either way the poll hands the records out.
      const committed = await c.commitSync();
      expect([...committed.values()].every((error) => error === null)).toBe(true);
      if (round % 2 === 1) await new Promise((resolve) => setImmediate(resolve));
      const next = await c.poll(round % 2 === 0 ? 0 : 1_000);
      take(next.length > 0 ? next : await pollUntil(c, 1));
    }
    expect((await c.commitSync()).size).toBeGreaterThan(0);
    // Every record once, each with its own value, none delivered twice.
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(
      [0, 1].flatMap((partition) => Array.from({ length: 12 }, (_, offset) => `${partition}@${offset}`)).sort(),
    );
    for (const partition of [0, 1]) {
      expect(persister.state({ groupId: 'ahead-decodes', topic: 'ahead-decode', partition })!.startOffset).toBe(12);
    }
    await c.close();
  });

  it('a commitSync whose fetch-ahead write fails answers the error, and the acknowledgements are not taken as durable', async () => {
    await createTopic('ahead-fail', 1);
    await produce('ahead-fail', 0, 0, 8);
    const key = { groupId: 'ahead-fails', topic: 'ahead-fail', partition: 0 };
    const c = consumer('ahead-fails', 'f', [{ topic: 'ahead-fail', partition: 0 }], { maxPollRecords: 4 });
    expect((await pollUntil(c, 4)).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    persister.mode = 'fail';
    let failed: Map<string, unknown>;
    try {
      failed = await c.commitSync();
    } finally {
      persister.mode = 'ok';
    }
    expect(failed.get('ahead-fail-0')).toMatchObject({ errorName: 'COORDINATOR_NOT_AVAILABLE' });
    expect(persister.state(key)!.startOffset).toBe(0);
    // The leader dropped its unwritten state and reloads: the unconfirmed records come back, counted again.
    const again = await pollUntil(c, 4);
    expect(again.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
    expect((await c.commitSync()).get('ahead-fail-0')).toBeNull();
    expect(persister.state(key)!.startOffset).toBe(4);
    await c.close();
  });

  it('a leader change reloads the share state from the persister: accepted records are never redelivered', async () => {
    await createTopic('moving', 1);
    await produce('moving', 0, 0, 6);
    const c = consumer('movers', 'm', [{ topic: 'moving', partition: 0 }], { explicit: true });
    const records = await pollUntil(c, 6);
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of records) c.acknowledge(r, r.offset < 3 ? 'ACCEPT' : 'RELEASE');
    expect((await c.commitSync()).get('moving-0')).toBeNull();
    await c.close();
    const oldLeader = await leaderOf('moving', 0);
    await oldLeader.stop();
    const survivor = brokers.find((b) => b !== oldLeader)!;
    await waitFor('the other broker leads', () => survivor.replica('moving', 0)?.role.kind === 'leader');
    const next = consumer('movers', 'n', [{ topic: 'moving', partition: 0 }], { explicit: true });
    const after = await pollUntil(next, 3);
    expect(after.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [3, 2],
      [4, 2],
      [5, 2],
    ]);
    for (const r of after) next.acknowledge(r, 'ACCEPT');
    expect((await next.commitSync()).get('moving-0')).toBeNull();
    expect(persister.state({ groupId: 'movers', topic: 'moving', partition: 0 })!.startOffset).toBe(6);
  });
});
