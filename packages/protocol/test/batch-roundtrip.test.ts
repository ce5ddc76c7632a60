import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import {
  BATCH_HEADER_BYTES,
  CompressionType,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  NO_TIMESTAMP,
  RecordBatchView,
  RecordInput,
  TimestampType,
} from '@sluice/protocol';
import { ALL_COMPRESSION, compressionArb, expectSameRecords, recordsArb, sampleRecords } from './support/batches';

/** What decoding `records` must give back, given the batch's base offset. */
function expectedRecords(records: readonly RecordInput[], baseOffset: number) {
  return records.map((record, i) => ({
    offset: baseOffset + (record.offsetDelta ?? i),
    timestamp: record.timestamp,
    key: record.key,
    value: record.value,
    headers: record.headers ?? [],
  }));
}

describe('encodeRecordBatch / decodeRecordBatch round trip', () => {
  it('round-trips random records, headers and timestamps with every codec', () => {
    fc.assert(
      fc.property(
        recordsArb,
        compressionArb,
        fc.record({
          baseOffset: fc.integer({ min: 0, max: 2 ** 50 }),
          partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
          producerId: fc.integer({ min: -1, max: 2 ** 52 }),
          producerEpoch: fc.integer({ min: -1, max: 2 ** 15 - 1 }),
          baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
          isTransactional: fc.boolean(),
          isControl: fc.boolean(),
        }),
        (records, compression, header) => {
          const batch = encodeRecordBatch({ ...header, compression, records });
          const decoded = decodeRecordBatch(batch);
          expect(decoded).toMatchObject({
            ...header,
            compression,
            magic: 2,
            timestampType: TimestampType.CreateTime,
            lastOffsetDelta: records.length - 1,
            baseTimestamp: records[0]!.timestamp,
            maxTimestamp: Math.max(...records.map((r) => r.timestamp)),
            sizeBytes: batch.length,
          });
          expect(decoded.records).toEqual(expectedRecords(records, header.baseOffset));
        },
      ),
      propertyOptions({ numRuns: 300 }),
    );
  });

  it('keeps explicit sparse offset deltas and lastOffsetDelta (a compacted batch)', () => {
    const records = sampleRecords(3).map((record, i) => ({ ...record, offsetDelta: [0, 4, 9][i]! }));
    for (const compression of ALL_COMPRESSION) {
      const decoded = decodeRecordBatch(
        encodeRecordBatch({ compression, baseOffset: 100, lastOffsetDelta: 12, records }),
      );
      expect(decoded.records.map((r) => r.offset)).toEqual([100, 104, 109]);
      expect(decoded.lastOffsetDelta).toBe(12);
    }
  });

  it("encodes an empty batch with Kafka's no-timestamp markers", () => {
    for (const compression of ALL_COMPRESSION) {
      const batch = encodeRecordBatch({ compression, records: [] });
      const decoded = decodeRecordBatch(batch);
      expect(decoded.records).toEqual([]);
      expect(decoded.baseTimestamp).toBe(NO_TIMESTAMP);
      expect(decoded.maxTimestamp).toBe(NO_TIMESTAMP);
      expect(decoded.lastOffsetDelta).toBe(0);
    }
    expect(encodeRecordBatch({ compression: CompressionType.None, records: [] }).length).toBe(BATCH_HEADER_BYTES);
  });

  it('gives every record the max timestamp under LogAppendTime, as Kafka does', () => {
    const records = sampleRecords(4);
    const decoded = decodeRecordBatch(
      encodeRecordBatch({ compression: CompressionType.Gzip, timestampType: TimestampType.LogAppendTime, records }),
    );
    expect(decoded.timestampType).toBe(TimestampType.LogAppendTime);
    expect(decoded.records.map((r) => r.timestamp)).toEqual(Array(4).fill(decoded.maxTimestamp));
  });

  it("writes Kafka's producer defaults when none are given", () => {
    const view = RecordBatchView.at(
      encodeRecordBatch({ compression: CompressionType.None, records: sampleRecords(1) }),
    );
    expect([
      view.baseOffset,
      view.partitionLeaderEpoch,
      view.producerId,
      view.producerEpoch,
      view.baseSequence,
    ]).toEqual([0, -1, -1, -1, -1]);
    expect(view.isCrcValid()).toBe(true);
  });

  it('allows negative timestamp deltas (records out of time order)', () => {
    const records = [1000, 400, 2000, 5].map((timestamp) => ({ key: null, value: null, timestamp }));
    const decoded = decodeRecordBatch(encodeRecordBatch({ compression: CompressionType.None, records }));
    expect(decoded.records.map((r) => r.timestamp)).toEqual([1000, 400, 2000, 5]);
    expect(decoded.baseTimestamp).toBe(1000);
    expect(decoded.maxTimestamp).toBe(2000);
  });

  it('round-trips large values across codec block boundaries', () => {
    const records = Array.from({ length: 40 }, (_, i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`${i}:`.repeat(20_000 + i * 100)),
      headers: [{ key: 'big', value: Buffer.alloc(70_000, i) }],
      timestamp: 1_700_000_000_000 + i,
    }));
    for (const compression of ALL_COMPRESSION) {
      const decoded = decodeRecordBatch(encodeRecordBatch({ compression, records }));
      expectSameRecords(decoded.records, expectedRecords(records, 0));
    }
  });

  it('decodes several concatenated batches and shares memory for uncompressed values', () => {
    const batches = ALL_COMPRESSION.map((compression, i) =>
      encodeRecordBatch({ compression, baseOffset: i * 10, records: sampleRecords(3) }),
    );
    const decoded = decodeRecordBatches(Buffer.concat(batches));
    expect(decoded.map((b) => b.records[2]!.offset)).toEqual([2, 12, 22, 32, 42]);
    const plain = batches[0]!;
    const value = decodeRecordBatch(plain).records[0]!.value!;
    expect(value.buffer).toBe(plain.buffer);
  });

  it('refuses invalid arguments with RangeError', () => {
    const one = sampleRecords(1);
    const bad: Parameters<typeof encodeRecordBatch>[0][] = [
      { compression: CompressionType.None, records: one, producerEpoch: 40_000 },
      { compression: CompressionType.None, records: one, partitionLeaderEpoch: 2 ** 31 },
      { compression: CompressionType.None, records: one, baseOffset: 2 ** 53 },
      { compression: CompressionType.None, records: one, baseSequence: 1.5 },
      { compression: 6 as CompressionType, records: one },
      { compression: CompressionType.None, records: [...one, ...one].map((r) => ({ ...r, offsetDelta: 3 })) },
      { compression: CompressionType.None, records: [{ ...one[0]!, offsetDelta: -1 }] },
      { compression: CompressionType.None, records: [{ ...one[0]!, offsetDelta: 5 }], lastOffsetDelta: 4 },
      { compression: CompressionType.None, records: [{ ...one[0]!, timestamp: Number.NaN }] },
      { compression: CompressionType.None, records: [{ ...one[0]!, timestamp: 2 ** 52 }], baseTimestamp: -(2 ** 52) },
    ];
    for (const options of bad) expect(() => encodeRecordBatch(options)).toThrow(RangeError);
  });
});
