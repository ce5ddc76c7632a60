/**
 * The hand encoder of ShareFetch answers must write exactly proto-loader's bytes (protobufjs
 * fromObject + encode) for every message it takes, and take every shape the share partition
 * leader builds; whatever it leaves (null) is encoded by protobufjs as before.
 */
import fc from 'fast-check';
import { anyInt32, anyInt64, anyString } from './wire-arbitraries';
import { encodeShareFetchResponse, serviceDefinition } from '../src';

const broker = serviceDefinition('Broker');
const protobufShareFetch = (message: unknown): Buffer => broker.ShareFetch.responseSerialize(message as never);
const fresh = (sizeBytes: number): Buffer => Buffer.alloc(sizeBytes);

/** What SharePartitionManager's fetchResults puts in an answer: numbers, strings, one Buffer per partition. */
const brokerOffset = fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.maxSafeInteger());
const brokerPartition = fc.record({
  partition: fc.integer({ min: 0, max: 10_000 }),
  errorName: fc.constantFrom('', 'NOT_LEADER_OR_FOLLOWER', 'COORDINATOR_NOT_AVAILABLE'),
  errorMessage: fc.string({ maxLength: 60 }),
  acknowledgeErrorName: fc.constantFrom('', 'INVALID_RECORD_STATE'),
  acknowledgeErrorMessage: fc.string({ maxLength: 60 }),
  records: fc.oneof(
    fc.constant(Buffer.alloc(0)),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  ),
  acquiredRecords: fc.array(
    fc.record({ firstOffset: brokerOffset, lastOffset: brokerOffset, deliveryCount: fc.integer({ min: 1, max: 5 }) }),
    { maxLength: 5 },
  ),
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
    acknowledgeErrorName: anyString,
    acknowledgeErrorMessage: anyString,
    records: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    ),
    acquiredRecords: fc.array(
      fc.record({ firstOffset: anyInt64, lastOffset: anyInt64, deliveryCount: anyInt32 }, { requiredKeys: [] }),
      { maxLength: 4 },
    ),
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

function sameAsProtobuf(hand: Buffer | null, message: unknown): void {
  if (hand === null) return;
  expect(hand.toString('hex')).toBe(protobufShareFetch(message).toString('hex'));
}

describe('encodeShareFetchResponse', () => {
  it('writes protobufjs bytes for every answer the share partition leader builds, and takes them all', () => {
    fc.assert(
      fc.property(brokerResponse, (message) => {
        const hand = encodeShareFetchResponse(message, fresh);
        expect(hand).not.toBeNull();
        sameAsProtobuf(hand, message);
      }),
      { numRuns: 500 },
    );
  });

  it('writes protobufjs bytes whenever it takes a message (optional fields, negatives, any UTF-16)', () => {
    let taken = 0;
    fc.assert(
      fc.property(anyResponse, (message) => {
        const hand = encodeShareFetchResponse(message, fresh);
        if (hand !== null) taken++;
        sameAsProtobuf(hand, message);
      }),
      { numRuns: 1000 },
    );
    // Lone surrogates are left to protobufjs; most generated messages have none.
    expect(taken).toBeGreaterThan(300);
  });

  it('leaves shapes it does not take to protobufjs', () => {
    const partition = { partition: 0, records: Buffer.from([1]) };
    const range = { firstOffset: 1, lastOffset: 2, deliveryCount: 1 };
    for (const message of [
      {
        topics: [{ name: 't', partitions: [{ ...partition, acquiredRecords: [{ ...range, firstOffset: 2 ** 60 }] }] }],
      },
      { topics: [{ name: 't', partitions: [{ ...partition, acquiredRecords: [{ ...range, lastOffset: '1e3' }] }] }] },
      {
        topics: [
          {
            name: 't',
            partitions: [{ ...partition, acquiredRecords: [{ ...range, firstOffset: { low: 1, high: 0 } }] }],
          },
        ],
      },
      { topics: [{ name: 't', partitions: [{ ...partition, records: Buffer.from([1, 2]).toString('base64') }] }] },
      { topics: [{ name: 't', partitions: [{ ...partition, acquiredRecords: [null] }] }] },
      { topics: [{ name: 't', partitions: [{ ...partition, acquiredRecords: 'none' }] }] },
      { topics: [{ name: 't', partitions: [{ ...partition, partition: '7' }] }] },
      { topics: [{ name: '\ud800', partitions: [] }] },
      { topics: [null] },
      { topics: 'not a list' },
    ]) {
      expect(encodeShareFetchResponse(message, fresh)).toBeNull();
    }
    // A protobufjs message instance keeps defaults on its prototype: not a plain object.
    expect(encodeShareFetchResponse(Object.create({ topics: [] }) as object, fresh)).toBeNull();
  });

  it('writes into the target it is given, of exactly the encoded size', () => {
    const message = {
      topics: [
        {
          name: 'jobs',
          partitions: [
            {
              partition: 3,
              errorName: '',
              errorMessage: '',
              acknowledgeErrorName: '',
              acknowledgeErrorMessage: '',
              records: Buffer.alloc(100, 7),
              acquiredRecords: [{ firstOffset: 500, lastOffset: 999, deliveryCount: 1 }],
              leaderEpoch: 4,
            },
          ],
        },
      ],
    };
    const scratch = Buffer.alloc(4096, 0xee);
    const sizes: number[] = [];
    const hand = encodeShareFetchResponse(message, (sizeBytes) => {
      sizes.push(sizeBytes);
      return scratch.subarray(0, sizeBytes);
    });
    expect(sizes).toEqual([protobufShareFetch(message).length]);
    expect(hand?.buffer).toBe(scratch.buffer);
    expect(hand?.equals(protobufShareFetch(message))).toBe(true);
    expect(() => encodeShareFetchResponse(message, () => Buffer.alloc(1))).toThrow(/encode target gave 1 bytes/);
  });
});
