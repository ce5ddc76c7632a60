import { ApiError } from '@sluice/protocol';
import { BrokerInvariantError } from '../src/core/assert';
import {
  applyShareStateUpdate,
  defaultSharePartitionConfig,
  initializeShareState,
  initialShareStartOffset,
  SharePartition,
  validateSharePartitionConfig,
  type AcknowledgementBatch,
  type SharePartitionConfig,
  type ShareStateSnapshot,
  type ShareStateUpdate,
} from '../src/core/share-partition';

const T = 1_700_000_000_000;
const LOCK = 30_000;
const config: SharePartitionConfig = { recordLockDurationMs: LOCK, deliveryCountLimit: 3, maxInFlightRecords: 10 };
const log = (firstOffset: number, lastOffset: number) => ({ firstOffset, lastOffset });
const ack = (
  firstOffset: number,
  lastOffset: number,
  type: AcknowledgementBatch['type'] = 'ACCEPT',
): AcknowledgementBatch => ({ firstOffset, lastOffset, type });

function fresh(startOffset = 0, overrides: Partial<SharePartitionConfig> = {}): SharePartition {
  return SharePartition.initialize(startOffset, { config: { ...config, ...overrides }, stateEpoch: 1 });
}

function states(p: SharePartition): string[] {
  return p
    .inFlight()
    .map(
      (r) =>
        `${r.firstOffset}-${r.lastOffset}:${r.state}/${r.deliveryCount}${r.memberId === null ? '' : `@${r.memberId}`}`,
    );
}

function errorNames(results: readonly (ApiError | null)[]): (string | null)[] {
  return results.map((e) => e?.errorName ?? null);
}

function restore(snapshot: ShareStateSnapshot, overrides: Partial<SharePartitionConfig> = {}): SharePartition {
  const restored = SharePartition.fromSnapshot(snapshot, { config: { ...config, ...overrides } });
  if (!restored.ok) throw restored.error;
  return restored.partition;
}

describe('SharePartition: starting', () => {
  it('starts empty at the given offset', () => {
    const p = SharePartition.initialize(42);
    expect([p.startOffset, p.endOffset, p.inFlightRecords, p.stateEpoch]).toEqual([42, 42, 0, 0]);
    expect(p.snapshot()).toEqual({ stateEpoch: 0, startOffset: 42, ranges: [] });
    expect(p.nextDeadlineMs()).toBeNull();
    expect(p.deliveryCountLimit).toBe(defaultSharePartitionConfig.deliveryCountLimit);
  });

  it('share.auto.offset.reset: latest starts at the high watermark, earliest at the log start', () => {
    expect(initialShareStartOffset('latest', { logStartOffset: 5, highWatermark: 90 })).toBe(90);
    expect(initialShareStartOffset('earliest', { logStartOffset: 5, highWatermark: 90 })).toBe(5);
  });

  it("uses Kafka's defaults and refuses impossible settings", () => {
    expect(defaultSharePartitionConfig).toEqual({
      recordLockDurationMs: 30_000,
      deliveryCountLimit: 5,
      maxInFlightRecords: 2_000,
    });
    expect(() => validateSharePartitionConfig({ ...config, recordLockDurationMs: 0 })).toThrow(
      'group.share.record.lock.duration.ms',
    );
    expect(() => validateSharePartitionConfig({ ...config, deliveryCountLimit: 0 })).toThrow(
      'group.share.delivery.count.limit',
    );
    expect(() => validateSharePartitionConfig({ ...config, maxInFlightRecords: 1.5 })).toThrow(
      'group.share.partition.max.record.locks',
    );
    expect(() => SharePartition.initialize(-1)).toThrow(BrokerInvariantError);
  });
});

