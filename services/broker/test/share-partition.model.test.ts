/**
 * Property runs: a fixed seed in CI (the same cases every run); SLUICE_PROPERTY_SEED=random with
 * SLUICE_PROPERTY_RUNS=<n> hunts with fresh seeds, SLUICE_PROPERTY_SEED/SLUICE_PROPERTY_PATH replay
 * a failure (support/property-runs.ts).
 */
import fc from 'fast-check';
import { mergeShareStateUpdates } from '@sluice/protocol';
import {
  applyShareStateUpdate,
  SharePartition,
  type AcknowledgeType,
  type DurableRange,
  type AcknowledgementBatch,
  type OffsetRange,
  type RecordState,
  type SharePartitionConfig,
  type ShareStateSnapshot,
  type ShareStateUpdate,
} from '../src/core/share-partition';
import { propertyRuns, propertyTimeoutMs } from './support/property-runs';

const T = 1_700_000_000_000;
const config: SharePartitionConfig = { recordLockDurationMs: 10_000, deliveryCountLimit: 3, maxInFlightRecords: 12 };
const MEMBERS = ['m1', 'm2', 'm3'];

type Action =
  | { kind: 'produce'; gap: number; records: number }
  | { kind: 'acquire'; member: number; max: number }
  | { kind: 'ack'; member: number; batches: { held: boolean; pick: number; len: number; type: AcknowledgeType }[] }
  | { kind: 'tick'; ms: number }
  | { kind: 'expire' }
  | { kind: 'leave'; member: number }
  | { kind: 'restart' }
  | { kind: 'retention'; by: number };

const member = fc.integer({ min: 0, max: MEMBERS.length - 1 });
const ackBatch = fc.record({
  held: fc.boolean(),
  pick: fc.nat(),
  len: fc.integer({ min: 1, max: 5 }),
  type: fc.constantFrom<AcknowledgeType>('ACCEPT', 'ACCEPT', 'RELEASE', 'REJECT'),
});
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('produce' as const),
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 })),
      records: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('acquire' as const), member, max: fc.integer({ min: 1, max: 8 }) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('ack' as const),
      member,
      batches: fc.array(ackBatch, { minLength: 1, maxLength: 2 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 15_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), member }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retention' as const), by: fc.integer({ min: 1, max: 6 }) }) },
);

interface ModelRecord {
  state: RecordState;
  count: number;
  member: string | null;
  deadline: number | null;
}

/** The spec, one offset at a time. */
class Model {
  start: number;
  end: number;
  restoredEnd: number;
  readonly records = new Map<number, ModelRecord>();

  constructor(start: number) {
    this.start = this.end = this.restoredEnd = start;
  }

  private released(r: ModelRecord): void {
    r.state = r.count >= config.deliveryCountLimit ? 'ARCHIVED' : 'AVAILABLE';
    r.member = r.deadline = null;
  }

  release(nowMs: number | null, memberId: string | null): void {
    for (const r of this.records.values()) {
      if (r.state !== 'ACQUIRED') continue;
      if ((nowMs !== null && r.deadline! <= nowMs) || (memberId !== null && r.member === memberId)) this.released(r);
    }
  }

  dropDone(): void {
    while (this.start < this.end) {
      const r = this.records.get(this.start)!;
      if (r.state !== 'ACKNOWLEDGED' && r.state !== 'ARCHIVED') break;
      this.records.delete(this.start++);
    }
  }

  acquire(memberId: string, logOffsets: readonly number[], max: number, nowMs: number): [number, number][] {
    this.release(nowMs, null);
    this.dropDone();
    const out: [number, number][] = [];
    const lock = (r: ModelRecord): void => {
      r.state = 'ACQUIRED';
      r.count++;
      r.member = memberId;
      r.deadline = nowMs + config.recordLockDurationMs;
    };
    for (let o = this.start; o < this.end && out.length < max; o++) {
      const r = this.records.get(o)!;
      if (r.state !== 'AVAILABLE') continue;
      lock(r);
      out.push([o, r.count]);
    }
    for (const o of logOffsets) {
      if (out.length >= max) break;
      if (o < this.end) continue;
      if (this.start === this.end) this.start = this.end = o;
      const limit = Math.max(this.start + config.maxInFlightRecords, this.restoredEnd);
      if (o >= limit) break;
      for (; this.end < o; this.end++)
        this.records.set(this.end, { state: 'ARCHIVED', count: 0, member: null, deadline: null });
      const r: ModelRecord = { state: 'AVAILABLE', count: 0, member: null, deadline: null };
      lock(r);
      this.records.set(o, r);
      this.end = o + 1;
      out.push([o, r.count]);
    }
    this.dropDone();
    return out;
  }

