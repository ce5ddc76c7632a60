/**
 * The hand encoder of Fetch answers must write exactly proto-loader's bytes (protobufjs
 * fromObject + encode) for every message it takes, and take every shape the broker builds;
 * whatever it leaves (null) is encoded by protobufjs as before.
 */
import fc from 'fast-check';
import { anyInt32, anyInt64, anyString } from './wire-arbitraries';
import {
  encodeFetchResponse,
  encodeFetchStreamResponse,
  encodeReplicaFetchStreamResponse,
  serviceDefinition,
} from '../src';

const broker = serviceDefinition('Broker');
const protobufFetch = (message: unknown): Buffer => broker.Fetch.responseSerialize(message as never);
const protobufStream = (message: unknown): Buffer => broker.ReplicaFetchStream.responseSerialize(message as never);
const protobufConsumerStream = (message: unknown): Buffer => broker.FetchStream.responseSerialize(message as never);
const fresh = (sizeBytes: number): Buffer => Buffer.alloc(sizeBytes);

/** What the broker's fetch path puts in an answer: numbers, '' strings, Buffers (often empty). */
const brokerInt64 = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 40 }), fc.maxSafeInteger());
const brokerPartition = fc.record({
  partition: fc.integer({ min: 0, max: 10_000 }),
  errorName: fc.constantFrom('', 'NOT_LEADER_OR_FOLLOWER', 'OFFSET_OUT_OF_RANGE'),
  errorMessage: fc.string({ maxLength: 60 }),
  highWatermark: brokerInt64,
  logStartOffset: brokerInt64,
  records: fc.oneof(
    fc.constant(Buffer.alloc(0)),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  ),
  divergingEpoch: fc.option(fc.record({ epoch: fc.integer({ min: 0, max: 1000 }), endOffset: brokerInt64 }), {
    nil: null,
  }),
  leaderEpoch: fc.integer({ min: -1, max: 1000 }),
});
const brokerResponse = fc.record({
  topics: fc.array(
    fc.record({ name: fc.stringMatching(/^[a-z._-]{1,20}$/), partitions: fc.array(brokerPartition, { maxLength: 6 }) }),
    { maxLength: 4 },
  ),
});

