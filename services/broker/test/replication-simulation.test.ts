/**
 * A deterministic simulation of one partition on three brokers, wiring the pure cores the way the
 * broker shell will: the leader's PartitionLeader, followers truncating with followerTruncation
 * (OffsetForLeaderEpoch rounds, then diverging-epoch answers on fetch), a controller that elects
 * only from the ISR and fences crashed brokers, AlterPartition round trips, and leader crashes and
 * restarts. Logs are arrays of the epoch each offset was written in (same epoch and offset means
 * same record, as Kafka guarantees). The property is the e2e checker's: once the high watermark
 * covered a record (an acks=all answer or a consumer read), every later leader has it.
 *
 * Property runs: a fixed seed in CI (the same cases every run); SLUICE_PROPERTY_SEED=random with
 * SLUICE_PROPERTY_RUNS=<n> hunts with fresh seeds, SLUICE_PROPERTY_SEED/SLUICE_PROPERTY_PATH replay
 * a failure (support/property-runs.ts).
 */
import fc from 'fast-check';
import { LeaderEpochCache, type EpochEntry } from '@sluice/log';
import { ApiError } from '@sluice/protocol';
import { followerTruncation, type FollowerLogView } from '../src/core/follower-truncation';
import {
  PartitionLeader,
  type AlterPartitionProposal,
  type LeaderLogView,
  type PartitionRegistration,
  type ReplicationEffects,
} from '../src/core/partition-leader';
import { T0 } from './replication-harness';
import { propertyRuns, propertyTimeoutMs } from './support/property-runs';

type EpochLog = number[];

interface Broker {
  readonly id: number;
  alive: boolean;
  log: EpochLog;
  highWatermark: number;
  needsTruncation: boolean;
}

function cacheOf(log: EpochLog): LeaderEpochCache {
  const entries: EpochEntry[] = [];
  log.forEach((epoch, offset) => {
    if (entries.at(-1)?.epoch !== epoch) entries.push({ epoch, startOffset: offset });
  });
  return new LeaderEpochCache(entries);
}

function logView(log: EpochLog): LeaderLogView & FollowerLogView {
  const cache = cacheOf(log);
  return {
    logStartOffset: 0,
    logEndOffset: log.length,
    endOffsetForEpoch: (epoch) => {
      const answer = cache.endOffsetFor(epoch, log.length);
      return answer.epoch === -1 ? null : answer;
    },
    latestEpoch: () => cache.latestEpoch(),
  };
}

type Step =
  | { kind: 'produce'; records: number }
  | { kind: 'fetch'; broker: number; maxRecords: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'deliverAlterPartition' }
  | { kind: 'crash'; broker: number; pick: number }
  | { kind: 'restart'; broker: number; pick: number };

const brokerId = fc.integer({ min: 1, max: 3 });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('produce' as const), records: fc.integer({ min: 1, max: 3 }) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('fetch' as const),
      broker: brokerId,
      maxRecords: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1_000, max: 40_000 }) }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'deliverAlterPartition' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), broker: brokerId, pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('restart' as const), broker: brokerId, pick: fc.nat() }) },
);

