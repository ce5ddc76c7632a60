/**
 * Hand-written protobuf decoders for the messages of the produce path's streams (broker.proto):
 * the leader's `ProduceStreamRequest` and `ReplicaFetchStreamRequest`, the follower's
 * `ReplicaFetchStreamResponse`. proto-loader decodes each with protobufjs' reflection (`decode`,
 * then `toObject` turning every int64 from a Long into a string); on the brokers that was about 4%
 * of their busy samples in tuned produce (docs/performance.md, section 39).
 *
 * Each gives what proto-loader's deserializer gives with the contract's options (every field, its
 * proto3 default when absent, message fields null, int64 as decimal strings, records as views of the
 * received message, the last of a repeated non-repeated field winning); stream-message-decoders.test.ts
 * compares them on generated messages. A message it is not sure to read alike (hand-decoding.ts)
 * goes to protobufjs, which decodes or refuses it as before.
 */
import type { PackageDefinition } from '@grpc/proto-loader';
import { WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader } from './hand-decoding';
import { NOT_HANDLED, NotHandled } from './hand-encoding';

type Decoded = Record<string, unknown>;

/** A known field with another wire type than the contract's: protobufjs reads it its own way. */
function expect(wireType: number, wanted: number): void {
  if (wireType !== wanted) throw NOT_HANDLED;
}

// ---------------------------------------------------------------- Produce

function producePartition(r: WireReader): Decoded {
  const m: Decoded = { partition: 0, records: null };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        expect(wireType, WIRE_VARINT);
        m.partition = r.int32();
        break;
      case 2:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        m.records = r.bytes();
        break;
      default:
        r.skip(wireType);
    }
  }
  m.records ??= Buffer.alloc(0);
  return m;
}

function produceTopic(r: WireReader): Decoded {
  const partitions: Decoded[] = [];
  const m: Decoded = { partitions, name: '' };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        m.name = r.string();
        break;
      case 2:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        partitions.push(nested(r, producePartition));
        break;
      default:
        r.skip(wireType);
    }
  }
  return m;
}

function produceRequest(r: WireReader): Decoded {
  const topics: Decoded[] = [];
  const m: Decoded = { topics, acks: 0, timeoutMs: 0 };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        expect(wireType, WIRE_VARINT);
        m.acks = r.int32();
        break;
      case 2:
        expect(wireType, WIRE_VARINT);
        m.timeoutMs = r.int32();
        break;
      case 3:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        topics.push(nested(r, produceTopic));
        break;
      default:
        r.skip(wireType);
    }
  }
  return m;
}

// ---------------------------------------------------------------- Fetch

function fetchPartition(r: WireReader): Decoded {
  const m: Decoded = {
    partition: 0,
    fetchOffset: '0',
    currentLeaderEpoch: 0,
    lastFetchedEpoch: 0,
    logStartOffset: '0',
    partitionMaxBytes: 0,
    flushedOffset: '0',
  };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field >= 1 && field <= 7) expect(wireType, WIRE_VARINT);
    switch (field) {
      case 1:
        m.partition = r.int32();
        break;
      case 2:
        m.fetchOffset = r.int64();
        break;
      case 3:
        m.currentLeaderEpoch = r.int32();
        break;
      case 4:
        m.lastFetchedEpoch = r.int32();
        break;
      case 5:
        m.logStartOffset = r.int64();
        break;
      case 6:
        m.partitionMaxBytes = r.int32();
        break;
      case 7:
        m.flushedOffset = r.int64();
        break;
      default:
        r.skip(wireType);
    }
  }
  return m;
}

function fetchTopic(r: WireReader): Decoded {
  const partitions: Decoded[] = [];
  const m: Decoded = { partitions, name: '' };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        m.name = r.string();
        break;
      case 2:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        partitions.push(nested(r, fetchPartition));
        break;
      default:
        r.skip(wireType);
    }
  }
  return m;
}

function fetchRequest(r: WireReader): Decoded {
  const topics: Decoded[] = [];
  const m: Decoded = { topics, replicaId: 0, replicaEpoch: '0', maxWaitMs: 0, minBytes: 0, maxBytes: 0 };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        expect(wireType, WIRE_VARINT);
        m.replicaId = r.int32();
        break;
      case 2:
        expect(wireType, WIRE_VARINT);
        m.replicaEpoch = r.int64();
        break;
      case 3:
        expect(wireType, WIRE_VARINT);
        m.maxWaitMs = r.int32();
        break;
      case 4:
        expect(wireType, WIRE_VARINT);
        m.minBytes = r.int32();
        break;
      case 5:
        expect(wireType, WIRE_VARINT);
        m.maxBytes = r.int32();
        break;
      case 6:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        topics.push(nested(r, fetchTopic));
        break;
      default:
        r.skip(wireType);
    }
  }
  return m;
}

function epochEndOffset(r: WireReader): Decoded {
  const m: Decoded = { epoch: 0, endOffset: '0' };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        expect(wireType, WIRE_VARINT);
        m.epoch = r.int32();
        break;
      case 2:
        expect(wireType, WIRE_VARINT);
        m.endOffset = r.int64();
        break;
      default:
        r.skip(wireType);
    }
  }
  return m;
}

