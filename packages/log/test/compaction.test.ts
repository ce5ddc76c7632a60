import * as fsCopy from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import { CompressionType, decodeRecordBatches, encodeRecordBatch, Attributes, iterateBatches } from '@sluice/protocol';
import {
  checkLogDirectory,
  CLEANER_SWAP_FILE,
  defaultLogConfig,
  groupSegmentsBySize,
  InvalidConfigError,
  LogResources,
  OffsetMap,
  parseLogConfig,
  PartitionLog,
  planCleaning,
  type LogConfig,
} from '@sluice/log';
import { FakeClock, tempDir } from './helpers';

// The module object itself (not an import namespace copy), so spies reach the log's own calls.
const fs: typeof fsCopy = require('node:fs');

const R = 10_000; // delete.retention.ms in these tests
const config: LogConfig = {
  ...defaultLogConfig,
  segmentBytes: 600,
  indexIntervalBytes: 100,
  recoveryPointCheckpointIntervalMs: 0,
  cleanupPolicy: 'compact',
  minCleanableDirtyRatio: 0,
  deleteRetentionMs: R,
};

type KV = [key: string | null, value: string | null];

interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: string;
}

function batch(
  records: KV[],
  timestamp: number,
  options: { compression?: CompressionType; producerId?: number; baseSequence?: number } = {},
): Buffer {
  return encodeRecordBatch({
    compression: options.compression ?? CompressionType.None,
    producerId: options.producerId,
    producerEpoch: options.producerId === undefined ? undefined : 0,
    baseSequence: options.baseSequence,
    records: records.map(([key, value], i) => ({
      key: key === null ? null : Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      headers: [{ key: 'h', value: Buffer.from(`${i}`) }],
      timestamp: timestamp + i,
    })),
  });
}

/** Every record in the log, read the way a consumer does (from the log start, batch by batch). */
function readAll(log: PartitionLog, maxBytes = 1 << 20): Rec[] {
  const out: Rec[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const result = log.read(offset, maxBytes);
    if (result.batchCount === 0) break;
    for (const decoded of decodeRecordBatches(result.records)) {
      for (const record of decoded.records) {
        out.push({
          offset: record.offset,
          key: record.key?.toString() ?? null,
          value: record.value?.toString() ?? null,
          timestamp: record.timestamp,
          headers: record.headers.map((h) => `${h.key}=${h.value?.toString()}`).join(','),
        });
      }
    }
    offset = result.lastOffset! + 1;
  }
  return out;
}

function latestPerKey(records: Rec[]): Rec[] {
  const latest = new Map<string | null, Rec>();
  for (const record of records) if (record.key !== null) latest.set(record.key, record);
  return [...latest.values()].sort((a, b) => a.offset - b.offset);
}

