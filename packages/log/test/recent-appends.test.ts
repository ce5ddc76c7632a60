import fc from 'fast-check';
import { defaultLogConfig, LogResources, PartitionLog, type LogConfig, type ReadResult } from '@sluice/log';
import { propertyOptions } from '../../../test-support/property';
import { FakeClock, makeBatch, tempDir } from './helpers';

/**
 * Reads of the tail answered from the leader's recent appends (recent-appends.ts) must be the
 * file's bytes exactly: the same records, batch count and offsets as a log that reads every
 * answer from its file, whatever was appended, rolled, cut or let go in between.
 */

const config: LogConfig = { ...defaultLogConfig, segmentBytes: 4096, indexIntervalBytes: 256 };

type Op =
  | { kind: 'append'; batches: Array<{ records: number; payloadBytes: number }>; log: 0 | 1 }
  | { kind: 'read'; back: number; maxBytes: number; boundBack: number | null; log: 0 | 1 }
  | { kind: 'roll'; log: 0 | 1 }
  | { kind: 'truncate'; back: number; log: 0 | 1 };

const logIndex = fc.constantFrom(0 as const, 1 as const);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      batches: fc.array(
        fc.record({ records: fc.integer({ min: 1, max: 5 }), payloadBytes: fc.integer({ min: 0, max: 700 }) }),
        { minLength: 1, maxLength: 4 },
      ),
      log: logIndex,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      back: fc.integer({ min: 0, max: 40 }),
      maxBytes: fc.integer({ min: 0, max: 5000 }),
      boundBack: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
      log: logIndex,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('roll' as const), log: logIndex }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('truncate' as const),
      back: fc.integer({ min: 0, max: 8 }),
      log: logIndex,
    }),
  },
);

function sameRead(fromMemory: ReadResult, fromFile: ReadResult): void {
  expect(fromMemory.records.equals(fromFile.records)).toBe(true);
  expect({ ...fromMemory, records: null }).toEqual({ ...fromFile, records: null });
}

