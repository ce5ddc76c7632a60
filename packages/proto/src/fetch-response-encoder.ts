/**
 * A hand-written protobuf encoder for the answers that carry records: `FetchResponse` (unary
 * Fetch, consumers) and `ReplicaFetchStreamResponse` (followers). It writes the header fields and
 * the record bytes into one buffer the caller provides, in one pass after sizing, with no
 * intermediate objects; the bytes are exactly what proto-loader's serializer writes (protobufjs
 * `fromObject` then `encode`: fields in number order, a field written whenever it is set even to
 * its default, negative int32/int64 as 10-byte varints), so a peer cannot tell the two apart
 * (fetch-response-encoder.test.ts compares them on generated messages).
 *
 * It takes only the shapes the broker builds: plain objects, numbers (int64 also as decimal
 * strings of at most 15 digits), well-formed strings, Buffers / Uint8Arrays. Anything else (a Long,
 * base64 records, a protobufjs message instance, a lone surrogate, a wrong type) returns null, and
 * the caller encodes with protobufjs, which then encodes or refuses it exactly as before.
 *
 * A partition's `records` may also be a RecordsSource: bytes the encoder does not hold but has
 * written into the answer at their place (the broker reads a segment's batches from the file
 * straight into the answer's frame). The bytes are then those protobufjs writes for the message
 * with the source's bytes as a Buffer (`withRecordsRead` makes that message, for protobufjs).
 */

import type { FetchPartitionResult } from './generated/sluice/v1/FetchPartitionResult';
import type { FetchResponse } from './generated/sluice/v1/FetchResponse';
import type { FetchTopicResult } from './generated/sluice/v1/FetchTopicResult';
import {
  NotHandled,
  NOT_HANDLED,
  WireWriter,
  bytesOf,
  int32FieldBytes,
  int64FieldBytes,
  isPlainObject,
  lengthDelimitedBytes,
  stringFieldBytes,
} from './hand-encoding';

/**
 * Records written into the encoded answer by their owner: the size pass calls `settle` once and
 * gets the byte count, fixed from then on; the write pass calls `writeInto` once with exactly
 * that many bytes of `target` reserved from `at`, and the source fills them all (or throws, and
 * the answer is not sent). Both calls come in one synchronous encode.
 */
export interface RecordsSource {
  /** Bytes the source will write, as known when the answer was built (the encoder asks `settle`). */
  readonly length: number;
  settle(): number;
  writeInto(target: Buffer, at: number): void;
}

export function isRecordsSource(value: unknown): value is RecordsSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    typeof (value as Partial<RecordsSource>).settle === 'function' &&
    typeof (value as Partial<RecordsSource>).writeInto === 'function'
  );
}

/** A FetchPartitionResult whose records may be a RecordsSource (what the broker answers a Fetch with). */
export type FetchPartitionAnswer = Omit<FetchPartitionResult, 'records'> & {
  records?: FetchPartitionResult['records'] | RecordsSource;
};
export type FetchTopicAnswer = Omit<FetchTopicResult, 'partitions'> & { partitions?: FetchPartitionAnswer[] };
export type FetchAnswer = Omit<FetchResponse, 'topics'> & { topics?: FetchTopicAnswer[] };

/** What a message's size is computed into: a nested message's size is needed before its bytes. */
interface Sizes {
  /** Sizes of nested messages in the order the write pass meets them. */
  readonly nested: number[];
  /** Settled byte counts of RecordsSources, in the order the write pass meets them. */
  readonly sourced: number[];
}

/** Field tags (field number << 3 | wire type): 0 varint, 2 length-delimited. */
const TAG = Object.freeze({
  // FetchResponse
  responseTopics: (1 << 3) | 2,
  // FetchTopicResult
  topicName: (1 << 3) | 2,
  topicPartitions: (2 << 3) | 2,
  // FetchPartitionResult
  partition: (1 << 3) | 0,
  errorName: (2 << 3) | 2,
  errorMessage: (3 << 3) | 2,
  highWatermark: (4 << 3) | 0,
  logStartOffset: (5 << 3) | 0,
  records: (6 << 3) | 2,
  divergingEpoch: (7 << 3) | 2,
  leaderEpoch: (8 << 3) | 0,
  // EpochEndOffset
  epoch: (1 << 3) | 0,
  endOffset: (2 << 3) | 0,
  // ReplicaFetchStreamResponse
  correlationId: (1 << 3) | 0,
  streamResponse: (2 << 3) | 2,
  streamErrorName: (3 << 3) | 2,
  streamErrorMessage: (4 << 3) | 2,
});

