/**
 * Property runs: a fixed seed in CI (the same cases every run); SLUICE_PROPERTY_SEED=random with
 * SLUICE_PROPERTY_RUNS=<n> hunts with fresh seeds, SLUICE_PROPERTY_SEED/SLUICE_PROPERTY_PATH replay
 * a failure (support/property-runs.ts).
 */
import fc from 'fast-check';
import { LeaderEpochCache, type EpochEntry } from '@sluice/log';
import { followerTruncation, type FollowerLogView } from '../src/core/follower-truncation';
import { answerOffsetForLeaderEpoch } from '../src/core/offset-for-leader-epoch';
import { propertyRuns, propertyTimeoutMs } from './support/property-runs';

/** A log as the epoch of each offset (non-decreasing). */
type EpochLog = number[];

function entriesOf(log: EpochLog): EpochEntry[] {
  const entries: EpochEntry[] = [];
  log.forEach((epoch, offset) => {
    if (entries.at(-1)?.epoch !== epoch) entries.push({ epoch, startOffset: offset });
  });
  return entries;
}

function viewOf(log: EpochLog): FollowerLogView {
  const cache = new LeaderEpochCache(entriesOf(log));
  return {
    logEndOffset: log.length,
    endOffsetForEpoch: (epoch) => {
      const answer = cache.endOffsetFor(epoch, log.length);
      return answer.epoch === -1 ? null : answer;
    },
  };
}

const fromRuns = (runs: Array<[number, number]>): EpochLog =>
  runs.flatMap(([epoch, count]) => new Array<number>(count).fill(epoch));

describe('leader answer to OffsetForLeaderEpoch', () => {
  const leaderLog = viewOf(
    fromRuns([
      [1, 5],
      [3, 5],
      [5, 2],
    ]),
  );
  it('fences the current leader epoch, then answers from the epoch cache', () => {
    expect(answerOffsetForLeaderEpoch(5, { currentLeaderEpoch: 4, leaderEpoch: 3 }, leaderLog)).toMatchObject({
      kind: 'error',
      error: { errorName: 'FENCED_LEADER_EPOCH' },
    });
    expect(answerOffsetForLeaderEpoch(5, { currentLeaderEpoch: 6, leaderEpoch: 3 }, leaderLog)).toMatchObject({
      kind: 'error',
      error: { errorName: 'UNKNOWN_LEADER_EPOCH' },
    });
    expect(answerOffsetForLeaderEpoch(5, { currentLeaderEpoch: 5, leaderEpoch: 3 }, leaderLog)).toEqual({
      kind: 'answer',
      epoch: 3,
      endOffset: 10,
    });
    expect(answerOffsetForLeaderEpoch(5, { currentLeaderEpoch: null, leaderEpoch: 4 }, leaderLog)).toEqual({
      kind: 'answer',
      epoch: 3,
      endOffset: 10,
    });
    expect(answerOffsetForLeaderEpoch(5, { currentLeaderEpoch: 5, leaderEpoch: 5 }, leaderLog)).toEqual({
      kind: 'answer',
      epoch: 5,
      endOffset: 12,
    });
    expect(answerOffsetForLeaderEpoch(5, { currentLeaderEpoch: 5, leaderEpoch: 9 }, leaderLog)).toEqual({
      kind: 'answer',
      epoch: -1,
      endOffset: -1,
    });
    expect(answerOffsetForLeaderEpoch(5, { currentLeaderEpoch: 5, leaderEpoch: -1 }, leaderLog)).toEqual({
      kind: 'answer',
      epoch: -1,
      endOffset: -1,
    });
  });
});

const TRUNCATION_RUNS = { seed: 1, numRuns: 500 };
jest.setTimeout(propertyTimeoutMs(TRUNCATION_RUNS, 30_000));

