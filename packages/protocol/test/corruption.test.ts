import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import {
  BatchLayout as L,
  CompressionType,
  CorruptRecordError,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  iterateBatches,
} from '@sluice/protocol';
import { ALL_COMPRESSION, restampCrc, sampleRecords } from './support/batches';
import { captureCorrupt } from './support/corrupt';

/**
 * One uncompressed record, laid out (absolute byte positions):
 *   61 length=12 | 62 attributes | 63 timestampDelta | 64 offsetDelta | 65 keyLength=3 | 66..68 key
 *   69 valueLength=3 | 70..72 value | 73 headerCount=0          (74 bytes in all)
 */
const RECORD_LENGTH_AT = 61;
const TIMESTAMP_DELTA_AT = 63;
const OFFSET_DELTA_AT = 64;
const KEY_LENGTH_AT = 65;
const HEADER_COUNT_AT = 73;

function oneRecordBatch(timestamp = 1_700_000_000_000): Buffer {
  const batch = encodeRecordBatch({
    compression: CompressionType.None,
    records: [{ key: Buffer.from('abc'), value: Buffer.from('xyz'), headers: [], timestamp }],
  });
  expect(batch.length).toBe(74);
  return batch;
}

/** Edits `batch` with `edit`, fixes the CRC, and returns the decode error. */
function corruptAndDecode(batch: Buffer, edit: (b: Buffer) => void, position = 0): CorruptRecordError {
  edit(batch);
  restampCrc(batch);
  return captureCorrupt(() => decodeRecordBatch(batch, { position }));
}

describe('corrupt batches: header', () => {
  it('every truncation is CorruptRecordError inside the buffer', () => {
    const batch = oneRecordBatch();
    for (let length = 0; length < batch.length; length++) {
      const error = captureCorrupt(() => decodeRecordBatch(batch.subarray(0, length), { position: 1000 }));
      expect(error.position).toBeGreaterThanOrEqual(1000);
      expect(error.position).toBeLessThanOrEqual(1000 + batch.length);
    }
  });

  it('wrong magic points at the magic byte', () => {
    const error = corruptAndDecode(oneRecordBatch(), (b) => b.writeInt8(1, L.MAGIC), 500);
    expect(error.position).toBe(500 + L.MAGIC);
    expect(error.reason).toMatch(/magic 1/);
  });

  it('bad CRC points at the CRC field', () => {
    const batch = oneRecordBatch();
    batch[70]! ^= 0x01;
    const error = captureCorrupt(() => decodeRecordBatch(batch, { position: 4096 }));
    expect(error.position).toBe(4096 + L.CRC);
    expect(error.reason).toMatch(/CRC mismatch/);
    // With the check off, the damaged value simply decodes.
    expect(decodeRecordBatch(batch, { verifyCrc: false }).records[0]!.value!.toString()).toBe('yyz');
  });

  it('oversize and undersize batch lengths point at the length field before allocating', () => {
    for (const length of [0x7fffffff, -5, 10]) {
      const batch = oneRecordBatch();
      batch.writeInt32BE(length, L.BATCH_LENGTH);
      const error = captureCorrupt(() => decodeRecordBatch(batch, { position: 12 }));
      expect(error.position).toBe(12 + L.BATCH_LENGTH);
    }
  });

  it('unknown compression codes point at the attributes', () => {
    for (const code of [5, 6, 7]) {
      const error = corruptAndDecode(oneRecordBatch(), (b) => b.writeInt16BE(code, L.ATTRIBUTES));
      expect(error.position).toBe(L.ATTRIBUTES);
    }
  });

  it('an int64 outside the safe range is refused where it sits', () => {
    const error = corruptAndDecode(oneRecordBatch(), (b) => b.writeBigInt64BE(2n ** 60n, L.BASE_OFFSET));
    expect(error.position).toBe(L.BASE_OFFSET);
    const producer = corruptAndDecode(oneRecordBatch(), (b) => b.writeBigInt64BE(-(2n ** 62n), L.PRODUCER_ID));
    expect(producer.position).toBe(L.PRODUCER_ID);
  });

  it('bytes after the batch are refused at the batch end', () => {
    const batch = Buffer.concat([oneRecordBatch(), Buffer.from([0])]);
    const error = captureCorrupt(() => decodeRecordBatch(batch, { position: 100 }));
    expect(error.position).toBe(174);
  });
});

