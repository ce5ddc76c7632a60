/**
 * The broker-wide replication core, deterministically: role transitions from registrations (and
 * what each hands the shell), acks=all answered once through their context, AlterPartition one on
 * the wire, the tick's cadences, and shutdown.
 */
import { ApiError } from '@sluice/protocol';
import { BrokerInvariantError } from '../src/core/assert';
import type { PartitionRegistration } from '../src/core/partition-leader';
import type { LeaderRole } from '../src/core/replica-role';
import { Replication, type RegistrationContext } from '../src/core/replication';
import type { ReplicationReady } from '../src/core/replication-ready';
import { T0 } from './replication-harness';
import { ModelLog } from './support/model-log';

const P = 't-0';
const LAG_MS = 1_000;

function setup(epochs: number[] = [], checkpointedHighWatermark = 0): { core: Replication<string>; log: ModelLog } {
  const core = new Replication<string>({
    localBrokerId: 1,
    replicaLagTimeMaxMs: LAG_MS,
    retentionCheckIntervalMs: 300_000,
    logCleanerBackoffMs: 15_000,
    nowMs: T0,
  });
  const log = ModelLog.of(epochs);
  core.addPartition(P, log, checkpointedHighWatermark);
  core.setFenced(false);
  return { core, log };
}

const registration = (fields: Partial<PartitionRegistration> = {}): PartitionRegistration => ({
  leader: 1,
  leaderEpoch: 3,
  partitionEpoch: 5,
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
  ...fields,
});

const context = (fields: Partial<RegistrationContext> = {}): RegistrationContext => ({
  nowMs: T0,
  minInsyncReplicas: 1,
  ineligibleReplicaIds: [],
  brokerEpochs: new Map(),
  ...fields,
});

function leaderRole(core: Replication<string>): LeaderRole<string> {
  const role = core.role(P);
  if (role.kind !== 'leader') throw new Error(`not leading: ${role.kind}`);
  return role;
}

/** An acks=all produce of `records` records: appended, then waiting under `context` (or done at once). */
function produce(
  core: Replication<string>,
  log: ModelLog,
  records: number,
  ackContext: string,
  deadlineMs = T0 + 500,
): 'waiting' | 'done' {
  const leader = leaderRole(core);
  const firstOffset = log.logEndOffset;
  log.appendAsLeader(leader.core.leaderEpoch, records);
  core.onLeaderAppend(P, leader, { plan: null, firstOffset }, T0);
  return core.awaitAcks(P, leader, log.logEndOffset - 1, deadlineMs, ackContext).kind;
}

function followerFetch(core: Replication<string>, replicaId: number, fetchOffset: number, nowMs = T0): void {
  const leader = leaderRole(core);
  const outcome = core.onFollowerFetch(
    P,
    leader,
    {
      replicaId,
      fetchOffset,
      lastFetchedEpoch: fetchOffset > 0 ? leader.core.leaderEpoch : null,
      currentLeaderEpoch: leader.core.leaderEpoch,
      logStartOffset: 0,
    },
    nowMs,
  );
  expect(outcome.kind).toBe('accepted');
}

const acks = (ready: ReplicationReady<string>) => ready.acks.map((a) => [a.context, a.error?.errorName ?? null]);

