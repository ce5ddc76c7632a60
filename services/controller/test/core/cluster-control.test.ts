import { NO_LEADER } from '@sluice/metadata';
import { clusterInvariantViolations } from '../../src/core';
import { CLUSTER_ID, Harness, incarnation, SESSION_MS } from './harness';
import { MAX_LOG_DIRS } from '../../src/core/limits';

const listeners = [{ name: 'PLAINTEXT', host: 'h', port: 9092 }];

describe('registerBroker', () => {
  it('registers fenced with an epoch at the next offset, strictly increasing on re-registration', () => {
    const h = new Harness();
    const result = h.core.registerBroker(
      h.image,
      { brokerId: 1, incarnationId: incarnation(1), listeners, rack: 'a', clusterId: CLUSTER_ID },
      h.nowMs,
    );
    expect(result.records).toEqual([
      {
        type: 'BrokerRegistration',
        brokerId: 1,
        brokerEpoch: h.image.provenance.lastContainedOffset + 1,
        incarnationId: incarnation(1),
        listeners,
        rack: 'a',
        fenced: true,
      },
    ]);
    expect(result.summary).toContain('broker 1 registered');
    h.commit(result);
    const first = result.response.brokerEpoch;
    expect(h.image.cluster.broker(1)?.fenced).toBe(true);
    // Same incarnation again (a retry): new, higher epoch.
    const again = h.core.registerBroker(
      h.image,
      { brokerId: 1, incarnationId: incarnation(1), listeners, rack: 'a', clusterId: CLUSTER_ID, nextOffset: 500 },
      h.nowMs,
    );
    expect(again.response.brokerEpoch).toBe(500);
    h.commit(again);
    const low = h.core.registerBroker(
      h.image,
      { brokerId: 1, incarnationId: incarnation(1), listeners, rack: 'a', clusterId: CLUSTER_ID },
      h.nowMs,
    );
    expect(low.response.brokerEpoch).toBeGreaterThan(500);
    expect(first).toBeLessThan(500);
  });

  it('refuses a wrong cluster id and malformed registrations without changing anything', () => {
    const h = new Harness();
    const base = { brokerId: 1, incarnationId: incarnation(1), listeners, rack: null, clusterId: CLUSTER_ID };
    h.refuses('INCONSISTENT_CLUSTER_ID', () =>
      h.core.registerBroker(h.image, { ...base, clusterId: 'other' }, h.nowMs),
    );
    h.refuses('INVALID_REQUEST', () => h.core.registerBroker(h.image, { ...base, brokerId: -1 }, h.nowMs));
    h.refuses('INVALID_REQUEST', () => h.core.registerBroker(h.image, { ...base, incarnationId: 'nope' }, h.nowMs));
    h.refuses('INVALID_REQUEST', () => h.core.registerBroker(h.image, { ...base, listeners: [] }, h.nowMs));
    h.refuses('INVALID_REQUEST', () =>
      h.core.registerBroker(h.image, { ...base, listeners: [...listeners, ...listeners] }, h.nowMs),
    );
    h.refuses('INVALID_REQUEST', () =>
      h.core.registerBroker(h.image, { ...base, listeners: [{ name: 'X', host: 'h', port: 70000 }] }, h.nowMs),
    );
    h.refuses('INVALID_REQUEST', () => h.core.registerBroker(h.image, { ...base, rack: '' }, h.nowMs));
    expect(h.core.heartbeats.size).toBe(0);
  });

  it('refuses a different incarnation while the old session lives, accepts it once the lease expired', () => {
    const h = new Harness().brokers(1);
    const other = { brokerId: 0, incarnationId: incarnation(99), listeners, rack: null, clusterId: CLUSTER_ID };
    h.nowMs += SESSION_MS;
    h.refuses('DUPLICATE_BROKER_REGISTRATION', () => h.core.registerBroker(h.image, other, h.nowMs));
    h.nowMs += 1;
    const result = h.core.registerBroker(h.image, other, h.nowMs);
    expect(result.response.brokerEpoch).toBeGreaterThan(h.epoch(0));
    h.commit(result);
    expect(h.image.cluster.broker(0)?.incarnationId).toBe(incarnation(99));
  });

  it('re-registering a live broker moves its leadership off (it restarted and starts fenced)', () => {
    const h = new Harness().brokers(3);
    h.topic('t', 3, 2);
    const led = [0, 1, 2].filter((p) => h.partition('t', p).leader === 0);
    expect(led.length).toBe(1);
    const result = h.core.registerBroker(
      h.image,
      { brokerId: 0, incarnationId: incarnation(0), listeners, rack: null, clusterId: CLUSTER_ID },
      h.nowMs,
    );
    expect(result.records.filter((r) => r.type === 'PartitionChange').length).toBeGreaterThanOrEqual(1);
    h.commit(result);
    for (let p = 0; p < 3; p++) {
      expect(h.partition('t', p).leader).not.toBe(0);
      expect(h.partition('t', p).isr).not.toContain(0);
    }
  });
});

