/**
 * The follower core against the real leader core, over generated histories (as in
 * follower-truncation.test.ts: each epoch's leader started from a prefix of an earlier leader's log;
 * the follower holds a prefix of some earlier log, and a high watermark within what it shares with
 * the current leader, as a committed one is). Steps interleave truncation questions, fetches of any
 * size, answers that get lost or arrive stale, a truncation answer that wrongly says the whole
 * log agrees (so the leader's divergence check on fetch has to catch it), produces and retention on
 * the leader, and follower restarts from a lagging checkpoint. Properties:
 * - the follower's high watermark never exceeds its log end and never goes back (but to a restart's
 *   checkpoint), and everything below it is the leader's;
 * - a finished truncation leaves a prefix of the leader's log, exactly the longest common prefix
 *   whenever the leader could say where the follower's epochs end; a diverging fetch answer
 *   truncates to the leader's end of that epoch;
 * - stale answers change nothing; a restarted follower resumes and converges;
 * - in the end the follower's log is the leader's, and both high watermarks reach its end.
 *
 * Property runs: a fixed seed in CI (the same cases every run); SLUICE_PROPERTY_SEED=random with
 * SLUICE_PROPERTY_RUNS=<n> hunts with fresh seeds, SLUICE_PROPERTY_SEED/SLUICE_PROPERTY_PATH replay
 * a failure (support/property-runs.ts).
 */
import fc from 'fast-check';
import { answerOffsetForLeaderEpoch } from '../src/core/offset-for-leader-epoch';
import {
  PartitionFollower,
  type FollowerFetchAnswer,
  type FollowerFetchPosition,
  type FollowerStep,
} from '../src/core/partition-follower';
import { PartitionLeader } from '../src/core/partition-leader';
import { T0 } from './replication-harness';
import { ModelLog } from './support/model-log';
import { propertyRuns, propertyTimeoutMs } from './support/property-runs';

type Step =
  | { kind: 'truncate' }
  | { kind: 'misleading-answer' }
  | { kind: 'lose-question' }
  | { kind: 'fetch'; maxRecords: number }
  | { kind: 'stale-fetch' }
  | { kind: 'produce'; records: number }
  | { kind: 'retain'; pick: number }
  | { kind: 'restart'; pick: number }
  | { kind: 'tick'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'truncate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'misleading-answer' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'lose-question' as const }) },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('fetch' as const), maxRecords: fc.integer({ min: 0, max: 6 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'stale-fetch' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('produce' as const), records: fc.integer({ min: 1, max: 4 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retain' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 40_000 }) }) },
);

const history = fc.array(fc.record({ from: fc.nat(), keep: fc.nat(), append: fc.integer({ min: 0, max: 6 }) }), {
  minLength: 1,
  maxLength: 8,
});

function commonPrefix(a: ModelLog, b: ModelLog): number {
  let n = Math.max(a.logStartOffset, b.logStartOffset);
  while (n < a.logEndOffset && n < b.logEndOffset && a.epochAt(n) === b.epochAt(n)) n++;
  return n;
}

const RUNS = { seed: 1, numRuns: 1_000 };
jest.setTimeout(propertyTimeoutMs(RUNS, 30_000));

