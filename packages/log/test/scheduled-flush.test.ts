/**
 * Scheduled flushing (a broker's): fdatasync off the event loop through `flushAsync`, flush on
 * roll through `flushDue`, checkpoints written on the host's cadences, and the fsync journal
 * that lets a power-loss test drop every byte that was never made durable. Also measures how
 * much a crash makes recovery rescan, with and without flushing on roll.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultLogConfig,
  dropUnsyncedBytes,
  durableLengths,
  FsyncJournal,
  LogResources,
  nodeLogFiles,
  PartitionLog,
  readJournal,
  type LogConfig,
  type LogFiles,
} from '@sluice/log';
import { FakeClock, makeBatch, summarize, tempDir } from './helpers';

const small: LogConfig = { ...defaultLogConfig, segmentBytes: 1024, indexIntervalBytes: 100 };

/** A LogFiles whose async syncs wait until the test releases them. */
class GatedFiles implements LogFiles {
  private readonly waiting: (() => void)[] = [];
  gated = false;
  create = nodeLogFiles.create;
  sync = nodeLogFiles.sync;
  syncDirectory = nodeLogFiles.syncDirectory;
  syncDirectoryAsync = nodeLogFiles.syncDirectoryAsync;
  truncate = nodeLogFiles.truncate;
  rename = nodeLogFiles.rename;
  remove = nodeLogFiles.remove;
  async syncAsync(path: string): Promise<void> {
    if (this.gated) await new Promise<void>((release) => this.waiting.push(release));
    await nodeLogFiles.syncAsync(path);
  }
  get pending(): number {
    return this.waiting.length;
  }
  release(): void {
    this.gated = false;
    for (const release of this.waiting.splice(0)) release();
  }
}

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
};