describe('brokerHeartbeat', () => {
  it('unfences once the broker caught up to its registration, not before', () => {
    const h = new Harness();
    const epoch = h.register(1);
    const behind = h.core.brokerHeartbeat(
      h.image,
      { brokerId: 1, brokerEpoch: epoch, currentMetadataOffset: epoch - 1, wantFence: false, wantShutDown: false },
      h.nowMs,
    );
    expect(behind.records).toEqual([]);
    expect(behind.response).toMatchObject({
      isFenced: true,
      isCaughtUp: false,
      shouldShutDown: false,
      leaseExpiresAtMs: h.nowMs + SESSION_MS,
    });
    const caught = h.core.brokerHeartbeat(
      h.image,
      { brokerId: 1, brokerEpoch: epoch, currentMetadataOffset: epoch, wantFence: false, wantShutDown: false },
      h.nowMs,
    );
    expect(caught.records).toEqual([{ type: 'UnfenceBroker', brokerId: 1, brokerEpoch: epoch }]);
    expect(caught.response).toMatchObject({ isFenced: false, isCaughtUp: true });
    h.commit(caught);
    expect(h.image.cluster.broker(1)?.fenced).toBe(false);
    const steady = h.core.brokerHeartbeat(
      h.image,
      { brokerId: 1, brokerEpoch: epoch, currentMetadataOffset: epoch + 5, wantFence: false, wantShutDown: false },
      h.nowMs,
    );
    expect(steady.records).toEqual([]);
    expect(steady.response.isFenced).toBe(false);
  });

  it('refuses unknown brokers, stale epochs and bad offsets', () => {
    const h = new Harness().brokers(1);
    const hb = {
      brokerId: 0,
      brokerEpoch: h.epoch(0),
      currentMetadataOffset: 0,
      wantFence: false,
      wantShutDown: false,
    };
    h.refuses('BROKER_ID_NOT_REGISTERED', () => h.core.brokerHeartbeat(h.image, { ...hb, brokerId: 7 }, h.nowMs));
    h.refuses('STALE_BROKER_EPOCH', () =>
      h.core.brokerHeartbeat(h.image, { ...hb, brokerEpoch: hb.brokerEpoch - 1 }, h.nowMs),
    );
    h.refuses('INVALID_REQUEST', () => h.core.brokerHeartbeat(h.image, { ...hb, currentMetadataOffset: -2 }, h.nowMs));
  });

  it('wantFence fences an unfenced broker and moves its partitions; a fenced broker wanting shutdown may go', () => {
    const h = new Harness().brokers(3);
    h.topic('t', 6, 3);
    const response = h.heartbeat(1, { wantFence: true });
    expect(response.isFenced).toBe(true);
    expect(h.image.cluster.broker(1)?.fenced).toBe(true);
    for (let p = 0; p < 6; p++) expect(h.partition('t', p).isr).not.toContain(1);
    expect(h.heartbeat(1, { wantShutDown: true }).shouldShutDown).toBe(true);
  });

  it('a broker reporting an offline log dir is fenced and moved off, and stays fenced until it stops reporting one', () => {
    const h = new Harness().brokers(3);
    h.topic('t', 6, 3);
    const fenced = h.core.brokerHeartbeat(
      h.image,
      {
        brokerId: 1,
        brokerEpoch: h.epoch(1),
        currentMetadataOffset: h.image.provenance.lastContainedOffset,
        wantFence: false,
        wantShutDown: false,
        offlineLogDirs: ['/data/kafka-logs'],
      },
      h.nowMs,
    );
    expect(fenced.summary).toMatch(/log dirs offline \(\/data\/kafka-logs\)/);
    h.commit(fenced);
    expect(fenced.response.isFenced).toBe(true);
    expect(h.image.cluster.broker(1)?.fenced).toBe(true);
    for (let p = 0; p < 6; p++) {
      expect(h.partition('t', p).isr).not.toContain(1);
      expect(h.partition('t', p).leader).not.toBe(1);
    }
    // Caught up, but the directory is still offline: no unfence.
    expect(h.heartbeat(1, { offlineLogDirs: ['/data/kafka-logs'] }).isFenced).toBe(true);
    expect(h.image.cluster.broker(1)?.fenced).toBe(true);
    // Back with a healthy directory (a restart re-registers; here the same epoch stops reporting it).
    expect(h.heartbeat(1).isFenced).toBe(false);
    const refused = (dirs: string[]): string => {
      const before = h.image;
      try {
        h.heartbeat(2, { offlineLogDirs: dirs });
      } catch (error) {
        expect(h.image).toBe(before);
        return (error as { errorName: string }).errorName;
      }
      return 'accepted';
    };
    expect(refused([''])).toBe('INVALID_REQUEST');
    expect(refused(Array.from({ length: MAX_LOG_DIRS + 1 }, (_, i) => `/d${i}`))).toBe('INVALID_REQUEST');
    expect(h.image.cluster.broker(2)?.fenced).toBe(false);
  });

  it('a returning broker becomes leader of leaderless partitions it is the last ISR member of', () => {
    const h = new Harness().brokers(1);
    h.topic('solo', 2, 1);
    h.nowMs += SESSION_MS + 1;
    h.commit(h.core.fenceExpiredBrokers(h.image, h.nowMs));
    expect(h.partition('solo', 0)).toMatchObject({ leader: NO_LEADER, isr: [0], leaderEpoch: 1 });
    const epoch = h.register(0);
    expect(h.image.cluster.broker(0)?.brokerEpoch).toBe(epoch);
    const response = h.heartbeat(0);
    expect(response.isFenced).toBe(false);
    expect(h.partition('solo', 0)).toMatchObject({ leader: 0, isr: [0], leaderEpoch: 2 });
    expect(h.partition('solo', 1).leader).toBe(0);
  });
});