describe('Replication: role transitions', () => {
  it('hosts a new replica offline, at its checkpointed high watermark within the log', () => {
    const { core } = setup([0, 0, 0], 7);
    expect(core.role(P)).toEqual({ kind: 'offline', highWatermark: 3 });
    expect(core.highWatermark(P)).toBe(3);
    expect(core.leaderEpoch(P)).toBe(-1);
    expect(core.hasReady()).toBe(false);
    expect(() => core.addPartition(P, new ModelLog(), 0)).toThrow(BrokerInvariantError);
  });

  it('becomes leader from its high watermark, and tells the shell (log line, wake-ups, fetcher re-plan)', () => {
    const { core } = setup([0, 0, 0, 0], 2);
    core.applyRegistration(P, registration(), context());
    const role = leaderRole(core);
    expect(role.core.leaderEpoch).toBe(3);
    expect(role.core.highWatermark).toBe(2);
    expect(role.core.leaderEpochStartOffset).toBe(4);
    expect(core.ready()).toMatchObject({
      roleChanges: [{ partition: P, role: 'leader', leaderId: 1, leaderEpoch: 3 }],
      changed: [P],
      followersChanged: true,
      acks: [],
    });
    // The same registration again changes nothing.
    core.applyRegistration(P, registration(), context());
    expect(core.hasReady()).toBe(false);
    expect(core.role(P)).toBe(role);
  });

  it('follows another leader (truncating first), stays for the same leader and epoch, follows anew for a new epoch', () => {
    const { core } = setup([0, 0], 2);
    core.applyRegistration(P, registration({ leader: 2, leaderEpoch: 4 }), context());
    const role = core.role(P);
    expect(role).toMatchObject({ kind: 'follower', core: { leaderId: 2, leaderEpoch: 4, phase: 'truncating' } });
    expect(core.ready().roleChanges).toEqual([{ partition: P, role: 'follower', leaderId: 2, leaderEpoch: 4 }]);
    expect(core.followersByLeader()).toEqual(new Map([[2, [P]]]));
    core.applyRegistration(P, registration({ leader: 2, leaderEpoch: 4, partitionEpoch: 9, isr: [1, 2] }), context());
    expect(core.role(P)).toBe(role);
    expect(core.hasReady()).toBe(false);
    core.applyRegistration(P, registration({ leader: 2, leaderEpoch: 5 }), context());
    expect(core.role(P)).not.toBe(role);
    expect(core.highWatermark(P)).toBe(2);
  });

  it('groups followers by leader as the roles are now, however often asked between changes', () => {
    const { core } = setup([0, 0], 2);
    expect(core.followersByLeader()).toEqual(new Map());
    core.applyRegistration(P, registration({ leader: 2, leaderEpoch: 4 }), context());
    const asked = core.followersByLeader();
    expect(asked).toEqual(new Map([[2, [P]]]));
    expect(core.followersByLeader()).toBe(asked); // kept between changes
    expect(Object.isFrozen(asked.get(2))).toBe(true);
    core.applyRegistration(P, registration({ leader: 3, leaderEpoch: 5 }), context());
    expect(core.followersByLeader()).toEqual(new Map([[3, [P]]]));
    core.applyRegistration(P, registration({ leader: 1, leaderEpoch: 6 }), context());
    expect(core.followersByLeader()).toEqual(new Map());
    core.applyRegistration(P, registration({ leader: 2, leaderEpoch: 7 }), context());
    expect(core.followersByLeader()).toEqual(new Map([[2, [P]]]));
    core.shutdown();
    expect(core.followersByLeader()).toEqual(new Map());
  });

  it('resigning fails the waiting produces through their context and hands its high watermark to the follower', () => {
    const { core, log } = setup();
    core.applyRegistration(P, registration({ replicas: [1, 2], isr: [1, 2] }), context());
    core.ready();
    expect(produce(core, log, 3, 'first')).toBe('waiting');
    followerFetch(core, 2, 3);
    expect(acks(core.ready())).toEqual([['first', null]]);
    expect(produce(core, log, 2, 'second')).toBe('waiting');
    core.ready();
    core.applyRegistration(P, registration({ leader: 2, leaderEpoch: 4, replicas: [1, 2], isr: [1, 2] }), context());
    const ready = core.ready();
    expect(acks(ready)).toEqual([['second', 'NOT_LEADER_OR_FOLLOWER']]);
    expect(ready.roleChanges).toEqual([{ partition: P, role: 'follower', leaderId: 2, leaderEpoch: 4 }]);
    expect(core.highWatermark(P)).toBe(3);
  });

  it('leads a newer epoch of its own afresh: old waiters fail, the high watermark carries over', () => {
    const { core, log } = setup();
    core.applyRegistration(P, registration({ replicas: [1, 2], isr: [1, 2] }), context());
    expect(produce(core, log, 3, 'acked')).toBe('waiting');
    followerFetch(core, 2, 3);
    expect(produce(core, log, 1, 'waiting')).toBe('waiting');
    const before = leaderRole(core);
    core.ready();
    core.applyRegistration(P, registration({ leaderEpoch: 4, replicas: [1, 2], isr: [1, 2] }), context());
    const ready = core.ready();
    expect(acks(ready)).toEqual([['waiting', 'NOT_LEADER_OR_FOLLOWER']]);
    expect(ready.roleChanges).toEqual([{ partition: P, role: 'leader', leaderId: 1, leaderEpoch: 4 }]);
    const after = leaderRole(core);
    expect(after).not.toBe(before);
    expect(after.core.highWatermark).toBe(3);
    expect(() => core.onLeaderAppend(P, before, { plan: null, firstOffset: 4 }, T0)).toThrow(BrokerInvariantError);
  });

  it('goes offline when nobody leads, keeping the high watermark, and comes back from it', () => {
    const { core } = setup([0, 0, 0], 3);
    core.applyRegistration(P, registration({ leader: 2 }), context());
    core.applyRegistration(P, registration({ leader: -1, leaderEpoch: 4 }), context());
    expect(core.role(P)).toEqual({ kind: 'offline', highWatermark: 3 });
    expect(core.ready().roleChanges.map((c) => c.role)).toEqual(['follower', 'offline']);
    core.applyRegistration(P, registration({ leader: -1, leaderEpoch: 5 }), context());
    expect(core.hasReady()).toBe(false);
    core.applyRegistration(P, registration({ leaderEpoch: 6 }), context());
    expect(leaderRole(core).core.highWatermark).toBe(3);
  });

  it('takes a newer ISR of its own leadership without a new role, and ignores an older one', () => {
    const { core } = setup();
    core.applyRegistration(P, registration(), context());
    const role = leaderRole(core);
    core.ready();
    core.applyRegistration(P, registration({ partitionEpoch: 6, isr: [1, 2] }), context({ ineligibleReplicaIds: [3] }));
    expect(core.role(P)).toBe(role);
    expect(role.core.isr).toEqual([1, 2]);
    core.applyRegistration(P, registration({ partitionEpoch: 4, isr: [1] }), context());
    expect(role.core.isr).toEqual([1, 2]);
    expect(core.ready().roleChanges).toEqual([]);
  });
});

