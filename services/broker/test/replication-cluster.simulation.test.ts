/**
 * One partition on three brokers, each running the broker-wide replication core as the shell does:
 * every step is followed by carrying out the core's Ready (follower log writes, acks=all answers,
 * AlterPartition sends, high-watermark checkpoints). Around them, in memory: model logs (epoch per
 * offset, the real LeaderEpochCache), a KRaft-like controller (elects only from the ISR, fences a
 * broker out of the ISR unless it is the last member, validates AlterPartition), and metadata that
 * reaches each broker only when its turn comes, so brokers act on stale images: a fenced leader
 * keeps leading in its own view (a zombie), followers fetch from a leader that has moved on.
 * Crashes lose the core and its waiting produces; restarts come back from the log and the last
 * checkpoint written. Seeded by fast-check; a failure prints the steps that replay it.
 *
 * Properties, after every step:
 * - every acks=all produce is answered at most once, and a success only once the answering
 *   leader's high watermark covers it;
 * - every high watermark a broker reports stays within its log, only grows during one life of the
 *   broker, and covers only records of the one committed history (what any leader's high watermark
 *   ever covered: acknowledged or read by a consumer); the controller's current leader, once it
 *   leads, holds all of that history;
 * and at the end, with every broker back and fetching: one log everywhere, the full ISR, the high
 * watermark at the log end, and every produce of a live broker answered.
 */
import fc from 'fast-check';
import { ApiError } from '@sluice/protocol';
import type { FollowerFetchAnswer } from '../src/core/partition-follower';
import type { PartitionRegistration } from '../src/core/partition-leader';
import { Replication } from '../src/core/replication';
import type { AlterPartitionSend } from '../src/core/replication-ready';
import { T0 } from './replication-harness';
import { ModelLog } from './support/model-log';

const P = 't-0';
const BROKERS = [1, 2, 3] as const;
const ACK_TIMEOUT_MS = 20_000;

type Step =
  | { kind: 'produce'; broker: number; records: number; acksAll: boolean }
  | { kind: 'fetch'; broker: number; maxRecords: number }
  | { kind: 'metadata'; broker: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'alter'; lose: boolean }
  | { kind: 'crash'; broker: number; pick: number }
  | { kind: 'restart'; broker: number; pick: number }
  | { kind: 'fence'; broker: number; pick: number }
  | { kind: 'unfence'; broker: number; pick: number }
  | { kind: 'retain'; pick: number };

const broker = fc.constantFrom(...BROKERS);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('produce' as const),
      broker,
      records: fc.integer({ min: 1, max: 3 }),
      acksAll: fc.boolean(),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('fetch' as const), broker, maxRecords: fc.integer({ min: 1, max: 6 }) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('metadata' as const), broker }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 50, max: 12_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('alter' as const), lose: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), broker, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), broker, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fence' as const), broker, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unfence' as const), broker, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retain' as const), pick: fc.nat() }) },
);

interface Broker {
  readonly id: number;
  alive: boolean;
  readonly log: ModelLog;
  /** The high watermark in the last checkpoint written: what a restart starts from. */
  checkpoint: number;
  core: Replication<number> | null;
  brokerEpoch: number;
  /** The highest high watermark reported in this life. */
  lastHighWatermark: number;
}

interface Ack {
  readonly requiredOffset: number;
  readonly broker: number;
  state: 'waiting' | 'answered' | 'lost';
}

