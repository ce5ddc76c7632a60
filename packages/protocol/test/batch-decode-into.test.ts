import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import {
  BatchLayout as L,
  CorruptRecordError,
  decodeRecordBatch,
  decodeRecordBatchInto,
  encodeRecordBatch,
  NO_HEADERS,
  RecordBatchView,
  type RecordBuilder,
  type RecordHeader,
  type RecordInput,
  TimestampType,
} from '@sluice/protocol';
import { compressionArb, expectSameRecords, recordsArb, restampCrc } from './support/batches';
import { captureCorrupt } from './support/corrupt';

interface Built {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly RecordHeader[];
  leaderEpoch: number;
}

const build: RecordBuilder<Built> = (batch, offset, timestamp, key, value, headers) => ({
  offset,
  timestamp,
  key,
  value,
  headers,
  leaderEpoch: batch.partitionLeaderEpoch,
});

const headerArb = fc.record({
  baseOffset: fc.integer({ min: 0, max: 2 ** 50 }),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  timestampType: fc.constantFrom(TimestampType.CreateTime, TimestampType.LogAppendTime),
  isControl: fc.boolean(),
});

type BatchHeaderInput = typeof headerArb extends fc.Arbitrary<infer H> ? H : never;

function encode(records: RecordInput[], compression: number, header: BatchHeaderInput): Buffer {
  return encodeRecordBatch({
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    isControl: header.isControl,
    compression,
    records,
    timestampType: header.timestampType,
  });
}

/** What the consumer must see, from the encoder's input alone (not from either decoder). */
function expectedFrom(records: readonly RecordInput[], batch: Buffer, baseOffset: number, fromOffset: number) {
  const view = RecordBatchView.at(batch);
  const logAppend = view.timestampType === TimestampType.LogAppendTime;
  return records
    .map((record, i) => ({
      offset: baseOffset + i,
      timestamp: logAppend ? view.maxTimestamp : record.timestamp,
      key: record.key,
      value: record.value,
      headers: record.headers ?? [],
    }))
    .filter((record) => record.offset >= fromOffset);
}

/** A random batch with one byte at or after `firstByte` flipped, and where. */
const flippedBatchArb = (firstByte: number): fc.Arbitrary<{ batch: Buffer; at: number }> =>
  fc
    .tuple(recordsArb, compressionArb, headerArb, fc.nat(), fc.integer({ min: 1, max: 255 }))
    .map(([records, compression, header, where, flip]) => {
      const batch = encode(records, compression, header);
      const at = firstByte + (where % (batch.length - firstByte));
      batch[at]! ^= flip;
      return { batch, at };
    });

/** The decode error, or the records, of one decoder: what the two must agree on. */
function outcomeOf(
  decode: () => readonly Built[] | readonly { offset: number }[],
): CorruptRecordError | readonly object[] {
  try {
    return decode();
  } catch (error) {
    if (error instanceof CorruptRecordError) return error;
    throw error;
  }
}