describe('SharePartition: acquire', () => {
  it('acquires new records from the end offset, locked for the lock duration, persisting the delivery', () => {
    const p = fresh(10);
    const { acquired, update } = p.acquire('m1', [log(10, 19)], 4, T);
    expect(acquired).toEqual([{ firstOffset: 10, lastOffset: 13, deliveryCount: 1 }]);
    expect([p.startOffset, p.endOffset]).toEqual([10, 14]);
    expect(p.inFlight()).toEqual([
      { firstOffset: 10, lastOffset: 13, state: 'ACQUIRED', deliveryCount: 1, memberId: 'm1', deadlineMs: T + LOCK },
    ]);
    expect(p.nextDeadlineMs()).toBe(T + LOCK);
    // Durable form: a lock does not survive the leader, the delivery does.
    expect(update).toEqual({
      stateEpoch: 1,
      startOffset: 10,
      ranges: [{ firstOffset: 10, lastOffset: 13, state: 'AVAILABLE', deliveryCount: 1 }],
    });
  });

  it('gives each member different records and nothing when all are locked', () => {
    const p = fresh();
    expect(p.acquire('m1', [log(0, 5)], 3, T).acquired).toEqual([{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }]);
    expect(p.acquire('m2', [log(0, 5)], 10, T).acquired).toEqual([{ firstOffset: 3, lastOffset: 5, deliveryCount: 1 }]);
    const none = p.acquire('m3', [log(0, 5)], 10, T);
    expect(none).toEqual({ acquired: [], update: null });
    expect(p.canAcquire(6, T)).toBe(false);
    expect(p.canAcquire(7, T)).toBe(true);
  });

  it('redelivers released records first, lowest offsets first, then new ones', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 5)], 6, T);
    p.acknowledge('m1', [ack(1, 2, 'RELEASE'), ack(4, 4, 'RELEASE')], T);
    const { acquired } = p.acquire('m2', [log(0, 7)], 4, T + 1);
    expect(acquired).toEqual([
      { firstOffset: 1, lastOffset: 2, deliveryCount: 2 },
      { firstOffset: 4, lastOffset: 4, deliveryCount: 2 },
      { firstOffset: 6, lastOffset: 6, deliveryCount: 1 },
    ]);
    expect(states(p)).toEqual([
      '0-0:ACQUIRED/1@m1',
      '1-2:ACQUIRED/2@m2',
      '3-3:ACQUIRED/1@m1',
      '4-4:ACQUIRED/2@m2',
      '5-5:ACQUIRED/1@m1',
      '6-6:ACQUIRED/1@m2',
    ]);
  });

  it('archives offsets the log lacks (compaction, control records) and skips them at the front', () => {
    const p = fresh();
    const { acquired, update } = p.acquire('m1', [log(3, 4), log(7, 8)], 10, T);
    expect(acquired).toEqual([
      { firstOffset: 3, lastOffset: 4, deliveryCount: 1 },
      { firstOffset: 7, lastOffset: 8, deliveryCount: 1 },
    ]);
    expect(states(p)).toEqual(['3-4:ACQUIRED/1@m1', '5-6:ARCHIVED/0', '7-8:ACQUIRED/1@m1']);
    expect(update).toEqual({
      stateEpoch: 1,
      startOffset: 3,
      ranges: [
        { firstOffset: 3, lastOffset: 4, state: 'AVAILABLE', deliveryCount: 1 },
        { firstOffset: 5, lastOffset: 6, state: 'ARCHIVED', deliveryCount: 0 },
        { firstOffset: 7, lastOffset: 8, state: 'AVAILABLE', deliveryCount: 1 },
      ],
    });
    expect(p.acknowledge('m1', [ack(3, 4)], T).update?.startOffset).toBe(7);
  });

  it('never lets the window span more than group.share.partition.max.record.locks offsets', () => {
    const p = fresh(0, { maxInFlightRecords: 5 });
    expect(p.acquire('m1', [log(0, 99)], 100, T).acquired).toEqual([
      { firstOffset: 0, lastOffset: 4, deliveryCount: 1 },
    ]);
    expect(p.acquire('m2', [log(0, 99)], 100, T).acquired).toEqual([]);
    // Accepting in the middle frees nothing: the window still starts at 0.
    p.acknowledge('m1', [ack(2, 4)], T);
    expect(p.acquire('m2', [log(0, 99)], 100, T).acquired).toEqual([]);
    p.acknowledge('m1', [ack(0, 1)], T);
    expect(p.startOffset).toBe(5);
    expect(p.acquire('m2', [log(0, 99)], 100, T).acquired).toEqual([
      { firstOffset: 5, lastOffset: 9, deliveryCount: 1 },
    ]);
  });

  it('counts a gap in the middle towards the bound', () => {
    const p = fresh(0, { maxInFlightRecords: 5 });
    expect(p.acquire('m1', [log(0, 0), log(4, 9)], 100, T).acquired).toEqual([
      { firstOffset: 0, lastOffset: 0, deliveryCount: 1 },
      { firstOffset: 4, lastOffset: 4, deliveryCount: 1 },
    ]);
    const q = fresh(0, { maxInFlightRecords: 5 });
    expect(q.acquire('m1', [log(0, 0), log(5, 9)], 100, T).acquired).toEqual([
      { firstOffset: 0, lastOffset: 0, deliveryCount: 1 },
    ]);
    expect(q.endOffset).toBe(1);
  });

  it('takes back expired locks before acquiring, whether or not the timer fired', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 1)], 10, T);
    expect(p.acquire('m2', [log(0, 1)], 10, T + LOCK - 1).acquired).toEqual([]);
    expect(p.acquire('m2', [log(0, 1)], 10, T + LOCK).acquired).toEqual([
      { firstOffset: 0, lastOffset: 1, deliveryCount: 2 },
    ]);
  });

  it('refuses a log view that is not sorted and disjoint (a shell bug)', () => {
    expect(() => fresh().acquire('m1', [log(5, 9), log(0, 3)], 10, T)).toThrow(BrokerInvariantError);
    expect(() => fresh().acquire('m1', [log(5, 4)], 10, T)).toThrow(BrokerInvariantError);
    expect(() => fresh().acquire('', [log(0, 4)], 10, T)).toThrow(BrokerInvariantError);
  });
});

