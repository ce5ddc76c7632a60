/**
 * Whether any record in RecordBatch bytes carries a `traceparent` header whose trace is sampled,
 * read straight from the bytes: no record objects, no strings, no regular expressions. The
 * brokers ask this before decoding a batch for its creation contexts, so that with a 1% sampler
 * the ~99% of batches without a sampled record cost one walk over their record headers instead
 * of a full decode. Compressed batches cannot be walked without decompressing: for those the
 * answer is "maybe" (true) and the caller decodes. Bytes that do not parse are "maybe" as well:
 * the full decode then ignores them, and the paths that own the bytes report corruption.
 */
import { Attributes, BatchLayout, CompressionType } from '@sluice/protocol';

const TRACEPARENT_KEY = Buffer.from('traceparent', 'latin1');
/** Offset of the flags' last hex digit in `00-<32>-<16>-<2>`. */
const FLAGS_LAST_DIGIT = 54;
const BATCH_OVERHEAD_BYTES = 12;

/** The value of a lower-case hex digit byte, or -1. */
function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}

class Cursor {
  constructor(
    readonly bytes: Buffer,
    public at: number,
    readonly end: number,
  ) {}

  /** A zigzag varint (Kafka's record varints), or throws past the end. */
  varint(): number {
    let unsigned = 0;
    let shift = 0;
    for (;;) {
      if (this.at >= this.end || shift > 28) throw new RangeError('varint past the end');
      const byte = this.bytes[this.at++]!;
      unsigned |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    return (unsigned >>> 1) ^ -(unsigned & 1);
  }

  skipVarlong(): void {
    for (let count = 0; ; count++) {
      if (this.at >= this.end || count >= 10) throw new RangeError('varlong past the end');
      if ((this.bytes[this.at++]! & 0x80) === 0) return;
    }
  }

  skip(length: number): void {
    if (length < 0) return;
    if (this.at + length > this.end) throw new RangeError('field past the end');
    this.at += length;
  }
}

/** true: some record is sampled, or the bytes could not be walked (compressed, malformed); false: none is. */
export function mayHoldSampledRecord(bytes: Buffer): boolean {
  try {
    for (let batchAt = 0; batchAt < bytes.length;) {
      if (bytes.length - batchAt < BatchLayout.RECORDS) return true;
      const batchEnd = batchAt + BATCH_OVERHEAD_BYTES + bytes.readInt32BE(batchAt + BatchLayout.BATCH_LENGTH);
      if (batchEnd > bytes.length || batchEnd < batchAt + BatchLayout.RECORDS) return true;
      const attributes = bytes.readInt16BE(batchAt + BatchLayout.ATTRIBUTES);
      const isControl = (attributes & Attributes.CONTROL) !== 0;
      if (!isControl) {
        if ((attributes & Attributes.COMPRESSION_MASK) !== CompressionType.None) return true;
        const count = bytes.readInt32BE(batchAt + BatchLayout.RECORDS_COUNT);
        const cursor = new Cursor(bytes, batchAt + BatchLayout.RECORDS, batchEnd);
        for (let i = 0; i < count; i++) if (recordSampled(cursor)) return true;
      }
      batchAt = batchEnd;
    }
    return false;
  } catch {
    return true;
  }
}

/** Reads one record at the cursor; whether its traceparent says sampled. */
function recordSampled(cursor: Cursor): boolean {
  const length = cursor.varint();
  const recordEnd = cursor.at + length;
  if (length < 0 || recordEnd > cursor.end) throw new RangeError('record past the end');
  cursor.skip(1); // attributes
  cursor.skipVarlong(); // timestamp delta
  cursor.varint(); // offset delta
  cursor.skip(cursor.varint()); // key
  cursor.skip(cursor.varint()); // value
  const headers = cursor.varint();
  let sampled = false;
  for (let h = 0; h < headers; h++) {
    const keyLength = cursor.varint();
    const keyAt = cursor.at;
    cursor.skip(keyLength);
    const valueLength = cursor.varint();
    const valueAt = cursor.at;
    cursor.skip(valueLength);
    if (
      keyLength === TRACEPARENT_KEY.length &&
      valueLength > FLAGS_LAST_DIGIT &&
      cursor.bytes.compare(TRACEPARENT_KEY, 0, keyLength, keyAt, keyAt + keyLength) === 0
    ) {
      // The last traceparent header wins, as recordContext reads them; a malformed flag is "maybe".
      const digit = hexDigit(cursor.bytes[valueAt + FLAGS_LAST_DIGIT]!);
      sampled = digit < 0 || (digit & 1) === 1;
    }
  }
  cursor.at = recordEnd;
  return sampled;
}
