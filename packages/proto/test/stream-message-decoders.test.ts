/**
 * The produce path's stream messages are hand decoded (ProduceStreamRequest, ReplicaFetchStream
 * request and response): for every message protobufjs writes, the hand decoder must give exactly
 * what proto-loader's deserializer gives (int64 as decimal strings over the whole range, defaults,
 * null message fields, unknown fields skipped, repeated non-repeated fields: the last wins), with
 * the records as views of the received bytes; on any bytes at all, the installed deserializer must
 * give protobufjs' value or fail as protobufjs fails.
 */
import type { MethodDefinition } from '@grpc/grpc-js';
import fc from 'fast-check';
import { anyInt32, anyString } from './wire-arbitraries';
import {
  CONTRACT_PROTO_FILES,
  contractPackageDefinition,
  decodeProduceStreamRequest,
  decodeReplicaFetchStreamRequest,
  decodeReplicaFetchStreamResponse,
  handDecodedDeserializer,
  loadProtos,
} from '../src';

type Method = MethodDefinition<unknown, unknown>;
/** A contract loaded without the hand decoders: protobufjs' own (de)serializers. */
const plain = loadProtos(CONTRACT_PROTO_FILES)['sluice.v1.Broker'] as unknown as Record<string, Method>;
const installed = contractPackageDefinition()['sluice.v1.Broker'] as unknown as Record<string, Method>;

/** int64 over its whole range, as numbers and strings. */
const int64 = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
const records = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes));