describe('SharePartition: acknowledge', () => {
  it('ACCEPT acknowledges and moves the start offset over the acknowledged prefix', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 9)], 10, T);
    const middle = p.acknowledge('m1', [ack(3, 5)], T);
    expect(errorNames(middle.results)).toEqual([null]);
    expect(middle.update).toEqual({
      stateEpoch: 1,
      startOffset: 0,
      ranges: [{ firstOffset: 3, lastOffset: 5, state: 'ACKNOWLEDGED', deliveryCount: 1 }],
    });
    expect(p.startOffset).toBe(0);
    const front = p.acknowledge('m1', [ack(0, 2)], T);
    expect(front.update).toEqual({ stateEpoch: 1, startOffset: 6, ranges: [] });
    expect([p.startOffset, p.endOffset]).toEqual([6, 10]);
    expect(p.stateOf(4)).toEqual({ state: 'DONE', deliveryCount: 0, memberId: null });
    expect(p.stateOf(6)).toEqual({ state: 'ACQUIRED', deliveryCount: 1, memberId: 'm1' });
    expect(p.stateOf(10)).toBeNull();
  });

  it('REJECT archives: never delivered again', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 3)], 10, T);
    const { results, update } = p.acknowledge('m1', [ack(1, 1, 'REJECT')], T);
    expect(errorNames(results)).toEqual([null]);
    expect(update?.ranges).toEqual([{ firstOffset: 1, lastOffset: 1, state: 'ARCHIVED', deliveryCount: 1 }]);
    p.acknowledge('m1', [ack(0, 0, 'RELEASE'), ack(2, 3, 'RELEASE')], T);
    expect(p.acquire('m2', [log(0, 3)], 10, T).acquired).toEqual([
      { firstOffset: 0, lastOffset: 0, deliveryCount: 2 },
      { firstOffset: 2, lastOffset: 3, deliveryCount: 2 },
    ]);
  });

  it('RELEASE makes records available again, with nothing new to persist', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 3)], 10, T);
    const { results, update } = p.acknowledge('m1', [ack(0, 3, 'RELEASE')], T);
    expect(errorNames(results)).toEqual([null]);
    expect(update).toBeNull();
    expect(states(p)).toEqual(['0-3:AVAILABLE/1']);
    expect(p.nextDeadlineMs()).toBeNull();
  });

  it('RELEASE at the delivery limit archives', () => {
    const p = fresh();
    for (let delivery = 1; delivery < config.deliveryCountLimit; delivery++) {
      expect(p.acquire('m1', [log(0, 1)], 10, T).acquired).toEqual([
        { firstOffset: 0, lastOffset: 1, deliveryCount: delivery },
      ]);
      p.acknowledge('m1', [ack(0, 1, 'RELEASE')], T);
    }
    expect(p.acquire('m1', [log(0, 1)], 10, T).acquired).toEqual([{ firstOffset: 0, lastOffset: 1, deliveryCount: 3 }]);
    p.acknowledge('m1', [ack(1, 1, 'RELEASE')], T);
    expect(states(p)).toEqual(['0-0:ACQUIRED/3@m1', '1-1:ARCHIVED/3']);
    const last = p.acknowledge('m1', [ack(0, 0, 'RELEASE')], T);
    expect(last.update).toEqual({ stateEpoch: 1, startOffset: 2, ranges: [] });
    expect([p.startOffset, p.endOffset]).toEqual([2, 2]);
  });

  it('INVALID_RECORD_STATE for records another member holds, changing nothing for that batch only', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 4)], 5, T);
    p.acquire('m2', [log(0, 9)], 5, T);
    const before = states(p);
    const { results, update } = p.acknowledge('m2', [ack(3, 6), ack(8, 9)], T);
    expect(errorNames(results)).toEqual(['INVALID_RECORD_STATE', null]);
    expect(results[0]?.message).toContain('offset 3 is acquired by another member');
    expect(update?.ranges).toEqual([{ firstOffset: 8, lastOffset: 9, state: 'ACKNOWLEDGED', deliveryCount: 1 }]);
    expect(states(p)).toEqual([...before.slice(0, -1), '5-7:ACQUIRED/1@m2', '8-9:ACKNOWLEDGED/1']);
  });

  it('INVALID_RECORD_STATE for records not acquired, already done, or never delivered', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 5)], 6, T);
    p.acknowledge('m1', [ack(0, 1), ack(3, 3, 'RELEASE')], T);
    const { results, update } = p.acknowledge('m1', [ack(0, 0), ack(2, 3), ack(5, 6), ack(8, 9)], T);
    expect(errorNames(results)).toEqual([
      'INVALID_RECORD_STATE',
      'INVALID_RECORD_STATE',
      'INVALID_RECORD_STATE',
      'INVALID_RECORD_STATE',
    ]);
    expect(results.map((e) => e?.message)).toEqual([
      expect.stringContaining('below 2 are already acknowledged or archived'),
      expect.stringContaining('offset 3 is AVAILABLE'),
      expect.stringContaining('from 6 were never acquired'),
      expect.stringContaining('from 6 were never acquired'),
    ]);
    expect(update).toBeNull();
    expect(states(p)).toEqual(['2-2:ACQUIRED/1@m1', '3-3:AVAILABLE/1', '4-5:ACQUIRED/1@m1']);
  });

  it('INVALID_RECORD_STATE once the lock expired, even before expireLocks ran', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 1)], 10, T);
    const late = p.acknowledge('m1', [ack(0, 1)], T + LOCK);
    expect(errorNames(late.results)).toEqual(['INVALID_RECORD_STATE']);
    expect(states(p)).toEqual(['0-1:AVAILABLE/1']);
  });

  it('INVALID_REQUEST for every batch of a malformed request, which changes nothing', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 9)], 10, T);
    const cases: AcknowledgementBatch[][] = [
      [ack(4, 5), ack(0, 1)],
      [ack(0, 3), ack(3, 4)],
      [ack(5, 4)],
      [ack(-1, 2)],
      [{ firstOffset: 0, lastOffset: 1, type: 'GAP' as AcknowledgementBatch['type'] }],
    ];
    for (const batches of cases) {
      const { results, update } = p.acknowledge('m1', batches, T);
      expect(errorNames(results)).toEqual(batches.map(() => 'INVALID_REQUEST'));
      expect(update).toBeNull();
    }
    expect(states(p)).toEqual(['0-9:ACQUIRED/1@m1']);
    expect(new ApiError('INVALID_REQUEST', 'x').code).toBe(42);
  });
});