function simulate(steps: readonly Step[], minInsyncReplicas: number): void {
  const brokers = new Map<number, Broker>(
    [1, 2, 3].map((id) => [id, { id, alive: true, log: [], highWatermark: 0, needsTruncation: false }]),
  );
  const broker = (id: number): Broker => brokers.get(id)!;
  const controller = { leader: 1 as number | null, leaderEpoch: 0, partitionEpoch: 0, isr: [1, 2, 3] };
  const registration = (): PartitionRegistration => ({
    leader: controller.leader ?? -1,
    leaderEpoch: controller.leaderEpoch,
    partitionEpoch: controller.partitionEpoch,
    replicas: [1, 2, 3],
    isr: [...controller.isr],
  });
  let nowMs = T0;
  let committed: EpochLog = [];
  let inFlight: AlterPartitionProposal | null = null;
  const dead = (): number[] => [...brokers.values()].filter((b) => !b.alive).map((b) => b.id);
  const makeLeader = (): PartitionLeader | null => {
    if (controller.leader === null) return null;
    const b = broker(controller.leader);
    b.needsTruncation = false;
    for (const other of brokers.values()) if (other.id !== b.id) other.needsTruncation = true;
    return new PartitionLeader({
      localBrokerId: b.id,
      registration: registration(),
      logEndOffset: b.log.length,
      highWatermark: b.highWatermark,
      nowMs,
      config: { replicaLagTimeMaxMs: 30_000, minInsyncReplicas, maxPendingAcks: 1_000 },
      ineligibleReplicaIds: dead(),
    });
  };
  let leader = makeLeader();
  const absorb = (effects: ReplicationEffects): void => {
    if (effects.alterPartition !== null) inFlight = effects.alterPartition;
  };
  /** Any alive ISR member may win (`pick`), not just the first: the controller guarantees no more. */
  const elect = (pick: number): void => {
    const candidates = controller.isr.filter((id) => broker(id).alive);
    controller.leaderEpoch++;
    controller.partitionEpoch++;
    controller.leader = candidates.length === 0 ? null : candidates[pick % candidates.length]!;
    leader?.resign();
    inFlight = null;
    leader = makeLeader();
  };

  const truncateFollower = (b: Broker): void => {
    const leaderLog = broker(controller.leader!).log;
    const leaderCache = cacheOf(leaderLog);
    for (let round = 0; round < 50; round++) {
      const latest = b.log.at(-1);
      if (latest === undefined) break;
      const decision = followerTruncation(
        leaderCache.endOffsetFor(latest, leaderLog.length),
        logView(b.log),
        Math.min(b.highWatermark, b.log.length),
      );
      b.log = b.log.slice(0, decision.truncateToOffset);
      if (decision.complete) break;
      expect(round).toBeLessThan(49);
    }
    b.highWatermark = Math.min(b.highWatermark, b.log.length);
    b.needsTruncation = false;
  };

  const run = (s: Step): void => {
    switch (s.kind) {
      case 'produce': {
        if (leader === null) break;
        const l = broker(controller.leader!);
        for (let i = 0; i < s.records; i++) l.log.push(controller.leaderEpoch);
        absorb(leader.onLeaderAppend(l.log.length, nowMs));
        break;
      }
      case 'fetch': {
        const f = broker(s.broker);
        if (leader === null || !f.alive || f.id === controller.leader) break;
        if (f.needsTruncation) truncateFollower(f);
        const l = broker(controller.leader!);
        const outcome = leader.onFollowerFetch(
          {
            replicaId: f.id,
            fetchOffset: f.log.length,
            lastFetchedEpoch: f.log.at(-1) ?? null,
            currentLeaderEpoch: controller.leaderEpoch,
            logStartOffset: 0,
          },
          logView(l.log),
          nowMs,
        );
        if (outcome.kind === 'error') throw new Error(`fetch by ${f.id}: ${outcome.error.message}`);
        if (outcome.kind === 'diverging') {
          const decision = followerTruncation(
            outcome.divergingEpoch,
            logView(f.log),
            Math.min(f.highWatermark, f.log.length),
          );
          f.log = f.log.slice(0, decision.truncateToOffset);
          f.highWatermark = Math.min(f.highWatermark, f.log.length);
          f.needsTruncation = !decision.complete;
          break;
        }
        absorb(outcome);
        f.log.push(...l.log.slice(f.log.length, f.log.length + s.maxRecords));
        f.highWatermark = Math.min(outcome.highWatermark, f.log.length);
        break;
      }
      case 'tick':
        nowMs += s.ms;
        if (leader !== null) absorb(leader.maybeShrinkIsr(nowMs));
        break;
      case 'deliverAlterPartition': {
        if (leader === null || inFlight === null) break;
        const proposal: AlterPartitionProposal = inFlight;
        inFlight = null;
        if (proposal.leaderEpoch !== controller.leaderEpoch) break;
        if (proposal.partitionEpoch !== controller.partitionEpoch) {
          leader.onAlterPartitionResult(
            { ok: false, error: new ApiError('INVALID_REQUEST', 'INVALID_UPDATE_VERSION') },
            nowMs,
          );
        } else if (proposal.newIsr.some((id) => !broker(id).alive)) {
          const outcome = leader.onAlterPartitionResult(
            { ok: false, error: new ApiError('INELIGIBLE_REPLICA', 'fenced') },
            nowMs,
          );
          if (outcome.kind === 'applied') absorb(outcome);
        } else {
          controller.isr = [...proposal.newIsr];
          controller.partitionEpoch++;
          const outcome = leader.onAlterPartitionResult(
            {
              ok: true,
              leaderEpoch: controller.leaderEpoch,
              partitionEpoch: controller.partitionEpoch,
              isr: controller.isr,
            },
            nowMs,
          );
          if (outcome.kind === 'applied') absorb(outcome);
        }
        break;
      }
      case 'crash': {
        const b = broker(s.broker);
        if (!b.alive) break;
        b.alive = false;
        // KRaft fences the broker and drops it from the ISR, unless it is the last member.
        if (controller.isr.length > 1) controller.isr = controller.isr.filter((id) => id !== b.id);
        if (controller.leader === b.id) {
          elect(s.pick);
        } else {
          controller.partitionEpoch++;
          if (leader !== null) {
            const outcome = leader.applyRegistration(registration(), nowMs, dead());
            expect(outcome.kind).toBe('updated');
            inFlight = null;
            if (outcome.kind === 'updated') absorb(outcome);
          }
        }
        break;
      }
      case 'restart': {
        const b = broker(s.broker);
        if (b.alive) break;
        b.alive = true;
        b.needsTruncation = true;
        if (leader === null) elect(s.pick);
        else leader.setIneligibleReplicas(dead());
        break;
      }
    }

    // Safety: the current leader holds everything ever committed, and its high watermark only
    // ever covers records consistent with that history.
    if (leader !== null) {
      const l = broker(controller.leader!);
      // Plain loops: jest matchers on every step dominate the run time.
      if (l.log.length < committed.length || committed.some((epoch, offset) => l.log[offset] !== epoch)) {
        throw new Error(
          `leader ${l.id} (epoch ${controller.leaderEpoch}) lost committed records: log ${l.log.join(',')}, committed ${committed.join(',')}`,
        );
      }
      if (leader.highWatermark > committed.length) committed = l.log.slice(0, leader.highWatermark);
    }
  };
  for (const s of steps) run(s);

  // Liveness: with every broker back and fetching, logs converge on the leader's, the ISR grows
  // back to all replicas and the high watermark reaches the end of the log.
  for (const id of [1, 2, 3]) run({ kind: 'restart', broker: id, pick: 0 });
  for (let round = 0; round < 30; round++) {
    for (const id of [1, 2, 3]) run({ kind: 'fetch', broker: id, maxRecords: 1_000 });
    run({ kind: 'deliverAlterPartition' });
    run({ kind: 'tick', ms: 1_000 });
  }
  expect(leader).not.toBeNull();
  const finalLog = broker(controller.leader!).log;
  for (const b of brokers.values()) expect(b.log).toEqual(finalLog);
  expect([...controller.isr].sort()).toEqual([1, 2, 3]);
  expect(leader!.highWatermark).toBe(finalLog.length);
}

const RUNS = { seed: 1, numRuns: 1_000 };
jest.setTimeout(propertyTimeoutMs(RUNS, 30_000));

describe('replication simulation', () => {
  it('never loses a record once the high watermark covered it, across crashes, restarts and ISR changes', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 2 }), (steps, minIsr) =>
        simulate(steps, minIsr),
      ),
      propertyRuns(RUNS),
    );
  });
});
