/**
 * A protobuf encoder driven by a small schema, for the produce path's small stream messages that
 * carry no records: the follower's `ReplicaFetchStreamRequest` and the leader's
 * `ProduceStreamResponse` (broker.proto). proto-loader encodes them with protobufjs' `fromObject`
 * (every int64 string through Long.fromString) then `encode`; this writes the same bytes (fields in
 * number order, a field whenever it is set, negative int32/int64 as 10-byte varints: the rules of
 * hand-encoding.ts) in a size pass and a write pass, and leaves any shape it does not take to
 * protobufjs (`null`). stream-message-encoders.test.ts compares the bytes on generated messages.
 */
import type { PackageDefinition } from '@grpc/proto-loader';
import {
  NotHandled,
  NOT_HANDLED,
  WireWriter,
  int32FieldBytes,
  int64FieldBytes,
  isPlainObject,
  lengthDelimitedBytes,
  stringFieldBytes,
  type Message,
} from './hand-encoding';

export type FieldKind = 'int32' | 'int64' | 'string' | 'message';

export interface SchemaField {
  /** Field number; below 16, so its tag is one byte. */
  readonly number: number;
  /** The JavaScript name proto-loader gives it (camelCase). */
  readonly name: string;
  readonly kind: FieldKind;
  readonly repeated?: boolean;
  /** The embedded message's schema (kind 'message'). */
  readonly schema?: MessageSchema;
}

/** A message's fields in number order (protobufjs' encoding order). */
export type MessageSchema = readonly SchemaField[];

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

function tagOf(field: SchemaField): number {
  return (field.number << 3) | (field.kind === 'int32' || field.kind === 'int64' ? WIRE_VARINT : WIRE_LENGTH_DELIMITED);
}

/** The embedded messages of a field as protobufjs' fromObject takes them: absent is none, a non-object is refused. */
function messagesOf(field: SchemaField, value: unknown): readonly Message[] {
  if (value === undefined || value === null) return [];
  if (field.repeated === true) {
    if (!Array.isArray(value)) throw NOT_HANDLED;
    for (const item of value) if (!isPlainObject(item)) throw NOT_HANDLED;
    return value as Message[];
  }
  if (!isPlainObject(value)) throw NOT_HANDLED;
  return [value];
}

/** The size pass: the body size of every embedded message goes into `sizes`, in write order. */
function messageBytes(schema: MessageSchema, message: Message, sizes: number[]): number {
  let bytes = 0;
  for (const field of schema) {
    const value = message[field.name];
    switch (field.kind) {
      case 'int32':
        bytes += int32FieldBytes(value);
        break;
      case 'int64':
        bytes += int64FieldBytes(value);
        break;
      case 'string':
        bytes += stringFieldBytes(value);
        break;
      case 'message':
        for (const item of messagesOf(field, value)) {
          const at = sizes.push(0) - 1;
          const body = messageBytes(field.schema!, item, sizes);
          sizes[at] = body;
          bytes += lengthDelimitedBytes(body);
        }
        break;
    }
  }
  return bytes;
}

/** The write pass: the size pass checked every value, so they are known good here. */
class SchemaWriter extends WireWriter {
  private nestedAt = 0;

  constructor(
    target: Buffer,
    private readonly sizes: readonly number[],
  ) {
    super(target);
  }

  message(schema: MessageSchema, message: Message): void {
    for (const field of schema) {
      const value = message[field.name];
      const tag = tagOf(field);
      switch (field.kind) {
        case 'int32':
          this.int32(tag, value);
          break;
        case 'int64':
          this.int64(tag, value);
          break;
        case 'string':
          this.string(tag, value);
          break;
        case 'message':
          for (const item of messagesOf(field, value)) {
            this.target[this.at++] = tag;
            this.varint(this.sizes[this.nestedAt++]!);
            this.message(field.schema!, item);
          }
          break;
      }
    }
  }
}

/** `message` as protobufjs would encode it with `schema`, or null for a shape left to protobufjs. */
export function encodeBySchema(schema: MessageSchema, message: unknown): Buffer | null {
  if (!isPlainObject(message)) return null;
  const sizes: number[] = [];
  let sizeBytes: number;
  try {
    sizeBytes = messageBytes(schema, message, sizes);
  } catch (error) {
    if (error instanceof NotHandled) return null;
    throw error;
  }
  const target = Buffer.allocUnsafe(sizeBytes);
  const writer = new SchemaWriter(target, sizes);
  writer.message(schema, message);
  if (writer.written !== sizeBytes)
    throw new Error(`schema encoder invariant: wrote ${writer.written} of ${sizeBytes} bytes`);
  return target;
}

