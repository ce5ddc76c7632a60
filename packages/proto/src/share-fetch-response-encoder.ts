/**
 * A hand-written protobuf encoder for `sluice.v1.ShareFetchResponse`, the share group answer that
 * carries records (about 500 KiB for 500 records of 1 KiB). Like fetch-response-encoder.ts for
 * Fetch, it writes the header fields and the record bytes into one buffer the caller provides, in
 * one pass after sizing: the servers' serializers lend it a pooled gRPC frame, so the answer is
 * not first built by protobufjs (a copy of the records into a fresh Buffer) and then copied again
 * behind grpc-js' 5-byte prefix (a second fresh Buffer). Those two Buffers per answer were what
 * made the share partition leaders collect garbage (every Buffer counts toward V8's
 * external-memory limit, whose crossing starts a mark-compact; docs/performance.md section 24).
 *
 * The bytes are exactly what proto-loader's serializer writes (protobufjs `fromObject` then
 * `encode`: fields in number order, a field written whenever it is set even to its default,
 * negative int32/int64 as 10-byte varints), so a client cannot tell the two apart
 * (share-fetch-response-encoder.test.ts compares them on generated messages). It takes only the
 * shapes the broker builds: plain objects, numbers (int64 also as decimal strings of at most 15
 * digits), well-formed strings, Buffers / Uint8Arrays. Anything else returns null, and the caller
 * encodes with protobufjs, which then encodes or refuses it exactly as before.
 */
import type { EncodeTarget } from './fetch-response-encoder';

/** Field tags (field number << 3 | wire type): 0 varint, 2 length-delimited. */
const TAG = Object.freeze({
  // ShareFetchResponse
  responseTopics: (1 << 3) | 2,
  // ShareFetchTopicResult
  topicName: (1 << 3) | 2,
  topicPartitions: (2 << 3) | 2,
  // ShareFetchPartitionResult
  partition: (1 << 3) | 0,
  errorName: (2 << 3) | 2,
  errorMessage: (3 << 3) | 2,
  acknowledgeErrorName: (4 << 3) | 2,
  acknowledgeErrorMessage: (5 << 3) | 2,
  records: (6 << 3) | 2,
  acquiredRecords: (7 << 3) | 2,
  leaderEpoch: (8 << 3) | 0,
  // ShareAcquiredRange
  firstOffset: (1 << 3) | 0,
  lastOffset: (2 << 3) | 0,
  deliveryCount: (3 << 3) | 0,
});

/** A 64-bit two's complement varint of a negative number is always 10 bytes. */
const NEGATIVE_VARINT_BYTES = 10;
/** Longer int64 strings may not be safe integers: protobufjs (Long.fromString) handles those. */
const INT64_STRING = /^-?\d{1,15}$/;

/** Thrown inside the size pass when the message is not a shape this encoder takes; never escapes. */
class NotHandled extends Error {}
const NOT_HANDLED = new NotHandled('not a shape the hand encoder takes');

type Message = Record<string, unknown>;
/** ES2024's String.prototype.isWellFormed (Node >= 20); the workspace's TypeScript lib predates it. */
type MaybeWellFormed = string & { isWellFormed(): boolean };