describe('corrupt batches: record count', () => {
  it('more records announced than present', () => {
    const batch = encodeRecordBatch({ compression: CompressionType.None, records: sampleRecords(2) });
    const error = corruptAndDecode(batch, (b) => b.writeInt32BE(3, L.RECORDS_COUNT), 10);
    expect(error.reason).toMatch(/says 3 records, only 2 present/);
    expect(error.position).toBe(10 + batch.length);
  });

  it('an impossible record count is refused at the count, before any work', () => {
    for (const count of [12, 2 ** 30, 2 ** 31 - 1]) {
      const error = corruptAndDecode(oneRecordBatch(), (b) => b.writeInt32BE(count, L.RECORDS_COUNT));
      expect(error.position).toBe(L.RECORDS_COUNT);
    }
    const negative = corruptAndDecode(oneRecordBatch(), (b) => b.writeInt32BE(-1, L.RECORDS_COUNT));
    expect(negative.reason).toMatch(/negative record count/);
  });

  it('bytes left over after the announced records', () => {
    const error = corruptAndDecode(oneRecordBatch(), (b) => b.writeInt32BE(0, L.RECORDS_COUNT));
    expect(error.reason).toMatch(/13 bytes left over/);
    expect(error.position).toBe(RECORD_LENGTH_AT);
  });

  it('the same checks inside compressed records point at the compressed section', () => {
    for (const compression of ALL_COMPRESSION.filter((c) => c !== CompressionType.None)) {
      const batch = encodeRecordBatch({ compression, records: sampleRecords(3) });
      const more = corruptAndDecode(Buffer.from(batch), (b) => b.writeInt32BE(4, L.RECORDS_COUNT), 50);
      expect(more.position).toBe(50 + L.RECORDS);
      expect(more.reason).toMatch(/only 3 present.*decompressed records/);
      const fewer = corruptAndDecode(Buffer.from(batch), (b) => b.writeInt32BE(2, L.RECORDS_COUNT));
      expect(fewer.reason).toMatch(/left over/);
    }
  });
});

describe('corrupt batches: record fields', () => {
  it('a record length past the remaining bytes', () => {
    const error = corruptAndDecode(oneRecordBatch(), (b) => (b[RECORD_LENGTH_AT] = 0x7e), 1);
    expect(error.position).toBe(1 + RECORD_LENGTH_AT);
    expect(error.reason).toMatch(/record length 63 exceeds/);
  });

  it('a record length that does not match its fields', () => {
    const shorter = corruptAndDecode(oneRecordBatch(), (b) => (b[RECORD_LENGTH_AT] = 0x16));
    expect(shorter.position).toBeGreaterThanOrEqual(RECORD_LENGTH_AT);
    expect(shorter.position).toBeLessThanOrEqual(HEADER_COUNT_AT);

    const two = encodeRecordBatch({
      compression: CompressionType.None,
      records: sampleRecords(2).map((r) => ({ ...r, headers: [] })),
    });
    const first = two[RECORD_LENGTH_AT]!;
    const longer = corruptAndDecode(two, (b) => (b[RECORD_LENGTH_AT] = first + 2)); // one byte more (zig-zag)
    expect(longer.reason).toMatch(/record length \d+ but its fields use \d+ bytes/);
    expect(longer.position).toBe(RECORD_LENGTH_AT);
  });

  it('a key length past the record end', () => {
    const error = corruptAndDecode(oneRecordBatch(), (b) => (b[KEY_LENGTH_AT] = 0x7e));
    expect(error.position).toBe(KEY_LENGTH_AT);
    expect(error.reason).toMatch(/record key: length 63 exceeds/);
  });

  it('a negative length other than -1', () => {
    const error = corruptAndDecode(oneRecordBatch(), (b) => (b[KEY_LENGTH_AT] = 0x03)); // -2
    expect(error.position).toBe(KEY_LENGTH_AT);
    expect(error.reason).toMatch(/invalid length -2/);
  });

  it('a header count the record cannot hold', () => {
    const error = corruptAndDecode(oneRecordBatch(), (b) => (b[HEADER_COUNT_AT] = 0x7e));
    expect(error.position).toBe(HEADER_COUNT_AT);
  });

  it('a varint longer than 5 bytes', () => {
    const error = corruptAndDecode(oneRecordBatch(), (b) => b.fill(0x80, RECORD_LENGTH_AT, RECORD_LENGTH_AT + 5));
    expect(error.position).toBe(RECORD_LENGTH_AT);
    expect(error.reason).toMatch(/longer than 5 bytes/);
  });

  it('an offset delta beyond the last offset delta', () => {
    const error = corruptAndDecode(oneRecordBatch(), (b) => (b[OFFSET_DELTA_AT] = 0x02));
    expect(error.position).toBe(RECORD_LENGTH_AT);
    expect(error.reason).toMatch(/offset delta 1/);
  });

  it('a timestamp that leaves the safe-integer range', () => {
    const error = corruptAndDecode(oneRecordBatch(Number.MAX_SAFE_INTEGER), (b) => (b[TIMESTAMP_DELTA_AT] = 0x02));
    expect(error.position).toBe(RECORD_LENGTH_AT);
    expect(error.reason).toMatch(/timestamp/);
  });
});

