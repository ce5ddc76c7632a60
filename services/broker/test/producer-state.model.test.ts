/**
 * Property runs: a fixed seed in CI (the same cases every run); SLUICE_PROPERTY_SEED=random with
 * SLUICE_PROPERTY_RUNS=<n> hunts with fresh seeds, SLUICE_PROPERTY_SEED/SLUICE_PROPERTY_PATH replay
 * a failure (support/property-runs.ts).
 */
import fc from 'fast-check';
import { ProducerStateManager, type LoggedProducerBatch, type ProducerBatch } from '../src/core/producer-state';
import { propertyRuns, propertyTimeoutMs } from './support/property-runs';

const T = 1_700_000_000_000;

type Action =
  | { kind: 'send'; producer: number; records: number }
  | { kind: 'deliver'; producer: number; pick: number }
  | { kind: 'retry'; producer: number; pick: number }
  | { kind: 'bump'; producer: number }
  | { kind: 'failover' };

const producerId = fc.integer({ min: 1, max: 3 });
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      producer: producerId,
      records: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('deliver' as const), producer: producerId, pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('retry' as const), producer: producerId, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bump' as const), producer: producerId }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'failover' as const }) },
);

interface Client {
  epoch: number;
  nextSequence: number;
  /** Created, not yet delivered (delivered in any order: reordering). */
  outbox: ProducerBatch[];
  /** Everything ever sent, for retries (also from older epochs). */
  sent: ProducerBatch[];
}

/** The spec, over the full history of appended batches rather than a 5-entry window. */
function modelDecision(
  history: readonly LoggedProducerBatch[],
  b: ProducerBatch,
): { kind: string; firstOffset?: number } {
  const mine = history.filter((h) => h.producerId === b.producerId);
  const last = mine.at(-1);
  const lastSeq = (h: ProducerBatch): number => h.baseSequence + h.lastOffsetDelta;
  if (last === undefined) return b.baseSequence === 0 ? { kind: 'append' } : { kind: 'UNKNOWN_PRODUCER_ID' };
  const recent = mine.filter((h) => h.producerEpoch === last.producerEpoch).slice(-5);
  const duplicate =
    b.producerEpoch === last.producerEpoch
      ? recent.find((h) => h.baseSequence === b.baseSequence && lastSeq(h) === lastSeq(b))
      : undefined;
  if (duplicate !== undefined) return { kind: 'duplicate', firstOffset: duplicate.baseOffset };
  if (b.producerEpoch < last.producerEpoch) return { kind: 'INVALID_PRODUCER_EPOCH' };
  if (b.producerEpoch > last.producerEpoch)
    return b.baseSequence === 0 ? { kind: 'append' } : { kind: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
  return b.baseSequence === lastSeq(last) + 1 ? { kind: 'append' } : { kind: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
}

const RUNS = { seed: 1, numRuns: 300 };
jest.setTimeout(propertyTimeoutMs(RUNS, 30_000));

describe('producer state against a model', () => {
  it('deduplicates retries, refuses gaps and reorders, fences old epochs, and survives failover', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 150 }), (actions) => {
        let state = new ProducerStateManager();
        const log: LoggedProducerBatch[] = [];
        let logEnd = 0;
        const clients = new Map<number, Client>();
        const client = (id: number): Client => {
          let c = clients.get(id);
          if (c === undefined) clients.set(id, (c = { epoch: 0, nextSequence: 0, outbox: [], sent: [] }));
          return c;
        };
        const deliver = (b: ProducerBatch): void => {
          const expected = modelDecision(log, b);
          const decision = state.prepareAppend([b]);
          const kind = decision.kind === 'error' ? decision.error.errorName : decision.kind;
          expect(kind).toBe(expected.kind);
          if (decision.kind === 'duplicate') {
            expect(decision.firstOffset).toBe(expected.firstOffset);
            const original = log.find((h) => h.baseOffset === decision.firstOffset)!;
            expect([
              original.producerId,
              original.producerEpoch,
              original.baseSequence,
              original.lastOffsetDelta,
            ]).toEqual([b.producerId, b.producerEpoch, b.baseSequence, b.lastOffsetDelta]);
            expect(decision.lastOffset).toBe(original.baseOffset + original.lastOffsetDelta);
          }
          if (decision.kind === 'append') {
            state.commitAppend(decision.plan, logEnd);
            log.push({ ...b, baseOffset: logEnd });
            logEnd += b.lastOffsetDelta + 1;
          }
        };

        for (const a of actions) {
          switch (a.kind) {
            case 'send': {
              const c = client(a.producer);
              const b: ProducerBatch = {
                producerId: a.producer,
                producerEpoch: c.epoch,
                baseSequence: c.nextSequence,
                lastOffsetDelta: a.records - 1,
                maxTimestampMs: T,
              };
              c.nextSequence += a.records;
              c.outbox.push(b);
              c.sent.push(b);
              break;
            }
            case 'deliver': {
              const c = client(a.producer);
              if (c.outbox.length === 0) break;
              // Mostly in order, sometimes a later batch overtakes (max 5 in flight).
              const index = a.pick % Math.min(c.outbox.length, 5) === 1 ? 1 : 0;
              const [b] = c.outbox.splice(index, 1);
              deliver(b!);
              break;
            }
            case 'retry': {
              const c = client(a.producer);
              if (c.sent.length > 0) deliver(c.sent[a.pick % c.sent.length]!);
              break;
            }
            case 'bump': {
              const c = client(a.producer);
              c.epoch++;
              c.nextSequence = 0;
              c.outbox = [];
              break;
            }
            case 'failover': {
              state = new ProducerStateManager();
              state.loadFromBatches(log, T);
              break;
            }
          }
        }
        // Exactly once, in order: per (producer, epoch) the log holds sequences 0, 1, 2, ... once each.
        const next = new Map<string, number>();
        for (const h of log) {
          const key = `${h.producerId}/${h.producerEpoch}`;
          expect(h.baseSequence).toBe(next.get(key) ?? 0);
          next.set(key, h.baseSequence + h.lastOffsetDelta + 1);
        }
      }),
      propertyRuns(RUNS),
    );
  });
});
