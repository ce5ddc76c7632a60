import {
  BATCH_HEADER_BYTES,
  BatchLayout as L,
  CompressionType,
  CorruptRecordError,
  decodeRecordBatch,
  encodeRecordBatch,
  iterateBatches,
  RecordBatchView,
  TimestampType,
} from '@sluice/protocol';
import { ALL_COMPRESSION, restampCrc, sampleRecords } from './support/batches';
import { captureCorrupt } from './support/corrupt';

function batchOf(compression: CompressionType, baseOffset: number, count: number): Buffer {
  return encodeRecordBatch({ compression, baseOffset, records: sampleRecords(count) });
}

describe('RecordBatchView', () => {
  it('reads every header field without decoding records', () => {
    const records = sampleRecords(5);
    const batch = encodeRecordBatch({
      compression: CompressionType.Lz4,
      baseOffset: 1_000,
      partitionLeaderEpoch: 7,
      timestampType: TimestampType.LogAppendTime,
      isTransactional: true,
      isControl: true,
      producerId: 123_456_789_012,
      producerEpoch: 12,
      baseSequence: 99,
      records,
    });
    const view = RecordBatchView.at(batch);
    expect({
      baseOffset: view.baseOffset,
      batchLength: view.batchLength,
      partitionLeaderEpoch: view.partitionLeaderEpoch,
      magic: view.magic,
      compression: view.compression,
      timestampType: view.timestampType,
      isTransactional: view.isTransactional,
      isControl: view.isControl,
      lastOffsetDelta: view.lastOffsetDelta,
      lastOffset: view.lastOffset,
      nextOffset: view.nextOffset,
      baseTimestamp: view.baseTimestamp,
      maxTimestamp: view.maxTimestamp,
      producerId: view.producerId,
      producerEpoch: view.producerEpoch,
      baseSequence: view.baseSequence,
      recordsCount: view.recordsCount,
      sizeBytes: view.sizeBytes,
    }).toEqual({
      baseOffset: 1_000,
      batchLength: batch.length - 12,
      partitionLeaderEpoch: 7,
      magic: 2,
      compression: CompressionType.Lz4,
      timestampType: TimestampType.LogAppendTime,
      isTransactional: true,
      isControl: true,
      lastOffsetDelta: 4,
      lastOffset: 1_004,
      nextOffset: 1_005,
      baseTimestamp: records[0]!.timestamp,
      maxTimestamp: records[4]!.timestamp,
      producerId: 123_456_789_012,
      producerEpoch: 12,
      baseSequence: 99,
      recordsCount: 5,
      sizeBytes: batch.length,
    });
    expect(view.isCrcValid()).toBe(true);
    expect(view.recordsBytes().length).toBe(batch.length - BATCH_HEADER_BYTES);
    expect(view.bytes().buffer).toBe(batch.buffer);
    // Decoding a view gives the same as decoding the buffer.
    expect(decodeRecordBatch(view)).toEqual(decodeRecordBatch(batch));
  });

  it('stamp() rewrites base offset and leader epoch in place and keeps the CRC valid', () => {
    for (const compression of ALL_COMPRESSION) {
      const batch = batchOf(compression, 0, 3);
      const before = Buffer.from(batch.subarray(L.MAGIC));
      const view = RecordBatchView.at(batch);
      view.stamp(5_000_000_000, 42);
      expect(view.isCrcValid()).toBe(true);
      expect(() => view.verifyCrc()).not.toThrow();
      expect(batch.subarray(L.MAGIC).equals(before)).toBe(true);
      const decoded = decodeRecordBatch(batch);
      expect(decoded.partitionLeaderEpoch).toBe(42);
      expect(decoded.records.map((r) => r.offset)).toEqual([5_000_000_000, 5_000_000_001, 5_000_000_002]);
    }
  });

  it('verifyCrc() reports a flipped attribute bit at the CRC field', () => {
    const batch = batchOf(CompressionType.None, 0, 2);
    batch[L.ATTRIBUTES + 1]! ^= 0x10;
    const error = captureCorrupt(() => RecordBatchView.at(batch, 0, 300).verifyCrc());
    expect(error.position).toBe(300 + L.CRC);
  });

  it('works on a batch in the middle of a larger buffer', () => {
    const batch = batchOf(CompressionType.Zstd, 10, 2);
    const buffer = Buffer.concat([Buffer.alloc(33, 0xee), batch, Buffer.alloc(5)]);
    const view = RecordBatchView.at(buffer, 33);
    expect(view.position).toBe(33);
    expect(view.endPosition).toBe(33 + batch.length);
    expect(decodeRecordBatch(view).records.map((r) => r.offset)).toEqual([10, 11]);
  });
});

describe('iterateBatches', () => {
  const batches = [
    batchOf(CompressionType.None, 0, 3),
    batchOf(CompressionType.Gzip, 3, 2),
    batchOf(CompressionType.Snappy, 5, 4),
    batchOf(CompressionType.Lz4, 9, 1),
    batchOf(CompressionType.Zstd, 10, 2),
  ];
  const log = Buffer.concat(batches);

  it('walks concatenated batches with absolute positions', () => {
    const views = [...iterateBatches(log, { basePosition: 4096, verifyCrc: true })];
    expect(views.map((v) => v.baseOffset)).toEqual([0, 3, 5, 9, 10]);
    expect(views.map((v) => v.nextOffset)).toEqual([3, 5, 9, 10, 12]);
    let position = 4096;
    for (const [i, view] of views.entries()) {
      expect(view.position).toBe(position);
      expect(view.sizeBytes).toBe(batches[i]!.length);
      position = view.endPosition;
    }
    expect(views.flatMap((v) => decodeRecordBatch(v).records.map((r) => r.offset))).toEqual([...Array(12).keys()]);
  });

  it('stops quietly at a partial tail when allowed, else reports it at the tail', () => {
    const lastStart = log.length - batches[4]!.length;
    for (const cut of [1, 11, 12, 40, batches[4]!.length - 1]) {
      const truncated = log.subarray(0, lastStart + cut);
      expect([...iterateBatches(truncated, { allowPartialTail: true })].map((v) => v.baseOffset)).toEqual([0, 3, 5, 9]);
      const error = captureCorrupt(() => [...iterateBatches(truncated, { basePosition: 10 })]);
      expect(error.position).toBeGreaterThanOrEqual(10 + lastStart);
    }
  });

  it('does not mistake a corrupt length for a partial tail', () => {
    const damaged = Buffer.from(log);
    const lastStart = log.length - batches[4]!.length;
    damaged.writeInt32BE(-1, lastStart + L.BATCH_LENGTH);
    const error = captureCorrupt(() => [...iterateBatches(damaged, { allowPartialTail: true })]);
    expect(error.position).toBe(lastStart + L.BATCH_LENGTH);
  });

  it('verifies CRCs when asked and points at the damaged batch', () => {
    const damaged = Buffer.from(log);
    const secondStart = batches[0]!.length;
    damaged[secondStart + L.RECORDS + 3]! ^= 0xff;
    expect([...iterateBatches(damaged)]).toHaveLength(5);
    const error = captureCorrupt(() => [...iterateBatches(damaged, { verifyCrc: true })]);
    expect(error.position).toBe(secondStart + L.CRC);
    expect(error).toBeInstanceOf(CorruptRecordError);
    // Restamping the CRC (as a tool repairing a header would) makes the check pass again.
    restampCrc(damaged, secondStart);
    expect([...iterateBatches(damaged, { verifyCrc: true })]).toHaveLength(5);
  });
});
