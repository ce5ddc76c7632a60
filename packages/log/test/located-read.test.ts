import { openSync, closeSync, readFileSync, truncateSync, writeSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { CompressionType, encodeRecordBatch } from '@sluice/protocol';
import {
  CorruptLogError,
  defaultLogConfig,
  lastOffsetIndexEntryWithin,
  LogResources,
  OffsetOutOfRangeError,
  PartitionLog,
  type LogConfig,
  type RecordsLocation,
} from '@sluice/log';
import { propertyOptions } from '../../../test-support/property';
import { FakeClock, makeBatch, summarize, tempDir } from './helpers';

/**
 * PartitionLog.locate + readLocated (the Fetch answer's read straight into its frame) against
 * PartitionLog.read: the same bytes for any offset, byte limit and bound, across segment
 * boundaries, index intervals, offset gaps and in-memory recent appends; a location outlives
 * appends and rolls but not truncation, retention or compaction; a segment file cut or damaged
 * under a location is a CorruptLogError naming the file.
 */

const JUNK = 0xee;

/** locate + readLocated into a target with junk around the range; checks the junk is untouched. */
function readViaLocation(
  log: PartitionLog,
  location: RecordsLocation,
  targetOffset: number,
): { bytes: Buffer; batchCount: number; lastOffset: number | null } {
  const target = Buffer.alloc(targetOffset + location.sizeBytes + 7, JUNK);
  const read = log.readLocated(location, target, targetOffset);
  const bytes = target.subarray(targetOffset, targetOffset + location.sizeBytes);
  expect(target.subarray(0, targetOffset).every((b) => b === JUNK)).toBe(true);
  expect(target.subarray(targetOffset + location.sizeBytes).every((b) => b === JUNK)).toBe(true);
  return { bytes: Buffer.from(bytes), ...read };
}

type Step =
  | { kind: 'append'; batches: Array<{ records: number; payload: number }>; keep: boolean }
  | { kind: 'follower'; gap: number; batches: Array<{ records: number; payload: number }> }
  | { kind: 'roll' };

const batchArg = fc.record({
  records: fc.integer({ min: 1, max: 5 }),
  // Batches smaller and larger than the index intervals below, so both index jumps and header
  // walks decide where a read ends.
  payload: fc.integer({ min: 1, max: 2_500 }),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      batches: fc.array(batchArg, { minLength: 1, maxLength: 4 }),
      keep: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('follower' as const),
      gap: fc.integer({ min: 0, max: 3 }),
      batches: fc.array(batchArg, { minLength: 1, maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
);
const readArg = fc.record({
  offsetDelta: fc.integer({ min: -2, max: 200 }),
  maxBytes: fc.integer({ min: 0, max: 9_000 }),
  boundDelta: fc.option(fc.integer({ min: -40, max: 2 })),
  targetOffset: fc.integer({ min: 0, max: 9 }),
});
const configArb = fc.record({
  segmentBytes: fc.constantFrom(3_000, 8_000, 40_000),
  indexIntervalBytes: fc.constantFrom(0, 100, 1_000, 4_096),
});

describe('located reads (PartitionLog.locate, readLocated)', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: FakeClock;
  let resources: LogResources;
  const small: LogConfig = { ...defaultLogConfig, segmentBytes: 4_000, indexIntervalBytes: 200 };
  const open = (config: LogConfig = small): PartitionLog => PartitionLog.open({ dir, config, clock, resources });

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('sluice-located-'));
    clock = new FakeClock();
    resources = new LogResources({ indexCacheBytes: 1_024, maxOpenSegmentFiles: 2, recentAppendBytes: 6_000 });
  });
  afterEach(() => {
    resources.close();
    cleanup();
  });

  it('reads exactly what read() returns, for any offset, byte limit and bound', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(step, { minLength: 1, maxLength: 30 }),
        fc.array(readArg, { minLength: 1, maxLength: 25 }),
        (configPart, steps, reads) => {
          const { dir: runDir, cleanup: runCleanup } = tempDir('sluice-located-run-');
          const runResources = new LogResources({
            indexCacheBytes: 512,
            maxOpenSegmentFiles: 2,
            recentAppendBytes: 5_000,
          });
          const log = PartitionLog.open({
            dir: runDir,
            config: { ...defaultLogConfig, ...configPart },
            clock,
            resources: runResources,
          });
          try {
            let fill = 0;
            const build = (args: Array<{ records: number; payload: number }>, base: number): Buffer =>
              Buffer.concat(
                args.map((arg) => {
                  fill = (fill + 1) % 256;
                  const batch = makeBatch({ baseOffset: base, records: arg.records, payloadBytes: arg.payload, fill });
                  base += arg.records;
                  return batch;
                }),
              );
            for (const s of steps) {
              if (s.kind === 'roll') log.roll();
              else if (s.kind === 'append') {
                const bytes = build(s.batches, 0);
                if (bytes.length <= configPart.segmentBytes)
                  log.append(bytes, { leaderEpoch: 0, keepInMemory: s.keep });
              } else {
                const bytes = build(s.batches, log.logEndOffset + s.gap);
                if (bytes.length <= configPart.segmentBytes) log.appendAsFollower(bytes);
              }
            }
            for (const r of reads) {
              const offset = log.logStartOffset + r.offsetDelta;
              const maxOffset = r.boundDelta === null ? undefined : log.logEndOffset + r.boundDelta;
              if (offset < log.logStartOffset || offset > log.logEndOffset) {
                expect(() => log.locate(offset, r.maxBytes, { maxOffset })).toThrow(OffsetOutOfRangeError);
                continue;
              }
              const expected = log.read(offset, r.maxBytes, { maxOffset });
              const location = log.locate(offset, r.maxBytes, { maxOffset });
              expect(location.sizeBytes).toBe(expected.records.length);
              expect(location.firstOffset).toBe(expected.firstOffset);
              expect(location.logEndOffset).toBe(expected.logEndOffset);
              expect(location.logStartOffset).toBe(expected.logStartOffset);
              const got = readViaLocation(log, location, r.targetOffset);
              expect(got.bytes.equals(expected.records)).toBe(true);
              expect(got.batchCount).toBe(expected.batchCount);
              expect(got.lastOffset).toBe(expected.batchCount === 0 ? null : expected.lastOffset);
            }
          } finally {
            log.abandon();
            runResources.close();
            runCleanup();
          }
        },
      ),
      propertyOptions({ numRuns: 60 }),
    );
  });

  it('reads a whole backlog batch by batch as a consumer does, across segments', () => {
    const log = open({ ...small, indexIntervalBytes: 4_096, segmentBytes: 20_000 });
    for (let i = 0; i < 40; i++)
      log.append(makeBatch({ records: 3, payloadBytes: 300 + 97 * (i % 11), fill: i }), { leaderEpoch: 0 });
    expect(log.segmentCount).toBeGreaterThan(1);
    const fills: number[] = [];
    let offset = 0;
    for (let guard = 0; guard < 100 && offset < log.logEndOffset; guard++) {
      const location = log.locate(offset, 2_500);
      expect(location.sizeBytes).toBeGreaterThan(0);
      const got = readViaLocation(log, location, 5);
      fills.push(...summarize(got.bytes).map((b) => b.fill));
      offset = got.lastOffset! + 1;
    }
    expect(fills).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('keeps a location across appends and rolls; truncation, retention and compaction end it', () => {
    const log = open();
    for (let i = 0; i < 12; i++) log.append(makeBatch({ records: 2, payloadBytes: 500, fill: i }), { leaderEpoch: 0 });
    const location = log.locate(0, 1_500);
    const before = readViaLocation(log, location, 0).bytes;
    log.append(makeBatch({ records: 2, payloadBytes: 500, fill: 99 }), { leaderEpoch: 0 });
    log.roll();
    expect(log.isCurrent(location)).toBe(true);
    expect(readViaLocation(log, location, 3).bytes.equals(before)).toBe(true);

    log.truncateTo(log.logEndOffset - 1);
    expect(log.isCurrent(location)).toBe(false);
    expect(() => log.readLocated(location, Buffer.alloc(location.sizeBytes), 0)).toThrow(/locate again/);

    const again = log.locate(0, 1_500);
    expect(log.isCurrent(again)).toBe(true);
    log.advanceLogStartOffset(log.segmentBaseOffsets()[1]!);
    expect(log.deleteOldSegments(clock.now)).toBeGreaterThan(0);
    expect(log.isCurrent(again)).toBe(false);

    const last = log.locate(log.logStartOffset, 1_500);
    log.close();
    expect(log.isCurrent(last)).toBe(false);
  });

  it('ends a location when compaction swaps its segments', () => {
    const config: LogConfig = {
      ...defaultLogConfig,
      segmentBytes: 600,
      indexIntervalBytes: 100,
      cleanupPolicy: 'compact',
      minCleanableDirtyRatio: 0,
    };
    const log = open(config);
    for (let i = 0; i < 40; i++) {
      const batch = encodeRecordBatch({
        compression: CompressionType.None,
        records: [{ key: Buffer.from(`k${i % 3}`), value: Buffer.from(`v${i}`), timestamp: clock.now, headers: [] }],
      });
      log.append(batch, { leaderEpoch: 0 });
    }
    log.roll();
    const location = log.locate(0, 10_000);
    expect(log.compact(clock.now, { maxOffset: log.logEndOffset }).recordsRemoved).toBeGreaterThan(0);
    expect(log.isCurrent(location)).toBe(false);
    const after = log.locate(log.logStartOffset, 10_000);
    const expected = log.read(log.logStartOffset, 10_000);
    expect(readViaLocation(log, after, 1).bytes.equals(expected.records)).toBe(true);
  });

  it('a segment file cut under a location is a CorruptLogError naming the file, and the log stays open', () => {
    const log = open();
    for (let i = 0; i < 12; i++) log.append(makeBatch({ records: 2, payloadBytes: 500, fill: i }), { leaderEpoch: 0 });
    log.roll();
    const location = log.locate(0, 3_000);
    expect(location.sizeBytes).toBeGreaterThan(1_000);
    const file = `${dir}/${'0'.repeat(20)}.log`;
    resources.close(); // the cached read descriptor goes, as it would after an LRU eviction
    truncateSync(file, 700);
    const target = Buffer.alloc(location.sizeBytes + 4, JUNK);
    expect(() => log.readLocated(location, target, 2)).toThrow(CorruptLogError);
    expect(() => log.readLocated(location, target, 2)).toThrow(/00000000000000000000\.log at byte 700.*shorter/);
    expect(target.subarray(0, 2).every((b) => b === JUNK)).toBe(true);
    expect(log.failed).toBe(false);
  });

  it('a damaged batch length inside a located range is a CorruptLogError, before any byte is answered', () => {
    const log = open();
    const sizes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const batch = makeBatch({ records: 2, payloadBytes: 500, fill: i });
      sizes.push(batch.length);
      log.append(batch, { leaderEpoch: 0 });
    }
    log.roll();
    const location = log.locate(0, 3_000);
    // The second batch's length field (bytes 8..11 of its header), as a bad disk might leave it.
    const fd = openSync(`${dir}/${'0'.repeat(20)}.log`, 'r+');
    const length = Buffer.alloc(4);
    length.writeInt32BE(10_000);
    writeSync(fd, length, 0, 4, sizes[0]! + 8);
    closeSync(fd);
    expect(() => log.readLocated(location, Buffer.alloc(location.sizeBytes), 0)).toThrow(CorruptLogError);
    expect(() => log.readLocated(location, Buffer.alloc(location.sizeBytes), 0)).toThrow(
      /batch size 10012 does not fit/,
    );
  });

  it('an offset-index entry that points inside a batch is rebuilt, and the located read is still exact', () => {
    const config: LogConfig = { ...small, indexIntervalBytes: 100 };
    const log = open(config);
    for (let i = 0; i < 12; i++) log.append(makeBatch({ records: 2, payloadBytes: 500, fill: i }), { leaderEpoch: 0 });
    log.roll();
    log.close();
    // Move the third entry's position 5 bytes into its batch (still ordered, so it loads).
    const indexFile = `${dir}/${'0'.repeat(20)}.index`;
    const index = readFileSync(indexFile);
    index.writeInt32BE(index.readInt32BE(2 * 8 + 4) + 5, 2 * 8 + 4);
    writeFileSync(indexFile, index);
    const reopened = open(config);
    const expected = reopened.read(0, 2_000);
    const location = reopened.locate(0, 2_000);
    expect(readViaLocation(reopened, location, 0).bytes.equals(expected.records)).toBe(true);
    reopened.close();
  });

  it('refuses a target the located bytes do not fit', () => {
    const log = open();
    log.append(makeBatch({ records: 2, payloadBytes: 500 }), { leaderEpoch: 0 });
    const location = log.locate(0, 3_000);
    expect(() => log.readLocated(location, Buffer.alloc(location.sizeBytes), 1)).toThrow(/does not fit its target/);
  });
});

describe('lastOffsetIndexEntryWithin', () => {
  it('finds the last entry within both a position and an offset, as a scan does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 500 })), { maxLength: 40 }),
        fc.integer({ min: -10, max: 20_000 }),
        fc.integer({ min: 990, max: 2_500 }),
        (steps, maxPosition, maxOffset) => {
          const baseOffset = 1_000;
          const entries = Buffer.alloc(steps.length * 8);
          let relative = 0;
          let position = 0;
          const list = steps.map(([offsetStep, positionStep], slot) => {
            relative += offsetStep;
            position += positionStep;
            entries.writeInt32BE(relative, slot * 8);
            entries.writeInt32BE(position, slot * 8 + 4);
            return { offset: baseOffset + relative, position };
          });
          const scanned = list.filter((e) => e.position <= maxPosition && e.offset <= maxOffset).at(-1) ?? null;
          expect(lastOffsetIndexEntryWithin(entries, list.length, baseOffset, maxPosition, maxOffset)).toEqual(scanned);
        },
      ),
      propertyOptions({ numRuns: 300 }),
    );
  });
});