describe('log compaction', () => {
  let dir: string;
  let cleanup: () => void;
  let resources: LogResources;
  let clock: FakeClock;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('sluice-compact-'));
    resources = new LogResources();
    clock = new FakeClock(1_000_000);
  });
  afterEach(() => {
    resources.close();
    cleanup();
  });
  const open = (c: LogConfig = config): PartitionLog => PartitionLog.open({ dir, config: c, clock, resources });

  /** Appends one record per batch, keys cycling over `keys`; returns what was appended. */
  function fill(log: PartitionLog, count: number, keys: number, valuePrefix = 'v'): Rec[] {
    const appended: Rec[] = [];
    for (let i = 0; i < count; i++) {
      const key = `k${i % keys}`;
      const value = `${valuePrefix}${i}`;
      const info = log.append(batch([[key, value]], clock.now), { leaderEpoch: 1 });
      appended.push({ offset: info.firstOffset, key, value, timestamp: clock.now, headers: 'h=0' });
      clock.advance(1);
    }
    return appended;
  }

  it('keeps the latest value per key at its original offset, groups segments, survives reopen', () => {
    const log = open();
    const appended = fill(log, 60, 5);
    log.roll();
    const segmentsBefore = log.segmentCount;
    expect(segmentsBefore).toBeGreaterThan(5);
    const result = log.compact(clock.now, { maxOffset: log.logEndOffset });
    expect(result.skipped).toBeNull();
    expect(result.recordsRemoved).toBe(55);
    expect(result.firstDirtyOffset).toBe(60);
    const expected = latestPerKey(appended);
    expect(readAll(log)).toEqual(expected);
    expect(expected.map((r) => r.offset)).toEqual([55, 56, 57, 58, 59]);
    // One small cleaned segment plus the empty active one.
    expect(log.segmentCount).toBe(2);
    expect(log.logStartOffset).toBe(0);
    expect(log.logEndOffset).toBe(60);
    // A fetch at a removed offset answers with the next batch after it.
    const at10 = log.read(10, 1000);
    expect(at10.firstOffset).toBe(55);
    // Appends continue at the end; a reopened log reads the same.
    log.append(batch([['k0', 'new']], clock.now), { leaderEpoch: 1 });
    const before = readAll(log);
    log.close();
    expect(checkLogDirectory(dir).ok).toBe(true);
    const reopened = open();
    expect(readAll(reopened)).toEqual(before);
    expect(reopened.cleanerCheckpoint).toBe(60);
    reopened.close();
  });

  it('drops keyless records and keeps producer fields, leader epochs and offsets of surviving batches', () => {
    const log = open({ ...config, segmentBytes: 10_000 });
    log.append(
      batch(
        [
          ['a', '1'],
          [null, 'x'],
          ['b', '1'],
          ['a', '2'],
        ],
        clock.now,
        { producerId: 7, baseSequence: 0 },
      ),
      { leaderEpoch: 3 },
    );
    log.append(batch([['b', '2']], clock.now, { producerId: 7, baseSequence: 4 }), { leaderEpoch: 4 });
    log.roll();
    log.compact(clock.now, { maxOffset: log.logEndOffset });
    const views = [...iterateBatches(log.read(0, 10_000).records, { verifyCrc: true })];
    expect(
      views.map((v) => [
        v.baseOffset,
        v.lastOffset,
        v.recordsCount,
        v.partitionLeaderEpoch,
        v.producerId,
        v.baseSequence,
      ]),
    ).toEqual([
      [0, 3, 1, 3, 7, 0],
      [4, 4, 1, 4, 7, 4],
    ]);
    expect(readAll(log).map((r) => [r.offset, r.key, r.value, r.headers])).toEqual([
      [3, 'a', '2', 'h=3'],
      [4, 'b', '2', 'h=0'],
    ]);
    log.close();
  });

  it("keeps an emptied batch when it is its producer's last one (epoch and sequence survive)", () => {
    const log = open({ ...config, segmentBytes: 10_000 });
    log.append(batch([['a', '1']], clock.now, { producerId: 9, baseSequence: 0 }), { leaderEpoch: 1 });
    log.append(batch([['b', '1']], clock.now, { producerId: 9, baseSequence: 1 }), { leaderEpoch: 1 });
    log.append(
      batch(
        [
          ['a', '2'],
          ['b', '2'],
        ],
        clock.now,
      ),
      { leaderEpoch: 1 },
    );
    log.roll();
    log.compact(clock.now, { maxOffset: log.logEndOffset });
    const views = [...iterateBatches(log.read(0, 10_000).records, { verifyCrc: true })];
    expect(views.map((v) => [v.baseOffset, v.recordsCount, v.producerId, v.baseSequence])).toEqual([
      [1, 0, 9, 1],
      [2, 2, -1, -1],
    ]);
    log.close();
  });

  it.each([CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])(
    'rewrites compressed batches with the same codec (%s)',
    (compression) => {
      const log = open({ ...config, segmentBytes: 10_000 });
      const records: KV[] = Array.from({ length: 20 }, (_, i) => [`k${i % 4}`, `value-${i}-${'z'.repeat(30)}`]);
      log.append(batch(records, clock.now, { compression }), { leaderEpoch: 1 });
      log.append(batch([['k0', 'last']], clock.now, { compression }), { leaderEpoch: 1 });
      log.roll();
      log.compact(clock.now, { maxOffset: log.logEndOffset });
      const views = [...iterateBatches(log.read(0, 10_000).records, { verifyCrc: true })];
      expect(views.map((v) => [v.baseOffset, v.lastOffset, v.compression, v.recordsCount])).toEqual([
        [0, 19, compression, 3],
        [20, 20, compression, 1],
      ]);
      expect(readAll(log).map((r) => [r.offset, r.key, r.value])).toEqual([
        [17, 'k1', records[17]![1]],
        [18, 'k2', records[18]![1]],
        [19, 'k3', records[19]![1]],
        [20, 'k0', 'last'],
      ]);
      log.close();
    },
  );

  it('keeps tombstones for delete.retention.ms after the cleaning that first kept them, then drops them', () => {
    const log = open({ ...config, segmentBytes: 10_000 });
    log.append(
      batch(
        [
          ['a', '1'],
          ['b', '1'],
        ],
        clock.now,
      ),
      { leaderEpoch: 1 },
    );
    log.append(
      batch(
        [
          ['a', null],
          ['c', '1'],
        ],
        clock.now,
      ),
      { leaderEpoch: 1 },
    );
    log.roll();
    const t0 = clock.now;
    log.compact(t0, { maxOffset: log.logEndOffset });
    expect(readAll(log).map((r) => [r.offset, r.key, r.value])).toEqual([
      [1, 'b', '1'],
      [2, 'a', null],
      [3, 'c', '1'],
    ]);
    const tombstoneBatch = [...iterateBatches(log.read(2, 1).records)][0]!;
    expect(tombstoneBatch.attributes & Attributes.DELETE_HORIZON).toBe(Attributes.DELETE_HORIZON);
    expect(tombstoneBatch.baseTimestamp).toBe(t0 + R);
    // Timestamps survive the horizon in the base timestamp.
    expect(readAll(log).find((r) => r.offset === 3)!.timestamp).toBe(t0 + 1);
    // Not yet: nothing dirty and the horizon is ahead.
    expect(log.compact(t0 + R - 1, { maxOffset: log.logEndOffset }).skipped).toBe('below-dirty-ratio');
    log.close();
    // The horizon survives a reopen (the cleaner checkpoint keeps it).
    const reopened = open({ ...config, segmentBytes: 10_000 });
    expect(readAll(reopened).map((r) => r.key)).toEqual(['b', 'a', 'c']);
    const late = reopened.compact(t0 + R, { maxOffset: reopened.logEndOffset });
    expect(late.skipped).toBeNull();
    expect(readAll(reopened).map((r) => [r.offset, r.key, r.value])).toEqual([
      [1, 'b', '1'],
      [3, 'c', '1'],
    ]);
    reopened.close();
  });

  it('leaves the active segment and segments at or above maxOffset untouched', () => {
    const log = open();
    fill(log, 40, 3);
    const bases = log.segmentBaseOffsets();
    expect(bases.length).toBeGreaterThan(4);
    const boundary = bases[3]!; // segments 0..2 are wholly below it
    const snapshot = (): Map<number, Buffer> =>
      new Map(
        log
          .segmentBaseOffsets()
          .filter((b) => b >= boundary)
          .map((b) => [b, fs.readFileSync(join(dir, `${String(b).padStart(20, '0')}.log`))]),
      );
    const before = snapshot();
    const result = log.compact(clock.now, { maxOffset: boundary + 1 });
    expect(result.sourceSegments).toBe(3);
    expect(log.segmentBaseOffsets().filter((b) => b >= boundary)).toEqual(bases.filter((b) => b >= boundary));
    expect(snapshot()).toEqual(before);
    // Below the boundary only the latest per key *within the cleaned range* remains.
    const cleaned = readAll(log).filter((r) => r.offset < boundary);
    expect(new Set(cleaned.map((r) => r.key)).size).toBe(cleaned.length);
    expect(result.firstDirtyOffset).toBe(boundary);
    log.close();
  });

  it('respects min.compaction.lag.ms and the dirty ratio', () => {
    const log = open({ ...config, minCompactionLagMs: 1_000, minCleanableDirtyRatio: 0.5 });
    fill(log, 30, 3);
    log.roll();
    expect(log.compact(clock.now, { maxOffset: log.logEndOffset }).skipped).toBe('nothing-cleanable');
    clock.advance(1_000);
    const first = log.compact(clock.now, { maxOffset: log.logEndOffset });
    expect(first.skipped).toBeNull();
    expect(first.dirtyRatio).toBe(1);
    // Clean now: ratio 0 until enough new data arrives.
    expect(log.compact(clock.now, { maxOffset: log.logEndOffset })).toMatchObject({
      skipped: 'below-dirty-ratio',
      dirtyRatio: 0,
    });
    fill(log, 2, 3, 'w');
    log.roll();
    clock.advance(1_000);
    const few = log.compact(clock.now, { maxOffset: log.logEndOffset });
    expect(few.skipped).toBe('below-dirty-ratio'); // 2 dirty batches against 3 clean ones
    fill(log, 6, 3, 'x');
    log.roll();
    clock.advance(1_000);
    const second = log.compact(clock.now, { maxOffset: log.logEndOffset });
    expect(second.skipped).toBeNull();
    expect(second.dirtyRatio).toBeGreaterThan(0.5);
    log.close();
  });

  it('cleans a prefix when the offset map would outgrow its memory bound, and converges', () => {
    const log = open();
    const appended: Rec[] = [];
    for (let i = 0; i < 50; i++) {
      const info = log.append(batch([[`key-${i % 20}`, `v${i}`]], clock.now), { leaderEpoch: 1 });
      appended.push({
        offset: info.firstOffset,
        key: `key-${i % 20}`,
        value: `v${i}`,
        timestamp: clock.now,
        headers: 'h=0',
      });
    }
    log.roll();
    // Room for about 4 keys per pass.
    const first = log.compact(clock.now, { maxOffset: log.logEndOffset, dedupeBufferBytes: 4 * (6 + 64) });
    expect(first.mapEntries).toBe(4);
    expect(first.firstDirtyOffset).toBe(4);
    let passes = 1;
    while (log.cleanerCheckpoint! < log.logEndOffset && passes < 100) {
      log.compact(clock.now, { maxOffset: log.logEndOffset, dedupeBufferBytes: 4 * (6 + 64) });
      passes++;
    }
    expect(passes).toBeLessThan(20);
    expect(readAll(log)).toEqual(latestPerKey(appended).map((r) => ({ ...r, timestamp: r.timestamp })));
    log.close();
  });

  it('does nothing for cleanup.policy=delete; compact-only logs skip time and size retention', () => {
    const log = open({ ...config, cleanupPolicy: 'delete' });
    fill(log, 20, 2);
    log.roll();
    expect(log.compact(clock.now).skipped).toBe('not-compacted');
    log.updateConfig({ ...config, cleanupPolicy: 'compact', retentionMs: 1, retentionBytes: 1 });
    clock.advance(10_000);
    expect(log.deleteOldSegments(clock.now)).toBe(0);
    log.updateConfig({ ...config, cleanupPolicy: 'compact,delete', retentionMs: 1 });
    expect(log.deleteOldSegments(clock.now)).toBeGreaterThan(0);
    log.close();
  });

  describe('crash safety of the swap', () => {
    /**
     * Makes the n-th rename/unlink of the compaction throw (a crash at that step: nothing after
     * it happens), abandons the log like a dead process, and reopens it.
     */
    function crashAt(n: number): {
      crashed: boolean;
      swapFilesAtCrash: string[];
      manifestAtCrash: boolean;
      after: Rec[];
      reopened: PartitionLog;
    } {
      const log = open();
      let calls = 0;
      let crashed = false;
      let swapFilesAtCrash: string[] = [];
      let manifestAtCrash = false;
      const maybeCrash = (): void => {
        if (++calls === n) {
          crashed = true;
          swapFilesAtCrash = fs.readdirSync(dir).filter((name) => name.endsWith('.swap'));
          manifestAtCrash = fs.existsSync(join(dir, CLEANER_SWAP_FILE));
          throw new Error(`injected crash at step ${n}`);
        }
      };
      const realRename = fs.renameSync;
      const realUnlink = fs.unlinkSync;
      const rename = jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
        maybeCrash();
        realRename(from, to);
      });
      const unlink = jest.spyOn(fs, 'unlinkSync').mockImplementation((path) => {
        maybeCrash();
        realUnlink(path);
      });
      try {
        log.compact(clock.now, { maxOffset: log.logEndOffset });
      } catch (error) {
        expect((error as Error).message).toMatch(/injected crash|storage/);
      } finally {
        rename.mockRestore();
        unlink.mockRestore();
      }
      log.abandon();
      const reopened = open();
      return { crashed, swapFilesAtCrash, manifestAtCrash, after: readAll(reopened), reopened };
    }

    it('finishes a committed swap or rolls back an uncommitted one, at every step', () => {
      // Build the same log once to learn the expected before/after contents.
      const seed = open();
      fill(seed, 50, 4);
      seed.roll();
      seed.close();
      const pristine = new Map(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(join(dir, name))]));
      const restore = (): void => {
        for (const name of fs.readdirSync(dir)) fs.unlinkSync(join(dir, name));
        for (const [name, bytes] of pristine) fs.writeFileSync(join(dir, name), bytes);
      };
      const probe = open();
      const beforeRecords = readAll(probe);
      probe.compact(clock.now, { maxOffset: probe.logEndOffset });
      const afterRecords = readAll(probe);
      probe.close();
      expect(afterRecords.length).toBeLessThan(beforeRecords.length);

      let sawRollbackWithSwap = false;
      let sawCompletion = false;
      for (let n = 1; n < 200; n++) {
        restore();
        const outcome = crashAt(n);
        const { after, reopened } = outcome;
        // Consistent either way: exactly the old or exactly the new contents, readable, appendable.
        expect([beforeRecords, afterRecords]).toContainEqual(after);
        if (outcome.crashed && outcome.swapFilesAtCrash.length > 0 && !outcome.manifestAtCrash) {
          expect(after).toEqual(beforeRecords);
          sawRollbackWithSwap = true;
        }
        if (outcome.crashed && outcome.manifestAtCrash) {
          expect(after).toEqual(afterRecords);
          sawCompletion = true;
        }
        expect(
          fs
            .readdirSync(dir)
            .filter((name) => name.endsWith('.swap') || name.endsWith('.cleaned') || name === CLEANER_SWAP_FILE),
        ).toEqual([]);
        reopened.append(batch([['k0', 'post-crash']], clock.now), { leaderEpoch: 2 });
        reopened.roll();
        reopened.compact(clock.now, { maxOffset: reopened.logEndOffset });
        expect(
          readAll(reopened)
            .map((r) => r.key)
            .sort(),
        ).toEqual(['k0', 'k1', 'k2', 'k3']);
        reopened.close();
        expect(checkLogDirectory(dir).ok).toBe(true);
        if (!outcome.crashed) break;
      }
      expect(sawRollbackWithSwap).toBe(true);
      expect(sawCompletion).toBe(true);
    });

    it('rolls back stray .cleaned files and .swap files without a manifest', () => {
      const log = open();
      fill(log, 20, 2);
      log.roll();
      const before = readAll(log);
      log.close();
      fs.writeFileSync(join(dir, '00000000000000000000.log.cleaned'), 'partial');
      fs.writeFileSync(join(dir, '00000000000000000000.log.swap'), 'not committed');
      const reopened = open();
      expect(readAll(reopened)).toEqual(before);
      expect(fs.readdirSync(dir).some((name) => name.endsWith('.swap') || name.endsWith('.cleaned'))).toBe(false);
      reopened.close();
    });
  });

  it('lowers the cleaner checkpoint on truncation', () => {
    const log = open();
    fill(log, 30, 3);
    log.roll();
    log.compact(clock.now, { maxOffset: log.logEndOffset });
    expect(log.cleanerCheckpoint).toBe(30);
    log.truncateTo(28);
    // Down to the start of the kept segment: what is appended after the new end is dirty.
    expect(log.cleanerCheckpoint).toBe(0);
    expect(log.logEndOffset).toBe(28);
    log.close();
  });
});