describe('SharePartition: locks', () => {
  it('expireLocks releases records at their deadline, archiving those at the delivery limit', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 1)], 10, T);
    p.acquire('m2', [log(0, 3)], 10, T + 100);
    expect(p.nextDeadlineMs()).toBe(T + LOCK);
    expect(p.expireLocks(T + LOCK - 1)).toEqual({ released: [], update: null });
    expect(p.expireLocks(T + LOCK)).toEqual({
      released: [{ firstOffset: 0, lastOffset: 1, memberId: 'm1', deliveryCount: 1, state: 'AVAILABLE' }],
      update: null,
    });
    expect(p.nextDeadlineMs()).toBe(T + 100 + LOCK);
    // Deliver 0..1 up to the limit; their last lock runs out.
    p.acquire('m3', [log(0, 3)], 2, T + LOCK);
    p.expireLocks(T + 2 * LOCK);
    p.acquire('m3', [log(0, 3)], 2, T + 2 * LOCK);
    const { released, update } = p.expireLocks(T + 3 * LOCK);
    expect(released).toEqual([{ firstOffset: 0, lastOffset: 1, memberId: 'm3', deliveryCount: 3, state: 'ARCHIVED' }]);
    expect(update).toEqual({ stateEpoch: 1, startOffset: 2, ranges: [] });
    expect(states(p)).toEqual(['2-3:AVAILABLE/1']);
  });

  it('releaseMember releases only that member', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 9)], 3, T);
    p.acquire('m2', [log(0, 9)], 3, T);
    const { released, update } = p.releaseMember('m1');
    expect(released).toEqual([{ firstOffset: 0, lastOffset: 2, memberId: 'm1', deliveryCount: 1, state: 'AVAILABLE' }]);
    expect(update).toBeNull();
    expect(states(p)).toEqual(['0-2:AVAILABLE/1', '3-5:ACQUIRED/1@m2']);
    expect(p.releaseMember('nobody')).toEqual({ released: [], update: null });
  });
});

