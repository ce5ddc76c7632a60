/**
 * The follower's ReplicaFetchStream requests and the leader's ProduceStream answers are encoded
 * from a schema (schema-encoder.ts): the bytes must be exactly proto-loader's (protobufjs
 * fromObject + encode) for every message the encoder takes, it must take every message the brokers
 * build, and the installed serializer must give protobufjs' bytes (or its error) for the rest.
 */
import type { MethodDefinition } from '@grpc/grpc-js';
import fc from 'fast-check';
import { INT32_MAX, anyInt32, anyInt64, anyString } from './wire-arbitraries';
import {
  CONTRACT_PROTO_FILES,
  PRODUCE_STREAM_RESPONSE_SCHEMA,
  REPLICA_FETCH_STREAM_REQUEST_SCHEMA,
  contractPackageDefinition,
  encodeBySchema,
  loadProtos,
  type MessageSchema,
} from '../src';

type Method = MethodDefinition<unknown, unknown>;
/** A contract loaded without the hand codecs: protobufjs' own serializers. */
const plain = loadProtos(CONTRACT_PROTO_FILES)['sluice.v1.Broker'] as unknown as Record<string, Method>;
const installed = contractPackageDefinition()['sluice.v1.Broker'] as unknown as Record<string, Method>;

const offset = fc.oneof(fc.constant(-1), fc.maxSafeInteger().map(Math.abs));
const epoch = fc.integer({ min: -1, max: INT32_MAX });
const topicName = fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/);

/** What a follower's fetcher sends (replica-fetcher.ts). */
const followerRequest = fc.record({
  correlationId: fc.maxSafeInteger().map(Math.abs),
  request: fc.record({
    replicaId: fc.integer({ min: 0, max: 10_000 }),
    replicaEpoch: fc.oneof(fc.constant(-1), fc.maxSafeInteger().map(Math.abs)),
    maxWaitMs: fc.integer({ min: 0, max: 30_000 }),
    minBytes: fc.constant(1),
    maxBytes: fc.integer({ min: 1, max: INT32_MAX }),
    topics: fc.array(
      fc.record({
        name: topicName,
        partitions: fc.array(
          fc.record({
            partition: fc.integer({ min: 0, max: 10_000 }),
            fetchOffset: offset,
            currentLeaderEpoch: epoch,
            lastFetchedEpoch: epoch,
            logStartOffset: offset,
            partitionMaxBytes: fc.integer({ min: 1, max: INT32_MAX }),
            flushedOffset: offset,
          }),
          { maxLength: 6 },
        ),
      }),
      { maxLength: 4 },
    ),
  }),
});

/** What a leader answers on a ProduceStream (produce-stream.ts): the request's correlation id echoed as decoded (a string). */
const leaderAnswer = fc.oneof(
  fc.record({
    correlationId: fc.oneof(fc.maxSafeInteger().map(Math.abs), fc.integer({ min: 0, max: 2 ** 31 }).map(String)),
    response: fc.record({
      topics: fc.array(
        fc.record({
          name: topicName,
          partitions: fc.array(
            fc.record({
              partition: fc.integer({ min: 0, max: 10_000 }),
              errorName: fc.constantFrom('', 'NOT_LEADER_OR_FOLLOWER', 'NOT_ENOUGH_REPLICAS'),
              errorMessage: fc.string({ maxLength: 40 }),
              baseOffset: offset,
              logAppendTime: fc.constant(-1),
              logStartOffset: offset,
            }),
            { maxLength: 6 },
          ),
        }),
        { maxLength: 4 },
      ),
      throttleTimeMs: fc.integer({ min: 0, max: 60_000 }),
    }),
  }),
  fc.record({
    correlationId: fc.maxSafeInteger().map(Math.abs),
    errorName: fc.constantFrom('INVALID_REQUIRED_ACKS', 'UNSUPPORTED_VERSION'),
    errorMessage: fc.string({ maxLength: 40 }),
  }),
);

