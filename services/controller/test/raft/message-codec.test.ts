import fc from 'fast-check';
import { propertyOptions } from '../../../../test-support/property';
import type { Message } from '@sluice/raft';
import { decodeRaftMessage, encodeRaftMessage, RAFT_CODEC_VERSION, RaftCodecError } from '../../src/raft/message-codec';

const id = fc.integer({ min: 1, max: 0xffffffff });
const u53 = fc.oneof(fc.nat({ max: 1000 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
const bytes = fc.uint8Array({ maxLength: 64 });
const entry = fc.record({ term: u53, index: u53, data: bytes });
const base = { from: id, to: id, term: u53 };

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    type: fc.constant('append' as const),
    ...base,
    prevLogIndex: u53,
    prevLogTerm: u53,
    commit: u53,
    entries: fc.array(entry, { maxLength: 5 }),
  }),
  fc.record({
    type: fc.constant('appendResponse' as const),
    ...base,
    reject: fc.boolean(),
    index: u53,
    rejectHint: u53,
    hintTerm: u53,
  }),
  fc.record({
    type: fc.constantFrom('vote' as const, 'preVote' as const),
    ...base,
    lastLogIndex: u53,
    lastLogTerm: u53,
    leadershipTransfer: fc.boolean(),
  }),
  fc.record({
    type: fc.constantFrom('voteResponse' as const, 'preVoteResponse' as const),
    ...base,
    reject: fc.boolean(),
  }),
  fc.record({ type: fc.constant('heartbeat' as const), ...base, commit: u53 }),
  fc.record({ type: fc.constantFrom('heartbeatResponse' as const, 'timeoutNow' as const), ...base }),
  fc.record({
    type: fc.constant('snapshot' as const),
    ...base,
    snapshot: fc.record({
      metadata: fc.record({
        index: u53,
        term: u53,
        membership: fc.record({ voters: fc.array(id, { maxLength: 5 }), observers: fc.array(id, { maxLength: 3 }) }),
      }),
      data: bytes,
    }),
  }),
);

/** Compare with Uint8Arrays normalised, since decode hands back Buffers. */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return { hex: Buffer.from(value).toString('hex') };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

describe('raft message codec', () => {
  it('round-trips every message type (property)', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(normalise(decodeRaftMessage(encodeRaftMessage(m)))).toEqual(normalise(m));
      }),
      propertyOptions({ numRuns: 2_000 }),
    );
  });

  it('rejects every strict prefix of a valid encoding with a named error (property)', () => {
    fc.assert(
      fc.property(message, fc.nat(), (m, cut) => {
        const encoded = encodeRaftMessage(m);
        const prefix = encoded.subarray(0, cut % encoded.length);
        expect(() => decodeRaftMessage(prefix)).toThrow(RaftCodecError);
      }),
      propertyOptions({ numRuns: 500 }),
    );
  });

  it('never throws anything but RaftCodecError on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (junk) => {
        try {
          decodeRaftMessage(junk);
        } catch (error) {
          expect(error).toBeInstanceOf(RaftCodecError);
        }
      }),
      propertyOptions({ numRuns: 2_000 }),
    );
  });

  it('names version, type, trailing bytes and out-of-range numbers', () => {
    const hb = encodeRaftMessage({ type: 'heartbeat', from: 1, to: 2, term: 3, commit: 4 });
    const wrongVersion = Buffer.from(hb);
    wrongVersion[0] = RAFT_CODEC_VERSION + 1;
    expect(() => decodeRaftMessage(wrongVersion)).toThrow(/unsupported codec version 2/);
    const wrongType = Buffer.from(hb);
    wrongType[1] = 99;
    expect(() => decodeRaftMessage(wrongType)).toThrow(/unknown message type 99/);
    expect(() => decodeRaftMessage(Buffer.concat([hb, Buffer.of(0)]))).toThrow(/1 trailing bytes/);
    const huge = Buffer.from(hb);
    huge.writeBigUInt64BE(2n ** 60n, 10);
    expect(() => decodeRaftMessage(huge)).toThrow(/term .* exceeds 2\^53 - 1/);
    const zeroFrom = Buffer.from(hb);
    zeroFrom.writeUInt32BE(0, 2);
    expect(() => decodeRaftMessage(zeroFrom)).toThrow(/from must be a positive node id/);
    expect(() => encodeRaftMessage({ type: 'heartbeat', from: 1, to: 2, term: -1, commit: 0 })).toThrow(RangeError);
  });
});