describe('SharePartition: log start offset', () => {
  it('drops records below a new log start, locks included', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 9)], 10, T);
    expect(p.onLogStartOffset(0).update).toBeNull();
    expect(p.onLogStartOffset(4).update).toEqual({ stateEpoch: 1, startOffset: 4, ranges: [] });
    expect([p.startOffset, p.endOffset]).toEqual([4, 10]);
    expect(errorNames(p.acknowledge('m1', [ack(2, 5)], T).results)).toEqual(['INVALID_RECORD_STATE']);
    expect(errorNames(p.acknowledge('m1', [ack(4, 5)], T).results)).toEqual([null]);
  });

  it('moves the whole window when the log start passes its end', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 9)], 10, T);
    expect(p.onLogStartOffset(25).update).toEqual({ stateEpoch: 1, startOffset: 25, ranges: [] });
    expect([p.startOffset, p.endOffset, p.inFlight().length]).toEqual([25, 25, 0]);
    expect(p.acquire('m1', [log(25, 30)], 2, T).acquired).toEqual([
      { firstOffset: 25, lastOffset: 26, deliveryCount: 1 },
    ]);
  });

  it('skips archived records freed at the front by the retention', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 9)], 10, T);
    p.acknowledge('m1', [ack(3, 6, 'REJECT')], T);
    p.onLogStartOffset(2);
    p.acknowledge('m1', [ack(2, 2)], T);
    expect(p.startOffset).toBe(7);
  });
});