  acknowledge(memberId: string, batches: readonly AcknowledgementBatch[], nowMs: number): (string | null)[] {
    this.release(nowMs, null);
    const sorted = batches.every(
      (b, i) => b.firstOffset <= b.lastOffset && (i === 0 || b.firstOffset > batches[i - 1]!.lastOffset),
    );
    const results = batches.map((b) => {
      if (!sorted) return 'INVALID_REQUEST';
      for (let o = b.firstOffset; o <= b.lastOffset; o++) {
        const r = this.records.get(o);
        if (r === undefined || r.state !== 'ACQUIRED' || r.member !== memberId) return 'INVALID_RECORD_STATE';
      }
      for (let o = b.firstOffset; o <= b.lastOffset; o++) {
        const r = this.records.get(o)!;
        if (b.type === 'ACCEPT') Object.assign(r, { state: 'ACKNOWLEDGED', member: null, deadline: null });
        else if (b.type === 'REJECT') Object.assign(r, { state: 'ARCHIVED', member: null, deadline: null });
        else this.released(r);
      }
      return null;
    });
    this.dropDone();
    return results;
  }

  logStart(offset: number): void {
    if (offset <= this.start) return;
    if (offset >= this.end) {
      this.records.clear();
      this.start = this.end = offset;
      return;
    }
    for (let o = this.start; o < offset; o++) this.records.delete(o);
    this.start = offset;
    this.dropDone();
  }

  restart(): void {
    for (const r of this.records.values()) if (r.state === 'ACQUIRED') this.released(r);
    this.dropDone();
    this.restoredEnd = this.end;
  }
}

function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function expand(partition: SharePartition): Map<number, { state: RecordState; count: number; member: string | null }> {
  const out = new Map<number, { state: RecordState; count: number; member: string | null }>();
  for (const r of partition.inFlight()) {
    for (let o = r.firstOffset; o <= r.lastOffset; o++)
      out.set(o, { state: r.state, count: r.deliveryCount, member: r.memberId });
  }
  return out;
}

function toRanges(offsets: readonly number[]): OffsetRange[] {
  const out: OffsetRange[] = [];
  for (const o of offsets) {
    const last = out.at(-1);
    if (last !== undefined && last.lastOffset + 1 === o)
      out[out.length - 1] = { firstOffset: last.firstOffset, lastOffset: o };
    else out.push({ firstOffset: o, lastOffset: o });
  }
  return out;
}

const SHARE_PARTITION_RUNS = { seed: 1, numRuns: 100 };