/** Wider: every field optional, any int32 (and doubles), int64 as numbers or decimal strings, any UTF-16. */
const anyPartition = fc.record(
  {
    partition: anyInt32,
    errorName: anyString,
    errorMessage: anyString,
    highWatermark: anyInt64,
    logStartOffset: anyInt64,
    records: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    ),
    divergingEpoch: fc.option(fc.record({ epoch: anyInt32, endOffset: anyInt64 }, { requiredKeys: [] }), {
      nil: null,
    }),
    leaderEpoch: anyInt32,
  },
  { requiredKeys: [] },
);
const anyResponse = fc.record(
  {
    topics: fc.array(
      fc.record({ name: anyString, partitions: fc.array(anyPartition, { maxLength: 4 }) }, { requiredKeys: [] }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

function sameAsProtobuf(hand: Buffer | null, protobuf: () => Buffer): void {
  if (hand === null) return;
  expect(hand.toString('hex')).toBe(protobuf().toString('hex'));
}

describe('encodeFetchResponse', () => {
  it('writes protobufjs bytes for every answer the broker builds, and takes them all', () => {
    fc.assert(
      fc.property(brokerResponse, (message) => {
        const hand = encodeFetchResponse(message, fresh);
        expect(hand).not.toBeNull();
        sameAsProtobuf(hand, () => protobufFetch(message));
      }),
      { numRuns: 500 },
    );
  });

  it('writes protobufjs bytes whenever it takes a message (optional fields, negatives, any UTF-16)', () => {
    let taken = 0;
    fc.assert(
      fc.property(anyResponse, (message) => {
        const hand = encodeFetchResponse(message, fresh);
        if (hand !== null) taken++;
        sameAsProtobuf(hand, () => protobufFetch(message));
      }),
      { numRuns: 1000 },
    );
    // Lone surrogates are left to protobufjs; most generated messages have none.
    expect(taken).toBeGreaterThan(500);
  });

  it('leaves shapes it does not take to protobufjs', () => {
    const partition = { partition: 0, records: Buffer.from([1]) };
    for (const message of [
      { topics: [{ name: 't', partitions: [{ ...partition, highWatermark: { low: 1, high: 0, unsigned: false } }] }] },
      { topics: [{ name: 't', partitions: [{ ...partition, records: Buffer.from([1, 2]).toString('base64') }] }] },
      { topics: [{ name: 't', partitions: [{ ...partition, highWatermark: '12345678901234567890' }] }] },
      { topics: [{ name: 't', partitions: [{ ...partition, highWatermark: 2 ** 60 }] }] },
      { topics: [{ name: '\ud800', partitions: [] }] },
      { topics: [{ name: 't', partitions: [{ ...partition, partition: '7' }] }] },
      { topics: [null] },
      { topics: 'not a list' },
    ]) {
      expect(encodeFetchResponse(message, fresh)).toBeNull();
    }
    // A protobufjs message instance keeps defaults on its prototype: not a plain object.
    expect(encodeFetchResponse(Object.create({ topics: [] }) as object, fresh)).toBeNull();
  });

  it('writes into the target it is given, of exactly the encoded size', () => {
    const message = { topics: [{ name: 'orders', partitions: [{ partition: 3, records: Buffer.alloc(100, 7) }] }] };
    const scratch = Buffer.alloc(4096, 0xee);
    const sizes: number[] = [];
    const hand = encodeFetchResponse(message, (sizeBytes) => {
      sizes.push(sizeBytes);
      return scratch.subarray(0, sizeBytes);
    });
    expect(sizes).toEqual([protobufFetch(message).length]);
    expect(hand?.buffer).toBe(scratch.buffer);
    expect(hand?.equals(protobufFetch(message))).toBe(true);
    expect(() => encodeFetchResponse(message, () => Buffer.alloc(1))).toThrow(/encode target gave 1 bytes/);
  });
});

describe('encodeReplicaFetchStreamResponse', () => {
  const streamAnswer = fc.record(
    {
      correlationId: anyInt64,
      response: fc.option(anyResponse, { nil: null }),
      errorName: anyString,
      errorMessage: anyString,
    },
    { requiredKeys: [] },
  );

  it('writes protobufjs bytes for the stream answers followers get', () => {
    fc.assert(
      fc.property(fc.nat(), brokerResponse, (correlationId, response) => {
        const message = { correlationId, response, errorName: '', errorMessage: '' };
        const hand = encodeReplicaFetchStreamResponse(message, fresh);
        expect(hand).not.toBeNull();
        sameAsProtobuf(hand, () => protobufStream(message));
      }),
      { numRuns: 300 },
    );
  });

  it('writes protobufjs bytes whenever it takes a message, refusals included', () => {
    fc.assert(
      fc.property(streamAnswer, (message) =>
        sameAsProtobuf(encodeReplicaFetchStreamResponse(message, fresh), () => protobufStream(message)),
      ),
      { numRuns: 1000 },
    );
    const refusal = { correlationId: '42', response: null, errorName: 'INVALID_REQUEST', errorMessage: 'no request' };
    expect(encodeReplicaFetchStreamResponse(refusal, fresh)?.equals(protobufStream(refusal))).toBe(true);
  });
});

describe('encodeFetchStreamResponse', () => {
  it("writes protobufjs bytes for consumers' stream answers and refusals", () => {
    fc.assert(
      fc.property(fc.nat(), brokerResponse, (correlationId, response) => {
        const message = { correlationId, response, errorName: '', errorMessage: '' };
        const hand = encodeFetchStreamResponse(message, fresh);
        expect(hand).not.toBeNull();
        sameAsProtobuf(hand, () => protobufConsumerStream(message));
      }),
      { numRuns: 300 },
    );
    const refusal = { correlationId: '9', response: null, errorName: 'TOPIC_AUTHORIZATION_FAILED', errorMessage: 'x' };
    expect(encodeFetchStreamResponse(refusal, fresh)?.equals(protobufConsumerStream(refusal))).toBe(true);
  });
});