describe('corrupt batches: decompression bounds', () => {
  const bomb = [{ key: null, value: Buffer.alloc(4 * 1024 * 1024), timestamp: 1 }];

  it.each(ALL_COMPRESSION.filter((c) => c !== CompressionType.None))(
    'codec %s stops at maxDecompressedBytes',
    (compression) => {
      const batch = encodeRecordBatch({ compression, records: bomb });
      expect(batch.length).toBeLessThan(256 * 1024);
      const error = captureCorrupt(() => decodeRecordBatch(batch, { maxDecompressedBytes: 1024 * 1024, position: 7 }));
      expect(error.position).toBe(7 + L.RECORDS);
      expect(error.reason).toMatch(/maxDecompressedBytes/);
      expect(decodeRecordBatch(batch).records[0]!.value!.length).toBe(4 * 1024 * 1024);
    },
  );

  it('a record count beyond what maxDecompressedBytes could hold is refused before decompressing', () => {
    const batch = encodeRecordBatch({ compression: CompressionType.Zstd, records: sampleRecords(2) });
    const error = corruptAndDecode(batch, (b) => b.writeInt32BE(200_000, L.RECORDS_COUNT));
    expect(error.position).toBe(L.RECORDS_COUNT);
  });

  it('garbage in place of compressed records', () => {
    for (const compression of ALL_COMPRESSION.filter((c) => c !== CompressionType.None)) {
      const batch = encodeRecordBatch({ compression, records: sampleRecords(5) });
      const error = corruptAndDecode(batch, (b) => b.fill(0x5a, L.RECORDS + 2, b.length - 4));
      expect(error.position).toBeGreaterThanOrEqual(L.RECORDS);
      expect(error.position).toBeLessThan(batch.length);
    }
  });

  it('refuses a nonsensical maxDecompressedBytes', () => {
    expect(() => decodeRecordBatch(oneRecordBatch(), { maxDecompressedBytes: 0 })).toThrow(RangeError);
  });
});

describe('corrupt batches: positions across a stream', () => {
  it('errors in a later batch carry its absolute position', () => {
    const first = encodeRecordBatch({ compression: CompressionType.None, records: sampleRecords(3) });
    const second = oneRecordBatch();
    second[KEY_LENGTH_AT] = 0x7e;
    restampCrc(second);
    const error = captureCorrupt(() => decodeRecordBatches(Buffer.concat([first, second]), { position: 10_000 }));
    expect(error.position).toBe(10_000 + first.length + KEY_LENGTH_AT);
  });
});

describe('fuzz: damaged batches only ever throw CorruptRecordError', () => {
  const bases = ALL_COMPRESSION.map((compression) =>
    encodeRecordBatch({ compression, baseOffset: 42, producerId: 9, records: sampleRecords(4, 48) }),
  );

  function decodeOrCorrupt(buffer: Buffer, verifyCrc: boolean): void {
    try {
      decodeRecordBatch(buffer, { verifyCrc, maxDecompressedBytes: 256 * 1024, position: 3 });
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      expect(error.position).toBeGreaterThanOrEqual(3);
      expect(error.position).toBeLessThanOrEqual(3 + buffer.length);
    }
  }

  it('random byte flips and truncations', () => {
    fc.assert(
      fc.property(
        fc.nat(bases.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.boolean(),
        (which, flips, truncateAt, fixCrc) => {
          const base = bases[which]!;
          const damaged = Buffer.from(base);
          for (const [index, xor] of flips) damaged[index % damaged.length]! ^= xor;
          const cut = truncateAt === undefined ? damaged : damaged.subarray(0, truncateAt % (damaged.length + 1));
          if (fixCrc && cut.length >= 61) {
            try {
              restampCrc(cut);
            } catch {
              // the batch length may now point past the buffer; leave the CRC alone
            }
          }
          decodeOrCorrupt(cut, true);
          decodeOrCorrupt(cut, false);
          for (const view of iterateBatchesSafely(cut)) expect(view).toBeDefined();
        },
      ),
      propertyOptions({ numRuns: 3000 }),
    );
  });

  it('flips confined to the records section (past the CRC check)', () => {
    fc.assert(
      fc.property(
        fc.nat(bases.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        (which, flips) => {
          const damaged = Buffer.from(bases[which]!);
          const section = damaged.length - L.RECORDS;
          for (const [index, xor] of flips) damaged[L.RECORDS + (index % section)]! ^= xor;
          decodeOrCorrupt(restampCrc(damaged), true);
        },
      ),
      propertyOptions({ numRuns: 3000 }),
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodeOrCorrupt(Buffer.from(bytes), false);
      }),
      propertyOptions({ numRuns: 1000 }),
    );
  });
});

/** `iterateBatches` over damaged input: its own errors must be CorruptRecordError too. */
function* iterateBatchesSafely(buffer: Buffer) {
  try {
    yield* iterateBatches(buffer, { allowPartialTail: true, verifyCrc: true });
  } catch (error) {
    if (!(error instanceof CorruptRecordError)) throw error;
  }
}
