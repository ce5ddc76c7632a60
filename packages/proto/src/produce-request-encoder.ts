/**
 * A hand-written protobuf encoder for the producer's `ProduceStreamRequest` (broker.proto), framed
 * for grpc-js: the request is written behind 5 bytes reserved for gRPC's message prefix, each
 * partition's record bytes copied once, straight into the frame the transport sends. proto-loader's
 * serializer copies them twice: protobufjs' writer into its buffer, then grpc-js into the frame
 * (docs/performance.md section 32).
 *
 * The bytes are exactly what proto-loader's serializer writes (protobufjs `fromObject` then
 * `encode`: fields in number order, a field written whenever it is set even to its default,
 * negative int32/int64 as 10-byte varints), so a broker cannot tell the two apart
 * (produce-request-encoder.test.ts compares them on generated requests). It takes the shapes the
 * producer builds: plain objects, numbers (int64 also as decimal strings of at most 15 digits),
 * well-formed strings, Buffers / Uint8Arrays; anything else is left to protobufjs (`null`).
 */
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
  type Message,
} from './hand-encoding';

/**
 * The property of a serialized message that holds its whole frame: the patched grpc-js
 * (patches/@grpc__grpc-js@1.14.7.patch, compression-filter.js) writes the 5-byte prefix into it
 * and sends it instead of copying the message into a new one.
 */
export const GRPC_FRAME = Symbol.for('sluice.grpc.frame');

/** gRPC's message prefix: a compressed flag and a 4-byte big-endian length. */
export const GRPC_PREFIX_BYTES = 5;

/** Field tags (field number << 3 | wire type): 0 varint, 2 length-delimited. */
const TAG = Object.freeze({
  // ProduceStreamRequest
  correlationId: (1 << 3) | 0,
  request: (2 << 3) | 2,
  // ProduceRequest
  acks: (1 << 3) | 0,
  timeoutMs: (2 << 3) | 0,
  topics: (3 << 3) | 2,
  // ProduceTopic
  name: (1 << 3) | 2,
  partitions: (2 << 3) | 2,
  // ProducePartition
  partition: (1 << 3) | 0,
  records: (2 << 3) | 2,
});

/** The repeated fields as protobufjs takes them: absent is none, a non-array or non-object item is refused. */
function messagesOf(value: unknown): readonly Message[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw NOT_HANDLED;
  for (const item of value) if (!isPlainObject(item)) throw NOT_HANDLED;
  return value as Message[];
}

/** Body sizes of the nested messages, in the order the write pass meets them. */
type NestedSizes = number[];

function partitionBytes(partition: Message): number {
  const records = partition.records;
  return (
    int32FieldBytes(partition.partition) +
    (records === undefined || records === null ? 0 : lengthDelimitedBytes(bytesOf(records).length))
  );
}

function topicBytes(topic: Message, sizes: NestedSizes): number {
  let bytes = stringFieldBytes(topic.name);
  for (const partition of messagesOf(topic.partitions)) {
    const body = partitionBytes(partition);
    sizes.push(body);
    bytes += lengthDelimitedBytes(body);
  }
  return bytes;
}

function requestBytes(request: Message, sizes: NestedSizes): number {
  let bytes = int32FieldBytes(request.acks) + int32FieldBytes(request.timeoutMs);
  for (const topic of messagesOf(request.topics)) {
    const at = sizes.push(0) - 1;
    const body = topicBytes(topic, sizes);
    sizes[at] = body;
    bytes += lengthDelimitedBytes(body);
  }
  return bytes;
}

function streamRequestBytes(message: Message, sizes: NestedSizes): number {
  let bytes = int64FieldBytes(message.correlationId);
  const request = message.request;
  if (request !== undefined && request !== null) {
    if (!isPlainObject(request)) throw NOT_HANDLED;
    const at = sizes.push(0) - 1;
    const body = requestBytes(request, sizes);
    sizes[at] = body;
    bytes += lengthDelimitedBytes(body);
  }
  return bytes;
}

/** The write pass: the size pass checked every value, so they are known good here. */
class ProduceRequestWriter extends WireWriter {
  private nestedAt = 0;

  constructor(
    target: Buffer,
    private readonly sizes: NestedSizes,
  ) {
    super(target);
  }

  streamRequest(message: Message): void {
    this.int64(TAG.correlationId, message.correlationId);
    const request = message.request as Message | undefined | null;
    if (request === undefined || request === null) return;
    this.nested(TAG.request);
    this.int32(TAG.acks, request.acks);
    this.int32(TAG.timeoutMs, request.timeoutMs);
    for (const topic of messagesOf(request.topics)) {
      this.nested(TAG.topics);
      this.string(TAG.name, topic.name);
      for (const partition of messagesOf(topic.partitions)) {
        this.nested(TAG.partitions);
        this.int32(TAG.partition, partition.partition);
        const records = partition.records;
        if (records !== undefined && records !== null) this.plainBytes(TAG.records, records as Uint8Array);
      }
    }
  }

  private nested(tag: number): void {
    this.target[this.at++] = tag;
    this.varint(this.sizes[this.nestedAt++]!);
  }
}

/**
 * `sluice.v1.ProduceStreamRequest` as protobufjs would encode it, written from
 * `GRPC_PREFIX_BYTES` into a new frame: returns the message's bytes (a view of the frame, whose
 * `GRPC_FRAME` property is the frame), or null for a shape left to protobufjs.
 */
export function encodeFramedProduceStreamRequest(message: unknown): Buffer | null {
  if (!isPlainObject(message)) return null;
  const sizes: NestedSizes = [];
  let sizeBytes: number;
  try {
    sizeBytes = streamRequestBytes(message, sizes);
  } catch (error) {
    if (error instanceof NotHandled) return null;
    throw error;
  }
  const frame = Buffer.allocUnsafe(GRPC_PREFIX_BYTES + sizeBytes);
  const body = frame.subarray(GRPC_PREFIX_BYTES);
  const writer = new ProduceRequestWriter(body, sizes);
  writer.streamRequest(message);
  if (writer.written !== sizeBytes)
    throw new Error(`produce request encoder invariant: wrote ${writer.written} of ${sizeBytes} bytes`);
  (body as Buffer & { [GRPC_FRAME]?: Buffer })[GRPC_FRAME] = frame;
  return body;
}

/**
 * The client's serializer of ProduceStream requests: the framed hand encoding, or `fallback`
 * (proto-loader's serializer) for a shape it leaves. Without the patched grpc-js the frame's
 * property is ignored and grpc-js copies the message into its own frame: the same bytes go out.
 */
export function framedProduceStreamSerializer(fallback: (message: unknown) => Buffer): (message: unknown) => Buffer {
  return (message) => encodeFramedProduceStreamRequest(message) ?? fallback(message);
}