describe('recent appends: reads of the tail from memory', () => {
  it('answer byte for byte what the file answers (fast-check, two logs sharing a small budget)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12_000 }), fc.array(op, { minLength: 1, maxLength: 60 }), (budget, ops) => {
        const { dir, cleanup } = tempDir();
        const clock = new FakeClock();
        const kept = new LogResources({ indexCacheBytes: 4096, maxOpenSegmentFiles: 4, recentAppendBytes: budget });
        const plain = new LogResources({ indexCacheBytes: 4096, maxOpenSegmentFiles: 4, recentAppendBytes: 0 });
        const open = (name: string, resources: LogResources): PartitionLog =>
          PartitionLog.open({ dir: `${dir}/${name}`, config, clock, resources });
        const pairs = [
          [open('a-kept', kept), open('a-plain', plain)],
          [open('b-kept', kept), open('b-plain', plain)],
        ] as const;
        try {
          for (const step of ops) {
            const [inMemory, fromFile] = pairs[step.log];
            if (step.kind === 'append') {
              // One buffer per log: the kept one is handed over, the plain one is not.
              const bytes = () => Buffer.concat(step.batches.map((spec, i) => makeBatch({ ...spec, fill: i + 1 })));
              const fromMemoryInfo = inMemory.append(bytes(), { leaderEpoch: 1, keepInMemory: true });
              expect(fromFile.append(bytes(), { leaderEpoch: 1 })).toEqual(fromMemoryInfo);
            } else if (step.kind === 'read') {
              const offset = Math.max(inMemory.logStartOffset, inMemory.logEndOffset - step.back);
              const options = step.boundBack === null ? {} : { maxOffset: inMemory.logEndOffset - step.boundBack };
              const expected = fromFile.read(offset, step.maxBytes, options);
              sameRead(inMemory.read(offset, step.maxBytes, options), expected);
              // A located read (a Fetch answer's frame) copies the held pieces straight into its target.
              const location = inMemory.locate(offset, step.maxBytes, options);
              expect(location.sizeBytes).toBe(expected.records.length);
              const target = Buffer.alloc(location.sizeBytes + 8, 0xee);
              inMemory.readLocated(location, target, 4);
              expect(target.subarray(4, 4 + location.sizeBytes).equals(expected.records)).toBe(true);
              expect(target.subarray(0, 4).equals(Buffer.alloc(4, 0xee))).toBe(true);
              expect(target.subarray(4 + location.sizeBytes).equals(Buffer.alloc(4, 0xee))).toBe(true);
            } else if (step.kind === 'roll') {
              inMemory.roll();
              fromFile.roll();
            } else {
              const offset = Math.max(inMemory.logStartOffset, inMemory.logEndOffset - step.back);
              expect(inMemory.truncateTo(offset)).toBe(fromFile.truncateTo(offset));
            }
            expect(kept.recentAppends.weightBytes).toBeLessThanOrEqual(budget);
            expect(plain.recentAppends.heldCount).toBe(0);
          }
          // Every offset of the final logs, at a few sizes, reads the same.
          for (const [inMemory, fromFile] of pairs) {
            for (let offset = inMemory.logStartOffset; offset < inMemory.logEndOffset; offset++) {
              for (const maxBytes of [0, 100, 1_000, 10_000])
                sameRead(inMemory.read(offset, maxBytes), fromFile.read(offset, maxBytes));
            }
          }
        } finally {
          for (const pair of pairs) for (const log of pair) log.close();
          kept.close();
          plain.close();
          cleanup();
        }
      }),
      propertyOptions({ numRuns: 60 }),
    );
  });

  describe('the leader tail', () => {
    let dir: string;
    let cleanup: () => void;
    let resources: LogResources;
    let log: PartitionLog;

    beforeEach(() => {
      ({ dir, cleanup } = tempDir());
      resources = new LogResources({ indexCacheBytes: 4096, maxOpenSegmentFiles: 2, recentAppendBytes: 64 * 1024 });
      log = PartitionLog.open({ dir, config: { ...defaultLogConfig }, clock: new FakeClock(), resources });
    });
    afterEach(() => {
      log.close();
      resources.close();
      cleanup();
    });

    it('is answered with a view of the appended buffer: no copy, no file read', () => {
      const appended = makeBatch({ records: 3, payloadBytes: 500, fill: 7 });
      log.append(appended, { leaderEpoch: 2, keepInMemory: true });
      const read = log.read(0, 1 << 20);
      expect(read.batchCount).toBe(1);
      expect(read.records.buffer).toBe(appended.buffer);
      expect(read.records.equals(appended)).toBe(true);
      expect(resources.recentAppends.heldCount).toBe(1);
    });

    it('reads a range spanning several appends straight into a target, from the held pieces', () => {
      // Three appends of two batches each (offsets 0-3, 4-7, 8-11).
      const batches = [0, 1, 2, 3, 4, 5].map((i) => makeBatch({ records: 2, payloadBytes: 300, fill: i + 1 }));
      const appended = [0, 2, 4].map((i) => Buffer.concat(batches.slice(i, i + 2)));
      // The log stamps offsets and epoch into the handed-over bytes: they are the file's bytes.
      for (const bytes of appended) log.append(bytes, { leaderEpoch: 1, keepInMemory: true });
      expect(resources.recentAppends.heldCount).toBe(3);
      // From offset 2 (the first append's second batch) to the end: a piece of each append.
      const expected = Buffer.concat(appended).subarray(batches[0]!.length);
      const location = log.locate(2, 1 << 20);
      const target = Buffer.alloc(location.sizeBytes + 3, 0xee);
      const read = log.readLocated(location, target, 3);
      expect(read.batchCount).toBe(5);
      expect(target.subarray(3).equals(expected)).toBe(true);
      expect(target.subarray(0, 3).equals(Buffer.alloc(3, 0xee))).toBe(true);
      // The file holds the same bytes: with the appends let go, the read comes from it alike.
      log.append(makeBatch({ records: 1 }), { leaderEpoch: 1 });
      expect(resources.recentAppends.heldCount).toBe(0);
      const fromFile = Buffer.alloc(location.sizeBytes);
      log.readLocated(log.locate(2, location.sizeBytes), fromFile, 0);
      expect(fromFile.equals(expected)).toBe(true);
    });

    it('copies a small view of a large buffer rather than keep the large one alive', () => {
      const batch = makeBatch({ records: 1, payloadBytes: 100 });
      const request = Buffer.alloc(64 * batch.length);
      batch.copy(request, 5 * batch.length);
      const view = request.subarray(5 * batch.length, 6 * batch.length);
      log.append(view, { leaderEpoch: 0, keepInMemory: true });
      const read = log.read(0, 1 << 20);
      expect(read.records.buffer).not.toBe(request.buffer);
      expect(read.records.equals(view)).toBe(true);
      expect(resources.recentAppends.weightBytes).toBeLessThan(request.length);
    });

    it('lets go of everything when an append is not handed over, a roll or a truncation', () => {
      log.append(makeBatch({ records: 2 }), { leaderEpoch: 0, keepInMemory: true });
      expect(resources.recentAppends.heldCount).toBe(1);
      log.append(makeBatch({ records: 2 }), { leaderEpoch: 0 });
      expect(resources.recentAppends.heldCount).toBe(0);
      log.append(makeBatch({ records: 2 }), { leaderEpoch: 0, keepInMemory: true });
      log.roll();
      expect(resources.recentAppends.heldCount).toBe(0);
      log.append(makeBatch({ records: 2 }), { leaderEpoch: 0, keepInMemory: true });
      expect(log.truncateTo(6)).toBe(true);
      expect(resources.recentAppends.weightBytes).toBe(0);
      expect(log.read(4, 1 << 20).lastOffset).toBe(5);
    });

    it('keeps within its budget, oldest first, across logs', () => {
      const other = PartitionLog.open({
        dir: `${dir}/other`,
        config: { ...defaultLogConfig },
        clock: new FakeClock(),
        resources,
      });
      try {
        for (let i = 0; i < 40; i++) {
          const target = i % 2 === 0 ? log : other;
          target.append(makeBatch({ records: 1, payloadBytes: 4000, fill: i }), { leaderEpoch: 0, keepInMemory: true });
          expect(resources.recentAppends.weightBytes).toBeLessThanOrEqual(64 * 1024);
        }
        // 40 appends of about 4 KiB each: only the newest fit, and they still read back intact.
        expect(resources.recentAppends.heldCount).toBeLessThan(20);
        expect(log.read(19, 1 << 20).records.readUInt8(61)).toBe(38);
        expect(log.read(0, 1 << 20).records.readUInt8(61)).toBe(0);
        // Thousands more: the budget's own queue stays bounded (it once kept every append).
        for (let i = 0; i < 5_000; i++)
          other.append(makeBatch({ records: 1, payloadBytes: 1000 }), { leaderEpoch: 0, keepInMemory: true });
        expect(resources.recentAppends.queuedCount).toBeLessThanOrEqual(2 * resources.recentAppends.heldCount + 64);
        expect(resources.recentAppends.weightBytes).toBeLessThanOrEqual(64 * 1024);
      } finally {
        other.close();
      }
    });
  });
});
