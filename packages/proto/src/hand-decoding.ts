/**
 * What the hand-written protobuf decoders (stream-message-decoders.ts) share: a reader of the wire
 * format that gives the values exactly as proto-loader's deserializer does with the contract's
 * options (PROTO_LOADER_OPTIONS: int64 as decimal strings, int32 as protobufjs' `uint32() | 0`,
 * strings as UTF-8, bytes as views of the message). Anything it is not sure to read as protobufjs
 * would (a wire type that does not match the field, a varint longer than protobufjs reads, a
 * length past the end, a group) throws `NOT_HANDLED`, and the message goes to protobufjs, which
 * decodes it or refuses it with its own error.
 */
import { NOT_HANDLED } from './hand-encoding';

/** Wire types. */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

const TWO_POW_32 = 4294967296;
/** Below this high word, hi * 2^32 + lo is a safe integer. */
const SAFE_HIGH_WORD = 0x200000;

export class WireReader {
  /** The last varint's low and high 32 bits (unsigned) and its length in bytes. */
  private lo = 0;
  private hi = 0;
  private varintLength = 0;

  constructor(
    private readonly buf: Buffer,
    public pos: number,
    /** Where the message being read ends. */
    public end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  private varint(): void {
    const { buf, end } = this;
    let pos = this.pos;
    const start = pos;
    let lo = 0;
    let hi = 0;
    let b: number;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw NOT_HANDLED;
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return this.settle(lo, 0, pos, start);
    }
    if (pos >= end) throw NOT_HANDLED;
    b = buf[pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b < 0x80) return this.settle(lo, hi, pos, start);
    for (let shift = 3; shift < 32; shift += 7) {
      if (pos >= end) throw NOT_HANDLED;
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) return this.settle(lo, hi, pos, start);
    }
    throw NOT_HANDLED;
  }

  private settle(lo: number, hi: number, pos: number, start: number): void {
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    this.varintLength = pos - start;
    this.pos = pos;
  }

  /**
   * A tag or a length (protobufjs' `uint32()`). It reads at most 5 bytes and skips 5 more
   * unchecked when the fifth says more follow; only a varint of exactly 5 or 10 bytes reads the same.
   */
  uint32(): number {
    this.varint();
    if (this.varintLength > 5 && this.varintLength !== 10) throw NOT_HANDLED;
    return this.lo;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  /** int64 as `longs: String` gives it: Long's signed decimal. */
  int64(): string {
    this.varint();
    const { lo, hi } = this;
    if (hi === 0) return String(lo);
    if (hi < SAFE_HIGH_WORD) return String(hi * TWO_POW_32 + lo);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
  }

  /** The end of a length-delimited field that starts here (after its tag). */
  delimitedEnd(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.end) throw NOT_HANDLED;
    return end;
  }

  string(): string {
    const end = this.delimitedEnd();
    const value = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return value;
  }

  /** A view of the message's bytes, as protobufjs' BufferReader gives (an empty field: a new empty Buffer). */
  bytes(): Buffer {
    const end = this.delimitedEnd();
    const value = end === this.pos ? Buffer.alloc(0) : this.buf.subarray(this.pos, end);
    this.pos = end;
    return value;
  }

  /** A field this decoder does not know, skipped as protobufjs' `skipType` does (groups are left to protobufjs). */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.pos = this.delimitedEnd();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw NOT_HANDLED;
    }
  }

  private advance(bytes: number): void {
    if (this.pos + bytes > this.end) throw NOT_HANDLED;
    this.pos += bytes;
  }
}