/** A records field's byte count: a Buffer's length, or what a RecordsSource settles on. */
function recordsLengthOf(value: unknown, sizes: Sizes): number {
  if (!isRecordsSource(value)) return bytesOf(value).length;
  const settled = value.settle();
  if (!(Number.isSafeInteger(settled) && settled >= 0)) throw new Error(`records source settled on ${settled} bytes`);
  sizes.sourced.push(settled);
  return settled;
}

/** A nested message field; `size` computes the body (and pushes its own nested sizes). */
function messageFieldBytes(value: unknown, sizes: Sizes, size: (message: Record<string, unknown>) => number): number {
  if (value === undefined || value === null) return 0;
  if (!isPlainObject(value)) throw NOT_HANDLED;
  const at = sizes.nested.length;
  sizes.nested.push(0);
  const body = size(value);
  sizes.nested[at] = body;
  return lengthDelimitedBytes(body);
}

function repeatedFieldBytes(value: unknown, sizes: Sizes, size: (message: Record<string, unknown>) => number): number {
  // protobufjs: a falsy value is no field, a truthy non-array is refused.
  if (value === undefined || value === null) return 0;
  if (!Array.isArray(value)) throw NOT_HANDLED;
  let bytes = 0;
  for (const item of value) {
    if (!isPlainObject(item)) throw NOT_HANDLED;
    bytes += messageFieldBytes(item, sizes, size);
  }
  return bytes;
}

function epochEndOffsetBytes(message: Record<string, unknown>): number {
  return int32FieldBytes(message.epoch) + int64FieldBytes(message.endOffset);
}

function partitionResultBytes(sizes: Sizes): (message: Record<string, unknown>) => number {
  return (message) => {
    const records = message.records;
    return (
      int32FieldBytes(message.partition) +
      stringFieldBytes(message.errorName) +
      stringFieldBytes(message.errorMessage) +
      int64FieldBytes(message.highWatermark) +
      int64FieldBytes(message.logStartOffset) +
      (records === undefined || records === null ? 0 : lengthDelimitedBytes(recordsLengthOf(records, sizes))) +
      messageFieldBytes(message.divergingEpoch, sizes, epochEndOffsetBytes) +
      int32FieldBytes(message.leaderEpoch)
    );
  };
}

function topicResultBytes(sizes: Sizes): (message: Record<string, unknown>) => number {
  const partition = partitionResultBytes(sizes);
  return (message) => stringFieldBytes(message.name) + repeatedFieldBytes(message.partitions, sizes, partition);
}

function fetchResponseBytes(sizes: Sizes): (message: Record<string, unknown>) => number {
  const topic = topicResultBytes(sizes);
  return (message) => repeatedFieldBytes(message.topics, sizes, topic);
}

function streamResponseBytes(sizes: Sizes): (message: Record<string, unknown>) => number {
  const response = fetchResponseBytes(sizes);
  return (message) =>
    int64FieldBytes(message.correlationId) +
    messageFieldBytes(message.response, sizes, response) +
    stringFieldBytes(message.errorName) +
    stringFieldBytes(message.errorMessage);
}

/** The write pass: sizes were checked by the size pass, so the values are known good here. */
class Writer extends WireWriter {
  private nestedAt = 0;
  private sourcedAt = 0;

  constructor(
    target: Buffer,
    private readonly sizes: Sizes,
  ) {
    super(target);
  }

  bytes(tag: number, value: unknown): void {
    if (value === undefined || value === null) return;
    if (isRecordsSource(value)) return this.sourced(tag, value);
    this.plainBytes(tag, value as Uint8Array);
  }

  /** The source writes its settled bytes into their place in the target itself. */
  private sourced(tag: number, source: RecordsSource): void {
    const length = this.sizes.sourced[this.sourcedAt++]!;
    this.target[this.at++] = tag;
    this.varint(length);
    if (length > 0) source.writeInto(this.target, this.at);
    this.at += length;
  }

  message(tag: number, value: unknown, write: (message: Record<string, unknown>) => void): void {
    if (value === undefined || value === null) return;
    this.target[this.at++] = tag;
    this.varint(this.sizes.nested[this.nestedAt++]!);
    write(value as Record<string, unknown>);
  }

  repeated(tag: number, value: unknown, write: (message: Record<string, unknown>) => void): void {
    if (value === undefined || value === null) return;
    for (const item of value as unknown[]) this.message(tag, item, write);
  }
}

