import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLogConfig, PartitionLog, segmentPaths } from '@sluice/log';
import { CompressionType, encodeRecordBatch } from '@sluice/protocol';
import { ProducerSnapshotBuilder, summarizeSegment } from '../src';

/** One batch of `records` records of `valueBytes` each, from producer 7 (sequence from `baseSequence`). */
function batchOf(records: number, valueBytes: number, baseSequence: number, timestampMs: number): Buffer {
  return encodeRecordBatch({
    compression: CompressionType.None,
    producerId: 7,
    producerEpoch: 0,
    baseSequence,
    records: Array.from({ length: records }, (_, r) => ({
      key: null,
      value: Buffer.alloc(valueBytes, 97 + (r % 26)),
      timestamp: timestampMs + r,
      offsetDelta: r,
    })),
  });
}

interface ExpectedBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly position: number;
  readonly sizeBytes: number;
  readonly maxTimestampMs: number;
  readonly epoch: number;
}

describe('summarizeSegment: a closed segment read by its batch headers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-summary-'));

  // Batch sizes around the 64 KiB read window: large ones (each header read alone after them),
  // small runs between them (several headers in one window), one just over the window, one
  // exactly a window's worth of records, and an epoch change in the middle.
  const plan: Array<{ records: number; valueBytes: number; epoch: number }> = [
    { records: 3, valueBytes: 100, epoch: 2 },
    { records: 4, valueBytes: 60_000, epoch: 2 }, // ~240 KB
    { records: 2, valueBytes: 50, epoch: 2 },
    { records: 5, valueBytes: 80, epoch: 2 },
    { records: 1, valueBytes: 65_536, epoch: 3 }, // just over the window
    { records: 1, valueBytes: 10, epoch: 3 },
    { records: 2, valueBytes: 100_000, epoch: 3 },
    { records: 2, valueBytes: 100_000, epoch: 3 }, // two large in a row
    { records: 40, valueBytes: 1_000, epoch: 4 },
    { records: 1, valueBytes: 20, epoch: 4 }, // the last batch small, at the segment's end
  ];
  const log = PartitionLog.open({
    dir: join(dir, 'log'),
    config: { ...defaultLogConfig, segmentBytes: 64 * 1024 * 1024, retentionMs: -1, retentionBytes: -1 },
  });
  const expected: ExpectedBatch[] = [];
  let position = 0;
  let sequence = 0;
  for (const [i, { records, valueBytes, epoch }] of plan.entries()) {
    const batch = batchOf(records, valueBytes, sequence, 1_000_000 + i * 1_000);
    const appended = log.append(batch, { leaderEpoch: epoch });
    expected.push({
      baseOffset: appended.firstOffset,
      lastOffset: appended.lastOffset,
      position,
      sizeBytes: batch.length,
      maxTimestampMs: appended.maxTimestampMs,
      epoch,
    });
    position += batch.length;
    sequence += records;
  }
  log.roll();
  const path = segmentPaths(log.dir, 0).log;
  const sizeBytes = statSync(path).size;
  afterAll(() => {
    log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function summarizeWith(knownSizeBytes: number | undefined): Promise<{
    summary: Awaited<ReturnType<typeof summarizeSegment>>;
    batches: Array<{ baseOffset: number; maxTimestampMs: number; position: number; sizeBytes: number }>;
    producers: ReturnType<ProducerSnapshotBuilder['snapshot']>;
  }> {
    const producers = new ProducerSnapshotBuilder();
    const batches: Array<{ baseOffset: number; maxTimestampMs: number; position: number; sizeBytes: number }> = [];
    const summary = await summarizeSegment(
      path,
      producers,
      (baseOffset, maxTimestampMs, at, batchBytes) =>
        batches.push({ baseOffset, maxTimestampMs, position: at, sizeBytes: batchBytes }),
      knownSizeBytes,
    );
    return { summary, batches, producers: producers.snapshot() };
  }

  it('finds every batch, large and small, where the log wrote it', async () => {
    expect(position).toBe(sizeBytes);
    const { summary, batches } = await summarizeWith(undefined);
    expect(batches).toEqual(
      expected.map(({ baseOffset, maxTimestampMs, position: at, sizeBytes: bytes }) => ({
        baseOffset,
        maxTimestampMs,
        position: at,
        sizeBytes: bytes,
      })),
    );
    expect(summary).toEqual({
      sizeBytes,
      firstOffset: 0,
      lastOffset: expected[expected.length - 1]!.lastOffset,
      maxTimestampMs: Math.max(...expected.map((b) => b.maxTimestampMs)),
      leaderEpochs: [
        [2, 0],
        [3, expected[4]!.baseOffset],
        [4, expected[8]!.baseOffset],
      ],
    });
  });

  it('the size a copy already knows gives the same summary, batches and producer state as a stat', async () => {
    const stated = await summarizeWith(undefined);
    const known = await summarizeWith(sizeBytes);
    expect(known).toEqual(stated);
    expect(known.producers.producers.map((p) => p.producerId)).toEqual([7]);
  });

  it('a known size past the end of the file, or not a byte count, fails by name', async () => {
    await expect(summarizeWith(sizeBytes + 100)).rejects.toThrow(/runs past the end|short read|does not fit/);
    await expect(summarizeWith(-1)).rejects.toThrow(RangeError);
    await expect(summarizeWith(1.5)).rejects.toThrow(/not a byte count/);
  });

  it('a known size that cuts a batch fails by name instead of summarizing part of it', async () => {
    await expect(summarizeWith(expected[2]!.position + 10)).rejects.toThrow(/does not fit the segment|runs past/);
  });
});
