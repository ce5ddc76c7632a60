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
import {
  NotHandled,
  NOT_HANDLED,
  WireWriter,
  absent,
  bytesOf,
  int32FieldBytes,
  int64FieldBytes,
  isPlainObject,
  lengthDelimitedBytes,
  stringFieldBytes,
  type Message,
} from './hand-encoding';

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

function bytesFieldBytes(value: unknown): number {
  return absent(value) ? 0 : lengthDelimitedBytes(bytesOf(value).length);
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
class Writer extends WireWriter {
  private nestedAt = 0;

  constructor(
    target: Buffer,
    private readonly nested: readonly number[],
  ) {
    super(target);
  }

  bytes(tag: number, value: unknown): void {
    if (absent(value)) return;
    this.plainBytes(tag, value as Uint8Array);
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