describe('share partition against a per-offset model', () => {
  it('never double-locks, never redelivers an acknowledged record (also across restarts), bounds deliveries, persists every change, and drains', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.array(action, { minLength: 1, maxLength: 120, size: 'max' }),
        (initialOffset, actions) => {
          let nowMs = T;
          let partition = SharePartition.initialize(initialOffset, { config, stateEpoch: 3 });
          const model = new Model(initialOffset);
          // The share coordinator's copy, built only from the updates the leader returned.
          let store: ShareStateSnapshot = partition.snapshot();
          const logOffsets: number[] = [];
          let logEnd = initialOffset;
          let logStart = 0;
          // Independent of the model: who holds which lock, what was ever accepted, how often each offset was delivered.
          const locks = new Map<number, { member: string; deadline: number }>();
          const accepted = new Set<number>();
          const deliveries = new Map<number, number>();
          let lastStart = partition.startOffset;

          const persist = (update: ShareStateUpdate | null): void => {
            if (update === null) return;
            const result = applyShareStateUpdate(store, update);
            if (!result.ok) throw result.error;
            store = result.snapshot;
          };
          const check = (): void => {
            expect(partition.startOffset).toBe(model.start);
            expect(partition.endOffset).toBe(model.end);
            const actual = expand(partition);
            ensure(actual.size === model.records.size, `window size ${actual.size}, model ${model.records.size}`);
            for (const [o, r] of model.records) {
              const a = actual.get(o);
              ensure(
                a !== undefined && a.state === r.state && a.count === r.count && a.member === r.member,
                `offset ${o}: ${JSON.stringify(a)} vs model ${JSON.stringify(r)}`,
              );
            }
            ensure(
              partition.startOffset >= lastStart,
              `start offset went back from ${lastStart} to ${partition.startOffset}`,
            );
            lastStart = partition.startOffset;
            ensure(
              partition.inFlightRecords <= config.maxInFlightRecords,
              `${partition.inFlightRecords} records in flight`,
            );
            ensure(
              JSON.stringify(store) === JSON.stringify(partition.snapshot()),
              `store ${JSON.stringify(store)} vs leader ${JSON.stringify(partition.snapshot())}`,
            );
            const deadlines = [...model.records.values()].filter((r) => r.state === 'ACQUIRED').map((r) => r.deadline!);
            expect(partition.nextDeadlineMs()).toBe(deadlines.length === 0 ? null : Math.min(...deadlines));
          };
          const acquire = (memberId: string, max: number): number => {
            const live = logOffsets.filter((o) => o >= logStart);
            const expected = model.acquire(memberId, live, max, nowMs);
            const outcome = partition.acquire(memberId, toRanges(live), max, nowMs);
            persist(outcome.update);
            const got: [number, number][] = outcome.acquired.flatMap((r) =>
              Array.from({ length: r.lastOffset - r.firstOffset + 1 }, (_, i): [number, number] => [
                r.firstOffset + i,
                r.deliveryCount,
              ]),
            );
            ensure(
              JSON.stringify(got) === JSON.stringify(expected),
              `acquired ${JSON.stringify(got)}, model ${JSON.stringify(expected)}`,
            );
            for (const [o, count] of got) {
              const held = locks.get(o);
              ensure(
                held === undefined || held.deadline <= nowMs,
                `offset ${o} acquired by ${memberId} while ${held?.member} holds its lock`,
              );
              ensure(!accepted.has(o), `offset ${o} acquired again after it was accepted`);
              ensure(count <= config.deliveryCountLimit, `offset ${o} delivered ${count} times`);
              const delivered = (deliveries.get(o) ?? 0) + 1;
              ensure(count === delivered, `offset ${o} reported delivery ${count}, actually ${delivered}`);
              deliveries.set(o, delivered);
              locks.set(o, { member: memberId, deadline: nowMs + config.recordLockDurationMs });
            }
            return got.length;
          };
          const acknowledge = (memberId: string, batches: AcknowledgementBatch[]): void => {
            const expected = model.acknowledge(memberId, batches, nowMs);
            const outcome = partition.acknowledge(memberId, batches, nowMs);
            persist(outcome.update);
            const results = outcome.results.map((e) => e?.errorName ?? null);
            ensure(
              JSON.stringify(results) === JSON.stringify(expected),
              `acknowledged ${JSON.stringify(batches)}: ${results.join()} vs model ${expected.join()}`,
            );
            batches.forEach((b, i) => {
              if (expected[i] !== null) return;
              for (let o = b.firstOffset; o <= b.lastOffset; o++) {
                ensure(
                  locks.get(o)?.member === memberId,
                  `offset ${o} acknowledged by ${memberId}, held by ${locks.get(o)?.member}`,
                );
                locks.delete(o);
                if (b.type === 'ACCEPT') accepted.add(o);
              }
            });
          };

          for (const a of actions) {
            switch (a.kind) {
              case 'produce':
                logEnd += a.gap;
                for (let i = 0; i < a.records; i++) logOffsets.push(logEnd++);
                break;
              case 'acquire':
                acquire(MEMBERS[a.member]!, a.max);
                break;
              case 'ack': {
                const memberId = MEMBERS[a.member]!;
                const held = [...model.records]
                  .filter(([, r]) => r.state === 'ACQUIRED' && r.member === memberId)
                  .map(([o]) => o);
                const batches = a.batches.map((b): AcknowledgementBatch => {
                  if (b.held && held.length > 0) {
                    const first = held[b.pick % held.length]!;
                    let last = first;
                    while (last - first + 1 < b.len && held.includes(last + 1)) last++;
                    return { firstOffset: first, lastOffset: last, type: b.type };
                  }
                  const first = Math.max(0, model.start - 2 + (b.pick % (model.end - model.start + 4)));
                  return { firstOffset: first, lastOffset: first + b.len - 1, type: b.type };
                });
                acknowledge(memberId, batches);
                break;
              }
              case 'tick':
                nowMs += a.ms;
                break;
              case 'expire': {
                model.release(nowMs, null);
                model.dropDone();
                const outcome = partition.expireLocks(nowMs);
                persist(outcome.update);
                for (const r of outcome.released) {
                  for (let o = r.firstOffset; o <= r.lastOffset; o++) {
                    expect(locks.get(o)!.deadline).toBeLessThanOrEqual(nowMs);
                    locks.delete(o);
                  }
                }
                break;
              }
              case 'leave': {
                const memberId = MEMBERS[a.member]!;
                model.release(null, memberId);
                model.dropDone();
                const outcome = partition.releaseMember(memberId);
                persist(outcome.update);
                for (const r of outcome.released) {
                  expect(r.memberId).toBe(memberId);
                  for (let o = r.firstOffset; o <= r.lastOffset; o++) locks.delete(o);
                }
                break;
              }
              case 'restart': {
                model.restart();
                const restored = SharePartition.fromSnapshot(store, { config, minStateEpoch: 3 });
                if (!restored.ok) throw restored.error;
                // Non-null only when a lock lost at the delivery limit archived the front of the window.
                persist(restored.update);
                partition = restored.partition;
                locks.clear();
                break;
              }
              case 'retention': {
                logStart = Math.min(logEnd, logStart + a.by);
                model.logStart(logStart);
                persist(partition.onLogStartOffset(logStart).update);
                for (const o of locks.keys()) if (o < logStart) locks.delete(o);
                break;
              }
            }
            check();
          }

          // Drain: one member keeps acquiring and accepting; others' locks run out.
          for (let round = 0; partition.startOffset < logEnd; round++) {
            expect(round).toBeLessThan(logEnd + 10);
            nowMs += config.recordLockDurationMs;
            const before = [...accepted];
            acquire('m1', 50);
            const mine = partition.inFlight().filter((r) => r.state === 'ACQUIRED' && r.memberId === 'm1');
            acknowledge(
              'm1',
              mine.map((r) => ({ firstOffset: r.firstOffset, lastOffset: r.lastOffset, type: 'ACCEPT' })),
            );
            expect(accepted.size).toBeGreaterThanOrEqual(before.length);
            check();
          }
          expect(partition.endOffset).toBe(logEnd);
          expect(partition.inFlight()).toEqual([]);
          expect(partition.canAcquire(logEnd, nowMs)).toBe(false);
        },
      ),
      propertyRuns(SHARE_PARTITION_RUNS),
    );
  });
});