/** Beyond the brokers' shapes: optional fields, negative and fractional int32, int64 strings, any UTF-16. */
const anyFetchRequest = fc.record(
  {
    correlationId: anyInt64,
    request: fc.option(
      fc.record(
        {
          replicaId: anyInt32,
          replicaEpoch: anyInt64,
          maxWaitMs: anyInt32,
          minBytes: anyInt32,
          maxBytes: anyInt32,
          topics: fc.array(
            fc.record(
              {
                name: anyString,
                partitions: fc.array(
                  fc.record(
                    {
                      partition: anyInt32,
                      fetchOffset: anyInt64,
                      currentLeaderEpoch: anyInt32,
                      lastFetchedEpoch: anyInt32,
                      logStartOffset: anyInt64,
                      partitionMaxBytes: anyInt32,
                      flushedOffset: anyInt64,
                    },
                    { requiredKeys: [] },
                  ),
                  { maxLength: 3 },
                ),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
        },
        { requiredKeys: [] },
      ),
      { nil: null },
    ),
  },
  { requiredKeys: [] },
);
const anyProduceAnswer = fc.record(
  {
    correlationId: anyInt64,
    response: fc.option(
      fc.record(
        {
          topics: fc.array(
            fc.record(
              {
                name: anyString,
                partitions: fc.array(
                  fc.record(
                    {
                      partition: anyInt32,
                      errorName: anyString,
                      errorMessage: anyString,
                      baseOffset: anyInt64,
                      logAppendTime: anyInt64,
                      logStartOffset: anyInt64,
                    },
                    { requiredKeys: [] },
                  ),
                  { maxLength: 3 },
                ),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
          throttleTimeMs: anyInt32,
        },
        { requiredKeys: [] },
      ),
      { nil: null },
    ),
    errorName: anyString,
    errorMessage: anyString,
  },
  { requiredKeys: [] },
);

interface Case {
  readonly name: string;
  readonly schema: MessageSchema;
  readonly built: fc.Arbitrary<unknown>;
  readonly wider: fc.Arbitrary<unknown>;
  readonly protobuf: (message: unknown) => Buffer;
  readonly installed: (message: unknown) => Buffer;
}

const cases: Case[] = [
  {
    name: 'ReplicaFetchStreamRequest',
    schema: REPLICA_FETCH_STREAM_REQUEST_SCHEMA,
    built: followerRequest,
    wider: anyFetchRequest,
    protobuf: plain.ReplicaFetchStream!.requestSerialize,
    installed: installed.ReplicaFetchStream!.requestSerialize,
  },
  {
    name: 'ProduceStreamResponse',
    schema: PRODUCE_STREAM_RESPONSE_SCHEMA,
    built: leaderAnswer,
    wider: anyProduceAnswer,
    protobuf: plain.ProduceStream!.responseSerialize,
    installed: installed.ProduceStream!.responseSerialize,
  },
];

function outcome(encode: (message: unknown) => Buffer, message: unknown): { bytes: Buffer } | { failed: true } {
  try {
    return { bytes: encode(message) };
  } catch {
    return { failed: true };
  }
}

describe.each(cases)('the schema encoder of $name', (c) => {
  it('writes protobufjs bytes for every message the brokers build, and takes them all', () => {
    fc.assert(
      fc.property(c.built, (message) => {
        const hand = encodeBySchema(c.schema, message);
        expect(hand).not.toBeNull();
        expect(hand).toEqual(c.protobuf(message));
      }),
      { numRuns: 500 },
    );
  });

  it('writes protobufjs bytes whenever it takes a message (optional fields, negatives, any UTF-16)', () => {
    let taken = 0;
    fc.assert(
      fc.property(c.wider, (message) => {
        const hand = encodeBySchema(c.schema, message);
        if (hand === null) return;
        taken++;
        expect(hand).toEqual(c.protobuf(message));
      }),
      { numRuns: 1000 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it("is installed in the contract, and leaves other shapes to protobufjs' bytes or error", () => {
    const others: unknown[] = [
      { correlationId: 12345678901234567890n },
      { correlationId: '123456789012345678' },
      { correlationId: 1.5 },
      { correlationId: 1, errorName: 42 },
      { correlationId: 1, request: 'x', response: 'x' },
      { correlationId: 1, request: { topics: {} }, response: { topics: {} } },
      { correlationId: 1, request: { topics: [3] }, response: { topics: [3] } },
      { correlationId: 1, errorName: 'a\ud800b', request: { topics: [{ name: 'a\ud800b' }] } },
      [],
      null,
    ];
    for (const message of others) {
      expect(outcome(c.installed, message)).toEqual(outcome(c.protobuf, message));
    }
    fc.assert(
      fc.property(fc.oneof(c.built, c.wider), (message) => {
        expect(c.installed(message)).toEqual(c.protobuf(message));
      }),
      { numRuns: 300 },
    );
  });
});
