import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
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

const small: LogConfig = { ...defaultLogConfig, segmentBytes: 1024, indexIntervalBytes: 100 };

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
    expect(summarize(input).map((b) => [b.baseOffset, b.leaderEpoch])).toEqual([[0, 4], [3, 4]]);
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
    expect(() => log.append(Buffer.concat([good, good.subarray(0, 30)]), { leaderEpoch: 1 })).toThrow(CorruptRecordError);
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

  it('follower appends keep offsets, must start at or after the end and be contiguous', () => {
    const log = open();
    expect(log.appendAsFollower(Buffer.alloc(0))).toBeNull();
    log.appendAsFollower(Buffer.concat([makeBatch({ baseOffset: 0, records: 2, leaderEpoch: 1 }), makeBatch({ baseOffset: 2, leaderEpoch: 3 })]));
    expect(log.logEndOffset).toBe(3);
    expect(log.epochEntries()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 2 }]);
    expect(() => log.appendAsFollower(makeBatch({ baseOffset: 2 }))).toThrow(UnexpectedAppendOffsetError);
    expect(() => log.appendAsFollower(Buffer.concat([makeBatch({ baseOffset: 3 }), makeBatch({ baseOffset: 5 })]))).toThrow(OffsetsOutOfOrderError);
    expect(log.logEndOffset).toBe(3);
    log.appendAsFollower(makeBatch({ baseOffset: 10, records: 2, leaderEpoch: 3 }));
    expect(log.logEndOffset).toBe(12);
    expect(summarize(log.read(4, 1000).records).map((b) => b.baseOffset)).toEqual([10]);
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
    for (const ts of timestamps) log.append(makeBatch({ records: 2, payloadBytes: 39, maxTimestampMs: ts }), { leaderEpoch: 0 });
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
});
