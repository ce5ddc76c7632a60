import { CorruptRecordError } from './errors';

/**
 * Kafka's zig-zag varints (protobuf style): `varint` carries an int32 in at most 5 bytes,
 * `varlong` an int64 in at most 10. Values are JS numbers; a varlong outside the safe-integer
 * range is refused rather than rounded (offsets and timestamps must stay exact).
 *
 * The hot-path functions take (buffer, at) and return the next offset, so nothing is allocated
 * per field. Readers live in `ByteReader`; the stand-alone `decodeVarint`/`decodeVarlong` below
 * are conveniences for tests and tools.
 */

export const MAX_VARINT_BYTES = 5;
export const MAX_VARLONG_BYTES = 10;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
/** Below this magnitude a zig-zag varlong fits in 49 bits and plain float arithmetic is exact. */
const FAST_VARLONG_LIMIT = 2 ** 47;
const TWO_POW_7 = 128;

export function assertInt32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new RangeError(`${what} ${value} is not an int32`);
  }
}

export function zigZagEncode32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

export function zigZagDecode32(encoded: number): number {
  return (encoded >>> 1) ^ -(encoded & 1);
}

export function sizeOfVarint(value: number): number {
  const u = zigZagEncode32(value);
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  return 5;
}

/** Writes `value` (an int32) as a zig-zag varint at `at`; returns the offset after it. */
export function writeVarint(buffer: Buffer, value: number, at: number): number {
  let u = zigZagEncode32(value);
  while (u >= 0x80) {
    buffer[at++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buffer[at++] = u;
  return at;
}

export function sizeOfVarlong(value: number): number {
  if (Math.abs(value) < FAST_VARLONG_LIMIT) {
    let u = value >= 0 ? value * 2 : -value * 2 - 1;
    let size = 1;
    while (u >= TWO_POW_7) {
      u = Math.floor(u / TWO_POW_7);
      size++;
    }
    return size;
  }
  let u = zigZagEncode64(value);
  let size = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    size++;
  }
  return size;
}

/** Writes `value` (a safe integer) as a zig-zag varlong at `at`; returns the offset after it. */
export function writeVarlong(buffer: Buffer, value: number, at: number): number {
  if (Math.abs(value) < FAST_VARLONG_LIMIT) {
    let u = value >= 0 ? value * 2 : -value * 2 - 1;
    while (u >= TWO_POW_7) {
      buffer[at++] = (u % TWO_POW_7) | 0x80;
      u = Math.floor(u / TWO_POW_7);
    }
    buffer[at++] = u;
    return at;
  }
  // Rare (|value| >= 2^47): exact 64-bit arithmetic.
  let u = zigZagEncode64(value);
  while (u >= 0x80n) {
    buffer[at++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  buffer[at++] = Number(u);
  return at;
}

function zigZagEncode64(value: number): bigint {
  if (!Number.isSafeInteger(value)) throw new RangeError(`varlong value ${value} is not a safe integer`);
  const v = BigInt(value);
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

/**
 * Decodes the zig-zag varlong whose unsigned 64-bit form is `u`; `undefined` when the result is
 * not a safe integer.
 */
export function zigZagDecode64(u: bigint): number | undefined {
  const v = (u >> 1n) ^ -(u & 1n);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
  return Number(v);
}

/** Encodes one varint into a fresh buffer (convenience; the hot path uses `writeVarint`). */
export function encodeVarint(value: number): Buffer {
  assertInt32(value, 'varint value');
  const out = Buffer.allocUnsafe(sizeOfVarint(value));
  writeVarint(out, value, 0);
  return out;
}

/** Encodes one varlong into a fresh buffer (convenience; the hot path uses `writeVarlong`). */
export function encodeVarlong(value: number): Buffer {
  if (!Number.isSafeInteger(value)) throw new RangeError(`varlong value ${value} is not a safe integer`);
  const out = Buffer.allocUnsafe(sizeOfVarlong(value));
  writeVarlong(out, value, 0);
  return out;
}

/**
 * Reads a zig-zag varint starting at `at`. Throws `CorruptRecordError` if it runs past the end
 * of the buffer or is longer than 5 bytes; `position` is the absolute position of `buffer[0]`.
 */
export function decodeVarint(buffer: Buffer, at = 0, position = 0): { value: number; sizeBytes: number } {
  const reader = new ByteReader(buffer, at, buffer.length, position + at);
  const value = reader.readVarint('varint');
  return { value, sizeBytes: reader.offset - at };
}

/** Like `decodeVarint`, for varlongs (at most 10 bytes, result must be a safe integer). */
export function decodeVarlong(buffer: Buffer, at = 0, position = 0): { value: number; sizeBytes: number } {
  const reader = new ByteReader(buffer, at, buffer.length, position + at);
  const value = reader.readVarlong('varlong');
  return { value, sizeBytes: reader.offset - at };
}

/**
 * A bounded cursor over `buffer[start, end)`. Every read checks the bytes left first, so
 * malformed input turns into `CorruptRecordError` pointing at the absolute byte, never a
 * RangeError or an out-of-bounds slice.
 *
 * `basePosition` is the absolute position of `buffer[start]`. When reading decompressed data
 * (which has no position in the file), `decompressedAt` is the position of the compressed
 * section: errors then point there and name the offset inside the decompressed bytes.
 */
export class ByteReader {
  offset: number;

  constructor(
    readonly buffer: Buffer,
    readonly start: number,
    /** Exclusive end of the readable window; callers may narrow it temporarily. */
    public end: number,
    readonly basePosition: number,
    readonly decompressedAt?: number,
  ) {
    if (start < 0 || end > buffer.length || start > end) {
      throw new RangeError(`ByteReader window [${start}, ${end}) outside buffer of ${buffer.length} bytes`);
    }
    this.offset = start;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** An error for a problem found at buffer index `at`. */
  corrupt(reason: string, at: number = this.offset): CorruptRecordError {
    if (this.decompressedAt !== undefined) {
      return new CorruptRecordError(
        `${reason} (byte ${at - this.start} of the decompressed records)`,
        this.decompressedAt,
      );
    }
    return new CorruptRecordError(reason, this.basePosition + (at - this.start));
  }

  /** Throws unless `count` more bytes are available. */
  require(count: number, what: string): void {
    if (count > this.end - this.offset) {
      throw this.corrupt(`${what}: needs ${count} bytes, only ${this.end - this.offset} left`);
    }
  }

  readInt8(what: string): number {
    this.require(1, what);
    return this.buffer.readInt8(this.offset++);
  }

  readVarint(what: string): number {
    const buffer = this.buffer;
    const begin = this.offset;
    let at = begin;
    let u = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= this.end) throw this.corrupt(`${what}: varint truncated`, begin);
      const b = buffer[at++]!;
      // Java-int semantics: bits past 32 in the fifth byte are dropped, as Kafka does.
      u |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.offset = at;
        return zigZagDecode32(u >>> 0);
      }
    }
    throw this.corrupt(`${what}: varint longer than ${MAX_VARINT_BYTES} bytes`, begin);
  }

  readVarlong(what: string): number {
    const buffer = this.buffer;
    const begin = this.offset;
    let at = begin;
    // Up to 7 bytes (49 bits) the value is exact in a double.
    let u = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (at >= this.end) throw this.corrupt(`${what}: varlong truncated`, begin);
      const b = buffer[at++]!;
      u += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.offset = at;
        return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      }
      scale *= TWO_POW_7;
    }
    // Rare long form: finish in 64-bit BigInt, then insist on a safe integer.
    let big = BigInt(u);
    for (let shift = 49n; shift < 70n; shift += 7n) {
      if (at >= this.end) throw this.corrupt(`${what}: varlong truncated`, begin);
      const b = buffer[at++]!;
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        const value = zigZagDecode64(BigInt.asUintN(64, big));
        if (value === undefined) throw this.corrupt(`${what}: varlong outside the safe integer range`, begin);
        this.offset = at;
        return value;
      }
    }
    throw this.corrupt(`${what}: varlong longer than ${MAX_VARLONG_BYTES} bytes`, begin);
  }

  /**
   * Reads a varint length followed by that many bytes; -1 means null. The slice shares memory
   * with the underlying buffer.
   */
  readNullableBytes(what: string): Buffer | null {
    const lengthAt = this.offset;
    const length = this.readVarint(what);
    if (length === -1) return null;
    if (length < 0) throw this.corrupt(`${what}: invalid length ${length}`, lengthAt);
    if (length > this.end - this.offset) {
      throw this.corrupt(`${what}: length ${length} exceeds the ${this.end - this.offset} bytes left`, lengthAt);
    }
    const at = this.offset;
    this.offset = at + length;
    return this.buffer.subarray(at, at + length);
  }

  /** Reads a varint length followed by that many UTF-8 bytes; null (-1) is refused. */
  readString(what: string): string {
    const lengthAt = this.offset;
    const length = this.readVarint(what);
    if (length < 0) throw this.corrupt(`${what}: invalid length ${length}`, lengthAt);
    if (length > this.end - this.offset) {
      throw this.corrupt(`${what}: length ${length} exceeds the ${this.end - this.offset} bytes left`, lengthAt);
    }
    const at = this.offset;
    this.offset = at + length;
    return this.buffer.toString('utf8', at, at + length);
  }
}
