import { ApiError } from '@sluice/protocol';
import { parseAcks } from '../src/core/acks';
import { checkCurrentLeaderEpoch } from '../src/core/leader-epoch-fencing';
import type { FollowerFetchOutcome } from '../src/core/partition-leader';
import { epochLogView, fetchFrom, makeLeader, T0, viewOf } from './replication-harness';

function accepted(outcome: FollowerFetchOutcome) {
  if (outcome.kind !== 'accepted')
    throw new Error(`expected accepted, got ${outcome.kind}: ${outcome.kind === 'error' ? outcome.error.message : ''}`);
  return outcome;
}
function errorName(outcome: FollowerFetchOutcome): string {
  if (outcome.kind !== 'error') throw new Error(`expected an error, got ${outcome.kind}`);
  return outcome.error.errorName;
}

describe('leader epoch fencing', () => {
  it('refuses older epochs as FENCED and newer ones as UNKNOWN; no epoch is fine', () => {
    expect(checkCurrentLeaderEpoch(5, 4)?.errorName).toBe('FENCED_LEADER_EPOCH');
    expect(checkCurrentLeaderEpoch(5, 6)?.errorName).toBe('UNKNOWN_LEADER_EPOCH');
    expect(checkCurrentLeaderEpoch(5, 5)).toBeNull();
    expect(checkCurrentLeaderEpoch(5, null)).toBeNull();
    expect(checkCurrentLeaderEpoch(5, 4)?.retriable).toBe(true);
  });

  it('applies to follower fetches', () => {
    const { leader } = makeLeader({ logEndOffset: 10 });
    expect(errorName(leader.onFollowerFetch({ ...fetchFrom(2, 10), currentLeaderEpoch: 4 }, viewOf(leader), T0))).toBe(
      'FENCED_LEADER_EPOCH',
    );
    expect(errorName(leader.onFollowerFetch({ ...fetchFrom(2, 10), currentLeaderEpoch: 6 }, viewOf(leader), T0))).toBe(
      'UNKNOWN_LEADER_EPOCH',
    );
    expect(leader.followerProgress(2)?.logEndOffset).toBe(-1);
  });

  it('answers a fetch from a non-replica as UNKNOWN_LEADER_EPOCH with an epoch, NOT_LEADER_OR_FOLLOWER without', () => {
    const { leader } = makeLeader({ logEndOffset: 10 });
    expect(errorName(leader.onFollowerFetch(fetchFrom(7, 10), viewOf(leader), T0))).toBe('UNKNOWN_LEADER_EPOCH');
    expect(
      errorName(leader.onFollowerFetch({ ...fetchFrom(7, 10), currentLeaderEpoch: null }, viewOf(leader), T0)),
    ).toBe('NOT_LEADER_OR_FOLLOWER');
  });

  it("refuses a fetch from a broker's past life (stale broker epoch, KIP-903)", () => {
    const { leader } = makeLeader({ logEndOffset: 10 });
    leader.setBrokerEpochs(new Map([[2, 300]]));
    expect(errorName(leader.onFollowerFetch({ ...fetchFrom(2, 10), brokerEpoch: 299 }, viewOf(leader), T0))).toBe(
      'NOT_LEADER_OR_FOLLOWER',
    );
    expect(leader.followerProgress(2)?.logEndOffset).toBe(-1);
    expect(accepted(leader.onFollowerFetch({ ...fetchFrom(2, 10), brokerEpoch: 300 }, viewOf(leader), T0)).kind).toBe(
      'accepted',
    );
    expect(accepted(leader.onFollowerFetch({ ...fetchFrom(2, 10), brokerEpoch: null }, viewOf(leader), T0)).kind).toBe(
      'accepted',
    );
  });

  it('refuses fetch offsets outside the log', () => {
    const { leader } = makeLeader({ logEndOffset: 10 });
    expect(errorName(leader.onFollowerFetch({ ...fetchFrom(2, 11), lastFetchedEpoch: null }, viewOf(leader), T0))).toBe(
      'OFFSET_OUT_OF_RANGE',
    );
    expect(
      errorName(leader.onFollowerFetch(fetchFrom(2, 3), epochLogView([{ epoch: 5, startOffset: 0 }], 10, 4), T0)),
    ).toBe('OFFSET_OUT_OF_RANGE');
  });
});

