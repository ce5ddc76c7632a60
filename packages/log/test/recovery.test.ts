import { existsSync, readFileSync, readdirSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iterateBatches } from '@sluice/protocol';
import {
  checkLogDirectory,
  CorruptLogError,
  defaultLogConfig,
  LogResources,
  PartitionLog,
  type LogConfig,
} from '@sluice/log';
import { FakeClock, makeBatch, RecordingLogger, summarize, tempDir } from './helpers';

// Checkpoint on every flush, so "before the recovery point" is exactly "flushed".
const config: LogConfig = {
  ...defaultLogConfig,
  segmentBytes: 2_000,
  indexIntervalBytes: 100,
  recoveryPointCheckpointIntervalMs: 0,
};
const BATCH_BYTES = 161; // 61-byte header + 100 payload bytes

interface Fixture {
  dir: string;
  resources: LogResources;
  logger: RecordingLogger;
  open: (options?: { verifyOnOpen?: 'unflushed' | 'all' }) => PartitionLog;
  segmentFiles: () => string[];
  batchesOf: (file: string) => Array<{ position: number; baseOffset: number }>;
}

describe('recovery and fault handling', () => {
  let fixture: Fixture;
  let cleanup: () => void;

  beforeEach(() => {
    const temp = tempDir('sluice-recovery-');
    cleanup = temp.cleanup;
    const resources = new LogResources({ indexCacheBytes: 1_024, maxOpenSegmentFiles: 2 });
    const logger = new RecordingLogger();
    const clock = new FakeClock();
    fixture = {
      dir: temp.dir,
      resources,
      logger,
      open: (options = {}) => PartitionLog.open({ dir: temp.dir, config, clock, logger, resources, ...options }),
      segmentFiles: () =>
        readdirSync(temp.dir)
          .filter((name) => name.endsWith('.log'))
          .sort()
          .map((name) => join(temp.dir, name)),
      batchesOf: (file) =>
        [...iterateBatches(readFileSync(file))].map((view) => ({
          position: view.position,
          baseOffset: view.baseOffset,
        })),
    };
  });
  afterEach(() => {
    fixture.resources.close();
    cleanup();
  });

  /** 40 one-record batches over 4 segments; flushed up to offset 20; the rest unflushed; crash. */
  function crashedLog(): { recoveryPoint: number } {
    const log = fixture.open();
    for (let i = 0; i < 40; i++) {
      log.append(makeBatch({ payloadBytes: 100, fill: i, maxTimestampMs: 1_000 + i }), { leaderEpoch: 1 });
      if (i === 19) log.flush();
    }
    const recoveryPoint = log.recoveryPoint;
    expect(recoveryPoint).toBe(20);
    log.abandon();
    return { recoveryPoint };
  }

  function offsetsIn(log: PartitionLog): number[] {
    const out: number[] = [];
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const batches = summarize(log.read(offset, 10_000).records);
      out.push(...batches.map((b) => b.baseOffset));
      offset = batches.at(-1)!.lastOffset + 1;
    }
    return out;
  }

  it('truncates a torn tail at a random byte to the last whole batch and counts it', () => {
    let seed = 7;
    for (let round = 0; round < 8; round++) {
      crashedLog();
      const last = fixture.segmentFiles().at(-1)!;
      const size = statSync(last).size;
      seed = (seed * 48271) % 2147483647;
      const cut = 1 + (seed % (size - 1));
      truncateSync(last, cut);
      const log = fixture.open();
      const wholeBatches = Math.floor(cut / BATCH_BYTES);
      const base = Number(last.slice(-24, -4));
      expect(log.logEndOffset).toBe(base + wholeBatches);
      const torn = cut % BATCH_BYTES !== 0;
      expect(log.stats.recoveryTruncations).toBe(torn ? 1 : 0);
      expect(log.stats.recoveryTruncatedBytes).toBe(cut - wholeBatches * BATCH_BYTES);
      if (torn) expect(fixture.logger.lines.some((l) => l.level === 'warn' && /truncated/.test(l.message))).toBe(true);
      expect(offsetsIn(log)).toEqual([...Array(base + wholeBatches).keys()]);
      log.append(makeBatch(), { leaderEpoch: 1 });
      log.truncateFullyAndStartAt(0);
      log.close();
      for (const file of fixture.segmentFiles()) unlinkSync(file);
    }
  });

  it('truncates from a corrupt batch after the recovery point, deleting later segments', () => {
    crashedLog();
    const files = fixture.segmentFiles();
    // Offset 25 lives in the third segment; corrupt a payload byte of its batch.
    const holder = files.find((file) => fixture.batchesOf(file).some((b) => b.baseOffset === 25))!;
    const batch = fixture.batchesOf(holder).find((b) => b.baseOffset === 25)!;
    const bytes = readFileSync(holder);
    bytes[batch.position + 100]! ^= 0x01;
    writeFileSync(holder, bytes);
    const log = fixture.open();
    expect(log.logEndOffset).toBe(25);
    expect(log.stats.recoveryTruncations).toBe(1);
    expect(log.stats.recoveryDeletedSegments).toBeGreaterThan(0);
    expect(offsetsIn(log)).toEqual([...Array(25).keys()]);
    expect(log.append(makeBatch(), { leaderEpoch: 1 }).firstOffset).toBe(25);
    log.close();
    expect(checkLogDirectory(fixture.dir).ok).toBe(true);
  });

  it('refuses to open when a batch before the recovery point is corrupt, naming file and byte', () => {
    crashedLog();
    const files = fixture.segmentFiles();
    const holder = files.find((file) => fixture.batchesOf(file).some((b) => b.baseOffset === 18))!;
    const batch = fixture.batchesOf(holder).find((b) => b.baseOffset === 18)!;
    const bytes = readFileSync(holder);
    bytes[batch.position + 90]! ^= 0x80;
    writeFileSync(holder, bytes);
    let error: unknown;
    try {
      fixture.open();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CorruptLogError);
    const corrupt = error as CorruptLogError;
    expect(corrupt.file).toBe(holder);
    expect(corrupt.position).toBe(batch.position + 17); // the CRC field of the damaged batch
    expect(corrupt.message).toMatch(/CRC/);
  });

  it('verifyOnOpen "all" refuses corruption in segments recovery would not scan', () => {
    crashedLog();
    const first = fixture.segmentFiles()[0]!;
    const bytes = readFileSync(first);
    bytes[BATCH_BYTES + 70]! ^= 0x10;
    writeFileSync(first, bytes);
    const log = fixture.open();
    log.abandon();
    expect(() => fixture.open({ verifyOnOpen: 'all' })).toThrow(CorruptLogError);
  });

  it('refuses to open when flushed data is missing (log ends before the recovery point)', () => {
    const log = fixture.open();
    for (let i = 0; i < 30; i++) log.append(makeBatch({ payloadBytes: 100 }), { leaderEpoch: 1 });
    log.close();
    const files = fixture.segmentFiles();
    unlinkSync(files.at(-1)!);
    expect(() => fixture.open()).toThrow(/before the recovery point/);
  });

  it('rebuilds deleted, garbled and misleading indexes of closed segments', () => {
    const log = fixture.open();
    for (let i = 0; i < 40; i++)
      log.append(makeBatch({ payloadBytes: 100, maxTimestampMs: 1_000 + i }), { leaderEpoch: 1 });
    log.close();
    const [first, second, third] = fixture.segmentFiles();
    unlinkSync(first!.replace('.log', '.index'));
    writeFileSync(second!.replace('.log', '.timeindex'), Buffer.from('garbage!!'));
    // Structurally fine but pointing at the wrong batches: swap two entries' positions.
    const indexPath = third!.replace('.log', '.index');
    const index = readFileSync(indexPath);
    expect(index.length).toBeGreaterThanOrEqual(16);
    const p0 = index.readInt32BE(4);
    index.writeInt32BE(p0 - BATCH_BYTES, 4);
    writeFileSync(indexPath, index);
    expect(checkLogDirectory(fixture.dir).ok).toBe(false);

    const reopened = fixture.open();
    expect(offsetsIn(reopened)).toEqual([...Array(40).keys()]);
    for (let offset = 0; offset < 40; offset++) expect(reopened.read(offset, 1).firstOffset).toBe(offset);
    expect(reopened.offsetForTimestamp(1_015)?.offset).toBe(15);
    expect(reopened.stats.indexRebuilds).toBe(3);
    expect(existsSync(first!.replace('.log', '.index'))).toBe(true);
    reopened.close();
    const report = checkLogDirectory(fixture.dir);
    expect(report.problems).toEqual([]);
  });

  it('rebuilds the active segment index after an unclean shutdown and resumes it after a clean one', () => {
    const log = fixture.open();
    for (let i = 0; i < 15; i++) log.append(makeBatch({ payloadBytes: 100 }), { leaderEpoch: 1 });
    log.close();
    const clean = fixture.open();
    expect(clean.stats.cleanShutdown).toBe(true);
    expect(clean.stats.recoveryScannedBytes).toBeLessThan(BATCH_BYTES * 3);
    for (let i = 0; i < 5; i++) clean.append(makeBatch({ payloadBytes: 100 }), { leaderEpoch: 1 });
    clean.abandon();
    const active = fixture.segmentFiles().at(-1)!;
    writeFileSync(active.replace('.log', '.index'), Buffer.alloc(5));
    const unclean = fixture.open();
    expect(unclean.stats.cleanShutdown).toBe(false);
    expect(unclean.logEndOffset).toBe(20);
    expect(offsetsIn(unclean)).toEqual([...Array(20).keys()]);
    unclean.close();
    expect(checkLogDirectory(fixture.dir).problems).toEqual([]);
  });
});
