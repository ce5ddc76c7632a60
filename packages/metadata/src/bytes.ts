import { CorruptMetadataRecordError, InvalidMetadataRecordError } from './errors';
import { UUID_BYTES, uuidFromBytes, uuidToBytes } from './uuid';

/** No metadata record may exceed this; it bounds every encode buffer and every decode. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Kafka's STRING limit (int16 length); bounds names, hosts and config values. */
export const MAX_STRING_BYTES = 32767;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const TWO_POW_32 = 2 ** 32;
const MAX_UVARINT_BYTES = 5;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The last UUID decoded, shared by all readers: consecutive records (a topic's partitions in a
 * snapshot) usually carry the same topic id, and formatting it is the costliest field.
 */
const lastDecodedUuidBytes = new Uint8Array(UUID_BYTES);
let lastDecodedUuidText = '';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < UUID_BYTES; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Big-endian writer into a reusable, growing buffer that refuses to grow past MAX_RECORD_BYTES.
 * Reuse one writer across many records (the snapshot writer does) to avoid a buffer per record.
 */
export class ByteWriter {
  private buffer: Buffer = Buffer.allocUnsafe(256);
  private length = 0;

  reset(): void {
    this.length = 0;
  }

  /** A view of the bytes written so far; valid until the next write or reset. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  get sizeBytes(): number {
    return this.length;
  }

  private ensure(extraBytes: number): void {
    const needed = this.length + extraBytes;
    if (needed <= this.buffer.length) return;
    if (needed > MAX_RECORD_BYTES) {
      throw new InvalidMetadataRecordError(`record of at least ${needed} bytes exceeds ${MAX_RECORD_BYTES} bytes`);
    }
    const grown = Buffer.allocUnsafe(Math.min(MAX_RECORD_BYTES, Math.max(needed, this.buffer.length * 2)));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  int8(value: number): void {
    checkRange(value, -128, 127, 'int8');
    this.ensure(1);
    this.buffer.writeInt8(value, this.length);
    this.length += 1;
  }

  int16(value: number): void {
    checkRange(value, -32768, 32767, 'int16');
    this.ensure(2);
    this.buffer.writeInt16BE(value, this.length);
    this.length += 2;
  }

  uint16(value: number): void {
    checkRange(value, 0, 65535, 'uint16');
    this.ensure(2);
    this.buffer.writeUInt16BE(value, this.length);
    this.length += 2;
  }

  int32(value: number): void {
    checkRange(value, INT32_MIN, INT32_MAX, 'int32');
    this.ensure(4);
    this.buffer.writeInt32BE(value, this.length);
    this.length += 4;
  }

  /** int64 carried as a safe-integer JS number (ids and epochs stay far below 2^53). */
  int64(value: number): void {
    if (!Number.isSafeInteger(value))
      throw new InvalidMetadataRecordError(`int64 value ${value} is not a safe integer`);
    this.ensure(8);
    const high = Math.floor(value / TWO_POW_32);
    this.buffer.writeInt32BE(high, this.length);
    this.buffer.writeUInt32BE(value - high * TWO_POW_32, this.length + 4);
    this.length += 8;
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.buffer[this.length] = value ? 1 : 0;
    this.length += 1;
  }

  /** Unsigned LEB128 varint of a non-negative int32. */
  uvarint(value: number): void {
    checkRange(value, 0, INT32_MAX, 'uvarint');
    this.ensure(MAX_UVARINT_BYTES);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buffer[this.length++] = rest;
  }

  /** Length-prefixed UTF-8: uvarint(byteLength) then the bytes. */
  string(value: string): void {
    const byteLength = Buffer.byteLength(value, 'utf8');
    if (byteLength > MAX_STRING_BYTES) {
      throw new InvalidMetadataRecordError(`string of ${byteLength} bytes exceeds ${MAX_STRING_BYTES}`);
    }
    this.uvarint(byteLength);
    this.ensure(byteLength);
    this.length += this.buffer.write(value, this.length, byteLength, 'utf8');
  }

  /** uvarint(byteLength + 1) then the bytes; 0 encodes null (Kafka's compact nullable string). */
  nullableString(value: string | null): void {
    if (value === null) {
      this.uvarint(0);
      return;
    }
    const byteLength = Buffer.byteLength(value, 'utf8');
    if (byteLength > MAX_STRING_BYTES) {
      throw new InvalidMetadataRecordError(`string of ${byteLength} bytes exceeds ${MAX_STRING_BYTES}`);
    }
    this.uvarint(byteLength + 1);
    this.ensure(byteLength);
    this.length += this.buffer.write(value, this.length, byteLength, 'utf8');
  }

  /** The last UUID written: a topic's partitions repeat its id, so parse it once. */
  private lastUuidText = '';
  private lastUuidBytes: Uint8Array = new Uint8Array(UUID_BYTES);

  uuid(value: string): void {
    let bytes = this.lastUuidBytes;
    if (value !== this.lastUuidText) {
      try {
        bytes = uuidToBytes(value);
      } catch (error) {
        throw new InvalidMetadataRecordError((error as Error).message);
      }
      this.lastUuidText = value;
      this.lastUuidBytes = bytes;
    }
    this.ensure(UUID_BYTES);
    this.buffer.set(bytes, this.length);
    this.length += UUID_BYTES;
  }