describe('divergence check on follower fetches', () => {
  // Leader: epoch 2 at 0, epoch 4 at 20, epoch 5 at 30; log end 40.
  const entries = [
    { epoch: 2, startOffset: 0 },
    { epoch: 4, startOffset: 20 },
    { epoch: 5, startOffset: 30 },
  ];

  it('answers the end of the follower epoch when the follower wrote past it', () => {
    const { leader } = makeLeader({ logEndOffset: 40 });
    const view = epochLogView(entries, 40);
    const outcome = leader.onFollowerFetch({ ...fetchFrom(2, 25), lastFetchedEpoch: 2 }, view, T0);
    expect(outcome).toEqual({ kind: 'diverging', divergingEpoch: { epoch: 2, endOffset: 20 } });
    expect(leader.followerProgress(2)?.logEndOffset).toBe(-1);
  });

  it('answers the largest smaller epoch when the leader never had the follower epoch', () => {
    const { leader } = makeLeader({ logEndOffset: 40 });
    const outcome = leader.onFollowerFetch({ ...fetchFrom(2, 22), lastFetchedEpoch: 3 }, epochLogView(entries, 40), T0);
    expect(outcome).toEqual({ kind: 'diverging', divergingEpoch: { epoch: 2, endOffset: 20 } });
  });

  it('tells a deposed leader fetching past our end where its epoch diverged, not OFFSET_OUT_OF_RANGE', () => {
    const { leader } = makeLeader({ logEndOffset: 40 });
    const view = epochLogView(entries, 40);
    // It wrote 43..45 in epoch 4 that never reached us: our epoch 4 ends at 30.
    expect(leader.onFollowerFetch({ ...fetchFrom(2, 45), lastFetchedEpoch: 4 }, view, T0)).toEqual({
      kind: 'diverging',
      divergingEpoch: { epoch: 4, endOffset: 30 },
    });
    // The same epoch as ours but past our end: it diverged at our end offset.
    expect(leader.onFollowerFetch({ ...fetchFrom(2, 45), lastFetchedEpoch: 5 }, view, T0)).toEqual({
      kind: 'diverging',
      divergingEpoch: { epoch: 5, endOffset: 40 },
    });
    // Without an epoch to compare, past the end is out of range.
    expect(errorName(leader.onFollowerFetch({ ...fetchFrom(2, 45), lastFetchedEpoch: null }, view, T0))).toBe(
      'OFFSET_OUT_OF_RANGE',
    );
  });

  it('accepts a fetch offset within the epoch and refuses an epoch newer than the leader knows', () => {
    const { leader } = makeLeader({ logEndOffset: 40 });
    const view = epochLogView(entries, 40);
    expect(accepted(leader.onFollowerFetch({ ...fetchFrom(2, 20), lastFetchedEpoch: 2 }, view, T0)).kind).toBe(
      'accepted',
    );
    expect(accepted(leader.onFollowerFetch({ ...fetchFrom(2, 35), lastFetchedEpoch: 5 }, view, T0)).kind).toBe(
      'accepted',
    );
    expect(errorName(leader.onFollowerFetch({ ...fetchFrom(2, 35), lastFetchedEpoch: 6 }, view, T0))).toBe(
      'OFFSET_OUT_OF_RANGE',
    );
  });
});

