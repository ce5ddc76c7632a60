/**
 * LogRecordsSource: a consumer's read located by the fetch path and read by the answer's encoder.
 * Between the two the log may change; the source then locates the same read again (same offset,
 * byte limit and high watermark), or settles on no records when it cannot, and never writes
 * bytes other than what the log holds at that moment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLogConfig, LogResources, PartitionLog, type LogConfig } from '@sluice/log';
import { encodeFetchResponse } from '@sluice/proto';
import { batch } from './support/local-brokers';
import { LogRecordsSource } from '../src/node/log-records-source';

const config: LogConfig = { ...defaultLogConfig, segmentBytes: 2_000, indexIntervalBytes: 200 };

describe('LogRecordsSource', () => {
  let dir: string;
  let resources: LogResources;
  let log: PartitionLog;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-records-source-'));
    resources = new LogResources({ indexCacheBytes: 4_096, maxOpenSegmentFiles: 2 });
    log = PartitionLog.open({ dir, config, resources });
    for (let first = 0; first < 200; first += 10) log.append(batch(first, 10), { leaderEpoch: 0 });
  });
  afterEach(() => {
    log.abandon();
    resources.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the encoder does with a source: settle, then write into a frame of exactly that size. */
  function written(source: LogRecordsSource): Buffer {
    const target = Buffer.alloc(source.settle() + 3, 0xee);
    source.writeInto(target, 3);
    return target.subarray(3);
  }

  it('writes what read() returns, and an empty read is an empty Buffer', () => {
    const source = LogRecordsSource.locate(log, 25, 700, 150);
    expect(source).toBeInstanceOf(LogRecordsSource);
    const expected = log.read(25, 700, { maxOffset: 150 }).records;
    expect(source.length).toBe(expected.length);
    expect(written(source as LogRecordsSource).equals(expected)).toBe(true);
    expect(LogRecordsSource.locate(log, 150, 700, 150)).toEqual(Buffer.alloc(0));
  });

  it('locates again when the log was truncated under it, with the same offset, limit and bound', () => {
    const source = LogRecordsSource.locate(log, 100, 5_000, 200) as LogRecordsSource;
    const before = source.length;
    log.truncateTo(130);
    const expected = log.read(100, 5_000, { maxOffset: 200 }).records;
    expect(expected.length).toBeLessThan(before);
    expect(source.settle()).toBe(expected.length);
    expect(written(source).equals(expected)).toBe(true);
  });

  it('settles on no records when the read cannot be located any more', () => {
    const gone = LogRecordsSource.locate(log, 0, 5_000, 200) as LogRecordsSource;
    log.advanceLogStartOffset(150);
    expect(log.deleteOldSegments()).toBeGreaterThan(0);
    expect(gone.settle()).toBe(0);
    expect(written(gone).length).toBe(0);

    const closed = LogRecordsSource.locate(log, 160, 5_000, 200) as LogRecordsSource;
    log.close();
    expect(closed.settle()).toBe(0);
  });

  it('is encoded into the answer exactly as its bytes would be', () => {
    const source = LogRecordsSource.locate(log, 40, 900, 200) as LogRecordsSource;
    const bytes = log.read(40, 900, { maxOffset: 200 }).records;
    const answer = (records: unknown): unknown => ({
      topics: [{ name: 't', partitions: [{ partition: 0, errorName: '', highWatermark: 200, records }] }],
    });
    const fresh = (size: number): Buffer => Buffer.alloc(size);
    expect(encodeFetchResponse(answer(source), fresh)?.equals(encodeFetchResponse(answer(bytes), fresh)!)).toBe(true);
  });
});