  int32Array(values: ArrayLike<number>): void {
    this.uvarint(values.length);
    for (let i = 0; i < values.length; i++) this.int32(values[i] as number);
  }

  /** uvarint(count + 1) then int32s; 0 encodes null (absent). */
  nullableInt32Array(values: ArrayLike<number> | undefined): void {
    if (values === undefined) {
      this.uvarint(0);
      return;
    }
    this.uvarint(values.length + 1);
    for (let i = 0; i < values.length; i++) this.int32(values[i] as number);
  }
}

/**
 * Every range here lies within int32, so `(value | 0) === value` is the integer test; it also
 * stays cheap where calls to Number.isInteger are not inlined (jest's vm contexts).
 */
function checkRange(value: number, min: number, max: number, kind: string): void {
  if (!(value >= min && value <= max && (value | 0) === value)) {
    throw new InvalidMetadataRecordError(`${kind} value ${value} out of range [${min}, ${max}]`);
  }
}

/**
 * Bounds-checked big-endian reader. Every failure names the absolute byte position
 * (`basePosition` + offset within `bytes`), and no length read from the input allocates more
 * than the bytes actually remaining.
 */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly basePosition = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.basePosition + this.offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  fail(reason: string, at = this.position): never {
    throw new CorruptMetadataRecordError(reason, at);
  }

  private need(byteCount: number, what: string): void {
    if (this.remaining < byteCount) {
      this.fail(`${what} needs ${byteCount} bytes but only ${this.remaining} remain`);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.view.getInt8(this.offset++);
  }

  int16(): number {
    this.need(2, 'int16');
    const value = this.view.getInt16(this.offset);
    this.offset += 2;
    return value;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4, 'int32');
    const value = this.view.getInt32(this.offset);
    this.offset += 4;
    return value;
  }

  int64(): number {
    const at = this.position;
    this.need(8, 'int64');
    const high = this.view.getInt32(this.offset);
    const low = this.view.getUint32(this.offset + 4);
    this.offset += 8;
    const value = high * TWO_POW_32 + low;
    if (!Number.isSafeInteger(value)) this.fail('int64 outside the safe integer range', at);
    return value;
  }

  bool(): boolean {
    const at = this.position;
    this.need(1, 'bool');
    const value = this.bytes[this.offset++];
    if (value !== 0 && value !== 1) this.fail(`bool byte ${value} is neither 0 nor 1`, at);
    return value === 1;
  }

  uvarint(): number {
    const at = this.position;
    let value = 0;
    for (let i = 0; i < MAX_UVARINT_BYTES; i++) {
      this.need(1, 'varint');
      const byte = this.bytes[this.offset++] as number;
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        // Refuse non-minimal encodings so every value has exactly one byte form.
        if (i > 0 && byte === 0) this.fail('non-minimal varint', at);
        if (value > INT32_MAX) this.fail(`varint ${value} exceeds int32`, at);
        return value;
      }
    }
    return this.fail(`varint longer than ${MAX_UVARINT_BYTES} bytes`, at);
  }

  private utf8(byteLength: number, at: number): string {
    if (byteLength > MAX_STRING_BYTES) this.fail(`string length ${byteLength} exceeds ${MAX_STRING_BYTES}`, at);
    this.need(byteLength, 'string');
    const slice = this.bytes.subarray(this.offset, this.offset + byteLength);
    let text: string;
    try {
      text = utf8.decode(slice);
    } catch {
      return this.fail('string is not valid UTF-8', this.position);
    }
    this.offset += byteLength;
    return text;
  }

  string(): string {
    const at = this.position;
    return this.utf8(this.uvarint(), at);
  }

  nullableString(): string | null {
    const at = this.position;
    const lengthPlusOne = this.uvarint();
    return lengthPlusOne === 0 ? null : this.utf8(lengthPlusOne - 1, at);
  }

  uuid(): string {
    this.need(UUID_BYTES, 'uuid');
    const bytes = this.bytes.subarray(this.offset, this.offset + UUID_BYTES);
    this.offset += UUID_BYTES;
    if (lastDecodedUuidText !== '' && sameBytes(bytes, lastDecodedUuidBytes)) return lastDecodedUuidText;
    lastDecodedUuidBytes.set(bytes);
    lastDecodedUuidText = uuidFromBytes(bytes);
    return lastDecodedUuidText;
  }

  private int32s(count: number, at: number): number[] {
    // Check against the bytes present before allocating: a corrupt count cannot cost memory.
    if (count * 4 > this.remaining) this.fail(`array of ${count} int32s overruns the record`, at);
    const values = new Array<number>(count);
    for (let i = 0; i < count; i++) values[i] = this.int32();
    return values;
  }

  int32Array(): number[] {
    const at = this.position;
    return this.int32s(this.uvarint(), at);
  }

  nullableInt32Array(): number[] | undefined {
    const at = this.position;
    const countPlusOne = this.uvarint();
    return countPlusOne === 0 ? undefined : this.int32s(countPlusOne - 1, at);
  }

  /** Asserts a count field is plausible before a loop allocates per element. */
  checkCount(count: number, minBytesEach: number, at: number, what: string): void {
    if (count * minBytesEach > this.remaining) this.fail(`${count} ${what} overrun the record`, at);
  }
}
