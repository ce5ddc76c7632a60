import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkLogDirectory,
  defaultLogConfig,
  FencedLeaderEpochError,
  InvalidRecordBatchError,
  LogClosedError,
  LogResources,
  OffsetOutOfRangeError,
  OffsetsOutOfOrderError,
  PartitionLog,
  RecordBatchTooLargeError,
  RecordTooLargeError,
  UnexpectedAppendOffsetError,
  type LogConfig,
} from '@sluice/log';
import { CorruptRecordError } from '@sluice/protocol';
import { FakeClock, makeBatch, summarize, tempDir } from './helpers';

// Checkpoint on every flush: these tests read the recovery-point file right after flushing.
const small: LogConfig = {
  ...defaultLogConfig,
  segmentBytes: 1024,
  indexIntervalBytes: 100,
  recoveryPointCheckpointIntervalMs: 0,
};

describe('PartitionLog', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: FakeClock;
  let resources: LogResources;
  const open = (config: LogConfig = small): PartitionLog => PartitionLog.open({ dir, config, clock, resources });

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new FakeClock();
    resources = new LogResources({ indexCacheBytes: 4096, maxOpenSegmentFiles: 2 });
  });
  afterEach(() => {
    resources.close();
    cleanup();
  });

  it('assigns offsets from the log end offset and stamps the leader epoch in place', () => {
    const log = open();
    const input = Buffer.concat([makeBatch({ records: 3, baseOffset: 77 }), makeBatch({ records: 2, baseOffset: 5 })]);
    const info = log.append(input, { leaderEpoch: 4 });
    expect(info).toMatchObject({ firstOffset: 0, lastOffset: 4, batchCount: 2, recordCount: 5, logEndOffset: 5 });
    expect(summarize(input).map((b) => [b.baseOffset, b.leaderEpoch])).toEqual([
      [0, 4],
      [3, 4],
    ]);
    const second = log.append(makeBatch({ records: 1 }), { leaderEpoch: 4 });
    expect(second.firstOffset).toBe(5);
    const read = log.read(0, 1 << 20);
    expect(summarize(read.records).map((b) => b.baseOffset)).toEqual([0, 3, 5]);
    expect(log.epochEntries()).toEqual([{ epoch: 4, startOffset: 0 }]);
    log.close();
  });

  it('rejects invalid appends with named errors and changes nothing', () => {
    const log = open();
    log.append(makeBatch(), { leaderEpoch: 1 });
    const good = makeBatch();
    const corrupt = makeBatch();
    corrupt[corrupt.length - 1]! ^= 0xff;
    expect(() => log.append(Buffer.concat([good, corrupt]), { leaderEpoch: 1 })).toThrow(CorruptRecordError);
    expect(() => log.append(Buffer.concat([good, good.subarray(0, 30)]), { leaderEpoch: 1 })).toThrow(
      CorruptRecordError,
    );
    const mismatched = makeBatch({ records: 2 });
    mismatched.writeInt32BE(5, 57); // record count no longer matches last offset delta (CRC recomputed below)
    const { crc32c } = jest.requireActual('@sluice/protocol');
    mismatched.writeUInt32BE(crc32c(mismatched.subarray(21)), 17);
    expect(() => log.append(mismatched, { leaderEpoch: 1 })).toThrow(InvalidRecordBatchError);
    expect(() => log.append(makeBatch({ payloadBytes: 600 }), { leaderEpoch: 0 })).toThrow(FencedLeaderEpochError);
    expect(() => log.append(Buffer.alloc(0), { leaderEpoch: 1 })).toThrow(InvalidRecordBatchError);
    const tooLargeForSegment = Buffer.concat([makeBatch({ payloadBytes: 600 }), makeBatch({ payloadBytes: 600 })]);
    expect(() => log.append(tooLargeForSegment, { leaderEpoch: 1 })).toThrow(RecordBatchTooLargeError);
    const limited = { ...small, maxMessageBytes: 100 };
    log.close();
    const log2 = open(limited);
    expect(() => log2.append(makeBatch({ payloadBytes: 100 }), { leaderEpoch: 1 })).toThrow(RecordTooLargeError);
    expect(log2.logEndOffset).toBe(1);
    expect(log2.sizeBytes).toBe(good.length);
    log2.close();
  });

  it('with crcVerified (the caller checked the CRCs) still refuses every other invalid append', () => {
    const log = open();
    const mismatched = makeBatch({ records: 2 });
    mismatched.writeInt32BE(5, 57); // record count no longer matches last offset delta
    expect(() => log.append(mismatched, { leaderEpoch: 1, crcVerified: true })).toThrow(InvalidRecordBatchError);
    expect(() => log.append(makeBatch().subarray(0, 30), { leaderEpoch: 1, crcVerified: true })).toThrow(
      CorruptRecordError,
    );
    expect(log.logEndOffset).toBe(0);
    const info = log.append(makeBatch({ records: 3, fill: 4 }), { leaderEpoch: 1, crcVerified: true });
    expect(info).toMatchObject({ firstOffset: 0, lastOffset: 2, recordCount: 3 });
    // The stamped batch's CRC still holds: the CRC covers neither base offset nor leader epoch.
    expect(summarize(log.read(0, 1 << 20).records)).toEqual([expect.objectContaining({ baseOffset: 0, fill: 4 })]);
    log.close();
  });

  it('follower appends keep offsets, must start at or after the end and never go back (gaps allowed)', () => {
    const log = open();
    expect(log.appendAsFollower(Buffer.alloc(0))).toBeNull();
    log.appendAsFollower(
      Buffer.concat([
        makeBatch({ baseOffset: 0, records: 2, leaderEpoch: 1 }),
        makeBatch({ baseOffset: 2, leaderEpoch: 3 }),
      ]),
    );
    expect(log.logEndOffset).toBe(3);
    expect(log.epochEntries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 2 },
    ]);
    expect(() => log.appendAsFollower(makeBatch({ baseOffset: 2 }))).toThrow(UnexpectedAppendOffsetError);
    expect(() =>
      log.appendAsFollower(Buffer.concat([makeBatch({ baseOffset: 3, records: 2 }), makeBatch({ baseOffset: 4 })])),
    ).toThrow(OffsetsOutOfOrderError);
    expect(log.logEndOffset).toBe(3);
    log.appendAsFollower(makeBatch({ baseOffset: 10, records: 2, leaderEpoch: 3 }));
    expect(log.logEndOffset).toBe(12);
    expect(summarize(log.read(4, 1000).records).map((b) => b.baseOffset)).toEqual([10]);
    // A compacted leader's batches skip removed offsets inside one fetch response too.
    log.appendAsFollower(
      Buffer.concat([makeBatch({ baseOffset: 12, leaderEpoch: 3 }), makeBatch({ baseOffset: 15, leaderEpoch: 3 })]),
    );
    expect(log.logEndOffset).toBe(16);
    log.close();
  });

  it('truncation into an offset gap at a segment end never leaves the end above the target', () => {
    const log = open({ ...small, segmentBytes: 100 });
    log.appendAsFollower(makeBatch({ baseOffset: 0, leaderEpoch: 1 }));
    log.appendAsFollower(makeBatch({ baseOffset: 5, leaderEpoch: 1 })); // rolls: a segment based at 5
    expect(log.segmentBaseOffsets()).toEqual([0, 5]);
    expect(log.truncateTo(3)).toBe(true);
    expect(log.logEndOffset).toBe(1);
    expect(log.segmentBaseOffsets()).toEqual([0]);
    expect(log.appendAsFollower(makeBatch({ baseOffset: 1, leaderEpoch: 2 }))!.firstOffset).toBe(1);
    log.close();
  });

  it('reads whole batches up to maxBytes, at least one batch, and up to maxOffset', () => {
    const log = open({ ...small, segmentBytes: 1 << 20 });
    for (let i = 0; i < 10; i++) log.append(makeBatch({ records: 2, payloadBytes: 39, fill: i }), { leaderEpoch: 0 }); // 100 bytes each
    expect(summarize(log.read(0, 250).records).map((b) => b.baseOffset)).toEqual([0, 2]);
    expect(summarize(log.read(5, 10).records).map((b) => b.baseOffset)).toEqual([4]);
    expect(summarize(log.read(5, 1000, { maxOffset: 10 }).records).map((b) => b.baseOffset)).toEqual([4, 6, 8]);
    expect(log.read(5, 1000, { maxOffset: 5 }).batchCount).toBe(0);
    expect(log.read(20, 1000).batchCount).toBe(0);
    expect(() => log.read(21, 1000)).toThrow(OffsetOutOfRangeError);
    expect(() => log.read(-1, 1000)).toThrow(OffsetOutOfRangeError);
    expect(summarize(log.read(19, 1000).records).map((b) => b.fill)).toEqual([9]);
    log.close();
  });

  it('rolls on segment.bytes, segment.ms and explicit roll, naming files by base offset', () => {
    const log = open({ ...small, segmentBytes: 250, segmentMs: 60_000 });
    for (let i = 0; i < 5; i++) log.append(makeBatch({ payloadBytes: 39 }), { leaderEpoch: 0 });
    expect(log.segmentBaseOffsets()).toEqual([0, 2, 4]);
    clock.advance(60_000);
    log.append(makeBatch({ payloadBytes: 39 }), { leaderEpoch: 0 });
    expect(log.segmentBaseOffsets()).toEqual([0, 2, 4, 5]);
    log.roll();
    log.roll(); // empty active: no-op
    expect(log.segmentBaseOffsets()).toEqual([0, 2, 4, 5, 6]);
    expect(existsSync(join(dir, '00000000000000000002.log'))).toBe(true);
    expect(existsSync(join(dir, '00000000000000000002.index'))).toBe(true);
    expect(existsSync(join(dir, '00000000000000000002.timeindex'))).toBe(true);
    for (let offset = 0; offset < 6; offset++) expect(log.read(offset, 1).firstOffset).toBe(offset);
    log.close();
    const reopened = open({ ...small, segmentBytes: 250 });
    expect(reopened.segmentBaseOffsets()).toEqual([0, 2, 4, 5, 6]);
    expect(reopened.logEndOffset).toBe(6);
    reopened.close();
  });

  it('finds offsets by timestamp with Kafka semantics (batch offset, null when none)', () => {
    const log = open({ ...small, segmentBytes: 400 });
    const timestamps = [100, 300, 200, 500, 400, 900, 600];
    for (const ts of timestamps)
      log.append(makeBatch({ records: 2, payloadBytes: 39, maxTimestampMs: ts }), { leaderEpoch: 0 });
    expect(log.segmentCount).toBeGreaterThan(1);
    const expectFor = (ts: number): number | null => {
      const index = timestamps.findIndex((t) => t >= ts);
      return index < 0 ? null : index * 2;
    };
    for (const ts of [0, 100, 101, 250, 300, 301, 450, 500, 501, 600, 899, 900, 901]) {
      expect(log.offsetForTimestamp(ts)?.offset ?? null).toBe(expectFor(ts));
    }
    log.close();
  });

  it('a reopened active segment remembers its largest timestamp when later batches are older', () => {
    // Found by the model test (seed -1978811688): the last batch is older than an earlier one.
    const config = { ...small, indexIntervalBytes: 0 };
    let log = open(config);
    log.append(
      Buffer.concat([
        makeBatch({ baseOffset: 0, maxTimestampMs: 1001 }),
        makeBatch({ baseOffset: 1, maxTimestampMs: 1000 }),
      ]),
      { leaderEpoch: 0 },
    );
    log.close();
    log = open(config);
    expect(log.offsetForTimestamp(1001)).toEqual({ offset: 0, timestampMs: 1001 });
    log.close();
  });

  it('closed logs refuse operations', () => {
    const log = open();
    log.close();
    expect(() => log.append(makeBatch(), { leaderEpoch: 0 })).toThrow(LogClosedError);
    expect(() => log.read(0, 1)).toThrow(LogClosedError);
  });

  it('writes Kafka-format checkpoints', () => {
    const log = open();
    log.append(makeBatch({ records: 5 }), { leaderEpoch: 2 });
    log.append(makeBatch({ records: 1 }), { leaderEpoch: 7 });
    log.flush();
    expect(readFileSync(join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n2 0\n7 5\n');
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n1\n6\n');
    log.close();
  });

  it('checkpoints new epochs at the next flush, not on the append path; a crash before it rebuilds them', () => {
    const epochFile = join(dir, 'leader-epoch-checkpoint');
    let log = open();
    log.append(makeBatch({ records: 2 }), { leaderEpoch: 3 });
    expect(existsSync(epochFile)).toBe(false);
    log.flush();
    expect(readFileSync(epochFile, 'utf8')).toBe('0\n1\n3 0\n');
    log.append(makeBatch({ records: 1 }), { leaderEpoch: 4 });
    expect(readFileSync(epochFile, 'utf8')).toBe('0\n1\n3 0\n');
    log.abandon(); // crash: epoch 4 lies above the recovery point
    log = open();
    expect(log.epochEntries()).toEqual([
      { epoch: 3, startOffset: 0 },
      { epoch: 4, startOffset: 2 },
    ]);
    log.append(makeBatch({ records: 1 }), { leaderEpoch: 5 });
    log.close(); // a clean close checkpoints what the clean open will not rescan
    expect(readFileSync(epochFile, 'utf8')).toBe('0\n3\n3 0\n4 2\n5 3\n');
    log = open();
    expect(log.epochEntries().map((entry) => entry.epoch)).toEqual([3, 4, 5]);
    log.close();
  });

  it('does not rewrite the epoch checkpoint when only the log start moves; a reopen trims it to the same epochs', () => {
    const epochFile = join(dir, 'leader-epoch-checkpoint');
    let log = open();
    log.append(makeBatch({ records: 2 }), { leaderEpoch: 3 });
    log.append(makeBatch({ records: 2 }), { leaderEpoch: 4 });
    log.append(makeBatch({ records: 2 }), { leaderEpoch: 4 });
    log.flush();
    expect(readFileSync(epochFile, 'utf8')).toBe('0\n2\n3 0\n4 2\n');
    // Moving the start was a synchronous write and fdatasync per deleted segment on every replica.
    log.advanceLogStartOffset(3);
    expect(log.epochEntries()).toEqual([{ epoch: 4, startOffset: 3 }]);
    expect(readFileSync(epochFile, 'utf8')).toBe('0\n2\n3 0\n4 2\n');
    log.abandon(); // crash: the file still names the older starts
    log = open();
    expect(log.epochEntries()).toEqual([{ epoch: 4, startOffset: 3 }]);
    log.advanceLogStartOffset(4);
    log.close(); // a clean close writes what the start moved
    expect(readFileSync(epochFile, 'utf8')).toBe('0\n1\n4 4\n');
    log = open();
    expect(log.epochEntries()).toEqual([{ epoch: 4, startOffset: 4 }]);
    log.close();
  });
});