describe('Replication: produce and acks', () => {
  it('refuses writes while fenced, when not leading, and acks=all under min.insync.replicas', () => {
    const { core } = setup();
    expect(core.leaderForProduce(P, 1)).toMatchObject({ errorName: 'NOT_LEADER_OR_FOLLOWER' });
    core.applyRegistration(P, registration({ isr: [1] }), context({ minInsyncReplicas: 2 }));
    expect(core.leaderForProduce(P, -1)).toMatchObject({ errorName: 'NOT_ENOUGH_REPLICAS' });
    expect(core.leaderForProduce(P, 1)).toBe(core.role(P));
    core.setFenced(true);
    expect(core.leaderForProduce(P, 1)).toMatchObject({ errorName: 'NOT_LEADER_OR_FOLLOWER' });
  });

  it('answers each acks=all produce once, when the high watermark passes it, with the context it waited with', () => {
    const { core, log } = setup();
    core.applyRegistration(P, registration(), context());
    core.ready();
    expect(produce(core, log, 2, 'a')).toBe('waiting');
    expect(produce(core, log, 2, 'b')).toBe('waiting');
    expect(core.ready()).toMatchObject({ acks: [], changed: [P] });
    followerFetch(core, 2, 4);
    expect(core.ready().acks).toEqual([]);
    followerFetch(core, 3, 2);
    const first = core.ready();
    expect(acks(first)).toEqual([['a', null]]);
    expect(first.changed).toEqual([P]);
    followerFetch(core, 3, 4);
    expect(acks(core.ready())).toEqual([['b', null]]);
    followerFetch(core, 3, 4);
    expect(core.ready().acks).toEqual([]);
  });

  it('times waiting produces out at the ack-expiry cadence', () => {
    const { core, log } = setup();
    core.applyRegistration(P, registration(), context());
    expect(produce(core, log, 1, 'late')).toBe('waiting');
    core.ready();
    core.tick(T0 + 100);
    expect(core.ready().acks).toEqual([]);
    core.tick(T0 + 500);
    expect(acks(core.ready())).toEqual([['late', 'REQUEST_TIMED_OUT']]);
  });
});