const produceStreamRequest = fc.record(
  {
    correlationId: int64,
    request: fc.record(
      {
        acks: anyInt32,
        timeoutMs: anyInt32,
        topics: fc.array(
          fc.record(
            {
              name: anyString,
              partitions: fc.array(fc.record({ partition: anyInt32, records }, { requiredKeys: [] }), {
                maxLength: 3,
              }),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const fetchPartition = fc.record(
  {
    partition: anyInt32,
    fetchOffset: int64,
    currentLeaderEpoch: anyInt32,
    lastFetchedEpoch: anyInt32,
    logStartOffset: int64,
    partitionMaxBytes: anyInt32,
    flushedOffset: int64,
  },
  { requiredKeys: [] },
);
const replicaFetchStreamRequest = fc.record(
  {
    correlationId: int64,
    request: fc.record(
      {
        replicaId: anyInt32,
        replicaEpoch: int64,
        maxWaitMs: anyInt32,
        minBytes: anyInt32,
        maxBytes: anyInt32,
        topics: fc.array(
          fc.record({ name: anyString, partitions: fc.array(fetchPartition, { maxLength: 4 }) }, { requiredKeys: [] }),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const fetchPartitionResult = fc.record(
  {
    partition: anyInt32,
    errorName: anyString,
    errorMessage: anyString,
    highWatermark: int64,
    logStartOffset: int64,
    records,
    divergingEpoch: fc.record({ epoch: anyInt32, endOffset: int64 }, { requiredKeys: [] }),
    leaderEpoch: anyInt32,
  },
  { requiredKeys: [] },
);
const replicaFetchStreamResponse = fc.record(
  {
    correlationId: int64,
    response: fc.record(
      {
        topics: fc.array(
          fc.record(
            { name: anyString, partitions: fc.array(fetchPartitionResult, { maxLength: 4 }) },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
    errorName: maybe(anyString),
    errorMessage: maybe(anyString),
  },
  { requiredKeys: [] },
);

interface Case {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<unknown>;
  readonly serialize: (message: unknown) => Buffer;
  readonly protobuf: (bytes: Buffer) => unknown;
  readonly hand: (bytes: Buffer) => Record<string, unknown>;
  readonly installed: (bytes: Buffer) => unknown;
}

const cases: Case[] = [
  {
    name: 'ProduceStreamRequest',
    arbitrary: produceStreamRequest,
    serialize: plain.ProduceStream!.requestSerialize,
    protobuf: plain.ProduceStream!.requestDeserialize,
    hand: decodeProduceStreamRequest,
    installed: installed.ProduceStream!.requestDeserialize,
  },
  {
    name: 'ReplicaFetchStreamRequest',
    arbitrary: replicaFetchStreamRequest,
    serialize: plain.ReplicaFetchStream!.requestSerialize,
    protobuf: plain.ReplicaFetchStream!.requestDeserialize,
    hand: decodeReplicaFetchStreamRequest,
    installed: installed.ReplicaFetchStream!.requestDeserialize,
  },
  {
    name: 'ReplicaFetchStreamResponse',
    arbitrary: replicaFetchStreamResponse,
    serialize: plain.ReplicaFetchStream!.responseSerialize,
    protobuf: plain.ReplicaFetchStream!.responseDeserialize,
    hand: decodeReplicaFetchStreamResponse,
    installed: installed.ReplicaFetchStream!.responseDeserialize,
  },
];

/** Unknown fields of every wire type protobufjs skips, numbered past the contract's. */
const unknownField = fc.oneof(
  fc.tuple(fc.integer({ min: 9, max: 2000 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([field, value]) => {
    const bytes = [...varint(BigInt(field) << 3n)];
    bytes.push(...varint(value));
    return Buffer.from(bytes);
  }),
  fc
    .tuple(fc.integer({ min: 9, max: 2000 }), fc.uint8Array({ maxLength: 40 }))
    .map(([field, payload]) =>
      Buffer.from([...varint((BigInt(field) << 3n) | 2n), ...varint(BigInt(payload.length)), ...payload]),
    ),
  fc
    .tuple(fc.integer({ min: 9, max: 2000 }), fc.uint8Array({ minLength: 8, maxLength: 8 }))
    .map(([field, payload]) => Buffer.from([...varint((BigInt(field) << 3n) | 1n), ...payload])),
  fc
    .tuple(fc.integer({ min: 9, max: 2000 }), fc.uint8Array({ minLength: 4, maxLength: 4 }))
    .map(([field, payload]) => Buffer.from([...varint((BigInt(field) << 3n) | 5n), ...payload])),
);

function varint(value: bigint): number[] {
  const bytes: number[] = [];
  while (value >= 0x80n) {
    bytes.push(Number(value & 0x7fn) | 0x80);
    value >>= 7n;
  }
  bytes.push(Number(value));
  return bytes;
}

/** The decoded records Buffers of a message, wherever they sit. */
function buffersIn(value: unknown, found: Buffer[] = []): Buffer[] {
  if (Buffer.isBuffer(value)) found.push(value);
  else if (Array.isArray(value)) for (const item of value) buffersIn(item, found);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) buffersIn(item, found);
  return found;
}

function outcome(decode: (bytes: Buffer) => unknown, bytes: Buffer): { value: unknown } | { failed: true } {
  try {
    return { value: decode(bytes) };
  } catch {
    return { failed: true };
  }
}

describe.each(cases)('the hand decoder of $name', (c) => {
  it("gives proto-loader's value for every message protobufjs writes, records as views of the message", () => {
    fc.assert(
      fc.property(c.arbitrary, (message) => {
        const bytes = c.serialize(message);
        const hand = c.hand(bytes);
        expect(hand).toEqual(c.protobuf(bytes));
        for (const view of buffersIn(hand)) if (view.length > 0) expect(view.buffer).toBe(bytes.buffer);
      }),
      { numRuns: 1000 },
    );
  });

  it('skips unknown fields and lets the last of a repeated field win, as protobufjs does', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(c.arbitrary.map(c.serialize), unknownField), { maxLength: 4 }), (parts) => {
        const bytes = Buffer.concat(parts);
        expect(c.hand(bytes)).toEqual(c.protobuf(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("is installed in the contract, and on any bytes gives protobufjs' value or fails where it fails", () => {
    const anyBytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      // A message with a byte changed or cut short.
      fc
        .tuple(c.arbitrary.map(c.serialize), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean())
        .filter(([bytes]) => bytes.length > 0)
        .map(([bytes, at, value, cut]) => {
          const copy = Buffer.from(bytes);
          const index = at % copy.length;
          if (cut) return copy.subarray(0, index);
          copy[index] = value;
          return copy;
        }),
    );
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        expect(outcome(c.installed, bytes)).toEqual(outcome(c.protobuf, bytes));
        expect(outcome(handDecodedDeserializer(c.hand, c.protobuf), bytes)).toEqual(outcome(c.protobuf, bytes));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the hand decoders on what protobufjs reads its own way', () => {
  const response = cases[2]!;

  it('leaves a known field with another wire type, and an overlong int32 varint, to protobufjs', () => {
    // partition (int32, field 1) sent as a length-delimited field inside a partition result.
    const partitionResult = Buffer.from([0x0a, 0x01, 0x00]);
    const topic = Buffer.from([0x12, partitionResult.length, ...partitionResult]);
    const wrongWireType = Buffer.from([0x12, topic.length + 2, 0x0a, topic.length, ...topic]);
    expect(() => response.hand(wrongWireType)).toThrow('not a shape the hand encoder takes');
    expect(outcome(response.installed, wrongWireType)).toEqual(outcome(response.protobuf, wrongWireType));
    // errorName's tag... an int32 of 7 bytes: protobufjs reads 5 and skips 5 (misaligned); left to it.
    const overlong = Buffer.from([0x12, 0x0c, 0x0a, 0x0a, 0x12, 0x08, 0x08, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    expect(() => response.hand(overlong)).toThrow('not a shape the hand encoder takes');
    expect(outcome(response.installed, overlong)).toEqual(outcome(response.protobuf, overlong));
  });

  it('reads int64 at the edges of its range as Long does', () => {
    for (const value of [
      '0',
      '-1',
      '9007199254740991',
      '9007199254740992',
      '-9223372036854775808',
      '9223372036854775807',
    ]) {
      const bytes = response.serialize({ correlationId: value });
      expect(response.hand(bytes)).toEqual(response.protobuf(bytes));
      expect((response.hand(bytes) as { correlationId: string }).correlationId).toBe(value);
    }
  });
});