function simulate(steps: readonly Step[], minInsyncReplicas: number): void {
  let nowMs = T0;
  const controller = { leader: 1, leaderEpoch: 0, partitionEpoch: 0, isr: [1, 2, 3], fenced: new Set<number>() };
  const brokers = new Map<number, Broker>();
  const acks = new Map<number, Ack>();
  let nextAckId = 1;
  const alters: { from: number; send: AlterPartitionSend<number> }[] = [];
  /** The committed history: epochs of the offsets some leader's high watermark covered. */
  const committed: number[] = [];

  const node = (id: number): Broker => brokers.get(id)!;
  const registration = (): PartitionRegistration => ({
    leader: controller.leader,
    leaderEpoch: controller.leaderEpoch,
    partitionEpoch: controller.partitionEpoch,
    replicas: [...BROKERS],
    isr: [...controller.isr],
  });
  const boot = (b: Broker): void => {
    b.core = new Replication<number>({
      localBrokerId: b.id,
      replicaLagTimeMaxMs: 10_000,
      retentionCheckIntervalMs: 300_000,
      logCleanerBackoffMs: 15_000,
      nowMs,
    });
    b.core.addPartition(P, b.log, b.checkpoint);
    b.lastHighWatermark = b.core.highWatermark(P);
  };
  for (const id of BROKERS) {
    const b: Broker = {
      id,
      alive: true,
      log: new ModelLog(),
      checkpoint: 0,
      core: null,
      brokerEpoch: 1,
      lastHighWatermark: 0,
    };
    brokers.set(id, b);
    boot(b);
  }

  /** Carries out a broker's Ready, as the shell's driver does. */
  const drain = (b: Broker): void => {
    const core = b.core!;
    while (core.hasReady()) {
      const ready = core.ready();
      for (const { write } of ready.logWrites) b.log.apply(write);
      for (const completion of ready.acks) {
        const ack = acks.get(completion.context)!;
        if (ack.state !== 'waiting') throw new Error(`produce ${completion.context} answered again (${ack.state})`);
        ack.state = 'answered';
        if (completion.error === null && core.highWatermark(P) < ack.requiredOffset)
          throw new Error(`produce ${completion.context} acknowledged below the high watermark`);
      }
      for (const send of ready.alterPartitions) alters.push({ from: b.id, send });
      if (ready.highWatermarkCheckpoint !== null) {
        b.checkpoint = ready.highWatermarkCheckpoint.get(P)!;
        core.onHighWatermarkCheckpointWritten(ready.highWatermarkCheckpoint);
      }
    }
  };
  const live = (id: number): Broker | null => {
    const b = node(id);
    return b.alive && b.core !== null ? b : null;
  };
  const metadataChanged = (): void => {
    controller.partitionEpoch++;
  };
  /** KRaft: a new leader from the ISR's unfenced live members, or none (leader -1). */
  const elect = (pick: number): void => {
    const candidates = controller.isr.filter((id) => node(id).alive && !controller.fenced.has(id));
    controller.leader = candidates.length === 0 ? -1 : candidates[pick % candidates.length]!;
    controller.leaderEpoch++;
    metadataChanged();
  };
  /** The broker's session ended (crash or missed heartbeats): out of the ISR unless it is the last member. */
  const fence = (id: number, pick: number): void => {
    if (controller.fenced.has(id)) return;
    controller.fenced.add(id);
    if (controller.isr.length > 1 && controller.isr.includes(id))
      controller.isr = controller.isr.filter((i) => i !== id);
    if (controller.leader === id) elect(pick);
    else metadataChanged();
  };
  const unfence = (id: number, pick: number): void => {
    if (!controller.fenced.delete(id)) return;
    if (controller.leader === -1) elect(pick);
    else metadataChanged();
  };
  const deliverMetadata = (b: Broker): void => {
    const core = b.core!;
    core.setFenced(controller.fenced.has(b.id));
    core.applyRegistration(P, registration(), {
      nowMs,
      minInsyncReplicas,
      ineligibleReplicaIds: [...controller.fenced],
      brokerEpochs: new Map(BROKERS.map((id) => [id, node(id).brokerEpoch])),
    });
    drain(b);
  };

  const fetch = (b: Broker, maxRecords: number): void => {
    const core = b.core!;
    const role = core.role(P);
    if (role.kind !== 'follower') return;
    const leader = live(role.core.leaderId);
    const leaderRole = leader?.core!.role(P);
    if (leader === null || leaderRole === undefined) return; // unreachable: the fetcher retries
    const truncation = core.truncationQuery(P);
    if (truncation !== null) {
      const answer = leader.core!.offsetForLeaderEpoch(P, {
        currentLeaderEpoch: truncation.query.currentLeaderEpoch,
        leaderEpoch: truncation.query.epoch,
      });
      if (answer.kind === 'answer') core.onEpochEnd(P, truncation.follower, truncation.query, answer);
      drain(b);
      return;
    }
    const asked = core.fetchPosition(P);
    if (asked === null) return;
    let answer: FollowerFetchAnswer;
    if (leaderRole.kind !== 'leader') {
      answer = {
        errorName: 'NOT_LEADER_OR_FOLLOWER',
        highWatermark: -1,
        logStartOffset: -1,
        divergingEpoch: null,
        records: null,
      };
    } else {
      const outcome = leader.core!.onFollowerFetch(
        P,
        leaderRole,
        {
          replicaId: b.id,
          fetchOffset: asked.position.fetchOffset,
          lastFetchedEpoch: asked.position.lastFetchedEpoch >= 0 ? asked.position.lastFetchedEpoch : null,
          currentLeaderEpoch: asked.position.currentLeaderEpoch,
          logStartOffset: asked.position.logStartOffset,
          brokerEpoch: b.brokerEpoch,
        },
        nowMs,
      );
      drain(leader);
      const base = { highWatermark: leaderRole.core.highWatermark, logStartOffset: leader.log.logStartOffset };
      answer =
        outcome.kind === 'error'
          ? { ...base, errorName: outcome.error.errorName, divergingEpoch: null, records: null }
          : outcome.kind === 'diverging'
            ? { ...base, errorName: '', divergingEpoch: outcome.divergingEpoch, records: null }
            : {
                ...base,
                errorName: '',
                divergingEpoch: null,
                records: leader.log.fetch(asked.position.fetchOffset, maxRecords),
              };
    }
    core.onFetchAnswer(P, asked.follower, asked.position, answer);
    drain(b);
  };

  const deliverAlter = (lose: boolean): void => {
    const next = alters.shift();
    if (next === undefined) return;
    const b = live(next.from);
    const { send } = next;
    const { proposal } = send;
    if (lose) {
      // The request or its answer was lost: the shell sees a transport error.
      if (b !== null) b.core!.onAlterPartitionFailed(P, send.leader);
      return;
    }
    let result;
    if (proposal.leaderEpoch !== controller.leaderEpoch || next.from !== controller.leader) {
      result = { ok: false as const, error: new ApiError('FENCED_LEADER_EPOCH', 'not the current leader') };
    } else if (proposal.partitionEpoch !== controller.partitionEpoch) {
      result = { ok: false as const, error: new ApiError('INVALID_REQUEST', 'INVALID_UPDATE_VERSION') };
    } else if (proposal.newIsr.some((id) => controller.fenced.has(id) || !node(id).alive)) {
      result = { ok: false as const, error: new ApiError('INELIGIBLE_REPLICA', 'fenced') };
    } else {
      controller.isr = [...proposal.newIsr];
      metadataChanged();
      result = {
        ok: true as const,
        leaderEpoch: controller.leaderEpoch,
        partitionEpoch: controller.partitionEpoch,
        isr: controller.isr,
      };
    }
    if (b === null) return;
    b.core!.onAlterPartitionResult(P, send.leader, result, nowMs);
    drain(b);
  };

  const run = (s: Step): void => {
    switch (s.kind) {
      case 'produce': {
        const b = live(s.broker);
        if (b === null) break;
        const core = b.core!;
        const leader = core.leaderForProduce(P, s.acksAll ? -1 : 1);
        if (leader instanceof ApiError) break;
        const firstOffset = b.log.logEndOffset;
        b.log.appendAsLeader(leader.core.leaderEpoch, s.records);
        core.onLeaderAppend(P, leader, { plan: null, firstOffset }, nowMs);
        if (s.acksAll) {
          const id = nextAckId++;
          acks.set(id, { requiredOffset: b.log.logEndOffset, broker: b.id, state: 'waiting' });
          const outcome = core.awaitAcks(P, leader, b.log.logEndOffset - 1, nowMs + ACK_TIMEOUT_MS, id);
          if (outcome.kind === 'done') {
            acks.get(id)!.state = 'answered';
            if (outcome.completion.error === null && core.highWatermark(P) < b.log.logEndOffset)
              throw new Error(`produce ${id} acknowledged below the high watermark`);
          }
        }
        drain(b);
        break;
      }
      case 'fetch': {
        const b = live(s.broker);
        if (b !== null) fetch(b, s.maxRecords);
        break;
      }
      case 'metadata': {
        const b = live(s.broker);
        if (b !== null) deliverMetadata(b);
        break;
      }
      case 'tick':
        nowMs += s.ms;
        for (const id of BROKERS) {
          const b = live(id);
          if (b === null) continue;
          b.core!.tick(nowMs);
          drain(b);
        }
        break;
      case 'alter':
        deliverAlter(s.lose);
        break;
      case 'crash': {
        const b = node(s.broker);
        if (!b.alive) break;
        b.alive = false;
        b.core = null;
        for (const ack of acks.values()) if (ack.broker === b.id && ack.state === 'waiting') ack.state = 'lost';
        fence(b.id, s.pick);
        break;
      }
      case 'restart': {
        const b = node(s.broker);
        if (b.alive) break;
        b.alive = true;
        b.brokerEpoch++;
        boot(b);
        unfence(b.id, s.pick);
        break;
      }
      case 'fence':
        if (node(s.broker).alive) fence(s.broker, s.pick);
        break;
      case 'unfence':
        if (node(s.broker).alive) unfence(s.broker, s.pick);
        break;
      case 'retain': {
        // Retention on the leader (in its own view), never at or above its high watermark.
        const id = BROKERS.find((i) => live(i)?.core!.role(P).kind === 'leader');
        if (id === undefined) break;
        const b = node(id);
        b.log.advanceLogStartOffset(Math.max(b.log.logStartOffset, s.pick % (b.core!.highWatermark(P) + 1)));
        break;
      }
    }
    check();
  };

  /** Plain loops and throws: jest matchers on every offset of every step dominate the run time. */
  const coversCommitted = (b: Broker, upTo: number): void => {
    for (let offset = b.log.logStartOffset; offset < Math.min(upTo, committed.length); offset++) {
      if (b.log.epochAt(offset) !== committed[offset])
        throw new Error(`broker ${b.id}: offset ${offset} below ${upTo} is not the committed record`);
    }
  };
  const check = (): void => {
    // Leaders' high watermarks extend the committed history (what any of them covered was, or may
    // have been, acknowledged or read), and must agree with it, zombies included.
    for (const id of BROKERS) {
      const b = live(id);
      if (b === null || b.core!.role(P).kind !== 'leader') continue;
      const highWatermark = b.core!.highWatermark(P);
      coversCommitted(b, highWatermark);
      for (let offset = committed.length; offset < highWatermark; offset++) committed[offset] = b.log.epochAt(offset)!;
    }
    for (const id of BROKERS) {
      const b = live(id);
      if (b === null) continue;
      const highWatermark = b.core!.highWatermark(P);
      if (highWatermark > b.log.logEndOffset || highWatermark > committed.length)
        throw new Error(`broker ${id}: high watermark ${highWatermark} above its log or the committed history`);
      if (highWatermark < b.lastHighWatermark)
        throw new Error(`broker ${id}: high watermark went back from ${b.lastHighWatermark} to ${highWatermark}`);
      b.lastHighWatermark = highWatermark;
      coversCommitted(b, highWatermark);
    }
    // The controller's leader, once it leads that epoch, holds everything committed.
    const leader = controller.leader < 0 ? null : live(controller.leader);
    const role = leader?.core!.role(P);
    if (leader !== null && role?.kind === 'leader' && role.core.leaderEpoch === controller.leaderEpoch) {
      for (let offset = leader.log.logStartOffset; offset < committed.length; offset++) {
        if (leader.log.epochAt(offset) !== committed[offset])
          throw new Error(`leader ${leader.id} (epoch ${controller.leaderEpoch}) lacks committed offset ${offset}`);
      }
    }
  };

  for (const s of steps) run(s);

  // Liveness: every broker back, unfenced, informed and fetching: one log, full ISR, all answered.
  for (const id of BROKERS) run({ kind: 'restart', broker: id, pick: 0 });
  for (const id of BROKERS) run({ kind: 'unfence', broker: id, pick: 0 });
  for (let round = 0; round < 40; round++) {
    for (const id of BROKERS) run({ kind: 'metadata', broker: id });
    for (const id of BROKERS) run({ kind: 'fetch', broker: id, maxRecords: 1_000 });
    while (alters.length > 0) run({ kind: 'alter', lose: false });
    run({ kind: 'tick', ms: 1_000 });
  }
  const leader = node(controller.leader);
  const finalLog = leader.log;
  const leaderRole = leader.core!.role(P);
  expect(leaderRole.kind).toBe('leader');
  for (const id of BROKERS) {
    const log = node(id).log;
    expect(log.logEndOffset).toBe(finalLog.logEndOffset);
    const from = Math.max(log.logStartOffset, finalLog.logStartOffset);
    expect(log.slice(from, log.logEndOffset)).toEqual(finalLog.slice(from, finalLog.logEndOffset));
    expect(node(id).core!.highWatermark(P)).toBe(finalLog.logEndOffset);
  }
  expect([...controller.isr].sort()).toEqual([1, 2, 3]);
  expect(committed.length).toBe(finalLog.logEndOffset);
  expect([...acks.values()].filter((ack) => ack.state === 'waiting')).toEqual([]);
}