describe('Replication: AlterPartition', () => {
  it('keeps one AlterPartition on the wire, sends it again after a transport failure, and drops answers for an ended leadership', () => {
    const { core, log } = setup();
    core.applyRegistration(P, registration(), context());
    expect(produce(core, log, 1, 'x', T0 + 60_000)).toBe('waiting');
    followerFetch(core, 2, 1);
    core.ready();
    // Follower 3 never fetches: the ISR check (every LAG_MS / 2) proposes dropping it.
    core.tick(T0 + 400);
    expect(core.ready().alterPartitions).toEqual([]);
    followerFetch(core, 2, 1, T0 + 1_400);
    core.tick(T0 + 1_500);
    const sent = core.ready().alterPartitions;
    expect(sent).toMatchObject([{ partition: P, proposal: { leaderEpoch: 3, partitionEpoch: 5, newIsr: [1, 2] } }]);
    // On the wire: the next ISR checks send nothing more.
    core.tick(T0 + 2_000);
    expect(core.ready().alterPartitions).toEqual([]);
    core.onAlterPartitionFailed(P, sent[0]!.leader);
    core.tick(T0 + 2_500);
    const resent = core.ready().alterPartitions;
    expect(resent.map((s) => s.proposal)).toEqual([sent[0]!.proposal]);
    const outcome = core.onAlterPartitionResult(
      P,
      resent[0]!.leader,
      { ok: true, leaderEpoch: 3, partitionEpoch: 6, isr: [1, 2] },
      T0 + 2_600,
    );
    expect(outcome.kind).toBe('applied');
    expect(acks(core.ready())).toEqual([['x', null]]);
    expect(leaderRole(core).core.isr).toEqual([1, 2]);
    // An answer for a leadership that has ended changes nothing.
    core.applyRegistration(P, registration({ leader: 2, leaderEpoch: 4 }), context());
    expect(
      core.onAlterPartitionResult(
        P,
        resent[0]!.leader,
        { ok: false, error: new ApiError('INELIGIBLE_REPLICA', '') },
        T0,
      ),
    ).toEqual({ kind: 'ignored', reason: 'the leadership that sent it has ended' });
  });
});