describe('a leadership not yet in the epoch cache (no append of this epoch so far)', () => {
  // Broker 1 leads epoch 5 from offset 10; its log started over at 10 (the old leader's log start),
  // so the cache is empty, as PartitionLog leaves it until the first append of epoch 5. Kafka would
  // have recorded epoch 5 at 10 when the leadership began, and answers as if it had.
  const emptyCache = () => epochLogView([], 10, 10);

  it('accepts a caught-up follower whose last epoch the cache does not know, and takes it back into the ISR', () => {
    // The replayed counterexample of the cluster simulation: before, this was OFFSET_OUT_OF_RANGE
    // on every fetch, and the follower (its log end at its high watermark) never got back in.
    const { leader } = makeLeader({ logEndOffset: 10, highWatermark: 10, isr: [1] });
    const outcome = accepted(leader.onFollowerFetch({ ...fetchFrom(2, 10), lastFetchedEpoch: 3 }, emptyCache(), T0));
    expect(leader.followerProgress(2)?.logEndOffset).toBe(10);
    expect(outcome.alterPartition).toEqual({ leaderEpoch: 5, partitionEpoch: 10, newIsr: [1, 2] });
  });

  it('answers epochs as the cache would with this epoch at its start offset', () => {
    const { leader } = makeLeader({ logEndOffset: 10, highWatermark: 10 });
    expect(leader.endOffsetForEpoch(3, emptyCache())).toEqual({ epoch: 3, endOffset: 10 });
    expect(leader.endOffsetForEpoch(5, emptyCache())).toEqual({ epoch: 5, endOffset: 10 });
    expect(leader.endOffsetForEpoch(6, emptyCache())).toBeNull();
    // Older epochs recorded: the cache's own answers below them, the largest recorded epoch after.
    const older = epochLogView(
      [
        { epoch: 1, startOffset: 0 },
        { epoch: 2, startOffset: 4 },
      ],
      10,
    );
    expect(leader.endOffsetForEpoch(1, older)).toEqual({ epoch: 1, endOffset: 4 });
    expect(leader.endOffsetForEpoch(2, older)).toEqual({ epoch: 2, endOffset: 10 });
    expect(leader.endOffsetForEpoch(4, older)).toEqual({ epoch: 2, endOffset: 10 });
  });

  it('still tells a follower with records past our start where to truncate', () => {
    const { leader } = makeLeader({ logEndOffset: 10, highWatermark: 10 });
    const older = epochLogView(
      [
        { epoch: 1, startOffset: 0 },
        { epoch: 2, startOffset: 4 },
      ],
      10,
    );
    // It wrote 10..12 in epoch 3, which we never had: our epoch 2 ends at 10.
    expect(leader.onFollowerFetch({ ...fetchFrom(2, 12), lastFetchedEpoch: 3 }, older, T0)).toEqual({
      kind: 'diverging',
      divergingEpoch: { epoch: 2, endOffset: 10 },
    });
    expect(leader.onFollowerFetch({ ...fetchFrom(2, 12), lastFetchedEpoch: 3 }, emptyCache(), T0)).toEqual({
      kind: 'diverging',
      divergingEpoch: { epoch: 3, endOffset: 10 },
    });
  });

  it('answers from the cache alone once the epoch is recorded', () => {
    const { leader } = makeLeader({ logEndOffset: 10, highWatermark: 10 });
    leader.onLeaderAppend(12, T0);
    const recorded = epochLogView([{ epoch: 5, startOffset: 10 }], 12, 10);
    expect(leader.endOffsetForEpoch(3, recorded)).toEqual({ epoch: 3, endOffset: 10 });
    expect(leader.endOffsetForEpoch(5, recorded)).toEqual({ epoch: 5, endOffset: 12 });
    // A log that grew without recording the epoch is a broken invariant, not an answer.
    expect(() => leader.endOffsetForEpoch(3, epochLogView([], 12, 10))).toThrow(/not in the epoch cache/);
  });
});