const STATE_STORE_RUNS = { seed: 1, numRuns: 400 };
jest.setTimeout(Math.max(propertyTimeoutMs(SHARE_PARTITION_RUNS, 30_000), propertyTimeoutMs(STATE_STORE_RUNS, 30_000)));

describe('share state store against a per-offset fold', () => {
  const durableState = fc.constantFrom<DurableRange['state']>('AVAILABLE', 'ACKNOWLEDGED', 'ARCHIVED');
  /** Sorted, disjoint ranges at or above `from`, from random gaps and lengths. */
  const ranges = (from: number) =>
    fc
      .array(
        fc.record({
          gap: fc.integer({ min: 0, max: 3 }),
          length: fc.integer({ min: 1, max: 4 }),
          state: durableState,
          deliveryCount: fc.integer({ min: 0, max: 3 }),
        }),
        { maxLength: 6 },
      )
      .map((parts) => {
        let next = from;
        return parts.map((p): DurableRange => {
          const firstOffset = next + p.gap;
          next = firstOffset + p.length;
          return { firstOffset, lastOffset: next - 1, state: p.state, deliveryCount: p.deliveryCount };
        });
      });
  const perOffset = (rs: readonly DurableRange[], from: number): Map<number, string> => {
    const out = new Map<number, string>();
    for (const r of rs)
      for (let o = r.firstOffset; o <= r.lastOffset; o++) if (o >= from) out.set(o, `${r.state}/${r.deliveryCount}`);
    return out;
  };

  it('the update replaces the state of its offsets; everything below the new start offset goes', () => {
    const scenario = fc
      .record({ storedStart: fc.integer({ min: 0, max: 5 }), advance: fc.integer({ min: 0, max: 8 }) })
      .chain(({ storedStart, advance }) =>
        fc.tuple(
          fc.constant(storedStart),
          fc.constant(storedStart + advance),
          ranges(storedStart),
          ranges(storedStart + advance),
        ),
      );
    fc.assert(
      fc.property(scenario, ([storedStart, startOffset, storedRanges, updateRanges]) => {
        const stored: ShareStateSnapshot = { stateEpoch: 1, startOffset: storedStart, ranges: storedRanges };
        const result = applyShareStateUpdate(stored, { stateEpoch: 1, startOffset, ranges: updateRanges });
        if (!result.ok) throw result.error;
        const expected = perOffset(storedRanges, startOffset);
        for (const [o, v] of perOffset(updateRanges, startOffset)) expected.set(o, v);
        expect(perOffset(result.snapshot.ranges, 0)).toEqual(expected);
        expect(result.snapshot.startOffset).toBe(startOffset);
        // Maximal ranges: the fold's output is canonical.
        result.snapshot.ranges.forEach((r, i) => {
          const previous = result.snapshot.ranges[i - 1];
          if (previous !== undefined && previous.lastOffset + 1 === r.firstOffset)
            expect(`${previous.state}/${previous.deliveryCount}`).not.toBe(`${r.state}/${r.deliveryCount}`);
        });
      }),
      propertyRuns(STATE_STORE_RUNS),
    );
  });

  it('two updates merged into one (share-state batching) leave the same state as written one after the other', () => {
    const scenario = fc
      .record({
        storedStart: fc.integer({ min: 0, max: 5 }),
        advance1: fc.integer({ min: 0, max: 6 }),
        advance2: fc.integer({ min: 0, max: 6 }),
      })
      .chain(({ storedStart, advance1, advance2 }) =>
        fc.tuple(
          fc.constant({ storedStart, start1: storedStart + advance1, start2: storedStart + advance1 + advance2 }),
          ranges(storedStart),
          ranges(storedStart + advance1),
          ranges(storedStart + advance1 + advance2),
        ),
      );
    fc.assert(
      fc.property(scenario, ([{ storedStart, start1, start2 }, storedRanges, ranges1, ranges2]) => {
        const stored: ShareStateSnapshot = { stateEpoch: 1, startOffset: storedStart, ranges: storedRanges };
        const first: ShareStateUpdate = { stateEpoch: 1, startOffset: start1, ranges: ranges1 };
        const second: ShareStateUpdate = { stateEpoch: 1, startOffset: start2, ranges: ranges2 };
        const step1 = applyShareStateUpdate(stored, first);
        if (!step1.ok) throw step1.error;
        const sequential = applyShareStateUpdate(step1.snapshot, second);
        if (!sequential.ok) throw sequential.error;
        const merged = mergeShareStateUpdates(first, second);
        if (!merged.ok) throw merged.error;
        const batched = applyShareStateUpdate(stored, merged.snapshot);
        if (!batched.ok) throw batched.error;
        expect(batched.snapshot).toEqual(sequential.snapshot);
      }),
      propertyRuns(STATE_STORE_RUNS),
    );
  });
});