/**
 * Histories the property once failed on, replayed as they were printed (fast-check's minimal
 * counterexample): each pins the fix of the bug it found.
 */
const COUNTEREXAMPLES: readonly { name: string; steps: readonly Step[]; minIsr: number }[] = [
  {
    // Broker 1 restarts, follows 2 and starts its log over at 2's log start (1, after retention):
    // empty epoch cache. 2 crashes, 1 leads epoch 2 and appends nothing. Broker 3's log ends at its
    // high watermark 1 with a record of epoch 1, which 1's cache did not know: every fetch was
    // OFFSET_OUT_OF_RANGE, truncating to the high watermark changed nothing, and 3 never rejoined
    // the ISR (seed -1233181339). The leader now answers as if its epoch were recorded at its start.
    name: "a follower whose last epoch the new leader's empty epoch cache lacks gets back into the ISR",
    steps: [
      { kind: 'crash', broker: 1, pick: 0 },
      { kind: 'metadata', broker: 2 },
      { kind: 'produce', broker: 2, records: 1, acksAll: false },
      { kind: 'metadata', broker: 3 },
      { kind: 'fetch', broker: 3, maxRecords: 1 },
      { kind: 'fetch', broker: 3, maxRecords: 1 },
      { kind: 'retain', pick: 128905401 },
      { kind: 'fence', broker: 3, pick: 0 },
      { kind: 'restart', broker: 1, pick: 0 },
      { kind: 'metadata', broker: 1 },
      { kind: 'metadata', broker: 2 },
      { kind: 'fetch', broker: 1, maxRecords: 1 },
      { kind: 'fetch', broker: 1, maxRecords: 1 },
      { kind: 'alter', lose: false },
      { kind: 'crash', broker: 2, pick: 0 },
      { kind: 'tick', ms: 50 },
    ],
    minIsr: 1,
  },
];

describe('replication cluster simulation: counterexamples the property found', () => {
  it.each(COUNTEREXAMPLES)('$name', ({ steps, minIsr }) => simulate(steps, minIsr));
});

describe('replication cluster simulation (three Replication cores)', () => {
  it('answers every acks=all produce once, loses no committed record, and converges, across crashes, fencing and stale metadata', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 300, size: 'max' }),
        fc.integer({ min: 1, max: 2 }),
        (steps, minIsr) => simulate(steps, minIsr),
      ),
      { numRuns: 500 },
    );
  });
});