describe('PartitionFollower properties', () => {
  it('keeps a safe, monotone high watermark, truncates to the common prefix, and converges on the leader', () => {
    fc.assert(
      fc.property(
        history,
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.array(step, { maxLength: 80 }),
        (epochs, pick, keep, hwPick, leaderHwPick, steps) => {
          // The histories: each epoch's leader log, the last one leads now in epoch `leaderEpoch`.
          const logs: number[][] = [[]];
          epochs.forEach((e, i) => {
            const base = logs[e.from % logs.length]!;
            logs.push([...base.slice(0, e.keep % (base.length + 1)), ...new Array<number>(e.append).fill(i + 1)]);
          });
          const leaderEpoch = epochs.length;
          const leaderLog = ModelLog.of(logs.at(-1)!);
          const source = logs[pick % logs.length]!;
          const log = ModelLog.of(source.slice(0, keep % (source.length + 1)));
          let nowMs = T0;
          const leader = new PartitionLeader({
            localBrokerId: 1,
            registration: { leader: 1, leaderEpoch, partitionEpoch: leaderEpoch, replicas: [1, 2], isr: [1, 2] },
            logEndOffset: leaderLog.logEndOffset,
            highWatermark: leaderHwPick % (leaderLog.logEndOffset + 1),
            nowMs,
          });
          const newFollower = (highWatermark: number): PartitionFollower =>
            new PartitionFollower({ leaderId: 1, leaderEpoch, highWatermark }, log);
          // A committed high watermark is on the leader: within the common prefix.
          let follower = newFollower(hwPick % (commonPrefix(log, leaderLog) + 1));
          let lastHighWatermark = follower.highWatermark(log);
          // The last answer delivered (a holder: closures assign it, and TypeScript would narrow a `let`).
          const last: { delivered: { position: FollowerFetchPosition; answer: FollowerFetchAnswer } | null } = {
            delivered: null,
          };
          let undefinedAnswer = false;
          let misled = false;

          const apply = (result: FollowerStep): FollowerStep => {
            for (const write of result.logWrites) log.apply(write);
            return result;
          };
          const truncateOnce = (): void => {
            const query = follower.truncationQuery(log);
            if (query === null) return;
            const answer = answerOffsetForLeaderEpoch(
              leader.leaderEpoch,
              { currentLeaderEpoch: query.currentLeaderEpoch, leaderEpoch: query.epoch },
              leaderLog,
            );
            if (answer.kind === 'error') throw new Error(answer.error.message);
            if (answer.epoch < 0) undefinedAnswer = true;
            apply(follower.onEpochEnd(query, answer, log));
            // Whatever is left is the leader's prefix; exactly all of it unless the leader could not say
            // (a log wholly below the leader's start has nothing to compare: its next fetch starts over).
            if (follower.phase === 'fetching' && !misled && log.logEndOffset > leaderLog.logStartOffset) {
              const common = commonPrefix(log, leaderLog);
              expect(log.logEndOffset).toBeLessThanOrEqual(common);
              if (!undefinedAnswer) expect(log.logEndOffset).toBe(common);
            }
            if (follower.phase === 'fetching') [undefinedAnswer, misled] = [false, false];
          };
          const answerFor = (position: FollowerFetchPosition, maxRecords: number): FollowerFetchAnswer => {
            const outcome = leader.onFollowerFetch(
              {
                replicaId: 2,
                fetchOffset: position.fetchOffset,
                lastFetchedEpoch: position.lastFetchedEpoch >= 0 ? position.lastFetchedEpoch : null,
                currentLeaderEpoch: position.currentLeaderEpoch,
                logStartOffset: position.logStartOffset,
              },
              leaderLog,
              nowMs,
            );
            const base = { highWatermark: leader.highWatermark, logStartOffset: leaderLog.logStartOffset };
            if (outcome.kind === 'error')
              return { ...base, errorName: outcome.error.errorName, divergingEpoch: null, records: null };
            if (outcome.kind === 'diverging')
              return { ...base, errorName: '', divergingEpoch: outcome.divergingEpoch, records: null };
            return {
              ...base,
              errorName: '',
              divergingEpoch: null,
              records: leaderLog.fetch(position.fetchOffset, maxRecords),
            };
          };
          const fetchOnce = (maxRecords: number): void => {
            const position = follower.fetchPosition(log);
            if (position === null) return;
            const answer = answerFor(position, maxRecords);
            last.delivered = { position, answer };
            const result = apply(follower.onFetchAnswer(position, answer, log));
            const diverging = answer.divergingEpoch;
            if (diverging !== null && follower.phase === 'fetching' && diverging.endOffset <= log.logEndOffset) {
              // Where the leader's copy of that epoch ends, unless ours ends earlier.
              expect(result.logWrites).toEqual([{ kind: 'truncate', offset: diverging.endOffset }]);
            }
          };

          for (const s of steps) {
            let restarted = false;
            switch (s.kind) {
              case 'truncate':
                truncateOnce();
                break;
              case 'lose-question':
                follower.truncationQuery(log);
                break;
              case 'misleading-answer': {
                const query = follower.truncationQuery(log);
                if (query === null) break;
                misled = true;
                apply(follower.onEpochEnd(query, { epoch: query.epoch, endOffset: log.logEndOffset }, log));
                break;
              }
              case 'fetch':
                fetchOnce(s.maxRecords);
                break;
              case 'stale-fetch': {
                // The last answer delivered again, late: it was for a log end that has moved since.
                if (last.delivered === null || last.delivered.position.fetchOffset === log.logEndOffset) break;
                const end = log.logEndOffset;
                const start = log.logStartOffset;
                const result = follower.onFetchAnswer(last.delivered.position, last.delivered.answer, log);
                expect(result.logWrites).toEqual([]);
                expect([log.logStartOffset, log.logEndOffset]).toEqual([start, end]);
                break;
              }
              case 'produce':
                leaderLog.appendAsLeader(leaderEpoch, s.records);
                leader.onLeaderAppend(leaderLog.logEndOffset, nowMs);
                break;
              case 'retain':
                leaderLog.advanceLogStartOffset(s.pick % (leader.highWatermark + 1));
                break;
              case 'restart':
                // The checkpoint trails the high watermark; the log survives the restart.
                follower = newFollower(s.pick % (follower.highWatermark(log) + 1));
                restarted = true;
                break;
              case 'tick':
                nowMs += s.ms;
                break;
            }
            const highWatermark = follower.highWatermark(log);
            expect(highWatermark).toBeLessThanOrEqual(log.logEndOffset);
            if (!restarted) expect(highWatermark).toBeGreaterThanOrEqual(lastHighWatermark);
            lastHighWatermark = highWatermark;
            // Below the high watermark, every record the follower has is the leader's.
            for (let offset = Math.max(log.logStartOffset, leaderLog.logStartOffset); offset < highWatermark; offset++)
              expect(log.epochAt(offset)).toBe(leaderLog.epochAt(offset));
          }

          // Left alone with the leader, it converges (and the leader's high watermark follows it).
          for (let round = 0; round < 200 && follower.phase === 'truncating'; round++) truncateOnce();
          for (let round = 0; round < 6; round++) {
            while (follower.phase === 'truncating') truncateOnce();
            fetchOnce(1_000);
          }
          expect(log.logEndOffset).toBe(leaderLog.logEndOffset);
          expect(log.slice(leaderLog.logStartOffset, log.logEndOffset)).toEqual(
            leaderLog.slice(leaderLog.logStartOffset, leaderLog.logEndOffset),
          );
          expect(leader.highWatermark).toBe(leaderLog.logEndOffset);
          expect(follower.highWatermark(log)).toBe(leaderLog.logEndOffset);
          expect(log.logStartOffset).toBe(leaderLog.logStartOffset);
        },
      ),
      propertyRuns(RUNS),
    );
  });
});
