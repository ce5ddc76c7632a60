import fc from 'fast-check';
import { BatchLayout, CompressionType, crc32c, RecordInput } from '@sluice/protocol';

export const ALL_COMPRESSION: readonly CompressionType[] = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];

/** Recomputes the CRC after a test edits a batch, so decoding reaches the check under test. */
export function restampCrc(batch: Buffer, start = 0): Buffer {
  const length = batch.readInt32BE(start + BatchLayout.BATCH_LENGTH) + 12;
  batch.writeUInt32BE(crc32c(batch.subarray(start + BatchLayout.ATTRIBUTES, start + length)), start + BatchLayout.CRC);
  return batch;
}

export const bytesArb = (maxLength = 64): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes));

export const nullableBytesArb = (maxLength = 64): fc.Arbitrary<Buffer | null> =>
  fc.option(bytesArb(maxLength), { nil: null, freq: 4 });

export const headerKeyArb = fc.string({ unit: 'grapheme', maxLength: 12 });

export const headersArb = fc.array(fc.record({ key: headerKeyArb, value: nullableBytesArb(16) }), { maxLength: 4 });

/**
 * Timestamps within 2^51 of zero: any two differ by less than 2^52, so deltas stay safe while
 * still exercising long (8+ byte) varlongs.
 */
export const timestampArb = fc.oneof(
  fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }),
  fc.integer({ min: -(2 ** 51), max: 2 ** 51 }),
);

export const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: nullableBytesArb(),
  value: nullableBytesArb(256),
  headers: headersArb,
  timestamp: timestampArb,
});

export const recordsArb = fc.array(recordArb, { minLength: 1, maxLength: 20 });

export const compressionArb = fc.constantFrom(...ALL_COMPRESSION);

/** Simple deterministic records for example-based tests. */
export function sampleRecords(count: number, valueBytes = 32): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i % 4 === 3 ? null : Buffer.from(`key-${i}`),
    value: i % 5 === 4 ? null : Buffer.alloc(valueBytes, i),
    headers: i % 2 === 0 ? [{ key: 'traceparent', value: Buffer.from(`00-${i}`) }] : [],
    timestamp: 1_700_000_000_000 + i * 7,
  }));
}

interface ComparableRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly { key: string; value: Buffer | null }[];
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/**
 * Asserts two record lists match. Buffers compare with `Buffer.equals`: jest's deep equality
 * walks large buffers byte by byte and takes minutes on megabyte values.
 */
export function expectSameRecords(actual: readonly ComparableRecord[], expected: readonly ComparableRecord[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const where = `record ${i}`;
    expect({ where, offset: a.offset, timestamp: a.timestamp }).toEqual({
      where,
      offset: e.offset,
      timestamp: e.timestamp,
    });
    expect({ where, key: sameBytes(a.key, e.key), value: sameBytes(a.value, e.value) }).toEqual({
      where,
      key: true,
      value: true,
    });
    expect(a.headers.map((h) => h.key)).toEqual(e.headers.map((h) => h.key));
    expect(a.headers.every((h, j) => sameBytes(h.value, e.headers[j]!.value))).toBe(true);
  }
}