describe('fenceExpiredBrokers', () => {
  it('fences brokers whose lease expired, moving leadership within the ISR and shrinking it', () => {
    const h = new Harness().brokers(3);
    h.topic('t', 9, 3);
    const before = [...Array(9).keys()].map((p) => h.partition('t', p));
    h.nowMs += SESSION_MS; // exactly the timeout: still alive
    expect(h.core.fenceExpiredBrokers(h.image, h.nowMs).records).toEqual([]);
    h.nowMs += 1;
    for (const id of [0, 2]) h.heartbeat(id);
    const result = h.core.fenceExpiredBrokers(h.image, h.nowMs);
    expect(result.response.fencedBrokerIds).toEqual([1]);
    expect(result.records[0]).toEqual({ type: 'FenceBroker', brokerId: 1, brokerEpoch: h.epoch(1) });
    expect(result.response.nextExpiryMs).toBe(h.nowMs + SESSION_MS + 1);
    h.commit(result);
    before.forEach((old, p) => {
      const now = h.partition('t', p);
      expect(now.isr).toEqual(old.isr.filter((id) => id !== 1));
      if (old.leader === 1) {
        expect(now.leader).toBe(old.replicas.find((id) => id !== 1));
        expect(now.leaderEpoch).toBe(old.leaderEpoch + 1);
      } else {
        expect(now.leader).toBe(old.leader);
        expect(now.leaderEpoch).toBe(old.leaderEpoch);
      }
      expect(now.partitionEpoch).toBe(old.partitionEpoch + 1);
    });
    expect(h.core.fenceExpiredBrokers(h.image, h.nowMs).records).toEqual([]);
  });

  it('keeps the last ISR member of a leaderless partition; unclean election when the topic enables it', () => {
    const h = new Harness().brokers(2);
    h.commit(
      h.core.createTopics(h.image, [
        { name: 'clean', assignments: [[0, 1]] },
        { name: 'dirty', assignments: [[0, 1]], configs: { 'unclean.leader.election.enable': 'true' } },
      ]),
    );
    // Broker 1 falls out of both ISRs first (leader 0 shrinks them).
    for (const name of ['clean', 'dirty']) {
      const p = h.partition(name, 0);
      h.commit(
        h.core.alterPartition(h.image, {
          brokerId: 0,
          brokerEpoch: h.epoch(0),
          topicId: h.image.topics.topicByName(name)?.topicId ?? '',
          partitionId: 0,
          leaderEpoch: p.leaderEpoch,
          partitionEpoch: p.partitionEpoch,
          newIsr: [0],
        }),
      );
    }
    h.nowMs += SESSION_MS + 1;
    h.heartbeat(1);
    h.commit(h.core.fenceExpiredBrokers(h.image, h.nowMs));
    expect(h.partition('clean', 0)).toMatchObject({ leader: NO_LEADER, isr: [0] });
    expect(h.partition('dirty', 0)).toMatchObject({ leader: 1, isr: [1] });
  });

  it('never hands leadership to another broker fenced in the same batch', () => {
    const h = new Harness().brokers(3);
    h.topic('t', 12, 3);
    h.nowMs += SESSION_MS + 1;
    h.heartbeat(2);
    const result = h.core.fenceExpiredBrokers(h.image, h.nowMs);
    expect(result.response.fencedBrokerIds).toEqual([0, 1]);
    h.commit(result);
    for (let p = 0; p < 12; p++) expect(h.partition('t', p)).toMatchObject({ leader: 2, isr: [2] });
  });

  it('a new controller (activate) gives every broker a fresh lease', () => {
    const h = new Harness().brokers(2);
    h.nowMs += SESSION_MS * 10;
    h.core.activate(h.image, h.nowMs);
    expect(h.core.fenceExpiredBrokers(h.image, h.nowMs).records).toEqual([]);
    expect(h.core.fenceExpiredBrokers(h.image, h.nowMs + SESSION_MS + 1).response.fencedBrokerIds).toEqual([0, 1]);
  });
});