describe('Replication: maintenance and shutdown', () => {
  it('checkpoints every 5 s only when a high watermark moved, and again after a failed write', () => {
    const { core, log } = setup();
    core.applyRegistration(P, registration({ replicas: [1], isr: [1] }), context());
    core.ready();
    core.tick(T0 + 5_000);
    const first = core.ready().highWatermarkCheckpoint;
    expect(first).toEqual(new Map([[P, 0]]));
    // Not reported written: asked again.
    core.tick(T0 + 10_000);
    expect(core.ready().highWatermarkCheckpoint).toEqual(first);
    core.onHighWatermarkCheckpointWritten(first!);
    core.tick(T0 + 15_000);
    expect(core.ready().highWatermarkCheckpoint).toBeNull();
    expect(produce(core, log, 2, 'p')).toBe('done'); // the only replica: committed at once
    core.ready();
    core.tick(T0 + 20_000);
    expect(core.ready().highWatermarkCheckpoint).toEqual(new Map([[P, 2]]));
  });

  it('runs retention and compaction at their cadences, each partition below its high watermark, offline ones not at all', () => {
    const core = new Replication<string>({
      localBrokerId: 1,
      replicaLagTimeMaxMs: LAG_MS,
      retentionCheckIntervalMs: 200,
      logCleanerBackoffMs: 300,
      nowMs: T0,
    });
    const log = ModelLog.of([0, 0, 0, 0]);
    core.addPartition('t-0', log, 3);
    core.addPartition('t-1', ModelLog.of([0]), 1);
    core.applyRegistration('t-0', registration({ leader: 2 }), context());
    core.ready();
    core.tick(T0 + 200);
    expect(core.ready()).toMatchObject({
      retention: { nowMs: T0 + 200, partitions: [{ partition: 't-0', maxOffset: 3 }] },
      compaction: null,
    });
    core.tick(T0 + 300);
    expect(core.ready()).toMatchObject({ retention: null, compaction: { partitions: [{ partition: 't-0' }] } });
  });

  it('removes a replica a reassignment took away only once it is offline, and checkpoints without it', () => {
    const { core, log } = setup();
    core.addPartition('t-1', ModelLog.of([0]), 1);
    core.applyRegistration(P, registration({ replicas: [1], isr: [1] }), context());
    expect(produce(core, log, 2, 'p')).toBe('done');
    core.ready();
    core.tick(T0 + 5_000);
    const both = core.ready().highWatermarkCheckpoint!;
    expect(both).toEqual(
      new Map([
        [P, 2],
        ['t-1', 1],
      ]),
    );
    core.onHighWatermarkCheckpointWritten(both);
    // Still leading: removing it would strand its leadership.
    expect(() => core.removePartition(P)).toThrow(BrokerInvariantError);
    core.applyRegistration(
      P,
      registration({ leader: -1, leaderEpoch: 4, partitionEpoch: 6, replicas: [2, 3], isr: [2, 3] }),
      context(),
    );
    expect(core.role(P).kind).toBe('offline');
    core.ready();
    core.removePartition(P);
    expect(() => core.role(P)).toThrow(BrokerInvariantError);
    expect(() => core.removePartition(P)).toThrow(BrokerInvariantError);
    expect(core.replicaHealth().partitions).toBe(1);
    core.tick(T0 + 10_000);
    expect(core.ready().highWatermarkCheckpoint).toEqual(new Map([['t-1', 1]]));
    // Hosted again later (a reassignment back): a fresh replica from an empty log.
    core.addPartition(P, new ModelLog(), 2);
    expect(core.role(P)).toEqual({ kind: 'offline', highWatermark: 0 });
  });

  it('shuts down: checkpoint, every waiting produce fails, every replica offline', () => {
    const { core, log } = setup();
    core.applyRegistration(P, registration({ replicas: [1], isr: [1] }), context());
    expect(produce(core, log, 1, 'acked')).toBe('done');
    core.ready();
    core.applyRegistration(P, registration({ replicas: [1, 2], isr: [1, 2], partitionEpoch: 6 }), context());
    expect(produce(core, log, 1, 'waiting')).toBe('waiting');
    core.ready();
    core.shutdown();
    const ready = core.ready();
    expect(acks(ready)).toEqual([['waiting', 'NOT_LEADER_OR_FOLLOWER']]);
    expect(ready.highWatermarkCheckpoint).toEqual(new Map([[P, 1]]));
    expect(core.role(P)).toEqual({ kind: 'offline', highWatermark: 1 });
  });
});

