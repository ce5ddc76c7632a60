import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import {
  CompressionType,
  decodeRecordBatch,
  encodeRecordBatch,
  RecordHeader,
  RecordInput,
  TimestampType,
} from '@sluice/protocol';
import { ALL_COMPRESSION, bytesArb, expectSameRecords, nullableBytesArb, recordsArb } from './support/batches';
import { KafkajsEncodeInput, kafkajsDecode, kafkajsEncode, kafkajsHeaders } from './support/kafkajs';

/**
 * Byte compatibility against kafkajs's independent RecordBatch implementation, for every codec,
 * in both directions. See support/kafkajs.ts for which codec plugin backs each type.
 */

const NAMES: Record<CompressionType, string> = {
  [CompressionType.None]: 'none',
  [CompressionType.Gzip]: 'gzip',
  [CompressionType.Snappy]: 'snappy',
  [CompressionType.Lz4]: 'lz4',
  [CompressionType.Zstd]: 'zstd',
};
const CODECS = ALL_COMPRESSION.map((compression) => [NAMES[compression], compression] as const);

/**
 * kafkajs takes headers as an object (repeated keys as arrays) and cannot write a null header
 * value. Keys get a prefix so none is integer-like (JS would reorder those) or `__proto__`.
 */
const kafkajsHeadersArb = fc
  .uniqueArray(fc.string({ unit: 'grapheme', maxLength: 8 }), { maxLength: 4 })
  .chain((keys) =>
    fc.tuple(
      ...keys.map((key) =>
        fc.tuple(
          fc.constant(`h-${key}`),
          fc.oneof(bytesArb(16), fc.array(bytesArb(16), { minLength: 1, maxLength: 3 })),
        ),
      ),
    ),
  )
  .map((entries) => Object.fromEntries(entries) as Record<string, Buffer | Buffer[]>);

/** The order kafkajs writes an object's headers in. */
function flattenHeaders(headers: Record<string, Buffer | Buffer[]>): RecordHeader[] {
  return Object.keys(headers).flatMap((key) => {
    const value = headers[key]!;
    return Array.isArray(value) ? value.map((v) => ({ key, value: v })) : [{ key, value }];
  });
}

const kafkajsBatchArb = (compression: CompressionType): fc.Arbitrary<KafkajsEncodeInput> =>
  fc
    .record({
      firstOffset: fc.integer({ min: 0, max: 2 ** 50 }),
      firstTimestamp: fc.integer({ min: 0, max: 2 ** 48 }),
      partitionLeaderEpoch: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      transactional: fc.boolean(),
      producerId: fc.integer({ min: -1, max: 2 ** 50 }),
      producerEpoch: fc.integer({ min: 0, max: 2 ** 15 - 1 }),
      firstSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      records: fc.array(
        fc.record({
          timestampDelta: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
          key: nullableBytesArb(),
          value: nullableBytesArb(512),
          headers: kafkajsHeadersArb,
        }),
        { minLength: 1, maxLength: 20 },
      ),
    })
    .map((batch) => {
      const maxDelta = Math.max(...batch.records.map((r) => r.timestampDelta));
      return {
        ...batch,
        compression,
        maxTimestamp: batch.firstTimestamp + maxDelta,
        lastOffsetDelta: batch.records.length - 1,
        records: batch.records.map((record, i) => ({ ...record, offsetDelta: i })),
      };
    });

/** Headers as comparable plain data (buffers as hex), in kafkajs's object shape. */
function headersAsHex(headers: Record<string, Buffer | null | (Buffer | null)[]>): Record<string, unknown> {
  const hex = (value: Buffer | null): string | null => (value === null ? null : value.toString('hex'));
  return Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [key, Array.isArray(value) ? value.map(hex) : hex(value)]),
  );
}