describe('controlledShutdown', () => {
  it('moves leadership away first, then fences once the broker leads nothing', () => {
    const h = new Harness().brokers(3);
    h.topic('t', 6, 3);
    h.topic('single', 1, 1);
    const soloOwner = h.partition('single', 0).leader;
    const first = h.core.controlledShutdown(h.image, { brokerId: soloOwner, brokerEpoch: h.epoch(soloOwner) }, h.nowMs);
    expect(first.response.shouldShutDown).toBe(false);
    expect(first.records.every((r) => r.type === 'PartitionChange')).toBe(true);
    h.commit(first);
    for (let p = 0; p < 6; p++) {
      expect(h.partition('t', p).leader).not.toBe(soloOwner);
      expect(h.partition('t', p).isr).not.toContain(soloOwner);
    }
    expect(h.partition('single', 0)).toMatchObject({ leader: NO_LEADER, isr: [soloOwner] });
    expect(h.image.cluster.broker(soloOwner)?.fenced).toBe(false);
    // While shutting down it may not rejoin an ISR.
    const p0 = h.partition('t', 0);
    const topicId = h.image.topics.topicByName('t')?.topicId ?? '';
    h.refuses('INELIGIBLE_REPLICA', () =>
      h.core.alterPartition(h.image, {
        brokerId: p0.leader,
        brokerEpoch: h.epoch(p0.leader),
        topicId,
        partitionId: 0,
        leaderEpoch: p0.leaderEpoch,
        partitionEpoch: p0.partitionEpoch,
        newIsr: [...p0.isr, soloOwner],
      }),
    );
    const second = h.heartbeat(soloOwner, { wantShutDown: true });
    expect(second.shouldShutDown).toBe(true);
    expect(h.image.cluster.broker(soloOwner)?.fenced).toBe(true);
    // New topics avoid it.
    const placed =
      h.core.createTopics(h.image, [{ name: 'later', numPartitions: 4, replicationFactor: 2 }]).response.topics[0]
        ?.assignments ?? [];
    expect(placed.flat()).not.toContain(soloOwner);
  });

  it('refuses stale epochs', () => {
    const h = new Harness().brokers(1);
    h.refuses('STALE_BROKER_EPOCH', () =>
      h.core.controlledShutdown(h.image, { brokerId: 0, brokerEpoch: 12345 }, h.nowMs),
    );
    h.refuses('BROKER_ID_NOT_REGISTERED', () =>
      h.core.controlledShutdown(h.image, { brokerId: 9, brokerEpoch: 1 }, h.nowMs),
    );
  });
});

