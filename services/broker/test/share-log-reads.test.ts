/**
 * The share leader's log reads on a real log: the batches found available carry their stored
 * bytes, and answering an acquisition from them gives exactly what reading the log again gives
 * (whole batches, each once, in order), or null when an acquired offset was not among them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLogConfig, PartitionLog } from '@sluice/log';
import { availableBatches, bytesPerOffsetOf, coveringFromAvailable, readCovering } from '../src/node/share-log-reads';
import { batch } from './support/local-brokers';

describe('share log reads', () => {
  let dir: string;
  let log: PartitionLog;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-share-reads-'));
    // Small segments: the batches span several, so reads stop at segment ends.
    log = PartitionLog.open({ dir, config: { ...defaultLogConfig, segmentBytes: 1_000 } });
    // Ten batches of 5 records: offsets 0..49.
    for (let first = 0; first < 50; first += 5) log.append(batch(first, 5), { leaderEpoch: 0 });
  });
  afterEach(() => {
    log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds whole batches below the high watermark, bounded by records, each with its stored bytes', () => {
    const found = availableBatches(log, 7, 40, 1_000_000, 12);
    // From the batch holding 7, until 12 offsets from 7 on are covered.
    expect(found.ranges).toEqual([
      { firstOffset: 5, lastOffset: 9 },
      { firstOffset: 10, lastOffset: 14 },
      { firstOffset: 15, lastOffset: 19 },
    ]);
    expect(found.batches.map((bytes) => bytes.readBigInt64BE(0))).toEqual([5n, 10n, 15n]);
    expect(Buffer.concat(found.batches)).toEqual(
      readCovering(log, [{ firstOffset: 5, lastOffset: 19, deliveryCount: 1 }], 40),
    );
    // Nothing at or past the high watermark.
    expect(availableBatches(log, 40, 40, 1_000_000, 500).ranges).toEqual([]);
  });

  it('answers an acquisition from the batches read to find it: the same bytes as reading the log again', () => {
    const found = availableBatches(log, 0, 50, 1_000_000, 500);
    expect(found.ranges).toHaveLength(10);
    const cases = [
      [{ firstOffset: 0, lastOffset: 49, deliveryCount: 1 }],
      // Partial batches at both ends: the whole batches go out.
      [{ firstOffset: 3, lastOffset: 21, deliveryCount: 1 }],
      // Two ranges in one batch, and one further on: each batch once.
      [
        { firstOffset: 10, lastOffset: 11, deliveryCount: 1 },
        { firstOffset: 13, lastOffset: 14, deliveryCount: 2 },
        { firstOffset: 30, lastOffset: 30, deliveryCount: 1 },
      ],
    ];
    for (const acquired of cases) {
      const fromFound = coveringFromAvailable(found, acquired);
      expect(fromFound).not.toBeNull();
      expect(fromFound).toEqual(readCovering(log, acquired, 50));
    }
  });

  it('sized by the last bytes per offset: the same batches in fewer reads, answered as one view of the read without a copy', () => {
    const chunked = availableBatches(log, 0, 50, 1_000_000, 500);
    const perOffset = bytesPerOffsetOf(chunked);
    expect(perOffset).toBeGreaterThan(0);
    const sized = availableBatches(log, 0, 50, 1_000_000, 500, perOffset);
    expect(sized.ranges).toEqual(chunked.ranges);
    expect(sized.batches).toEqual(chunked.batches);
    // Bounded by records as before.
    expect(availableBatches(log, 0, 50, 1_000_000, 12, perOffset).ranges.map((r) => r.firstOffset)).toEqual([0, 5, 10]);
    // One segment, one read: the answer is a view of that read's bytes, not a copy.
    const oneDir = mkdtempSync(join(tmpdir(), 'sluice-share-reads-one-'));
    const one = PartitionLog.open({ dir: oneDir, config: defaultLogConfig });
    try {
      for (let first = 0; first < 50; first += 5) one.append(batch(first, 5), { leaderEpoch: 0 });
      const found = availableBatches(one, 0, 50, 1_000_000, 500, perOffset);
      expect(new Set(found.batches.map((b) => b.buffer)).size).toBe(1);
      const acquired = [{ firstOffset: 5, lastOffset: 19, deliveryCount: 1 }];
      const answer = coveringFromAvailable(found, acquired)!;
      expect(answer).toEqual(readCovering(one, acquired, 50));
      expect(answer.buffer).toBe(found.batches[0]!.buffer);
    } finally {
      one.close();
      rmSync(oneDir, { recursive: true, force: true });
    }
    expect(() => availableBatches(log, 0, 50, 1_000_000, 12, -1)).toThrow(/bytes per offset/);
  });

  it('answers null when an acquired offset lies outside the batches read (a redelivery): the log is read instead', () => {
    const found = availableBatches(log, 20, 50, 1_000_000, 10);
    expect(found.ranges.map((r) => r.firstOffset)).toEqual([20, 25]);
    expect(coveringFromAvailable(found, [{ firstOffset: 12, lastOffset: 14, deliveryCount: 2 }])).toBeNull();
    expect(
      coveringFromAvailable(found, [
        { firstOffset: 12, lastOffset: 12, deliveryCount: 2 },
        { firstOffset: 20, lastOffset: 24, deliveryCount: 1 },
      ]),
    ).toBeNull();
    // Past what was read.
    expect(coveringFromAvailable(found, [{ firstOffset: 25, lastOffset: 34, deliveryCount: 1 }])).toBeNull();
    expect(coveringFromAvailable(found, [{ firstOffset: 20, lastOffset: 29, deliveryCount: 1 }])).toEqual(
      readCovering(log, [{ firstOffset: 20, lastOffset: 29, deliveryCount: 1 }], 50),
    );
  });
});