function isPlainObject(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const absent = (value: unknown): boolean => value === undefined || value === null;

function varintBytes(value: number): number {
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
const lengthDelimitedBytes = (length: number): number => 1 + varintBytes(length) + length;

function stringFieldBytes(value: unknown): number {
  if (absent(value)) return 0;
  // A lone surrogate: protobufjs' own UTF-8 writer and Buffer's disagree on it; leave it to protobufjs.
  if (typeof value !== 'string' || !(value as MaybeWellFormed).isWellFormed()) throw NOT_HANDLED;
  return lengthDelimitedBytes(Buffer.byteLength(value, 'utf8'));
}

const int32FieldBytes = (value: unknown): number => (absent(value) ? 0 : 1 + signedVarintBytes(int32Of(value)));
const int64FieldBytes = (value: unknown): number => (absent(value) ? 0 : 1 + signedVarintBytes(int64Of(value)));

function bytesFieldBytes(value: unknown): number {
  if (absent(value)) return 0;
  if (!(value instanceof Uint8Array)) throw NOT_HANDLED;
  return lengthDelimitedBytes(value.length);
}

/** A repeated message field's bytes; each item's body size is pushed to `nested` in write order. */
function repeatedFieldBytes(value: unknown, nested: number[], size: (message: Message) => number): number {
  // protobufjs: a missing value is no field, a non-array is refused.
  if (absent(value)) return 0;
  if (!Array.isArray(value)) throw NOT_HANDLED;
  let bytes = 0;
  for (const item of value) {
    if (!isPlainObject(item)) throw NOT_HANDLED;
    const at = nested.length;
    nested.push(0);
    const body = size(item);
    nested[at] = body;
    bytes += lengthDelimitedBytes(body);
  }
  return bytes;
}

function sizeOf(response: Message, nested: number[]): number {
  const range = (m: Message): number =>
    int64FieldBytes(m.firstOffset) + int64FieldBytes(m.lastOffset) + int32FieldBytes(m.deliveryCount);
  const partition = (m: Message): number =>
    int32FieldBytes(m.partition) +
    stringFieldBytes(m.errorName) +
    stringFieldBytes(m.errorMessage) +
    stringFieldBytes(m.acknowledgeErrorName) +
    stringFieldBytes(m.acknowledgeErrorMessage) +
    bytesFieldBytes(m.records) +
    repeatedFieldBytes(m.acquiredRecords, nested, range) +
    int32FieldBytes(m.leaderEpoch);
  const topic = (m: Message): number => stringFieldBytes(m.name) + repeatedFieldBytes(m.partitions, nested, partition);
  return repeatedFieldBytes(response.topics, nested, topic);
}

/** The write pass: the size pass checked every value, so they are known good here. */
class Writer {
  private at = 0;
  private nestedAt = 0;

  constructor(
    private readonly target: Buffer,
    private readonly nested: readonly number[],
  ) {}

  get written(): number {
    return this.at;
  }

  private varint(value: number): void {
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

  bytes(tag: number, value: unknown): void {
    if (absent(value)) return;
    const bytes = value as Uint8Array;
    this.target[this.at++] = tag;
    this.varint(bytes.length);
    this.target.set(bytes, this.at);
    this.at += bytes.length;
  }

  repeated(tag: number, value: unknown, write: (message: Message) => void): void {
    if (absent(value)) return;
    for (const item of value as Message[]) {
      this.target[this.at++] = tag;
      this.varint(this.nested[this.nestedAt++]!);
      write(item);
    }
  }
}

function write(w: Writer, response: Message): void {
  const range = (m: Message): void => {
    w.int64(TAG.firstOffset, m.firstOffset);
    w.int64(TAG.lastOffset, m.lastOffset);
    w.int32(TAG.deliveryCount, m.deliveryCount);
  };
  const partition = (m: Message): void => {
    w.int32(TAG.partition, m.partition);
    w.string(TAG.errorName, m.errorName);
    w.string(TAG.errorMessage, m.errorMessage);
    w.string(TAG.acknowledgeErrorName, m.acknowledgeErrorName);
    w.string(TAG.acknowledgeErrorMessage, m.acknowledgeErrorMessage);
    w.bytes(TAG.records, m.records);
    w.repeated(TAG.acquiredRecords, m.acquiredRecords, range);
    w.int32(TAG.leaderEpoch, m.leaderEpoch);
  };
  const topic = (m: Message): void => {
    w.string(TAG.topicName, m.name);
    w.repeated(TAG.topicPartitions, m.partitions, partition);
  };
  w.repeated(TAG.responseTopics, response.topics, topic);
}

/** `sluice.v1.ShareFetchResponse` as protobufjs would encode it, or null for a shape left to protobufjs. */
export function encodeShareFetchResponse(message: unknown, target: EncodeTarget): Buffer | null {
  if (!isPlainObject(message)) return null;
  const nested: number[] = [];
  let sizeBytes: number;
  try {
    sizeBytes = sizeOf(message, nested);
  } catch (error) {
    if (error instanceof NotHandled) return null;
    throw error;
  }
  const buffer = target(sizeBytes);
  if (buffer.length !== sizeBytes) throw new Error(`encode target gave ${buffer.length} bytes for ${sizeBytes}`);
  const writer = new Writer(buffer, nested);
  write(writer, message);
  if (writer.written !== sizeBytes)
    throw new Error(`share fetch response encoder invariant: wrote ${writer.written} of ${sizeBytes} bytes`);
  return buffer;
}