describe('bounded, incremental moves off fenced brokers', () => {
  const LIMIT = 5;

  /** Partition state as a comparable string, by topic and partition. */
  function snapshot(h: Harness, topics: readonly string[], partitions: number): Map<string, string> {
    const out = new Map<string, string>();
    for (const name of topics)
      for (let p = 0; p < partitions; p++) out.set(`${name}-${p}`, JSON.stringify(h.partition(name, p)));
    return out;
  }

  /** A partition is done when no fenced broker leads it or sits in its ISR (but a leaderless last member). */
  function done(h: Harness, name: string, p: number): boolean {
    const { leader, isr } = h.partition(name, p);
    const fenced = (id: number): boolean => h.image.cluster.isFenced(id);
    if (leader !== NO_LEADER && fenced(leader)) return false;
    return !isr.some(fenced) || (leader === NO_LEADER && isr.length === 1);
  }

  it('fences at once, then moves a broker with more partitions than the limit chunk by chunk until done', () => {
    const h = new Harness({ maxPartitionChangesPerOperation: LIMIT }).brokers(3);
    h.topic('a', 12, 3);
    h.topic('b', 11, 2);
    const topics = ['a', 'b'];
    const named = (id: number): number =>
      topics.reduce(
        (sum, name) =>
          sum + [...Array(name === 'a' ? 12 : 11).keys()].filter((p) => h.partition(name, p).isr.includes(id)).length,
        0,
      );
    const toMove = named(1);
    expect(toMove).toBeGreaterThan(2 * LIMIT);
    h.nowMs += SESSION_MS + 1;
    h.heartbeat(0);
    h.heartbeat(2);
    const before = snapshot(h, topics, 11);
    const first = h.core.fenceExpiredBrokers(h.image, h.nowMs);
    expect(first.records[0]).toEqual({ type: 'FenceBroker', brokerId: 1, brokerEpoch: h.epoch(1) });
    expect(first.records.length).toBe(1 + LIMIT);
    expect(first.response).toMatchObject({ fencedBrokerIds: [1], partitionsChanged: LIMIT, movesPending: true });
    h.commit(first);
    // Fenced from the first chunk on: the fence sticks even if this controller fails over now.
    expect(h.image.cluster.broker(1)?.fenced).toBe(true);
    expect(clusterInvariantViolations(h.image).length).toBeGreaterThan(0);
    expect(clusterInvariantViolations(h.image, { pendingMovesAllowed: true })).toEqual([]);
    // Each partition is either untouched or completely moved: nothing is half-applied.
    const check = (): void => {
      for (const [key, old] of before) {
        const [name, p] = [key.slice(0, 1), Number(key.slice(2))];
        if (!done(h, name, p)) expect(JSON.stringify(h.partition(name, p))).toBe(old);
      }
    };
    check();
    let calls = 1;
    for (;;) {
      const result = h.core.fenceExpiredBrokers(h.image, h.nowMs);
      calls++;
      expect(result.records.length).toBeLessThanOrEqual(LIMIT);
      expect(result.response.fencedBrokerIds).toEqual([]);
      h.commit(result);
      check();
      if (!result.response.movesPending) break;
      expect(calls).toBeLessThan(100);
    }
    expect(calls).toBe(Math.ceil(toMove / LIMIT));
    expect(named(1)).toBe(0);
    expect(clusterInvariantViolations(h.image)).toEqual([]);
    expect(h.core.fenceExpiredBrokers(h.image, h.nowMs).records).toEqual([]);
  });

  it('moves every leadership off the fenced broker before any ISR-only move, resuming where each chunk stopped', () => {
    const h = new Harness({ maxPartitionChangesPerOperation: LIMIT }).brokers(3);
    h.topic('a', 12, 3);
    h.topic('b', 11, 2);
    const topics: [string, number][] = [
      ['a', 12],
      ['b', 11],
    ];
    const count = (test: (p: { leader: number; isr: number[] }) => boolean): number =>
      topics.reduce((sum, [name, n]) => sum + [...Array(n).keys()].filter((p) => test(h.partition(name, p))).length, 0);
    const led = count((p) => p.leader === 1);
    const followed = count((p) => p.leader !== 1 && p.isr.includes(1));
    expect(led).toBeGreaterThan(LIMIT);
    expect(followed).toBeGreaterThan(LIMIT);
    h.nowMs += SESSION_MS + 1;
    h.heartbeat(0);
    h.heartbeat(2);
    const kinds: ('leader' | 'isr')[] = [];
    for (let calls = 0; calls < 100; calls++) {
      const result = h.core.fenceExpiredBrokers(h.image, h.nowMs);
      for (const record of result.records)
        if (record.type === 'PartitionChange') kinds.push(record.leader !== undefined ? 'leader' : 'isr');
      h.commit(result);
      if (!result.response.movesPending) break;
    }
    expect(kinds).toEqual([...Array(led).fill('leader'), ...Array(followed).fill('isr')]);
    expect(count((p) => p.leader === 1 || p.isr.includes(1))).toBe(0);
    expect(clusterInvariantViolations(h.image)).toEqual([]);
  });

  it('a new leader (fresh leases, no memory) finishes what the old one started', () => {
    const h = new Harness({ maxPartitionChangesPerOperation: LIMIT }).brokers(3);
    h.topic('t', 30, 3);
    h.nowMs += SESSION_MS + 1;
    h.heartbeat(0);
    h.heartbeat(2);
    h.commit(h.core.fenceExpiredBrokers(h.image, h.nowMs));
    expect(h.movesPending).toBe(true);
    h.core.deactivate();
    h.core.activate(h.image, h.nowMs);
    const rest = h.drainMoves();
    expect(rest.length).toBe(30 / LIMIT - 1);
    for (let p = 0; p < 30; p++) expect(h.partition('t', p).isr).not.toContain(1);
  });

  it('a second broker expiring mid-way is fenced at once and never receives a moved partition', () => {
    const h = new Harness({ maxPartitionChangesPerOperation: LIMIT }).brokers(4);
    h.topic('t', 40, 3);
    h.nowMs += SESSION_MS + 1;
    for (const id of [0, 1, 2]) h.heartbeat(id);
    h.commit(h.core.fenceExpiredBrokers(h.image, h.nowMs));
    h.nowMs += 1_000;
    for (const id of [0, 1]) h.heartbeat(id);
    h.nowMs += SESSION_MS;
    for (const id of [0, 1]) h.heartbeat(id);
    const second = h.core.fenceExpiredBrokers(h.image, h.nowMs);
    expect(second.response.fencedBrokerIds).toEqual([2]);
    expect(second.records.filter((r) => r.type === 'PartitionChange').length).toBe(LIMIT);
    h.commit(second);
    h.drainMoves();
    for (let p = 0; p < 40; p++) {
      const { leader, isr } = h.partition('t', p);
      expect([0, 1, NO_LEADER]).toContain(leader);
      expect(isr.includes(3) || isr.includes(2) ? leader === NO_LEADER && isr.length === 1 : true).toBe(true);
    }
    expect(clusterInvariantViolations(h.image)).toEqual([]);
  });

  it('wantFence and re-registration are bounded too; the lease check continues them', () => {
    const h = new Harness({ maxPartitionChangesPerOperation: LIMIT }).brokers(3);
    h.topic('t', 24, 3);
    const fence = h.core.brokerHeartbeat(
      h.image,
      {
        brokerId: 0,
        brokerEpoch: h.epoch(0),
        currentMetadataOffset: h.image.provenance.lastContainedOffset,
        wantFence: true,
        wantShutDown: false,
      },
      h.nowMs,
    );
    expect(fence.records.length).toBe(1 + LIMIT);
    expect(fence.movesPending).toBe(true);
    h.commit(fence);
    h.drainMoves();
    for (let p = 0; p < 24; p++) expect(h.partition('t', p).isr).not.toContain(0);
    const registration = h.core.registerBroker(
      h.image,
      { brokerId: 1, incarnationId: incarnation(1), listeners, rack: null, clusterId: CLUSTER_ID },
      h.nowMs,
    );
    expect(registration.records[0]?.type).toBe('BrokerRegistration');
    expect(registration.records.length).toBe(1 + LIMIT);
    expect(registration.movesPending).toBe(true);
    h.commit(registration);
    h.drainMoves();
    expect(clusterInvariantViolations(h.image)).toEqual([]);
    for (let p = 0; p < 24; p++) expect(h.partition('t', p)).toMatchObject({ leader: 2, isr: [2] });
  });

  it('controlled shutdown moves one chunk per step and fences once nothing is left', () => {
    const h = new Harness({ maxPartitionChangesPerOperation: LIMIT }).brokers(3);
    h.topic('t', 18, 3);
    const steps: number[] = [];
    for (;;) {
      const result = h.core.controlledShutdown(h.image, { brokerId: 2, brokerEpoch: h.epoch(2) }, h.nowMs);
      h.commit(result);
      steps.push(result.response.partitionsMoved);
      expect(result.response.partitionsMoved).toBeLessThanOrEqual(LIMIT);
      if (result.response.shouldShutDown) break;
      expect(steps.length).toBeLessThan(20);
    }
    expect(steps).toEqual([5, 5, 5, 3, 0]);
    expect(h.image.cluster.broker(2)?.fenced).toBe(true);
    for (let p = 0; p < 18; p++) expect(h.partition('t', p).isr).not.toContain(2);
  });

  it("the lease check also continues a controlled shutdown between the broker's requests", () => {
    const h = new Harness({ maxPartitionChangesPerOperation: LIMIT }).brokers(3);
    h.topic('t', 18, 3);
    const first = h.core.controlledShutdown(h.image, { brokerId: 2, brokerEpoch: h.epoch(2) }, h.nowMs);
    expect(first.movesPending).toBe(true);
    h.commit(first);
    expect(h.drainMoves().length).toBe(3);
    const last = h.core.controlledShutdown(h.image, { brokerId: 2, brokerEpoch: h.epoch(2) }, h.nowMs);
    expect(last.response).toEqual({ shouldShutDown: true, partitionsMoved: 0 });
  });
});
