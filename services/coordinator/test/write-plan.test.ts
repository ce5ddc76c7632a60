/**
 * The coordinator's write plan: one logical write's records, in order, as RecordBatches under
 * max.message.bytes, packed into Produce payloads under the request bound.
 */
import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import {
  ApiError,
  BATCH_HEADER_BYTES,
  CompressionType,
  decodeRecordBatches,
  encodeRecordBatch,
  RecordBatchView,
} from '@sluice/protocol';
import { encodeBatches, packRequests, planWrite, type EncodedRecord } from '../src/node/write-plan';

const NOW_MS = 1_700_000_000_000;

function record(i: number, valueBytes: number): EncodedRecord {
  return { key: Buffer.from(`member-${i}`), value: valueBytes < 0 ? null : Buffer.alloc(valueBytes, i % 251) };
}

/** Every batch in a payload, in order. */
function batchesIn(payload: Buffer): RecordBatchView[] {
  const views: RecordBatchView[] = [];
  for (let at = 0; at < payload.length;) {
    const view = RecordBatchView.at(payload, at);
    view.verifyCrc();
    views.push(view);
    at += view.sizeBytes;
  }
  return views;
}

function decodedRecords(payloads: readonly Buffer[]): { key: string; value: Buffer | null; timestamp: number }[] {
  return payloads.flatMap((payload) =>
    decodeRecordBatches(payload).flatMap((batch) =>
      batch.records.map((r) => ({ key: r.key!.toString(), value: r.value, timestamp: r.timestamp })),
    ),
  );
}

describe('write plan', () => {
  it('keeps a small write in one batch, byte for byte what one encodeRecordBatch gives', () => {
    const records = [record(1, 10), record(2, -1), record(3, 200)];
    const payloads = planWrite(records, NOW_MS, { maxBatchBytes: 1024 * 1024 + 12, maxRequestBytes: 16 * 1024 * 1024 });
    expect(payloads).toHaveLength(1);
    expect(
      payloads[0]!.equals(
        encodeRecordBatch({
          compression: CompressionType.None,
          records: records.map((r) => ({ ...r, timestamp: NOW_MS })),
        }),
      ),
    ).toBe(true);
  });

  it('cuts a write larger than max.message.bytes into batches that each fit, in order', () => {
    // 10,000 target-assignment-sized records (~180 bytes each): 1.8 MB, over Kafka's default limit.
    const records = Array.from({ length: 10_000 }, (_, i) => record(i, 160));
    const maxBatchBytes = 1024 * 1024 + 12;
    const single = encodeRecordBatch({
      compression: CompressionType.None,
      records: records.map((r) => ({ ...r, timestamp: NOW_MS })),
    });
    expect(single.length).toBeGreaterThan(maxBatchBytes);
    const payloads = planWrite(records, NOW_MS, { maxBatchBytes, maxRequestBytes: 16 * 1024 * 1024 });
    expect(payloads).toHaveLength(1);
    const views = batchesIn(payloads[0]!);
    expect(views).toHaveLength(2);
    for (const view of views) expect(view.sizeBytes).toBeLessThanOrEqual(maxBatchBytes);
    // Packed batches: the first is full up to one record's size.
    expect(views[0]!.sizeBytes).toBeGreaterThan(maxBatchBytes - 200);
    expect(decodedRecords(payloads).map((r) => r.key)).toEqual(records.map((r) => r.key.toString()));
  });

  it('puts batches into several requests only past the request bound', () => {
    const batches = [Buffer.alloc(400), Buffer.alloc(400), Buffer.alloc(400), Buffer.alloc(900)];
    expect(packRequests(batches, 800).map((p) => p.length)).toEqual([800, 400, 900]);
    expect(packRequests(batches, 10_000).map((p) => p.length)).toEqual([2100]);
    // A batch over the bound still goes (alone): the batch limit, not the request bound, is the broker's rule.
    expect(packRequests([Buffer.alloc(50), Buffer.alloc(900), Buffer.alloc(50)], 100).map((p) => p.length)).toEqual([
      50, 900, 50,
    ]);
    expect(packRequests([], 100)).toEqual([]);
  });

  it('refuses a record that cannot fit any batch with MESSAGE_TOO_LARGE, and nonsense limits with RangeError', () => {
    const tooBig = [record(1, 10), record(2, 2_000)];
    expect(() => encodeBatches(tooBig, NOW_MS, 1_024)).toThrow(ApiError);
    try {
      encodeBatches(tooBig, NOW_MS, 1_024);
    } catch (error) {
      expect((error as ApiError).errorName).toBe('MESSAGE_TOO_LARGE');
    }
    expect(() => encodeBatches([record(1, 1)], NOW_MS, BATCH_HEADER_BYTES)).toThrow(RangeError);
    expect(() => planWrite([record(1, 1)], NOW_MS, { maxBatchBytes: 2_000, maxRequestBytes: 1_000 })).toThrow(
      RangeError,
    );
    expect(() => packRequests([], 0)).toThrow(RangeError);
  });

  it('never exceeds either limit, keeps every record in order, and packs greedily (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1, max: 300 }), { minLength: 0, maxLength: 300 }),
        fc.integer({ min: 400, max: 5_000 }),
        fc.integer({ min: 1, max: 6 }),
        (valueSizes, maxBatchBytes, batchesPerRequest) => {
          const records = valueSizes.map((size, i) => record(i, size));
          const maxRequestBytes = maxBatchBytes * batchesPerRequest;
          const payloads = planWrite(records, NOW_MS, { maxBatchBytes, maxRequestBytes });
          const views = payloads.flatMap(batchesIn);
          for (const payload of payloads) expect(payload.length).toBeLessThanOrEqual(maxRequestBytes);
          for (const view of views) expect(view.sizeBytes).toBeLessThanOrEqual(maxBatchBytes);
          const decoded = decodedRecords(payloads);
          expect(decoded.map((r) => r.key)).toEqual(records.map((r) => r.key.toString()));
          expect(decoded.map((r) => r.value)).toEqual(records.map((r) => r.value));
          expect(decoded.every((r) => r.timestamp === NOW_MS)).toBe(true);
          // Greedy: the next batch's first record would not have fitted the previous batch.
          for (let i = 0; i + 1 < views.length; i++) {
            const firstOfNext = encodeRecordBatch({
              compression: CompressionType.None,
              records: [
                { ...records[views.slice(0, i + 1).reduce((n, v) => n + v.recordsCount, 0)]!, timestamp: NOW_MS },
              ],
            });
            expect(views[i]!.sizeBytes + firstOfNext.length - BATCH_HEADER_BYTES).toBeGreaterThan(maxBatchBytes - 4);
          }
        },
      ),
      propertyOptions({ numRuns: 200 }),
    );
  });
});