describe('scheduled flushing', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: FakeClock;
  let resources: LogResources;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new FakeClock();
    resources = new LogResources({ indexCacheBytes: 4096, maxOpenSegmentFiles: 2 });
  });
  afterEach(() => {
    resources.close();
    cleanup();
  });

  const open = (options: { config?: LogConfig; files?: LogFiles } = {}): PartitionLog =>
    PartitionLog.open({ dir, clock, resources, config: options.config ?? small, flushing: 'scheduled', ...options });

  it('never syncs on the append path; flushDue names the log end for flush.messages and the roll point after a roll', async () => {
    const log = open({ config: { ...small, flushMessages: 2 } });
    log.append(makeBatch({ records: 1 }), { leaderEpoch: 0 });
    expect(log.flushDue()).toBeNull();
    log.append(makeBatch({ records: 1 }), { leaderEpoch: 0 });
    expect(log.stats.flushes).toBe(0);
    expect(log.recoveryPoint).toBe(0);
    expect(log.flushDue()).toBe(2);
    expect(await log.flushAsync(log.flushDue()!)).toBe(true);
    expect(log.recoveryPoint).toBe(2);
    expect(log.flushDue()).toBeNull();

    const rolling = PartitionLog.open({ dir: join(dir, 'r'), clock, resources, config: small, flushing: 'scheduled' });
    for (let i = 0; i < 12; i++) rolling.append(makeBatch({ payloadBytes: 200 }), { leaderEpoch: 0 });
    const activeBase = rolling.segmentBaseOffsets().at(-1)!;
    expect(rolling.segmentCount).toBeGreaterThan(2);
    expect(rolling.flushDue()).toBe(activeBase);
    expect(await rolling.flushAsync(activeBase)).toBe(true);
    expect(rolling.recoveryPoint).toBe(activeBase);
    expect(rolling.flushDue()).toBeNull();
    rolling.close();
    log.close();
  });

  it('covers only what was appended before it began, and syncs off the event loop', async () => {
    const files = new GatedFiles();
    const log = open({ files });
    log.append(makeBatch({ records: 3 }), { leaderEpoch: 0 });
    files.gated = true;
    const flushing = log.flushAsync();
    await until(() => files.pending > 0);
    // The event loop is free meanwhile: reads and appends go on.
    log.append(makeBatch({ records: 2 }), { leaderEpoch: 0 });
    expect(summarize(log.read(0, 1 << 20).records)).toHaveLength(2);
    files.release();
    expect(await flushing).toBe(true);
    expect(log.recoveryPoint).toBe(3);
    // A second call flushes the rest.
    expect(await log.flushAsync()).toBe(true);
    expect(log.recoveryPoint).toBe(5);
    expect(log.stats.flushes).toBe(2);
    log.close();
  });

  it('gives up a flush that a truncation overtook, and a checkpoint write that a synchronous one overtook', async () => {
    const files = new GatedFiles();
    const log = open({ files });
    log.append(makeBatch({ records: 10 }), { leaderEpoch: 0 });
    log.append(makeBatch({ records: 10 }), { leaderEpoch: 0 });
    files.gated = true;
    const flushing = log.flushAsync();
    await until(() => files.pending > 0);
    log.truncateTo(10);
    log.append(makeBatch({ records: 10 }), { leaderEpoch: 1 });
    files.release();
    expect(await flushing).toBe(false);
    expect(log.recoveryPoint).toBe(0);
    expect(log.stats.flushesDiscarded).toBe(1);

    expect(await log.flushAsync()).toBe(true);
    expect(log.recoveryPoint).toBe(20);
    expect(log.checkpointsTrail.recoveryPoint).toBe(true);
    files.gated = true;
    const checkpointing = log.checkpointRecoveryPoint();
    await until(() => files.pending > 0);
    // A truncation lowers the checkpoint synchronously; the scheduled write must not raise it again.
    log.truncateTo(10);
    files.release();
    expect(await checkpointing).toBe(false);
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n1\n10\n');
    log.append(makeBatch({ records: 5 }), { leaderEpoch: 2 });
    await log.flushAsync();
    expect(await log.checkpointRecoveryPoint()).toBe(true);
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n1\n15\n');
    expect(log.checkpointsTrail.recoveryPoint).toBe(false);
    log.close();
  });

  it('lets the log start offset checkpoint trail until checkpointLogStartOffset, and writes it at close', async () => {
    const log = open();
    for (let i = 0; i < 6; i++) log.append(makeBatch({ records: 2 }), { leaderEpoch: 0 });
    log.advanceLogStartOffset(4);
    expect(log.logStartOffset).toBe(4);
    expect(log.checkpointsTrail.logStartOffset).toBe(true);
    expect(await log.checkpointLogStartOffset()).toBe(true);
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\n4\n');
    log.advanceLogStartOffset(6);
    log.close();
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\n6\n');
    const reopened = open();
    expect(reopened.logStartOffset).toBe(6);
    reopened.close();
  });
});