describe('decodeRecordBatchInto: records built straight from the batch', () => {
  it('builds exactly the encoded records, headers, timestamps and offsets from fromOffset on, every codec', () => {
    fc.assert(
      fc.property(recordsArb, compressionArb, headerArb, fc.nat(25), (records, compression, header, skip) => {
        const batch = encode(records, compression, header);
        const fromOffset = header.baseOffset + skip;
        const out: Built[] = [];
        const decoded = decodeRecordBatchInto(RecordBatchView.at(batch), build, out, { fromOffset });
        const expected = expectedFrom(records, batch, header.baseOffset, fromOffset);
        expectSameRecords(out, expected);
        for (const record of out) expect(record.leaderEpoch).toBe(header.partitionLeaderEpoch);
        // A record without headers shares the frozen empty list instead of a new array each.
        for (const record of out) if (record.headers.length === 0) expect(record.headers).toBe(NO_HEADERS);
        // The header fields are those the old decoder reports (it returns records too).
        const { records: oldRecords, ...oldHeader } = decodeRecordBatch(batch);
        expect(decoded).toEqual(oldHeader);
        expectSameRecords(
          oldRecords.filter((record) => record.offset >= fromOffset),
          expected,
        );
      }),
      propertyOptions({ numRuns: 300 }),
    );
  });

  it('fromOffset +Infinity checks the whole batch and builds nothing (control batches)', () => {
    fc.assert(
      fc.property(recordsArb, compressionArb, headerArb, (records, compression, header) => {
        const out: Built[] = [];
        const decoded = decodeRecordBatchInto(RecordBatchView.at(encode(records, compression, header)), build, out, {
          fromOffset: Number.POSITIVE_INFINITY,
        });
        expect(out).toEqual([]);
        expect(decoded.lastOffsetDelta).toBe(records.length - 1);
      }),
      propertyOptions({ numRuns: 50 }),
    );
  });

  it('a corrupt CRC is the same CorruptRecordError as decodeRecordBatch, and builds nothing', () => {
    fc.assert(
      // Any byte the CRC covers (attributes to the end).
      fc.property(flippedBatchArb(L.ATTRIBUTES), ({ batch, at }) => {
        const out: Built[] = [];
        const error = captureCorrupt(() => decodeRecordBatchInto(RecordBatchView.at(batch), build, out));
        const oldError = captureCorrupt(() => decodeRecordBatch(batch));
        // RecordBatchView.at refuses a negative count or last offset delta before any CRC check.
        const inCountFields =
          (at >= L.LAST_OFFSET_DELTA && at < L.LAST_OFFSET_DELTA + 4) ||
          (at >= L.RECORDS_COUNT && at < L.RECORDS_COUNT + 4);
        if (!inCountFields) expect(error.reason).toMatch(/CRC mismatch/);
        expect(error.message).toBe(oldError.message);
        expect(error.position).toBe(oldError.position);
        expect(out).toEqual([]);
      }),
      propertyOptions({ numRuns: 200 }),
    );
  });

  it('a corrupt record (CRC restamped) fails or decodes exactly as decodeRecordBatch does', () => {
    fc.assert(
      fc.property(flippedBatchArb(L.RECORDS), ({ batch }) => {
        restampCrc(batch);
        const intoOutcome = outcomeOf(() => {
          const out: Built[] = [];
          decodeRecordBatchInto(RecordBatchView.at(batch), build, out);
          return out;
        });
        const oldOutcome = outcomeOf(() => decodeRecordBatch(batch).records);
        if (oldOutcome instanceof CorruptRecordError) {
          expect(intoOutcome).toBeInstanceOf(CorruptRecordError);
          expect((intoOutcome as CorruptRecordError).message).toBe(oldOutcome.message);
          expect((intoOutcome as CorruptRecordError).position).toBe(oldOutcome.position);
        } else {
          expect(Array.isArray(intoOutcome)).toBe(true);
          expectSameRecords(intoOutcome as Built[], oldOutcome as Built[]);
        }
      }),
      propertyOptions({ numRuns: 300 }),
    );
  });

  it('refuses a NaN fromOffset and a bad maxDecompressedBytes before reading anything', () => {
    const batch = encode([{ key: null, value: Buffer.from('v'), timestamp: 1 }], 0, {
      baseOffset: 0,
      partitionLeaderEpoch: 0,
      timestampType: TimestampType.CreateTime,
      isControl: false,
    });
    const out: Built[] = [];
    expect(() => decodeRecordBatchInto(RecordBatchView.at(batch), build, out, { fromOffset: NaN })).toThrow(RangeError);
    expect(() => decodeRecordBatchInto(RecordBatchView.at(batch), build, out, { maxDecompressedBytes: 0 })).toThrow(
      RangeError,
    );
    expect(out).toEqual([]);
  });
});