describe('SharePartition: durable state', () => {
  it('persists acquired records as available with their delivery, at the limit as archived', () => {
    const p = fresh();
    p.acquire('m1', [log(0, 5)], 6, T);
    p.acknowledge('m1', [ack(1, 1), ack(2, 2, 'REJECT'), ack(3, 3, 'RELEASE')], T);
    p.acknowledge('m1', [ack(5, 5, 'RELEASE')], T);
    p.acquire('m2', [log(0, 5)], 1, T); // 3 -> delivery 2
    p.acknowledge('m2', [ack(3, 3, 'RELEASE')], T);
    p.acquire('m2', [log(0, 5)], 1, T); // 3 -> delivery 3, the limit
    expect(p.snapshot()).toEqual({
      stateEpoch: 1,
      startOffset: 0,
      ranges: [
        { firstOffset: 0, lastOffset: 0, state: 'AVAILABLE', deliveryCount: 1 },
        { firstOffset: 1, lastOffset: 1, state: 'ACKNOWLEDGED', deliveryCount: 1 },
        { firstOffset: 2, lastOffset: 2, state: 'ARCHIVED', deliveryCount: 1 },
        { firstOffset: 3, lastOffset: 3, state: 'ARCHIVED', deliveryCount: 3 },
        { firstOffset: 4, lastOffset: 5, state: 'AVAILABLE', deliveryCount: 1 },
      ],
    });
    const restarted = restore(p.snapshot());
    expect(states(restarted)).toEqual([
      '0-0:AVAILABLE/1',
      '1-1:ACKNOWLEDGED/1',
      '2-2:ARCHIVED/1',
      '3-3:ARCHIVED/3',
      '4-5:AVAILABLE/1',
    ]);
    // A restart redelivers the lost locks, counting the lost deliveries, and never the acknowledged record.
    expect(restarted.acquire('m3', [log(0, 5)], 10, T).acquired).toEqual([
      { firstOffset: 0, lastOffset: 0, deliveryCount: 2 },
      { firstOffset: 4, lastOffset: 5, deliveryCount: 2 },
    ]);
  });

  it('the store folds updates into what the leader snapshots', () => {
    const p = fresh();
    let store = p.snapshot();
    const write = (update: ShareStateUpdate | null): void => {
      if (update === null) return;
      const result = applyShareStateUpdate(store, update);
      if (!result.ok) throw result.error;
      store = result.snapshot;
    };
    write(p.acquire('m1', [log(0, 3), log(6, 9)], 6, T).update);
    write(p.acknowledge('m1', [ack(1, 2), ack(6, 6, 'REJECT')], T).update);
    write(p.acquire('m2', [log(0, 9)], 5, T).update);
    write(p.expireLocks(T + LOCK).update);
    write(p.acknowledge('m2', [ack(8, 9)], T + LOCK).update);
    write(p.acquire('m1', [log(0, 9)], 1, T + LOCK).update);
    write(p.acknowledge('m1', [ack(0, 0)], T + LOCK).update);
    expect(store).toEqual(p.snapshot());
    expect(store.startOffset).toBe(3);
  });

  it('fills ranges the snapshot does not cover as available, never delivered', () => {
    const snapshot: ShareStateSnapshot = {
      stateEpoch: 2,
      startOffset: 10,
      ranges: [{ firstOffset: 13, lastOffset: 14, state: 'ACKNOWLEDGED', deliveryCount: 1 }],
    };
    const p = restore(snapshot);
    expect(states(p)).toEqual(['10-12:AVAILABLE/0', '13-14:ACKNOWLEDGED/1']);
    expect(p.acquire('m1', [log(10, 20)], 10, T).acquired).toEqual([
      { firstOffset: 10, lastOffset: 12, deliveryCount: 1 },
      // The window stays within 10 offsets: 10..19.
      { firstOffset: 15, lastOffset: 19, deliveryCount: 1 },
    ]);
  });

  it('archives restored records that reached a lowered delivery limit, and says what to write', () => {
    const snapshot: ShareStateSnapshot = {
      stateEpoch: 2,
      startOffset: 0,
      ranges: [
        { firstOffset: 0, lastOffset: 1, state: 'AVAILABLE', deliveryCount: 2 },
        { firstOffset: 2, lastOffset: 3, state: 'AVAILABLE', deliveryCount: 1 },
      ],
    };
    const restored = SharePartition.fromSnapshot(snapshot, { config: { ...config, deliveryCountLimit: 2 } });
    if (!restored.ok) throw restored.error;
    expect(restored.update).toEqual({ stateEpoch: 2, startOffset: 2, ranges: [] });
    expect(states(restored.partition)).toEqual(['2-3:AVAILABLE/1']);
    const unchanged = SharePartition.fromSnapshot(snapshot, { config });
    expect(unchanged.ok && unchanged.update).toBeNull();
  });

  it('keeps a restored window larger than a lowered bound, growing it no further', () => {
    const p = fresh(0, { maxInFlightRecords: 10 });
    p.acquire('m1', [log(0, 9)], 10, T);
    const q = restore(p.snapshot(), { maxInFlightRecords: 4 });
    expect(q.inFlightRecords).toBe(10);
    expect(q.acquire('m1', [log(0, 20)], 20, T).acquired).toEqual([
      { firstOffset: 0, lastOffset: 9, deliveryCount: 2 },
    ]);
    q.acknowledge('m1', [ack(0, 7)], T);
    expect(q.acquire('m1', [log(0, 20)], 20, T).acquired).toEqual([
      { firstOffset: 10, lastOffset: 11, deliveryCount: 1 },
    ]);
  });

  it('FENCED_STATE_EPOCH for a snapshot older than the known state epoch', () => {
    const restored = SharePartition.fromSnapshot({ stateEpoch: 1, startOffset: 0, ranges: [] }, { minStateEpoch: 2 });
    expect(restored.ok ? null : restored.error.errorName).toBe('FENCED_STATE_EPOCH');
    expect(SharePartition.fromSnapshot({ stateEpoch: 2, startOffset: 0, ranges: [] }, { minStateEpoch: 2 }).ok).toBe(
      true,
    );
  });

  it('INVALID_REQUEST for a malformed snapshot', () => {
    const bad: ShareStateSnapshot[] = [
      { stateEpoch: -1, startOffset: 0, ranges: [] },
      { stateEpoch: 0, startOffset: -3, ranges: [] },
      {
        stateEpoch: 0,
        startOffset: 5,
        ranges: [{ firstOffset: 3, lastOffset: 6, state: 'AVAILABLE', deliveryCount: 1 }],
      },
      {
        stateEpoch: 0,
        startOffset: 0,
        ranges: [
          { firstOffset: 0, lastOffset: 6, state: 'AVAILABLE', deliveryCount: 1 },
          { firstOffset: 6, lastOffset: 7, state: 'AVAILABLE', deliveryCount: 2 },
        ],
      },
      {
        stateEpoch: 0,
        startOffset: 0,
        ranges: [{ firstOffset: 0, lastOffset: 1, state: 'ACQUIRED' as 'AVAILABLE', deliveryCount: 1 }],
      },
      {
        stateEpoch: 0,
        startOffset: 0,
        ranges: [{ firstOffset: 0, lastOffset: 1, state: 'AVAILABLE', deliveryCount: -1 }],
      },
    ];
    for (const snapshot of bad) {
      const restored = SharePartition.fromSnapshot(snapshot);
      expect(restored.ok ? null : restored.error.errorName).toBe('INVALID_REQUEST');
    }
  });
});