const int32 = (number: number, name: string): SchemaField => ({ number, name, kind: 'int32' });
const int64 = (number: number, name: string): SchemaField => ({ number, name, kind: 'int64' });
const string = (number: number, name: string): SchemaField => ({ number, name, kind: 'string' });
const message = (number: number, name: string, schema: MessageSchema, repeated = false): SchemaField => ({
  number,
  name,
  kind: 'message',
  schema,
  repeated,
});

/** broker.proto's FetchPartition, FetchTopic, FetchRequest, ReplicaFetchStreamRequest. */
export const REPLICA_FETCH_STREAM_REQUEST_SCHEMA: MessageSchema = [
  int64(1, 'correlationId'),
  message(2, 'request', [
    int32(1, 'replicaId'),
    int64(2, 'replicaEpoch'),
    int32(3, 'maxWaitMs'),
    int32(4, 'minBytes'),
    int32(5, 'maxBytes'),
    message(
      6,
      'topics',
      [
        string(1, 'name'),
        message(
          2,
          'partitions',
          [
            int32(1, 'partition'),
            int64(2, 'fetchOffset'),
            int32(3, 'currentLeaderEpoch'),
            int32(4, 'lastFetchedEpoch'),
            int64(5, 'logStartOffset'),
            int32(6, 'partitionMaxBytes'),
            int64(7, 'flushedOffset'),
          ],
          true,
        ),
      ],
      true,
    ),
  ]),
];

/** broker.proto's ProducePartitionResult, ProduceTopicResult, ProduceResponse, ProduceStreamResponse. */
export const PRODUCE_STREAM_RESPONSE_SCHEMA: MessageSchema = [
  int64(1, 'correlationId'),
  message(2, 'response', [
    message(
      1,
      'topics',
      [
        string(1, 'name'),
        message(
          2,
          'partitions',
          [
            int32(1, 'partition'),
            string(2, 'errorName'),
            string(3, 'errorMessage'),
            int64(4, 'baseOffset'),
            int64(5, 'logAppendTime'),
            int64(6, 'logStartOffset'),
          ],
          true,
        ),
      ],
      true,
    ),
    int32(2, 'throttleTimeMs'),
  ]),
  string(3, 'errorName'),
  string(4, 'errorMessage'),
];

/** The schema encoding, or `fallback` (proto-loader's serializer) for a shape it leaves. */
export function schemaSerializer(
  schema: MessageSchema,
  fallback: (message: unknown) => Buffer,
): (message: unknown) => Buffer {
  return (message) => encodeBySchema(schema, message) ?? fallback(message);
}

type Serializer = (message: unknown) => Buffer;
interface SerializingMethod {
  requestSerialize: Serializer;
  responseSerialize: Serializer;
}

/** The methods of sluice.v1.Broker whose small messages are schema encoded, and which side. */
const SCHEMA_ENCODED_BROKER_METHODS: ReadonlyArray<
  readonly [method: string, side: keyof SerializingMethod, schema: MessageSchema]
> = [
  ['ReplicaFetchStream', 'requestSerialize', REPLICA_FETCH_STREAM_REQUEST_SCHEMA],
  ['ProduceStream', 'responseSerialize', PRODUCE_STREAM_RESPONSE_SCHEMA],
];

/**
 * Installs the schema encoders in a freshly loaded contract (its Broker service's method
 * definitions, which grpc-js clients and servers take their serializers from), each falling back
 * to the protobufjs serializer it replaces. Throws if the contract lacks one of the methods.
 */
export function installSchemaEncoders(definition: PackageDefinition): void {
  const broker = definition['sluice.v1.Broker'] as Record<string, SerializingMethod> | undefined;
  for (const [method, side, schema] of SCHEMA_ENCODED_BROKER_METHODS) {
    const target = broker?.[method];
    if (target === undefined || typeof target[side] !== 'function')
      throw new Error(`sluice.v1.Broker/${method} is not in the contract's protos`);
    target[side] = schemaSerializer(schema, target[side]);
  }
}
