/**
 * Durable acks (durable.acks.enable) in the pure cores: the leader's high watermark, and so every
 * acks=all answer, waits for fdatasync on a majority of the replicas and on every replica the
 * in-memory rule waits for; a replica joins the ISR only once it has flushed up to the high
 * watermark; the Replication core carries the topic's setting and the shell's flush results.
 */
import type { AckCompletion } from '../src/core/ack-waiters';
import type { PartitionRegistration } from '../src/core/partition-leader';
import { Replication, type RegistrationContext } from '../src/core/replication';
import { fetchFrom, makeLeader, T0, viewOf } from './replication-harness';
import { ModelLog } from './support/model-log';

const flushedFetch = (replicaId: number, fetchOffset: number, flushedOffset: number | null) => ({
  ...fetchFrom(replicaId, fetchOffset),
  flushedOffset,
});

describe('a durable leader', () => {
  it('answers acks=all only once the leader and every ISR member flushed the records', () => {
    const { leader } = makeLeader({ config: { durableAcks: true } });
    leader.onLeaderAppend(10, T0);
    const waiting = leader.awaitAcks(9, T0 + 60_000);
    expect(waiting.kind).toBe('waiting');
    // Both followers have the records in memory: Kafka's rule alone would answer now.
    for (const id of [2, 3]) {
      const outcome = leader.onFollowerFetch(flushedFetch(id, 10, 0), viewOf(leader), T0);
      expect(outcome).toMatchObject({ kind: 'accepted', completions: [] });
    }
    expect(leader.highWatermark).toBe(0);
    expect(leader.onLeaderFlushed(10, T0).completions).toEqual([]);
    // A majority (leader and 2) flushed, but 3 is in the ISR and could be the one elected after a
    // power cut of every replica.
    expect(leader.onFollowerFetch(flushedFetch(2, 10, 10), viewOf(leader), T0)).toMatchObject({ completions: [] });
    expect(leader.highWatermark).toBe(0);
    const done = leader.onFollowerFetch(flushedFetch(3, 10, 10), viewOf(leader), T0);
    expect(done.kind === 'accepted' && done.completions.map((c: AckCompletion) => c.error)).toEqual([null]);
    expect(leader.highWatermark).toBe(10);
  });

  it('needs a majority even when the ISR is only the leader', () => {
    const { leader } = makeLeader({ isr: [1], config: { durableAcks: true } });
    leader.onLeaderAppend(5, T0);
    leader.onLeaderFlushed(5, T0);
    expect(leader.highWatermark).toBe(0);
    leader.onFollowerFetch(flushedFetch(2, 3, 3), viewOf(leader), T0);
    expect(leader.highWatermark).toBe(3);
  });

  it('counts a follower that sends no flushed offset as having flushed nothing; without durable acks nothing waits for flushes', () => {
    const { leader } = makeLeader({ config: { durableAcks: true } });
    leader.onLeaderAppend(4, T0);
    leader.onLeaderFlushed(4, T0);
    leader.onFollowerFetch(flushedFetch(2, 4, null), viewOf(leader), T0);
    leader.onFollowerFetch(flushedFetch(3, 4, 4), viewOf(leader), T0);
    expect(leader.highWatermark).toBe(0);
    expect(leader.followerProgress(2)!.flushedOffset).toBe(-1);

    const { leader: plain } = makeLeader();
    plain.onLeaderAppend(4, T0);
    plain.onFollowerFetch(flushedFetch(2, 4, null), viewOf(plain), T0);
    plain.onFollowerFetch(flushedFetch(3, 4, 0), viewOf(plain), T0);
    expect(plain.highWatermark).toBe(4);
  });

  it('never believes a flushed offset past what the follower has', () => {
    const { leader } = makeLeader({ config: { durableAcks: true } });
    leader.onLeaderAppend(8, T0);
    leader.onFollowerFetch(flushedFetch(2, 5, 99), viewOf(leader), T0);
    expect(leader.followerProgress(2)!.flushedOffset).toBe(5);
  });

  it('lets a replica join the ISR only once it flushed up to the high watermark', () => {
    const { leader } = makeLeader({ isr: [1, 2], config: { durableAcks: true } });
    leader.onLeaderAppend(6, T0);
    leader.onLeaderFlushed(6, T0);
    leader.onFollowerFetch(flushedFetch(2, 6, 6), viewOf(leader), T0);
    expect(leader.highWatermark).toBe(6);
    // Replica 3 catches up in memory only: not in sync yet.
    const unflushed = leader.onFollowerFetch(flushedFetch(3, 6, 2), viewOf(leader), T0);
    expect(unflushed.kind === 'accepted' && unflushed.alterPartition).toBeNull();
    expect(leader.isrExpandCandidates()).toEqual([]);
    const flushed = leader.onFollowerFetch(flushedFetch(3, 6, 6), viewOf(leader), T0);
    expect(flushed.kind === 'accepted' && flushed.alterPartition?.newIsr).toEqual([1, 2, 3]);
  });

  it('takes a changed durable.acks.enable in place; the high watermark never goes back', () => {
    const { leader } = makeLeader({ config: { durableAcks: true } });
    leader.onLeaderAppend(3, T0);
    for (const id of [2, 3]) leader.onFollowerFetch(flushedFetch(id, 3, 0), viewOf(leader), T0);
    expect(leader.highWatermark).toBe(0);
    expect(leader.setDurableAcks(false, T0)).toMatchObject({ highWatermark: 3, highWatermarkAdvanced: true });
    leader.onLeaderAppend(5, T0);
    expect(leader.setDurableAcks(true, T0).highWatermark).toBe(3);
    expect(leader.durableAcks).toBe(true);
  });
});