describe('share state store', () => {
  const stored: ShareStateSnapshot = {
    stateEpoch: 3,
    startOffset: 10,
    ranges: [
      { firstOffset: 10, lastOffset: 19, state: 'AVAILABLE', deliveryCount: 1 },
      { firstOffset: 20, lastOffset: 24, state: 'ACKNOWLEDGED', deliveryCount: 1 },
    ],
  };

  it('overlays the updated ranges and drops what falls below the new start offset', () => {
    const result = applyShareStateUpdate(stored, {
      stateEpoch: 3,
      startOffset: 12,
      ranges: [
        { firstOffset: 14, lastOffset: 21, state: 'ARCHIVED', deliveryCount: 2 },
        { firstOffset: 23, lastOffset: 26, state: 'ACKNOWLEDGED', deliveryCount: 1 },
      ],
    });
    expect(result).toEqual({
      ok: true,
      snapshot: {
        stateEpoch: 3,
        startOffset: 12,
        ranges: [
          { firstOffset: 12, lastOffset: 13, state: 'AVAILABLE', deliveryCount: 1 },
          { firstOffset: 14, lastOffset: 21, state: 'ARCHIVED', deliveryCount: 2 },
          { firstOffset: 22, lastOffset: 26, state: 'ACKNOWLEDGED', deliveryCount: 1 },
        ],
      },
    });
  });

  it('FENCED_STATE_EPOCH for a write of an older state epoch; a newer epoch must be initialized first', () => {
    const older = applyShareStateUpdate(stored, { stateEpoch: 2, startOffset: 10, ranges: [] });
    expect(older.ok ? null : older.error.errorName).toBe('FENCED_STATE_EPOCH');
    const newer = applyShareStateUpdate(stored, { stateEpoch: 4, startOffset: 10, ranges: [] });
    expect(newer.ok ? null : newer.error.errorName).toBe('INVALID_REQUEST');
    const backwards = applyShareStateUpdate(stored, { stateEpoch: 3, startOffset: 9, ranges: [] });
    expect(backwards.ok ? null : backwards.error.errorName).toBe('INVALID_REQUEST');
    const below = applyShareStateUpdate(stored, {
      stateEpoch: 3,
      startOffset: 12,
      ranges: [{ firstOffset: 11, lastOffset: 12, state: 'ARCHIVED', deliveryCount: 1 }],
    });
    expect(below.ok ? null : below.error.errorName).toBe('INVALID_REQUEST');
  });

  it('initializes a new state epoch over an older one, never the reverse', () => {
    const reset: ShareStateSnapshot = { stateEpoch: 4, startOffset: 0, ranges: [] };
    expect(initializeShareState(null, stored)).toEqual({ ok: true, snapshot: stored });
    expect(initializeShareState(stored, reset)).toEqual({ ok: true, snapshot: reset });
    const stale = initializeShareState(reset, stored);
    expect(stale.ok ? null : stale.error.errorName).toBe('FENCED_STATE_EPOCH');
  });
});