describe('PartitionLog durability, retention, truncation and checking', () => {
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

  it('rewrites the recovery checkpoint only every log.flush.offset.checkpoint.interval.ms; a crash keeps flushed data', () => {
    const config = { ...small, recoveryPointCheckpointIntervalMs: 5_000 };
    const checkpoint = (): string => readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8');
    const log = PartitionLog.open({ dir, clock, resources, config });
    log.append(makeBatch({ records: 3, fill: 1 }), { leaderEpoch: 0 });
    clock.advance(5_000);
    log.flush();
    expect(checkpoint()).toBe('0\n1\n3\n');
    log.append(makeBatch({ records: 2, fill: 2 }), { leaderEpoch: 0 });
    log.flush();
    expect(log.recoveryPoint).toBe(5);
    expect(checkpoint()).toBe('0\n1\n3\n'); // trails the flushed offset until the interval passes
    clock.advance(4_999);
    expect(log.maybeFlush()).toBe(false);
    expect(checkpoint()).toBe('0\n1\n3\n');
    log.append(makeBatch({ records: 1, fill: 3 }), { leaderEpoch: 0 });
    log.flush();
    log.abandon(); // crash: no close, no clean-shutdown marker

    const reopened = PartitionLog.open({ dir, clock, resources, config });
    expect(reopened.logEndOffset).toBe(6);
    expect(summarize(reopened.read(0, 1 << 20).records).map((b) => [b.baseOffset, b.fill])).toEqual([
      [0, 1],
      [3, 2],
      [5, 3],
    ]);
    expect(reopened.stats.recoveryTruncations).toBe(0);
    reopened.append(makeBatch({ records: 1 }), { leaderEpoch: 0 });
    reopened.flush();
    clock.advance(5_000);
    reopened.maybeFlush();
    expect(checkpoint()).toBe('0\n1\n7\n');
    reopened.close();
  });

  it('flushes on flush.messages and flush.ms, and catches up on rolled segments in maybeFlush', () => {
    const log = PartitionLog.open({ dir, clock, resources, config: { ...small, flushMessages: 5, flushMs: 1_000 } });
    log.append(makeBatch({ records: 4 }), { leaderEpoch: 0 });
    expect(log.recoveryPoint).toBe(0);
    log.append(makeBatch({ records: 1 }), { leaderEpoch: 0 });
    expect(log.recoveryPoint).toBe(5);
    log.append(makeBatch({ records: 1 }), { leaderEpoch: 0 });
    clock.advance(999);
    expect(log.maybeFlush()).toBe(false);
    clock.advance(1);
    expect(log.maybeFlush()).toBe(true);
    expect(log.recoveryPoint).toBe(6);
    expect(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n1\n6\n');
    log.close();

    const rolling = PartitionLog.open({ dir, clock, resources, config: { ...small, segmentBytes: 200 } });
    for (let i = 0; i < 4; i++) rolling.append(makeBatch({ payloadBytes: 39 }), { leaderEpoch: 0 });
    expect(rolling.segmentCount).toBeGreaterThan(1);
    expect(rolling.recoveryPoint).toBe(6);
    expect(rolling.maybeFlush()).toBe(true);
    expect(rolling.recoveryPoint).toBe(rolling.segmentBaseOffsets().at(-1));
    rolling.close();
  });

  it('fsyncs every append with flush.messages=1', () => {
    const log = PartitionLog.open({ dir, clock, resources, config: { ...small, flushMessages: 1 } });
    for (let i = 0; i < 3; i++) {
      log.append(makeBatch(), { leaderEpoch: 0 });
      expect(log.recoveryPoint).toBe(log.logEndOffset);
    }
    expect(log.stats.flushes).toBe(3);
    log.close();
  });

  it('retention by time and size deletes closed segments only and moves the log start offset', () => {
    const log = PartitionLog.open({
      dir,
      clock,
      resources,
      config: { ...small, segmentBytes: 250, retentionMs: 10_000 },
    });
    for (let i = 0; i < 6; i++)
      log.append(makeBatch({ payloadBytes: 39, maxTimestampMs: clock.now + i * 1_000 }), { leaderEpoch: i }); // 2 per segment
    expect(log.segmentBaseOffsets()).toEqual([0, 2, 4]);
    expect(log.deleteOldSegments(clock.now + 11_000)).toBe(0);
    expect(log.deleteOldSegments(clock.now + 11_001)).toBe(1);
    expect(log.logStartOffset).toBe(2);
    expect(log.epochEntries()[0]).toEqual({ epoch: 2, startOffset: 2 });
    expect(() => log.read(1, 100)).toThrow(OffsetOutOfRangeError);
    expect(log.deleteOldSegments(clock.now + 10 ** 9)).toBe(1); // never the active segment
    expect(log.segmentBaseOffsets()).toEqual([4]);
    log.close();
    expect(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\n4\n');
    const reopened = PartitionLog.open({
      dir,
      clock,
      resources,
      config: { ...small, segmentBytes: 250, retentionBytes: 200, retentionMs: -1 },
    });
    expect(reopened.logStartOffset).toBe(4);
    for (let i = 0; i < 4; i++) reopened.append(makeBatch({ payloadBytes: 39 }), { leaderEpoch: 9 });
    expect(reopened.deleteOldSegments()).toBe(2);
    expect(reopened.logStartOffset).toBe(8);
    reopened.close();
  });

  it('retention renames a deleted segment to .deleted and unlinks it off the event loop; open removes leftovers', async () => {
    const config = { ...small, segmentBytes: 250, retentionMs: -1, retentionBytes: 0 };
    const log = PartitionLog.open({ dir, clock, resources, config });
    for (let i = 0; i < 6; i++) log.append(makeBatch({ payloadBytes: 39 }), { leaderEpoch: 0 }); // 2 per segment
    const first = join(dir, '00000000000000000000.log');
    expect(existsSync(first)).toBe(true);
    expect(log.deleteOldSegments()).toBe(2);
    // Gone from its name at once (the event loop only renamed it); the unlink follows.
    expect(existsSync(first)).toBe(false);
    for (let waited = 0; readdirSync(dir).some((name) => name.endsWith('.deleted')); waited += 10) {
      expect(waited).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(log.segmentBaseOffsets()).toEqual([4]);
    log.close();
    // A crash between the rename and the unlink: the next open removes what is left.
    const leftover = join(dir, '00000000000000000002.log.deleted');
    writeFileSync(leftover, 'stale');
    const reopened = PartitionLog.open({ dir, clock, resources, config });
    expect(existsSync(leftover)).toBe(false);
    expect(reopened.logStartOffset).toBe(4);
    expect(reopened.segmentBaseOffsets()).toEqual([4]);
    reopened.close();
  });

  it('retention that empties the log keeps the epoch in force at its start until a reopen trims it (as Kafka)', () => {
    const config = { ...small, segmentBytes: 250, retentionMs: 10_000 };
    const log = PartitionLog.open({ dir, clock, resources, config });
    log.append(makeBatch({ payloadBytes: 39, maxTimestampMs: clock.now }), { leaderEpoch: 3 });
    log.roll();
    expect(log.deleteOldSegments(clock.now + 10_001)).toBe(1);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([1, 1]);
    // Kafka's truncateFromStart: the epoch covering the new start moves up to it, batches or not.
    expect(log.epochEntries()).toEqual([{ epoch: 3, startOffset: 1 }]);
    expect(() => log.append(makeBatch(), { leaderEpoch: 2 })).toThrow(FencedLeaderEpochError);
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 1 });
    log.close();
    // Kafka's LogLoader trims epochs starting at or after the log end offset: one without batches goes.
    const reopened = PartitionLog.open({ dir, clock, resources, config });
    expect(reopened.epochEntries()).toEqual([]);
    expect(reopened.append(makeBatch(), { leaderEpoch: 4 }).firstOffset).toBe(1);
    expect(reopened.epochEntries()).toEqual([{ epoch: 4, startOffset: 1 }]);
    reopened.close();
  });

  it('retention with maxOffset (the high watermark) deletes only segments wholly below it', () => {
    const log = PartitionLog.open({
      dir,
      clock,
      resources,
      config: { ...small, segmentBytes: 250, retentionMs: 1_000 },
    });
    for (let i = 0; i < 8; i++)
      log.append(makeBatch({ payloadBytes: 39, maxTimestampMs: clock.now }), { leaderEpoch: 1 }); // 2 per segment
    expect(log.segmentBaseOffsets()).toEqual([0, 2, 4, 6]);
    const later = clock.now + 10_000; // every closed segment is past retention.ms
    expect(log.deleteOldSegments(later, { maxOffset: 0 })).toBe(0);
    expect(log.deleteOldSegments(later, { maxOffset: 3 })).toBe(1); // [0,1] ends below 3; [2,3] does not end below it
    expect(log.logStartOffset).toBe(2);
    expect(log.deleteOldSegments(later, { maxOffset: 4 })).toBe(1); // next base 4 <= 4
    expect(log.logStartOffset).toBe(4);
    expect(log.deleteOldSegments(later, { maxOffset: 4 })).toBe(0);
    // The size rule respects the bound too; without one, all but the active segment go.
    log.updateConfig({ ...log.config, retentionMs: -1, retentionBytes: 0 });
    expect(log.deleteOldSegments(later, { maxOffset: 5 })).toBe(0);
    expect(log.deleteOldSegments(later)).toBe(1);
    expect(log.segmentBaseOffsets()).toEqual([6]);
    expect(log.logStartOffset).toBe(6);
    log.close();
  });

  it('updateConfig applies new retention and roll settings to an open log, keeping index sizes', () => {
    const log = PartitionLog.open({ dir, clock, resources, config: { ...small, segmentBytes: 250, retentionMs: -1 } });
    for (let i = 0; i < 4; i++)
      log.append(makeBatch({ payloadBytes: 39, maxTimestampMs: clock.now }), { leaderEpoch: 1 });
    expect(log.deleteOldSegments(clock.now + 10 ** 9)).toBe(0);
    log.updateConfig({ ...log.config, retentionMs: 1_000, segmentIndexBytes: 4096 });
    expect(log.config.retentionMs).toBe(1_000);
    expect(log.config.segmentIndexBytes).toBe(small.segmentIndexBytes);
    expect(log.deleteOldSegments(clock.now + 10 ** 9)).toBe(1);
    expect(() => log.updateConfig({ ...log.config, retentionMs: -5 })).toThrow();
    log.close();
  });

  it('truncates to an offset (whole batches) with indexes and epoch cache, and fully restarts at an offset', () => {
    const log = PartitionLog.open({
      dir,
      clock,
      resources,
      config: { ...small, segmentBytes: 400, indexIntervalBytes: 0 },
    });
    for (let i = 0; i < 12; i++)
      log.append(makeBatch({ records: 2, payloadBytes: 39, maxTimestampMs: 100 * i }), {
        leaderEpoch: Math.floor(i / 4),
      });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 16 });
    expect(log.truncateTo(13)).toBe(true); // batch [12,13] goes whole
    expect(log.logEndOffset).toBe(12);
    expect(log.epochEntries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 8 },
    ]);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 12 });
    expect(log.endOffsetForEpoch(5)).toBeNull();
    expect(log.offsetForTimestamp(550)).toBeNull();
    expect(log.offsetForTimestamp(500)).toEqual({ offset: 10, timestampMs: 500 });
    expect(log.truncateTo(50)).toBe(false);
    expect(log.append(makeBatch(), { leaderEpoch: 3 }).firstOffset).toBe(12);
    log.close();
    expect(checkLogDirectory(dir).problems).toEqual([]);
    const reopened = PartitionLog.open({ dir, clock, resources, config: small });
    expect(reopened.logEndOffset).toBe(13);
    reopened.truncateFullyAndStartAt(100);
    expect([reopened.logStartOffset, reopened.logEndOffset, reopened.segmentBaseOffsets()]).toEqual([100, 100, [100]]);
    expect(reopened.epochEntries()).toEqual([]);
    expect(reopened.append(makeBatch(), { leaderEpoch: 4 }).firstOffset).toBe(100);
    reopened.abandon();
    const again = PartitionLog.open({ dir, clock, resources, config: small });
    expect([again.logStartOffset, again.logEndOffset]).toEqual([100, 101]);
    again.close();
  });

  it('starts from remote storage: leader epochs restored into an empty log, a producer snapshot kept while it joins the log', () => {
    const log = PartitionLog.open({ dir, clock, resources, config: small });
    log.truncateFullyAndStartAt(100);
    // Epochs as of offset 99 (a remote checkpoint): the one covering the start moves up to it.
    log.restoreLeaderEpochs([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 40 },
      { epoch: 5, startOffset: 120 }, // past the start: not restored
    ]);
    expect(log.epochEntries()).toEqual([{ epoch: 3, startOffset: 100 }]);
    expect(log.latestEpoch()).toBe(3);
    expect(log.producerSnapshot()).toBeNull();
    log.writeProducerSnapshot(99, '{"state":1}');
    expect(log.producerSnapshot()).toEqual({ endOffset: 99, payload: '{"state":1}' });
    // A new epoch appended at the start replaces the restored one there, as on the leader.
    log.appendAsFollower(makeBatch({ baseOffset: 100, records: 4, leaderEpoch: 4 }));
    expect(log.epochEntries()).toEqual([{ epoch: 4, startOffset: 100 }]);
    log.close();
    const reopened = PartitionLog.open({ dir, clock, resources, config: small });
    expect(reopened.epochEntries()).toEqual([{ epoch: 4, startOffset: 100 }]);
    expect(reopened.producerSnapshot()).toEqual({ endOffset: 99, payload: '{"state":1}' });
    // Only into an empty log; an invalid end is refused and changes nothing.
    expect(() => reopened.restoreLeaderEpochs([{ epoch: 9, startOffset: 100 }])).toThrow(/empty log/);
    expect(() => reopened.writeProducerSnapshot(50, 'x')).toThrow(/producer snapshot end 50/);
    expect(reopened.producerSnapshot()).toEqual({ endOffset: 99, payload: '{"state":1}' });
    // A damaged file is no snapshot (and no failure).
    const snapshotFile = join(dir, 'producer-snapshot-checkpoint');
    const kept = readFileSync(snapshotFile);
    writeFileSync(snapshotFile, 'garbage');
    expect(reopened.producerSnapshot()).toBeNull();
    writeFileSync(snapshotFile, kept);
    // Once the log start moves past it, the snapshot no longer joins the log.
    reopened.advanceLogStartOffset(102);
    expect(reopened.producerSnapshot()).toBeNull();
    // A truncation below its end, or a start over, removes it.
    reopened.writeProducerSnapshot(102, 'y');
    expect(reopened.producerSnapshot()?.payload).toBe('y');
    reopened.truncateTo(102);
    expect(reopened.producerSnapshot()).toBeNull();
    reopened.truncateFullyAndStartAt(500);
    reopened.writeProducerSnapshot(499, 'z');
    expect(reopened.producerSnapshot()?.payload).toBe('z');
    reopened.truncateFullyAndStartAt(600);
    expect(existsSync(join(dir, 'producer-snapshot-checkpoint'))).toBe(false);
    reopened.close();
  });

  it('keeps closed-segment file descriptors and index memory within the shared bounds', () => {
    const log = PartitionLog.open({ dir, clock, resources, config: { ...small, segmentBytes: 200 } });
    for (let i = 0; i < 20; i++) log.append(makeBatch({ payloadBytes: 39 }), { leaderEpoch: 0 });
    for (let offset = 0; offset < 20; offset++) expect(log.read(offset, 1).firstOffset).toBe(offset);
    expect(resources.openFileCount).toBeLessThanOrEqual(2);
    expect(resources.indexes.weight).toBeLessThanOrEqual(4096);
    log.close();
  });

  it('checkLogDirectory reports clean data dirs and names file and byte for corruption', () => {
    for (const partition of ['orders-0', 'orders-1']) {
      const log = PartitionLog.open({
        dir: join(dir, partition),
        clock,
        resources,
        config: { ...small, segmentBytes: 300, indexIntervalBytes: 50 },
      });
      for (let i = 0; i < 10; i++) log.append(makeBatch({ payloadBytes: 39, maxTimestampMs: i }), { leaderEpoch: 1 });
      log.close();
    }
    const clean = checkLogDirectory(dir);
    expect(clean.ok).toBe(true);
    expect(clean.problems).toEqual([]);
    expect(clean.partitions).toHaveLength(2);
    expect(clean.files.filter((f) => f.kind === 'log').reduce((sum, f) => sum + f.items, 0)).toBe(20);

    const segment = join(dir, 'orders-1', '00000000000000000000.log');
    const bytes = readFileSync(segment);
    bytes[100 + 70]! ^= 0x04; // inside the second batch's records
    writeFileSync(segment, bytes);
    const index = join(dir, 'orders-0', '00000000000000000000.index');
    writeFileSync(index, Buffer.concat([readFileSync(index), Buffer.from([1, 2, 3])]));
    const report = checkLogDirectory(dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: segment,
          position: 100 + 17,
          severity: 'error',
          reason: expect.stringMatching(/CRC/),
        }),
        expect.objectContaining({ file: index, severity: 'error', reason: expect.stringMatching(/multiple of 8/) }),
      ]),
    );
    const single = checkLogDirectory(join(dir, 'orders-1'));
    expect(single.partitions).toEqual([join(dir, 'orders-1')]);
    expect(single.ok).toBe(false);
  });
});