describe('the fsync journal', () => {
  let dir: string;
  let cleanup: () => void;

  beforeEach(() => ({ dir, cleanup } = tempDir('sluice-journal-')));
  afterEach(() => cleanup());

  it('replays creates, syncs, cuts, renames and removes into durable lengths', () => {
    expect(
      durableLengths([
        { op: 'create', path: 'a' },
        { op: 'sync', path: 'a', sizeBytes: 10 },
        { op: 'create', path: 'b' },
        { op: 'rename', from: 'a', to: 'c' },
        { op: 'truncate', path: 'c', sizeBytes: 4 },
        { op: 'create', path: 'd' },
        { op: 'remove', path: 'd' },
        { op: 'rename', from: 'unknown', to: 'b' },
      ]),
    ).toEqual(
      new Map([
        ['c', 4],
        // 'b' was replaced by a file the journal never saw: durable as it is.
      ]),
    );
  });

  it('drops every byte not fsynced: a crashed log reopens at exactly its flushed prefix, with nothing corrupt', async () => {
    const journalPath = join(dir, 'journal');
    const logDir = join(dir, 'p-0');
    const clock = new FakeClock();
    const resources = new LogResources({ indexCacheBytes: 1 << 20, maxOpenSegmentFiles: 8 });
    const journal = new FsyncJournal(journalPath);
    const log = PartitionLog.open({
      dir: logDir,
      clock,
      resources,
      config: small,
      flushing: 'scheduled',
      files: journal,
    });
    for (let i = 0; i < 20; i++) log.append(makeBatch({ payloadBytes: 100, fill: i }), { leaderEpoch: 0 });
    await log.flushAsync();
    const flushed = log.recoveryPoint;
    expect(flushed).toBe(20);
    for (let i = 20; i < 35; i++) log.append(makeBatch({ payloadBytes: 100, fill: i }), { leaderEpoch: 0 });
    // A crash: fds released, nothing flushed or marked clean; then the power cut.
    log.abandon();
    journal.close();
    const sizesBefore = log
      .segmentBaseOffsets()
      .map((base) => statSync(join(logDir, `${String(base).padStart(20, '0')}.log`)).size);
    expect(readJournal(journalPath).length).toBeGreaterThan(0);
    const dropped = dropUnsyncedBytes(journalPath);
    expect(dropped.bytes).toBeGreaterThan(0);
    const reopened = PartitionLog.open({ dir: logDir, clock, resources, config: small });
    // The rolled segments behind the flushed one came back empty: recovery ends the log at the
    // flushed data instead of leaving a hole below an end offset taken from the last file's name.
    expect(reopened.logEndOffset).toBe(flushed);
    expect(reopened.stats.recoveryDeletedSegments).toBeGreaterThan(0);
    expect(summarize(reopened.read(0, 1 << 20).records).length).toBeGreaterThan(0);
    let next = reopened.logStartOffset;
    while (next < reopened.logEndOffset) {
      const read = reopened.read(next, 1 << 20);
      for (const batch of summarize(read.records)) expect(batch.fill).toBe(batch.baseOffset);
      next = read.lastOffset! + 1;
    }
    expect(sizesBefore.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    reopened.close();
    resources.close();
  });
});

describe('how much a crash makes recovery rescan', () => {
  let dir: string;
  let cleanup: () => void;

  beforeEach(() => ({ dir, cleanup } = tempDir('sluice-rescan-')));
  afterEach(() => cleanup());

  it('rescans every segment written since the last clean close without flush on roll, only the active one with it', async () => {
    const clock = new FakeClock();
    const resources = new LogResources({ indexCacheBytes: 1 << 20, maxOpenSegmentFiles: 8 });
    const config: LogConfig = { ...defaultLogConfig, segmentBytes: 64 * 1024, indexIntervalBytes: 4096 };
    const scannedAfterCrash = async (flushOnRoll: boolean): Promise<{ scanned: number; total: number }> => {
      const logDir = join(dir, flushOnRoll ? 'with' : 'without');
      const log = PartitionLog.open({ dir: logDir, clock, resources, config, flushing: 'scheduled' });
      for (let i = 0; i < 1_000; i++) {
        log.append(makeBatch({ records: 4, payloadBytes: 1_000 }), { leaderEpoch: 0 });
        // What the broker's shell does after each append: a due flush runs off the event loop,
        // and the recovery-point checkpoint follows on its cadence.
        const due = log.flushDue();
        if (flushOnRoll && due !== null) {
          await log.flushAsync(due);
          await log.checkpointRecoveryPoint();
        }
      }
      const total = log.sizeBytes;
      log.abandon();
      const reopened = PartitionLog.open({ dir: logDir, clock, resources, config });
      const scanned = reopened.stats.recoveryScannedBytes;
      reopened.close();
      return { scanned, total };
    };
    const before = await scannedAfterCrash(false);
    const after = await scannedAfterCrash(true);
    process.stdout.write(
      `recovery rescan after a crash, ${before.total} bytes in 64 KiB segments: ` +
        `${before.scanned} bytes without flush on roll, ${after.scanned} with it\n`,
    );
    expect(before.scanned).toBe(before.total);
    expect(after.scanned).toBeLessThanOrEqual(config.segmentBytes);
    expect(after.scanned).toBeLessThan(before.scanned / 10);
    resources.close();
  });
});