describe('compaction config and planning', () => {
  it('parses and validates cleanup.policy, min.cleanable.dirty.ratio, delete.retention.ms, min.compaction.lag.ms', () => {
    expect(defaultLogConfig).toMatchObject({
      cleanupPolicy: 'delete',
      minCleanableDirtyRatio: 0.5,
      deleteRetentionMs: 86_400_000,
      minCompactionLagMs: 0,
    });
    expect(parseLogConfig({ 'cleanup.policy': 'compact' }).cleanupPolicy).toBe('compact');
    expect(parseLogConfig({ 'cleanup.policy': 'delete, compact' }).cleanupPolicy).toBe('compact,delete');
    expect(parseLogConfig({ 'log.cleanup.policy': 'compact,delete' }).cleanupPolicy).toBe('compact,delete');
    expect(
      parseLogConfig({ 'min.cleanable.dirty.ratio': '0.25', 'delete.retention.ms': '5', 'min.compaction.lag.ms': '7' }),
    ).toMatchObject({
      minCleanableDirtyRatio: 0.25,
      deleteRetentionMs: 5,
      minCompactionLagMs: 7,
    });
    expect(
      parseLogConfig({ 'log.cleaner.min.cleanable.ratio': '1', 'log.cleaner.delete.retention.ms': '9' }),
    ).toMatchObject({ minCleanableDirtyRatio: 1, deleteRetentionMs: 9 });
    expect(() => parseLogConfig({ 'cleanup.policy': 'compact,forever' })).toThrow(InvalidConfigError);
    expect(() => parseLogConfig({ 'cleanup.policy': '' })).toThrow(/cleanup.policy/);
    expect(() => parseLogConfig({ 'min.cleanable.dirty.ratio': '1.5' })).toThrow(/min.cleanable.dirty.ratio/);
    expect(() => parseLogConfig({ 'min.cleanable.dirty.ratio': 'half' })).toThrow(/min.cleanable.dirty.ratio/);
    expect(() => parseLogConfig({ 'delete.retention.ms': '-1' })).toThrow(/delete.retention.ms/);
    expect(() => parseLogConfig({ 'min.compaction.lag.ms': '-5' })).toThrow(/min.compaction.lag.ms/);
    expect(() =>
      PartitionLog.open({
        dir: '/nonexistent-never-created',
        config: { ...defaultLogConfig, cleanupPolicy: 'squash' as never },
      }),
    ).toThrow(/cleanup.policy/);
  });

  it('plans only segments wholly below maxOffset and old enough, and measures dirtiness', () => {
    const closed = [100, 100, 100, 100].map((sizeBytes, i) => ({
      baseOffset: i * 10,
      sizeBytes,
      largestTimestampMs: 1_000 + i * 100,
    }));
    const next = [10, 20, 30, 40];
    expect(planCleaning(closed, next, 0, 30, { minCompactionLagMs: 0 }, 5_000)).toMatchObject({
      cleanableCount: 3,
      dirtyRatio: 1,
    });
    expect(planCleaning(closed, next, 20, Infinity, { minCompactionLagMs: 0 }, 5_000)).toMatchObject({
      cleanableCount: 4,
      cleanBytes: 200,
      dirtyBytes: 200,
      dirtyRatio: 0.5,
    });
    expect(planCleaning(closed, next, 0, Infinity, { minCompactionLagMs: 3_850 }, 5_000)).toMatchObject({
      cleanableCount: 2,
    });
    expect(groupSegmentsBySize([100, 100, 300, 50, 500], [0, 10, 20, 30, 40], [10, 20, 30, 40, 50], 400)).toEqual([
      2, 2, 1,
    ]);
    expect(groupSegmentsBySize([1, 1], [0, 2 ** 31], [10, 2 ** 31 + 10], 400)).toEqual([1, 1]);
  });

  it('bounds the offset map but always takes one batch', () => {
    const map = new OffsetMap(100);
    const rec = (key: string, offset: number) => ({
      key: Buffer.from(key),
      value: null,
      offset,
      timestamp: 0,
      headers: [],
    });
    expect(map.tryAddBatch([rec('aaaa', 0), rec('bbbb', 1)])).toBe(true); // over budget, but the map was empty
    expect(map.tryAddBatch([rec('cccc', 2)])).toBe(false);
    expect(map.size).toBe(2);
    expect(map.get(Buffer.from('bbbb'))).toBe(1);
  });
});

