/**
 * What the hand-written protobuf encoders (fetch-response-encoder.ts for Fetch and
 * ReplicaFetchStream, share-fetch-response-encoder.ts for ShareFetch) share: the size pass's field
 * sizes and value checks, and the write pass's scalar fields. Both write exactly what protobufjs
 * writes (a field whenever it is set, negative int32/int64 as 10-byte varints) and give a message
 * back to protobufjs (`NotHandled`) when a value is not a shape they take.
 */

/** A 64-bit two's complement varint of a negative number is always 10 bytes. */
const NEGATIVE_VARINT_BYTES = 10;
/** Longer int64 strings may not be safe integers: protobufjs (Long.fromString) handles those. */
const INT64_STRING = /^-?\d{1,15}$/;

/** Thrown inside an encoder's size pass when the message is not a shape it takes; never escapes. */
export class NotHandled extends Error {}
export const NOT_HANDLED = new NotHandled('not a shape the hand encoder takes');

export type Message = Record<string, unknown>;
/** ES2024's String.prototype.isWellFormed (Node >= 20); the workspace's TypeScript lib predates it. */
type MaybeWellFormed = string & { isWellFormed(): boolean };

export function isPlainObject(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export const absent = (value: unknown): boolean => value === undefined || value === null;

export function varintBytes(value: number): number {
  // value is a non-negative safe integer here.
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

/** int32 as protobufjs takes it: `value | 0`, negatives sign-extended to 64 bits. */
function int32Of(value: unknown): number {
  if (typeof value !== 'number') throw NOT_HANDLED;
  return value | 0;
}

function int64Of(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw NOT_HANDLED;
    return value;
  }
  if (typeof value === 'string' && INT64_STRING.test(value)) return Number(value);
  throw NOT_HANDLED;
}

const signedVarintBytes = (value: number): number => (value < 0 ? NEGATIVE_VARINT_BYTES : varintBytes(value));
export const lengthDelimitedBytes = (length: number): number => 1 + varintBytes(length) + length;

export function bytesOf(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw NOT_HANDLED;
  return value;
}

export function stringFieldBytes(value: unknown): number {
  if (absent(value)) return 0;
  // A lone surrogate: protobufjs' own UTF-8 writer and Buffer's disagree on it; leave it to protobufjs.
  if (typeof value !== 'string' || !(value as MaybeWellFormed).isWellFormed()) throw NOT_HANDLED;
  return lengthDelimitedBytes(Buffer.byteLength(value, 'utf8'));
}

export const int32FieldBytes = (value: unknown): number => (absent(value) ? 0 : 1 + signedVarintBytes(int32Of(value)));
export const int64FieldBytes = (value: unknown): number => (absent(value) ? 0 : 1 + signedVarintBytes(int64Of(value)));

/** The write pass's scalar fields; the size pass checked every value, so they are known good here. */
export class WireWriter {
  protected at = 0;

  constructor(protected readonly target: Buffer) {}

  get written(): number {
    return this.at;
  }

  protected varint(value: number): void {
    const target = this.target;
    while (value >= 0x80) {
      target[this.at++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    target[this.at++] = value;
  }

  private signedVarint(value: number): void {
    if (value >= 0) return this.varint(value);
    // Two's complement over 64 bits, 7 bits at a time: always 10 bytes.
    let bits = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < NEGATIVE_VARINT_BYTES - 1; i++) {
      this.target[this.at++] = Number(bits & 0x7fn) | 0x80;
      bits >>= 7n;
    }
    this.target[this.at++] = Number(bits);
  }

  int32(tag: number, value: unknown): void {
    if (absent(value)) return;
    this.target[this.at++] = tag;
    this.signedVarint(int32Of(value));
  }

  int64(tag: number, value: unknown): void {
    if (absent(value)) return;
    this.target[this.at++] = tag;
    this.signedVarint(int64Of(value));
  }

  string(tag: number, value: unknown): void {
    if (absent(value)) return;
    const text = value as string;
    this.target[this.at++] = tag;
    this.varint(Buffer.byteLength(text, 'utf8'));
    this.at += this.target.write(text, this.at, 'utf8');
  }

  /** A bytes field from a Buffer or Uint8Array. */
  protected plainBytes(tag: number, bytes: Uint8Array): void {
    this.target[this.at++] = tag;
    this.varint(bytes.length);
    this.target.set(bytes, this.at);
    this.at += bytes.length;
  }
}