function writeEpochEndOffset(w: Writer): (message: Record<string, unknown>) => void {
  return (message) => {
    w.int32(TAG.epoch, message.epoch);
    w.int64(TAG.endOffset, message.endOffset);
  };
}

function writePartitionResult(w: Writer): (message: Record<string, unknown>) => void {
  const epoch = writeEpochEndOffset(w);
  return (message) => {
    w.int32(TAG.partition, message.partition);
    w.string(TAG.errorName, message.errorName);
    w.string(TAG.errorMessage, message.errorMessage);
    w.int64(TAG.highWatermark, message.highWatermark);
    w.int64(TAG.logStartOffset, message.logStartOffset);
    w.bytes(TAG.records, message.records);
    w.message(TAG.divergingEpoch, message.divergingEpoch, epoch);
    w.int32(TAG.leaderEpoch, message.leaderEpoch);
  };
}

function writeTopicResult(w: Writer): (message: Record<string, unknown>) => void {
  const partition = writePartitionResult(w);
  return (message) => {
    w.string(TAG.topicName, message.name);
    w.repeated(TAG.topicPartitions, message.partitions, partition);
  };
}

function writeFetchResponse(w: Writer): (message: Record<string, unknown>) => void {
  const topic = writeTopicResult(w);
  return (message) => w.repeated(TAG.responseTopics, message.topics, topic);
}

function writeStreamResponse(w: Writer): (message: Record<string, unknown>) => void {
  const response = writeFetchResponse(w);
  return (message) => {
    w.int64(TAG.correlationId, message.correlationId);
    w.message(TAG.streamResponse, message.response, response);
    w.string(TAG.streamErrorName, message.errorName);
    w.string(TAG.streamErrorMessage, message.errorMessage);
  };
}

/** Where the encoded bytes go: a Buffer of exactly `sizeBytes` (a fresh one, or scratch space). */
export type EncodeTarget = (sizeBytes: number) => Buffer;

function encode(
  message: unknown,
  target: EncodeTarget,
  size: (sizes: Sizes) => (message: Record<string, unknown>) => number,
  write: (w: Writer) => (message: Record<string, unknown>) => void,
): Buffer | null {
  if (!isPlainObject(message)) return null;
  const sizes: Sizes = { nested: [], sourced: [] };
  let sizeBytes: number;
  try {
    sizeBytes = size(sizes)(message);
  } catch (error) {
    if (error instanceof NotHandled) return null;
    throw error;
  }
  const buffer = target(sizeBytes);
  if (buffer.length !== sizeBytes) throw new Error(`encode target gave ${buffer.length} bytes for ${sizeBytes}`);
  const writer = new Writer(buffer, sizes);
  write(writer)(message);
  if (writer.written !== sizeBytes)
    throw new Error(`fetch response encoder invariant: wrote ${writer.written} of ${sizeBytes} bytes`);
  return buffer;
}

/** `sluice.v1.FetchResponse` as protobufjs would encode it, or null for a shape left to protobufjs. */
export function encodeFetchResponse(message: unknown, target: EncodeTarget): Buffer | null {
  return encode(message, target, fetchResponseBytes, writeFetchResponse);
}

/** `sluice.v1.ReplicaFetchStreamResponse` as protobufjs would encode it, or null (see above). */
export function encodeReplicaFetchStreamResponse(message: unknown, target: EncodeTarget): Buffer | null {
  return encode(message, target, streamResponseBytes, writeStreamResponse);
}

/**
 * `sluice.v1.FetchStreamResponse` as protobufjs would encode it, or null (see above): the same
 * fields and numbers as ReplicaFetchStreamResponse (broker.proto), so the same bytes.
 */
export function encodeFetchStreamResponse(message: unknown, target: EncodeTarget): Buffer | null {
  return encode(message, target, streamResponseBytes, writeStreamResponse);
}

/**
 * `message` with every RecordsSource in it replaced by a Buffer of its bytes (a copy of the plain
 * objects and arrays on the way to one; the rest shared): for protobufjs, when the hand encoder
 * leaves a message to it. The same message unchanged when it holds no source.
 */
export function withRecordsRead<T>(message: T): T {
  return readSources(message) as T;
}

function readSources(value: unknown): unknown {
  if (isRecordsSource(value)) {
    const bytes = Buffer.allocUnsafe(value.settle());
    if (bytes.length > 0) value.writeInto(bytes, 0);
    return bytes;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const read = readSources(item);
      if (read !== item) (copy ??= [...value])[i] = read;
    });
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const read = readSources(item);
    if (read !== item) (copy ??= { ...value })[key] = read;
  }
  return copy ?? value;
}
