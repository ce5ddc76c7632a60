/**
 * Property runs: a fixed seed in CI (the same cases every run); SLUICE_PROPERTY_SEED=random with
 * SLUICE_PROPERTY_RUNS=<n> hunts with fresh seeds, SLUICE_PROPERTY_SEED/SLUICE_PROPERTY_PATH replay
 * a failure (support/property-runs.ts).
 */
import fc from 'fast-check';
import { ApiError } from '@sluice/protocol';
import type { AckCompletion } from '../src/core/ack-waiters';
import type { AlterPartitionProposal, ReplicationEffects } from '../src/core/partition-leader';
import { fetchFrom, makeLeader, T0, viewOf } from './replication-harness';
import { propertyRuns, propertyTimeoutMs } from './support/property-runs';

type Step =
  | { kind: 'append'; records: number }
  | { kind: 'fetch'; replica: number; ahead: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'shrink' }
  | { kind: 'answer'; how: 'commit' | 'ineligible' | 'lost' }
  | { kind: 'produceAll'; back: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('append' as const), records: fc.integer({ min: 1, max: 5 }) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('fetch' as const),
      replica: fc.integer({ min: 2, max: 4 }),
      ahead: fc.integer({ min: 0, max: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 25_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'shrink' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      how: fc.constantFrom('commit' as const, 'ineligible' as const, 'lost' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('produceAll' as const), back: fc.integer({ min: 0, max: 4 }) }),
  },
);

const RUNS = { seed: 1, numRuns: 300 };
jest.setTimeout(propertyTimeoutMs(RUNS, 30_000));

describe('partition leader properties', () => {
  it('high watermark never decreases, never passes the maximal ISR, and acks=all never completes early', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 3 }), (steps, minIsr) => {
        const { leader } = makeLeader({
          replicas: [1, 2, 3, 4],
          isr: [1, 2, 3],
          config: { minInsyncReplicas: minIsr },
        });
        let nowMs = T0;
        let lastHighWatermark = leader.highWatermark;
        let inFlight: AlterPartitionProposal | null = null;
        const waiting = new Set<number>();
        const seen = new Set<number>();
        // Every follower reports once first, so each has a known position (offset 0).
        for (const id of [2, 3, 4]) leader.onFollowerFetch(fetchFrom(id, 0), viewOf(leader), nowMs);

        const checkCompletions = (completions: readonly AckCompletion[]): void => {
          for (const completion of completions) {
            expect(waiting.has(completion.waiterId)).toBe(true);
            expect(seen.has(completion.waiterId)).toBe(false);
            waiting.delete(completion.waiterId);
            seen.add(completion.waiterId);
            if (completion.error === null) {
              expect(leader.highWatermark).toBeGreaterThanOrEqual(completion.requiredOffset);
              for (const id of leader.maximalIsr) {
                const end = id === 1 ? leader.logEndOffset : leader.followerProgress(id)!.logEndOffset;
                expect(end).toBeGreaterThanOrEqual(completion.requiredOffset);
              }
            }
          }
        };
        const absorb = (effects: ReplicationEffects): void => {
          checkCompletions(effects.completions);
          if (effects.alterPartition !== null) {
            expect(inFlight).toBeNull();
            inFlight = effects.alterPartition;
          }
        };

        for (const s of steps) {
          switch (s.kind) {
            case 'append':
              absorb(leader.onLeaderAppend(leader.logEndOffset + s.records, nowMs));
              break;
            case 'fetch': {
              const current = Math.max(0, leader.followerProgress(s.replica)!.logEndOffset);
              const offset = Math.min(leader.logEndOffset, current + s.ahead);
              const outcome = leader.onFollowerFetch(fetchFrom(s.replica, offset), viewOf(leader), nowMs);
              expect(outcome.kind).toBe('accepted');
              if (outcome.kind === 'accepted') absorb(outcome);
              break;
            }
            case 'tick':
              nowMs += s.ms;
              checkCompletions(leader.expireAcks(nowMs - 60_000));
              break;
            case 'shrink':
              absorb(leader.maybeShrinkIsr(nowMs));
              break;
            case 'answer': {
              if (inFlight === null) break;
              const proposal: AlterPartitionProposal = inFlight;
              if (s.how === 'lost') break;
              const outcome =
                s.how === 'commit'
                  ? leader.onAlterPartitionResult(
                      { ok: true, leaderEpoch: 5, partitionEpoch: proposal.partitionEpoch + 1, isr: proposal.newIsr },
                      nowMs,
                    )
                  : leader.onAlterPartitionResult(
                      { ok: false, error: new ApiError('INELIGIBLE_REPLICA', 'no') },
                      nowMs,
                    );
              inFlight = null;
              if (outcome.kind === 'applied') absorb(outcome);
              break;
            }
            case 'produceAll': {
              if (leader.logEndOffset === 0 || leader.checkProduce(-1) !== null) break;
              const last = Math.max(0, leader.logEndOffset - 1 - s.back);
              const outcome = leader.awaitAcks(last, nowMs + 60_000);
              if (outcome.kind === 'waiting') waiting.add(outcome.waiterId);
              else if (outcome.completion.error === null) expect(leader.highWatermark).toBeGreaterThan(last);
              break;
            }
          }
          expect(leader.highWatermark).toBeGreaterThanOrEqual(lastHighWatermark);
          expect(leader.highWatermark).toBeLessThanOrEqual(leader.logEndOffset);
          for (const id of leader.maximalIsr) {
            if (id !== 1) expect(leader.highWatermark).toBeLessThanOrEqual(leader.followerProgress(id)!.logEndOffset);
          }
          lastHighWatermark = leader.highWatermark;
        }
      }),
      propertyRuns(RUNS),
    );
  });
});