describe('compaction property: random appends, rolls and passes against a model', () => {
  interface Op {
    kind: 'append' | 'roll' | 'compact' | 'tick' | 'reopen';
    records?: KV[];
    compression?: CompressionType;
    bound?: number;
    buffer?: number;
    ms?: number;
  }
  const kv: fc.Arbitrary<KV> = fc.tuple(
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    fc.oneof(
      { weight: 5, arbitrary: fc.string({ minLength: 0, maxLength: 12 }) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
  );
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('append' as const),
        records: fc.array(kv, { minLength: 1, maxLength: 5 }),
        compression: fc.constantFrom(
          CompressionType.None,
          CompressionType.None,
          CompressionType.Lz4,
          CompressionType.Gzip,
        ),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('roll' as const) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('compact' as const),
        bound: fc.double({ min: 0, max: 1, noNaN: true }),
        buffer: fc.constantFrom(150, 400, 1 << 20),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 6_000 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
  );

  it('never loses the latest value of a key, keeps everything not yet cleaned, removes only what compaction may', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.constantFrom(0, 0.5), (ops, ratio) => {
        const { dir, cleanup } = tempDir('sluice-compact-prop-');
        const resources = new LogResources();
        const clock = new FakeClock(1_000_000);
        const cfg: LogConfig = {
          ...config,
          segmentBytes: 400,
          minCleanableDirtyRatio: ratio,
          deleteRetentionMs: 5_000,
        };
        let log = PartitionLog.open({ dir, config: cfg, clock, resources });
        const appended: Rec[] = [];
        /** Offset -> first time a compaction pass covered it (its tombstone horizon starts no earlier). */
        const firstCleanedAt = new Map<number, number>();
        try {
          for (const o of ops) {
            if (o.kind === 'append') {
              const info = log.append(batch(o.records!, clock.now, { compression: o.compression }), { leaderEpoch: 1 });
              o.records!.forEach(([key, value], i) =>
                appended.push({
                  offset: info.firstOffset + i,
                  key,
                  value,
                  timestamp: clock.now + i,
                  headers: `h=${i}`,
                }),
              );
            } else if (o.kind === 'roll') {
              log.roll();
            } else if (o.kind === 'tick') {
              clock.advance(o.ms!);
            } else if (o.kind === 'reopen') {
              log.close();
              log = PartitionLog.open({ dir, config: cfg, clock, resources });
            } else {
              const maxOffset = Math.round(o.bound! * log.logEndOffset);
              const result = log.compact(clock.now, { maxOffset, dedupeBufferBytes: o.buffer });
              if (result.skipped === null) {
                for (const r of appended)
                  if (r.offset < result.firstDirtyOffset && !firstCleanedAt.has(r.offset))
                    firstCleanedAt.set(r.offset, clock.now);
              }
            }
            check();
          }
          log.roll();
          log.updateConfig({ ...cfg, minCleanableDirtyRatio: 0 });
          log.compact(clock.now, { maxOffset: log.logEndOffset });
          for (const r of appended)
            if (r.offset < log.cleanerCheckpoint! && !firstCleanedAt.has(r.offset))
              firstCleanedAt.set(r.offset, clock.now);
          check();
          // Fully cleaned: exactly the latest record per key (tombstones until their horizon).
          const present = readAll(log);
          expect(present.filter((r) => r.value !== null)).toEqual(
            latestPerKey(appended).filter((r) => r.value !== null),
          );
          log.close();
          expect(checkLogDirectory(dir).ok).toBe(true);
        } finally {
          resources.close();
          cleanup();
        }

        function check(): void {
          const present = readAll(log);
          const byOffset = new Map(appended.map((r) => [r.offset, r]));
          // Nothing invented or altered: a subsequence of what was appended, at the same offsets.
          for (const r of present) expect(byOffset.get(r.offset)).toEqual(r);
          const presentOffsets = new Set(present.map((r) => r.offset));
          const latest = new Map<string, number>();
          for (const r of appended) if (r.key !== null) latest.set(r.key, r.offset);
          const checkpoint = log.cleanerCheckpoint ?? 0;
          for (const r of appended) {
            if (presentOffsets.has(r.offset)) continue;
            // Not yet cleaned: intact.
            expect(r.offset).toBeLessThan(checkpoint);
            if (r.key === null) continue;
            if (latest.get(r.key) !== r.offset) continue; // superseded
            // The latest record of a key goes only as an expired tombstone.
            expect(r.value).toBeNull();
            expect(clock.now).toBeGreaterThanOrEqual(firstCleanedAt.get(r.offset)! + cfg.deleteRetentionMs);
          }
          // Below the checkpoint keys are unique... except records whose newer copy lies above it.
          const below = present.filter((r) => r.offset < checkpoint);
          for (const r of below) {
            expect(r.key).not.toBeNull();
            const newer = appended.filter((a) => a.key === r.key && a.offset > r.offset);
            expect(newer.every((a) => a.offset >= checkpoint)).toBe(true);
          }
        }
      }),
      propertyOptions({ numRuns: 60 }),
    );
  });
});