describe.each(CODECS)('kafkajs compatibility: %s', (_name, compression) => {
  it('decodes batches kafkajs encodes', async () => {
    await fc.assert(
      fc.asyncProperty(kafkajsBatchArb(compression), async (input) => {
        const decoded = decodeRecordBatch(await kafkajsEncode(input));
        expect(decoded).toMatchObject({
          baseOffset: input.firstOffset,
          partitionLeaderEpoch: input.partitionLeaderEpoch,
          compression,
          timestampType: TimestampType.CreateTime,
          isTransactional: input.transactional,
          isControl: false,
          lastOffsetDelta: input.lastOffsetDelta,
          baseTimestamp: input.firstTimestamp,
          maxTimestamp: input.maxTimestamp,
          producerId: input.producerId,
          producerEpoch: input.producerEpoch,
          baseSequence: input.firstSequence,
        });
        expectSameRecords(
          decoded.records,
          input.records.map((record, i) => ({
            offset: input.firstOffset! + i,
            timestamp: input.firstTimestamp + record.timestampDelta,
            key: record.key,
            value: record.value,
            headers: flattenHeaders(record.headers),
          })),
        );
      }),
      propertyOptions({ numRuns: 40 }),
    );
  });

  it('encodes batches kafkajs decodes', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordsArb.map((records) =>
          records.map((r) => ({ ...r, headers: (r.headers ?? []).filter((h: RecordHeader) => h.key !== '__proto__') })),
        ),
        fc.integer({ min: 0, max: 2 ** 50 }),
        fc.boolean(),
        async (records: RecordInput[], baseOffset, isTransactional) => {
          const batch = encodeRecordBatch({
            compression,
            baseOffset,
            isTransactional,
            producerId: 77,
            producerEpoch: 3,
            baseSequence: 9,
            records,
          });
          const decoded = await kafkajsDecode(batch);
          expect(decoded).toMatchObject({
            firstOffset: String(baseOffset),
            inTransaction: isTransactional,
            isControlBatch: false,
            lastOffsetDelta: records.length - 1,
            producerId: '77',
            producerEpoch: 3,
            firstSequence: 9,
            maxTimestamp: String(Math.max(...records.map((r) => r.timestamp))),
          });
          expect(decoded.records).toHaveLength(records.length);
          decoded.records.forEach((record, i) => {
            const expected = records[i]!;
            expect(record.offset).toBe(String(baseOffset + i));
            expect(record.timestamp).toBe(String(expected.timestamp));
            expect(record.key === null ? null : record.key.toString('hex')).toBe(expected.key?.toString('hex') ?? null);
            expect(record.value === null ? null : record.value.toString('hex')).toBe(
              expected.value?.toString('hex') ?? null,
            );
            expect(headersAsHex(record.headers)).toEqual(headersAsHex(kafkajsHeaders(expected.headers ?? [])));
          });
        },
      ),
      propertyOptions({ numRuns: 40 }),
    );
  });

  it('interoperates on multi-megabyte batches (several codec blocks)', async () => {
    const records = Array.from({ length: 12 }, (_, i) => ({
      key: Buffer.from(`key-${i}`),
      value: Buffer.from(`${i}-${'sluice '.repeat(1 + i)}`.repeat(9_000)),
      headers: { trace: Buffer.from(`t${i}`) },
      offsetDelta: i,
      timestampDelta: i * 3,
    }));
    const theirs = await kafkajsEncode({
      compression,
      firstTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_033,
      lastOffsetDelta: 11,
      records,
    });
    const expected = records.map((r, i) => ({
      offset: i,
      timestamp: 1_700_000_000_000 + i * 3,
      key: r.key,
      value: r.value,
      headers: flattenHeaders(r.headers),
    }));
    expectSameRecords(decodeRecordBatch(theirs).records, expected);

    const ours = encodeRecordBatch({ compression, records: expected.map(({ offset: _offset, ...r }) => r) });
    const decoded = await kafkajsDecode(ours);
    expect(decoded.records.map((r) => r.value!.equals(records[Number(r.offset)]!.value))).toEqual(Array(12).fill(true));
  });
});

describe('kafkajs compatibility: raw bytes', () => {
  it('uncompressed batches are byte-identical given the same fields', async () => {
    await fc.assert(
      fc.asyncProperty(kafkajsBatchArb(CompressionType.None), async (input) => {
        const theirs = await kafkajsEncode(input);
        const ours = encodeRecordBatch({
          compression: CompressionType.None,
          baseOffset: input.firstOffset,
          partitionLeaderEpoch: input.partitionLeaderEpoch,
          isTransactional: input.transactional,
          producerId: input.producerId,
          producerEpoch: input.producerEpoch,
          baseSequence: input.firstSequence,
          baseTimestamp: input.firstTimestamp,
          records: input.records.map((record) => ({
            key: record.key,
            value: record.value,
            headers: flattenHeaders(record.headers),
            timestamp: input.firstTimestamp + record.timestampDelta,
          })),
        });
        expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      }),
      propertyOptions({ numRuns: 200 }),
    );
  });
});