describe('high watermark', () => {
  it('is the minimum log end offset over the ISR and never moves back', () => {
    const { leader } = makeLeader({ logEndOffset: 0 });
    leader.onLeaderAppend(10, T0);
    expect(leader.highWatermark).toBe(0);
    expect(accepted(leader.onFollowerFetch(fetchFrom(2, 10), viewOf(leader), T0)).highWatermarkAdvanced).toBe(false);
    const third = accepted(leader.onFollowerFetch(fetchFrom(3, 7), viewOf(leader), T0));
    expect(third).toMatchObject({ highWatermark: 7, highWatermarkAdvanced: true });
    // A follower that reports a lower offset (it lost unflushed data) does not pull it back.
    accepted(leader.onFollowerFetch(fetchFrom(3, 4), viewOf(leader), T0));
    expect(leader.highWatermark).toBe(7);
    accepted(leader.onFollowerFetch(fetchFrom(3, 10), viewOf(leader), T0));
    expect(leader.highWatermark).toBe(10);
  });

  it('waits after a leader change until every ISR member has fetched', () => {
    const { leader } = makeLeader({ logEndOffset: 50, highWatermark: 40 });
    expect(leader.highWatermark).toBe(40);
    accepted(leader.onFollowerFetch(fetchFrom(2, 50), viewOf(leader), T0));
    expect(leader.highWatermark).toBe(40);
    accepted(leader.onFollowerFetch(fetchFrom(3, 45), viewOf(leader), T0));
    expect(leader.highWatermark).toBe(45);
  });

  it('clamps a checkpointed high watermark to the log end offset', () => {
    expect(makeLeader({ logEndOffset: 5, highWatermark: 9 }).leader.highWatermark).toBe(5);
  });

  it('advances on a leader append alone when the leader is the whole ISR', () => {
    const { leader } = makeLeader({ isr: [1] });
    expect(leader.onLeaderAppend(3, T0)).toMatchObject({ highWatermark: 3, highWatermarkAdvanced: true });
  });

  it('also waits for a caught-up replica outside the ISR (it is about to join)', () => {
    const { leader } = makeLeader({ isr: [1, 2], logEndOffset: 0 });
    leader.onLeaderAppend(10, T0);
    // Replica 3 catches up fully, then lags a little: it is caught up but not yet in the ISR.
    const outcome = accepted(leader.onFollowerFetch(fetchFrom(3, 10), viewOf(leader), T0));
    expect(outcome.alterPartition?.newIsr).toEqual([1, 2, 3]);
    leader.onAlterPartitionResult({ ok: false, error: new ApiError('INELIGIBLE_REPLICA', 'x') }, T0);
    leader.onLeaderAppend(20, T0 + 1);
    accepted(leader.onFollowerFetch(fetchFrom(3, 15), viewOf(leader), T0 + 2));
    accepted(leader.onFollowerFetch(fetchFrom(2, 20), viewOf(leader), T0 + 2));
    expect(leader.highWatermark).toBe(15);
  });

  it('does not wait for a lagging replica outside the ISR', () => {
    const { leader } = makeLeader({ isr: [1, 2], logEndOffset: 10, highWatermark: 5 });
    expect(accepted(leader.onFollowerFetch(fetchFrom(3, 2), viewOf(leader), T0)).alterPartition).toBeNull();
    accepted(leader.onFollowerFetch(fetchFrom(2, 10), viewOf(leader), T0));
    expect(leader.highWatermark).toBe(10);
  });

  it('is frozen while the committed ISR is below min.insync.replicas (KIP-966)', () => {
    const { leader } = makeLeader({ isr: [1], config: { minInsyncReplicas: 2 } });
    leader.onLeaderAppend(5, T0);
    expect(leader.highWatermark).toBe(0);
  });

  it('reports OFFSET_NOT_AVAILABLE to clients until it reaches this epoch', () => {
    const { leader } = makeLeader({ logEndOffset: 20, highWatermark: 12 });
    expect(leader.checkOffsetsAvailable()?.errorName).toBe('OFFSET_NOT_AVAILABLE');
    accepted(leader.onFollowerFetch(fetchFrom(2, 20), viewOf(leader), T0));
    accepted(leader.onFollowerFetch(fetchFrom(3, 20), viewOf(leader), T0));
    expect(leader.checkOffsetsAvailable()).toBeNull();
  });
});