describe('follower truncation (OffsetForLeaderEpoch answer)', () => {
  // Follower: epoch 1 x5, epoch 3 x5 (offsets 5..9), epoch 4 x3 (10..12).
  const follower = viewOf(
    fromRuns([
      [1, 5],
      [3, 5],
      [4, 3],
    ]),
  );

  it('truncates to the high watermark when the leader knows no end offset', () => {
    expect(followerTruncation({ epoch: -1, endOffset: -1 }, follower, 7)).toEqual({
      truncateToOffset: 7,
      complete: true,
    });
  });

  it('keeps up to where both copies of the same epoch end', () => {
    expect(followerTruncation({ epoch: 4, endOffset: 11 }, follower, 0)).toEqual({
      truncateToOffset: 11,
      complete: true,
    });
    expect(followerTruncation({ epoch: 4, endOffset: 20 }, follower, 0)).toEqual({
      truncateToOffset: 13,
      complete: true,
    });
  });

  it('uses our end of a smaller epoch the leader answers with, when we have it', () => {
    expect(followerTruncation({ epoch: 3, endOffset: 12 }, follower, 0)).toEqual({
      truncateToOffset: 10,
      complete: true,
    });
    expect(followerTruncation({ epoch: 3, endOffset: 8 }, follower, 0)).toEqual({
      truncateToOffset: 8,
      complete: true,
    });
  });

  it('cuts to our largest smaller epoch and asks again when we lack the answered epoch', () => {
    expect(followerTruncation({ epoch: 2, endOffset: 9 }, follower, 0)).toEqual({
      truncateToOffset: 5,
      complete: false,
    });
  });

  it('treats an answered epoch below all of ours as ending where our first epoch starts', () => {
    const late = viewOf(fromRuns([[6, 4]]));
    expect(followerTruncation({ epoch: 2, endOffset: 3 }, late, 0)).toEqual({ truncateToOffset: 0, complete: true });
    expect(followerTruncation({ epoch: -1, endOffset: 9 }, late, 0)).toEqual({ truncateToOffset: 4, complete: true });
  });

  it('bounds by the leader end offset when our log keeps no epochs', () => {
    const untracked: FollowerLogView = { logEndOffset: 8, endOffsetForEpoch: () => null };
    expect(followerTruncation({ epoch: 2, endOffset: 3 }, untracked, 0)).toEqual({
      truncateToOffset: 3,
      complete: true,
    });
    expect(followerTruncation({ epoch: 2, endOffset: 30 }, untracked, 0)).toEqual({
      truncateToOffset: 8,
      complete: true,
    });
  });

  /**
   * History: each epoch's leader starts from a prefix of an earlier leader's final log and
   * appends records of its epoch. A follower holds a prefix of some leader's log. Running the
   * OffsetForLeaderEpoch rounds must leave it with exactly the longest common prefix.
   */
  it('converges to the longest common prefix with the current leader', () => {
    const history = fc.array(fc.record({ from: fc.nat(), keep: fc.nat(), append: fc.integer({ min: 0, max: 6 }) }), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(history, fc.nat(), fc.nat(), (epochs, pick, keep) => {
        const logs: EpochLog[] = [[]];
        epochs.forEach((e, i) => {
          const base = logs[e.from % logs.length]!;
          const prefix = base.slice(0, e.keep % (base.length + 1));
          logs.push([...prefix, ...new Array<number>(e.append).fill(i + 1)]);
        });
        const leaderLog = logs.at(-1)!;
        const source = logs[pick % logs.length]!;
        let followerLog = source.slice(0, keep % (source.length + 1));
        // As Kafka, the leader records its epoch's start when it takes over, before any append:
        // without that it would answer UNDEFINED for a follower epoch above its last written one.
        const leaderCache = new LeaderEpochCache(entriesOf(leaderLog));
        leaderCache.assign(epochs.length, leaderLog.length - epochs.at(-1)!.append);
        for (let round = 0; round < 20; round++) {
          const latest = followerLog.at(-1);
          if (latest === undefined) break;
          const answer = leaderCache.endOffsetFor(latest, leaderLog.length);
          const decision = followerTruncation(answer, viewOf(followerLog), 0);
          expect(decision.truncateToOffset).toBeLessThanOrEqual(followerLog.length);
          followerLog = followerLog.slice(0, decision.truncateToOffset);
          if (decision.complete) break;
        }
        let common = 0;
        while (common < followerLog.length && common < leaderLog.length && followerLog[common] === leaderLog[common])
          common++;
        expect(followerLog.length).toBe(common);
        const expected = (() => {
          let n = 0;
          const original = source.slice(0, keep % (source.length + 1));
          while (n < original.length && n < leaderLog.length && original[n] === leaderLog[n]) n++;
          return n;
        })();
        expect(followerLog.length).toBe(expected);
      }),
      propertyRuns(TRUNCATION_RUNS),
    );
  });
});