describe('the replication core with durable acks', () => {
  const P = 't-0';
  const registration: PartitionRegistration = {
    leader: 1,
    leaderEpoch: 3,
    partitionEpoch: 5,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
  };
  const context = (durableAcks: boolean): RegistrationContext => ({
    nowMs: T0,
    minInsyncReplicas: 1,
    ineligibleReplicaIds: [],
    brokerEpochs: new Map(),
    durableAcks,
  });

  it("carries the topic's setting and the shell's flushes to the leadership", () => {
    const core = new Replication<string>({
      localBrokerId: 1,
      replicaLagTimeMaxMs: 1_000,
      retentionCheckIntervalMs: 300_000,
      logCleanerBackoffMs: 15_000,
      nowMs: T0,
    });
    const log = new ModelLog();
    core.addPartition(P, log, 0);
    core.setFenced(false);
    core.applyRegistration(P, registration, context(true));
    expect(core.isDurable(P)).toBe(true);
    const role = core.role(P);
    if (role.kind !== 'leader') throw new Error('not leading');
    log.appendAsLeader(3, 4);
    core.onLeaderAppend(P, role, { plan: null, firstOffset: 0 }, T0);
    expect(core.awaitAcks(P, role, 3, T0 + 10_000, 'produce-1').kind).toBe('waiting');
    for (const replicaId of [2, 3])
      core.onFollowerFetch(P, role, { ...fetchFrom(replicaId, 4, 3), flushedOffset: 4 }, T0);
    core.ready();
    expect(core.highWatermark(P)).toBe(0);
    log.flush();
    core.onLogFlushed(P, log.recoveryPoint, T0);
    expect(core.ready().acks.map((ack) => [ack.context, ack.error])).toEqual([['produce-1', null]]);
    expect(core.highWatermark(P)).toBe(4);

    // The config is dynamic: the next image turns it off for this leadership in place.
    core.applyRegistration(P, registration, context(false));
    expect(core.isDurable(P)).toBe(false);
    expect(role.core.durableAcks).toBe(false);
  });

  it('runs the flush scheduler and both checkpoint passes at their cadences', () => {
    const core = new Replication<string>({
      localBrokerId: 1,
      replicaLagTimeMaxMs: 60_000,
      retentionCheckIntervalMs: 300_000,
      logCleanerBackoffMs: 300_000,
      highWatermarkCheckpointIntervalMs: 300_000,
      producerExpiryCheckIntervalMs: 300_000,
      logFlushSchedulerIntervalMs: 1_000,
      recoveryPointCheckpointIntervalMs: 3_000,
      logStartOffsetCheckpointIntervalMs: 5_000,
      nowMs: T0,
    });
    const seen: string[] = [];
    for (let ms = 100; ms <= 6_000; ms += 100) {
      core.tick(T0 + ms);
      const ready = core.ready();
      if (ready.flushCheck !== null) seen.push(`flush@${ready.flushCheck.nowMs - T0}`);
      if (ready.recoveryPointCheckpoint) seen.push(`recovery-point@${ms}`);
      if (ready.logStartCheckpoint) seen.push(`log-start@${ms}`);
    }
    expect(seen).toEqual([
      'flush@1000',
      'flush@2000',
      'flush@3000',
      'recovery-point@3000',
      'flush@4000',
      'flush@5000',
      'log-start@5000',
      'flush@6000',
      'recovery-point@6000',
    ]);
  });
});