describe('acks=all', () => {
  it('accepts acks 0, 1 and -1 only', () => {
    expect([0, 1, -1].map(parseAcks)).toEqual([0, 1, -1]);
    expect((parseAcks(2) as ApiError).errorName).toBe('INVALID_REQUIRED_ACKS');
  });

  it('refuses up front with NOT_ENOUGH_REPLICAS when the ISR is below min.insync.replicas', () => {
    const { leader } = makeLeader({ isr: [1, 2], config: { minInsyncReplicas: 3 } });
    expect(leader.checkProduce(-1)?.errorName).toBe('NOT_ENOUGH_REPLICAS');
    expect(leader.checkProduce(1)).toBeNull();
    expect(leader.checkProduce(0)).toBeNull();
  });

  it('caps min.insync.replicas at the replication factor, as Kafka', () => {
    const { leader } = makeLeader({ replicas: [1], isr: [1], config: { minInsyncReplicas: 2 } });
    expect(leader.effectiveMinIsr).toBe(1);
    expect(leader.checkProduce(-1)).toBeNull();
  });

  it('completes once the high watermark passes the last offset, not before', () => {
    const { leader } = makeLeader();
    leader.onLeaderAppend(5, T0);
    const wait = leader.awaitAcks(4, T0 + 30_000);
    if (wait.kind !== 'waiting') throw new Error('expected to wait');
    expect(accepted(leader.onFollowerFetch(fetchFrom(2, 5), viewOf(leader), T0)).completions).toEqual([]);
    expect(accepted(leader.onFollowerFetch(fetchFrom(3, 4), viewOf(leader), T0)).completions).toEqual([]);
    const done = accepted(leader.onFollowerFetch(fetchFrom(3, 5), viewOf(leader), T0));
    expect(done.completions).toEqual([{ waiterId: wait.waiterId, requiredOffset: 5, error: null }]);
    expect(leader.awaitAcks(2, T0)).toEqual({
      kind: 'done',
      completion: { waiterId: 0, requiredOffset: 3, error: null },
    });
  });

  it('fails with NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrinks below min while waiting', () => {
    const { leader } = makeLeader({ config: { minInsyncReplicas: 2 } });
    leader.onLeaderAppend(5, T0);
    const wait = leader.awaitAcks(4, T0 + 60_000);
    expect(wait.kind).toBe('waiting');
    accepted(leader.onFollowerFetch(fetchFrom(2, 3), viewOf(leader), T0));
    const shrink = leader.maybeShrinkIsr(T0 + 30_001);
    expect(shrink.alterPartition?.newIsr).toEqual([1]);
    // Pending shrink: still counted, still waiting.
    expect(leader.pendingAcks).toBe(1);
    const committed = leader.onAlterPartitionResult(
      { ok: true, leaderEpoch: 5, partitionEpoch: 11, isr: [1] },
      T0 + 30_002,
    );
    if (committed.kind !== 'applied') throw new Error(committed.reason);
    expect(committed.completions.map((c) => c.error?.errorName)).toEqual(['NOT_ENOUGH_REPLICAS_AFTER_APPEND']);
    expect(leader.highWatermark).toBe(0);
    expect(leader.awaitAcks(4, T0 + 60_000)).toMatchObject({
      kind: 'done',
      completion: { error: { errorName: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' } },
    });
  });

  it('times waiters out with REQUEST_TIMED_OUT and bounds how many wait', () => {
    const { leader } = makeLeader({ config: { maxPendingAcks: 2 } });
    leader.onLeaderAppend(3, T0);
    expect(leader.awaitAcks(0, T0 + 10).kind).toBe('waiting');
    expect(leader.awaitAcks(1, T0 + 20).kind).toBe('waiting');
    expect(leader.awaitAcks(2, T0 + 30)).toMatchObject({
      kind: 'done',
      completion: { error: { errorName: 'REQUEST_TIMED_OUT' } },
    });
    expect(leader.expireAcks(T0 + 10).map((c) => c.requiredOffset)).toEqual([1]);
    expect(leader.pendingAcks).toBe(1);
  });

  it('fails every waiter with NOT_LEADER_OR_FOLLOWER on resignation', () => {
    const { leader, registration } = makeLeader();
    leader.onLeaderAppend(3, T0);
    leader.awaitAcks(2, T0 + 100);
    const outcome = leader.applyRegistration({ ...registration, leader: 2, leaderEpoch: 6, partitionEpoch: 11 }, T0);
    if (outcome.kind !== 'resigned') throw new Error(outcome.kind);
    expect(outcome.completions.map((c) => c.error?.errorName)).toEqual(['NOT_LEADER_OR_FOLLOWER']);
    expect(() => leader.onLeaderAppend(4, T0)).toThrow(/has ended/);
  });
});

describe('ISR shrink', () => {
  it('lists members not caught up for longer than replica.lag.time.max.ms', () => {
    const { leader } = makeLeader();
    leader.onLeaderAppend(10, T0);
    accepted(leader.onFollowerFetch(fetchFrom(2, 10), viewOf(leader), T0 + 1_000));
    accepted(leader.onFollowerFetch(fetchFrom(3, 5), viewOf(leader), T0 + 1_000));
    leader.onLeaderAppend(11, T0 + 1_000);
    // ISR members start caught up "now" (T0): lagging starts counting from there.
    expect(leader.isrShrinkCandidates(T0 + 30_000)).toEqual([]);
    expect(leader.isrShrinkCandidates(T0 + 30_001)).toEqual([3]);
    expect(leader.isrShrinkCandidates(T0 + 31_000)).toEqual([3]);
    expect(leader.isrShrinkCandidates(T0 + 31_001)).toEqual([2, 3]);
  });

  it('counts reaching the previous fetch time end offset as caught up then (steady small produces)', () => {
    const { leader } = makeLeader();
    let leo = 0;
    for (let i = 1; i <= 100; i++) {
      const now = T0 + i * 1_000;
      // The follower always fetches what the leader had at its previous fetch, never the current end.
      accepted(leader.onFollowerFetch(fetchFrom(2, leo), viewOf(leader), now));
      accepted(leader.onFollowerFetch(fetchFrom(3, leo), viewOf(leader), now));
      leo += 1;
      leader.onLeaderAppend(leo, now);
    }
    expect(leader.isrShrinkCandidates(T0 + 101_000)).toEqual([]);
  });

  it('proposes one shrink at a time; the leaving member holds the high watermark until committed', () => {
    const { leader } = makeLeader();
    leader.onLeaderAppend(10, T0);
    accepted(leader.onFollowerFetch(fetchFrom(2, 10), viewOf(leader), T0 + 40_000));
    accepted(leader.onFollowerFetch(fetchFrom(3, 2), viewOf(leader), T0 + 40_000));
    const effects = leader.maybeShrinkIsr(T0 + 40_000);
    expect(effects.alterPartition).toEqual({ leaderEpoch: 5, partitionEpoch: 10, newIsr: [1, 2] });
    expect(leader.maximalIsr).toEqual([1, 2, 3]);
    expect(leader.highWatermark).toBe(2);
    expect(leader.maybeShrinkIsr(T0 + 40_000).alterPartition).toBeNull();
    expect(leader.pendingAlterPartition()?.newIsr).toEqual([1, 2]);
    const applied = leader.onAlterPartitionResult(
      { ok: true, leaderEpoch: 5, partitionEpoch: 11, isr: [1, 2] },
      T0 + 40_001,
    );
    expect(applied).toMatchObject({ kind: 'applied', highWatermark: 10, highWatermarkAdvanced: true });
    expect(leader.isr).toEqual([1, 2]);
    expect(leader.partitionEpoch).toBe(11);
  });
});

describe('a reassignment completed by our own AlterPartition', () => {
  it('adopts the final replicas from the registration of the epoch the answer already gave, so a removed replica is not proposed back', () => {
    // Replicas 1,2,3,4 while 3 is being removed and 4 added; 4 catches up.
    const { leader, registration } = makeLeader({ replicas: [1, 2, 3, 4], isr: [1, 2, 3] });
    leader.onLeaderAppend(5, T0);
    accepted(leader.onFollowerFetch(fetchFrom(3, 5), viewOf(leader), T0));
    expect(accepted(leader.onFollowerFetch(fetchFrom(4, 5), viewOf(leader), T0)).alterPartition?.newIsr).toEqual([
      1, 2, 3, 4,
    ]);
    // The controller writes the ISR change and the completion together: two records, epoch 12.
    const answer = leader.onAlterPartitionResult({ ok: true, leaderEpoch: 5, partitionEpoch: 12, isr: [1, 2, 4] }, T0);
    expect(answer.kind).toBe('applied');
    const final = { ...registration, partitionEpoch: 12, replicas: [1, 2, 4], isr: [1, 2, 4] };
    expect(leader.applyRegistration(final, T0).kind).toBe('updated');
    expect(leader.replicaIds).toEqual([1, 2, 4]);
    // The removed replica, still fetching before its broker saw the change, is no replica of ours.
    leader.onLeaderAppend(8, T0);
    expect(errorName(leader.onFollowerFetch(fetchFrom(3, 5), viewOf(leader), T0))).toBe('UNKNOWN_LEADER_EPOCH');
    expect(leader.isrChangeInFlight).toBe(false);
    expect(leader.maximalIsr).toEqual([1, 2, 4]);
    accepted(leader.onFollowerFetch(fetchFrom(2, 8), viewOf(leader), T0));
    accepted(leader.onFollowerFetch(fetchFrom(4, 8), viewOf(leader), T0));
    expect(leader.highWatermark).toBe(8);
    // The same registration again is no news.
    expect(leader.applyRegistration(final, T0).kind).toBe('stale');
  });
});

describe('ISR expand', () => {
  it('proposes adding a follower that reached the high watermark and the epoch start offset', () => {
    const { leader } = makeLeader({ isr: [1, 2], logEndOffset: 20, highWatermark: 20 });
    leader.onLeaderAppend(30, T0);
    expect(accepted(leader.onFollowerFetch(fetchFrom(3, 15), viewOf(leader), T0)).alterPartition).toBeNull();
    expect(leader.isrExpandCandidates()).toEqual([]);
    const outcome = accepted(leader.onFollowerFetch(fetchFrom(3, 20), viewOf(leader), T0));
    expect(outcome.alterPartition).toEqual({ leaderEpoch: 5, partitionEpoch: 10, newIsr: [1, 2, 3] });
    // Pending expand: the maximal ISR already includes 3, so the high watermark waits for it.
    expect(leader.maximalIsr).toEqual([1, 2, 3]);
    expect(leader.isr).toEqual([1, 2]);
    accepted(leader.onFollowerFetch(fetchFrom(2, 30), viewOf(leader), T0));
    expect(leader.highWatermark).toBe(20);
    expect(leader.isrChangeInFlight).toBe(true);
  });

  it('does not add an ineligible (fenced or shutting down) replica', () => {
    const { leader } = makeLeader({ isr: [1, 2], ineligible: [3] });
    leader.onLeaderAppend(5, T0);
    expect(accepted(leader.onFollowerFetch(fetchFrom(3, 5), viewOf(leader), T0)).alterPartition).toBeNull();
    leader.setIneligibleReplicas([]);
    expect(leader.isrExpandCandidates()).toEqual([3]);
  });

  it('reverts on INELIGIBLE_REPLICA, stays pending on other errors and ignores stale answers', () => {
    const { leader } = makeLeader({ isr: [1, 2] });
    leader.onLeaderAppend(5, T0);
    accepted(leader.onFollowerFetch(fetchFrom(3, 5), viewOf(leader), T0));
    expect(leader.onAlterPartitionResult({ ok: false, error: new ApiError('NOT_CONTROLLER', 'x') }, T0).kind).toBe(
      'ignored',
    );
    expect(leader.isrChangeInFlight).toBe(true);
    expect(
      leader.onAlterPartitionResult({ ok: true, leaderEpoch: 4, partitionEpoch: 11, isr: [1, 2, 3] }, T0).kind,
    ).toBe('ignored');
    expect(
      leader.onAlterPartitionResult({ ok: true, leaderEpoch: 5, partitionEpoch: 9, isr: [1, 2, 3] }, T0).kind,
    ).toBe('ignored');
    expect(leader.onAlterPartitionResult({ ok: false, error: new ApiError('INELIGIBLE_REPLICA', 'x') }, T0).kind).toBe(
      'applied',
    );
    expect(leader.isrChangeInFlight).toBe(false);
    expect(leader.maximalIsr).toEqual([1, 2]);
    expect(
      leader.onAlterPartitionResult({ ok: true, leaderEpoch: 5, partitionEpoch: 11, isr: [1, 2, 3] }, T0).kind,
    ).toBe('ignored');
  });

  it('takes the ISR from a newer registration and drops the change in flight; older ones are stale', () => {
    const { leader, registration } = makeLeader({ isr: [1, 2] });
    leader.onLeaderAppend(5, T0);
    accepted(leader.onFollowerFetch(fetchFrom(3, 5), viewOf(leader), T0));
    expect(leader.applyRegistration({ ...registration, partitionEpoch: 10 }, T0).kind).toBe('stale');
    expect(leader.applyRegistration({ ...registration, leaderEpoch: 4, partitionEpoch: 12 }, T0).kind).toBe('stale');
    const updated = leader.applyRegistration({ ...registration, partitionEpoch: 11, isr: [1, 2, 3] }, T0);
    expect(updated.kind).toBe('updated');
    expect(leader.isr).toEqual([1, 2, 3]);
    expect(leader.isrChangeInFlight).toBe(false);
    expect(leader.partitionEpoch).toBe(11);
  });
});