describe('Replication: follower steps', () => {
  it('drops answers for a follower that ended, and starts a follower over when its log write failed', () => {
    const { core, log } = setup([0, 0, 0]);
    core.applyRegistration(P, registration({ leader: 2, leaderEpoch: 4 }), context());
    core.ready();
    const asked = core.truncationQuery(P)!;
    expect(asked.query).toEqual({ currentLeaderEpoch: 4, epoch: 0 });
    const step = core.onEpochEnd(P, asked.follower, asked.query, { epoch: 0, endOffset: 2 });
    expect(core.ready().logWrites).toEqual([{ partition: P, follower: asked.follower, write: step.logWrites[0] }]);
    log.truncateTo(2);
    const fetching = core.fetchPosition(P)!;
    expect(fetching.position.fetchOffset).toBe(2);
    core.onFollowerLogWriteFailed(P, fetching.follower);
    expect(core.fetchPosition(P)).toBeNull();
    // A new followership: answers for the old one are stale.
    core.applyRegistration(P, registration({ leader: 3, leaderEpoch: 5 }), context());
    core.ready();
    expect(core.onEpochEnd(P, asked.follower, asked.query, { epoch: 0, endOffset: 0 })).toEqual({
      logWrites: [],
      backoff: false,
      changed: false,
    });
    expect(core.hasReady()).toBe(false);
    expect(log.logEndOffset).toBe(2);
  });
});

describe('Replication: health counts for /metrics', () => {
  it('counts under-replicated, under- and at-min-ISR partitions, pending acks, and committed ISR shrinks and expands', () => {
    const { core, log } = setup();
    core.applyRegistration(P, registration(), context({ minInsyncReplicas: 2 }));
    expect(core.replicaHealth()).toEqual({
      partitions: 1,
      leaders: 1,
      offline: 0,
      underReplicated: 0,
      underMinIsr: 0,
      atMinIsr: 0,
      pendingAcks: 0,
    });
    expect(produce(core, log, 1, 'x', T0 + 60_000)).toBe('waiting');
    expect(core.replicaHealth().pendingAcks).toBe(1);
    followerFetch(core, 2, 1);
    core.ready();
    // Follower 3 falls out: the shrink counts once the controller commits it.
    followerFetch(core, 2, 1, T0 + 1_400);
    core.tick(T0 + 1_500);
    const sent = core.ready().alterPartitions;
    expect(core.isrShrinks).toBe(0);
    core.onAlterPartitionResult(
      P,
      sent[0]!.leader,
      { ok: true, leaderEpoch: 3, partitionEpoch: 6, isr: [1, 2] },
      T0 + 2_600,
    );
    expect(core.isrShrinks).toBe(1);
    expect(core.isrExpands).toBe(0);
    expect(core.replicaHealth()).toMatchObject({ underReplicated: 1, underMinIsr: 0, atMinIsr: 1, pendingAcks: 0 });
    // The metadata log shrinks it further (the controller fenced broker 2): below min ISR.
    core.applyRegistration(P, registration({ partitionEpoch: 7, isr: [1] }), context({ minInsyncReplicas: 2 }));
    expect(core.isrShrinks).toBe(2);
    expect(core.replicaHealth()).toMatchObject({ underReplicated: 1, underMinIsr: 1, atMinIsr: 0 });
    // Both come back: one expand, fully replicated again.
    core.applyRegistration(P, registration({ partitionEpoch: 8 }), context({ minInsyncReplicas: 2 }));
    expect(core.isrExpands).toBe(1);
    expect(core.replicaHealth()).toMatchObject({ underReplicated: 0, underMinIsr: 0, atMinIsr: 0 });
    // A follower counts as a partition, never as a leader or an under-replicated one.
    core.applyRegistration(P, registration({ leader: 2, leaderEpoch: 4, partitionEpoch: 9, isr: [2] }), context());
    expect(core.replicaHealth()).toEqual({
      partitions: 1,
      leaders: 0,
      offline: 0,
      underReplicated: 0,
      underMinIsr: 0,
      atMinIsr: 0,
      pendingAcks: 0,
    });
  });
});