function fetchPartitionResult(r: WireReader): Decoded {
  const m: Decoded = {
    partition: 0,
    errorName: '',
    errorMessage: '',
    highWatermark: '0',
    logStartOffset: '0',
    records: null,
    divergingEpoch: null,
    leaderEpoch: 0,
  };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        expect(wireType, WIRE_VARINT);
        m.partition = r.int32();
        break;
      case 2:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        m.errorName = r.string();
        break;
      case 3:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        m.errorMessage = r.string();
        break;
      case 4:
        expect(wireType, WIRE_VARINT);
        m.highWatermark = r.int64();
        break;
      case 5:
        expect(wireType, WIRE_VARINT);
        m.logStartOffset = r.int64();
        break;
      case 6:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        m.records = r.bytes();
        break;
      case 7:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        m.divergingEpoch = nested(r, epochEndOffset);
        break;
      case 8:
        expect(wireType, WIRE_VARINT);
        m.leaderEpoch = r.int32();
        break;
      default:
        r.skip(wireType);
    }
  }
  m.records ??= Buffer.alloc(0);
  return m;
}

function fetchTopicResult(r: WireReader): Decoded {
  const partitions: Decoded[] = [];
  const m: Decoded = { partitions, name: '' };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        m.name = r.string();
        break;
      case 2:
        expect(wireType, WIRE_LENGTH_DELIMITED);
        partitions.push(nested(r, fetchPartitionResult));
        break;
      default:
        r.skip(wireType);
    }
  }
  return m;
}

function fetchResponse(r: WireReader): Decoded {
  const topics: Decoded[] = [];
  const m: Decoded = { topics };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    if (tag >>> 3 === 1) {
      expect(wireType, WIRE_LENGTH_DELIMITED);
      topics.push(nested(r, fetchTopicResult));
    } else {
      r.skip(wireType);
    }
  }
  return m;
}

// ---------------------------------------------------------------- the stream messages

/** A `{ correlation_id = 1; <body> = 2; }` stream message, with `error_name = 3; error_message = 4` if `withErrors`. */
function streamMessage(
  r: WireReader,
  bodyName: string,
  body: (r: WireReader) => Decoded,
  withErrors: boolean,
): Decoded {
  const m: Decoded = withErrors
    ? { correlationId: '0', [bodyName]: null, errorName: '', errorMessage: '' }
    : { correlationId: '0', [bodyName]: null };
  while (!r.done) {
    const tag = r.uint32();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (field === 1) {
      expect(wireType, WIRE_VARINT);
      m.correlationId = r.int64();
    } else if (field === 2) {
      expect(wireType, WIRE_LENGTH_DELIMITED);
      m[bodyName] = nested(r, body);
    } else if (withErrors && (field === 3 || field === 4)) {
      expect(wireType, WIRE_LENGTH_DELIMITED);
      m[field === 3 ? 'errorName' : 'errorMessage'] = r.string();
    } else {
      r.skip(wireType);
    }
  }
  return m;
}

/** An embedded message: read within its length, then the reader goes on after it. */
function nested(r: WireReader, read: (r: WireReader) => Decoded): Decoded {
  const end = r.delimitedEnd();
  const outerEnd = r.end;
  r.end = end;
  const m = read(r);
  r.end = outerEnd;
  return m;
}

export function decodeProduceStreamRequest(bytes: Buffer): Decoded {
  return streamMessage(new WireReader(bytes, 0, bytes.length), 'request', produceRequest, false);
}

export function decodeReplicaFetchStreamRequest(bytes: Buffer): Decoded {
  return streamMessage(new WireReader(bytes, 0, bytes.length), 'request', fetchRequest, false);
}

export function decodeReplicaFetchStreamResponse(bytes: Buffer): Decoded {
  return streamMessage(new WireReader(bytes, 0, bytes.length), 'response', fetchResponse, true);
}

/** The hand decoder, or protobufjs' deserializer for a message the hand decoder leaves to it. */
export function handDecodedDeserializer(
  decode: (bytes: Buffer) => Decoded,
  fallback: (bytes: Buffer) => unknown,
): (bytes: Buffer) => unknown {
  return (bytes: Buffer): unknown => {
    try {
      return decode(bytes);
    } catch (error) {
      if (error instanceof NotHandled) return fallback(bytes);
      throw error;
    }
  };
}

type Deserializer = (bytes: Buffer) => unknown;
interface DeserializingMethod {
  requestDeserialize: Deserializer;
  responseDeserialize: Deserializer;
}

/** The methods of sluice.v1.Broker whose messages are hand decoded, and which of their decoders. */
const HAND_DECODED_BROKER_METHODS: ReadonlyArray<
  readonly [method: string, side: keyof DeserializingMethod, decode: (bytes: Buffer) => Decoded]
> = [
  ['ProduceStream', 'requestDeserialize', decodeProduceStreamRequest],
  ['ReplicaFetchStream', 'requestDeserialize', decodeReplicaFetchStreamRequest],
  ['ReplicaFetchStream', 'responseDeserialize', decodeReplicaFetchStreamResponse],
];

/**
 * Installs the hand decoders in a freshly loaded contract (its Broker service's method definitions,
 * which grpc-js clients and servers both take their deserializers from), each falling back to the
 * protobufjs deserializer it replaces. Throws if the contract lacks one of the methods.
 */
export function installHandDecoders(definition: PackageDefinition): void {
  const broker = definition['sluice.v1.Broker'] as Record<string, DeserializingMethod> | undefined;
  for (const [method, side, decode] of HAND_DECODED_BROKER_METHODS) {
    const target = broker?.[method];
    if (target === undefined || typeof target[side] !== 'function')
      throw new Error(`sluice.v1.Broker/${method} is not in the contract's protos`);
    target[side] = handDecodedDeserializer(decode, target[side]);
  }
}
