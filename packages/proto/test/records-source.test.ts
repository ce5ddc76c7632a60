/**
 * Records written into a Fetch answer by a RecordsSource (the broker's segment reads straight
 * into the answer's frame): the encoded answer must be exactly protobufjs' bytes for the same
 * message with each source's bytes as a Buffer, the source must be settled before it writes and
 * write exactly where its bytes belong, and protobufjs must get the sources read (withRecordsRead).
 */
import fc from 'fast-check';
import {
  encodeFetchResponse,
  encodeReplicaFetchStreamResponse,
  isRecordsSource,
  serviceDefinition,
  withRecordsRead,
  type RecordsSource,
} from '../src';
import { propertyOptions } from '../../../test-support/property';

const broker = serviceDefinition('Broker');
const protobufFetch = (message: unknown): Buffer => broker.Fetch.responseSerialize(message as never);
const protobufStream = (message: unknown): Buffer => broker.ReplicaFetchStream.responseSerialize(message as never);
const fresh = (sizeBytes: number): Buffer => Buffer.alloc(sizeBytes, 0xee);

/**
 * A source over fixed bytes, recording how it is used. `settleTo` stands for a location found
 * again at encode time (the log changed since the fetch path located it): other bytes then.
 */
class TestSource implements RecordsSource {
  readonly calls: string[] = [];
  constructor(
    private bytes: Buffer,
    private readonly settleTo?: Buffer,
  ) {}
  get length(): number {
    return this.bytes.length;
  }
  settle(): number {
    this.calls.push('settle');
    if (this.settleTo !== undefined) this.bytes = this.settleTo;
    return this.bytes.length;
  }
  writeInto(target: Buffer, at: number): void {
    this.calls.push(`write ${this.bytes.length}`);
    // Whatever was there must be the encoder's reservation, untouched: the source fills all of it.
    this.bytes.copy(target, at);
  }
  get settledBytes(): Buffer {
    return this.bytes;
  }
}

const int64 = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 2 ** 40 }));
const records = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  // Past one- and two-byte length varints.
  fc.integer({ min: 127, max: 20_000 }).map((size) => Buffer.alloc(size, size % 251)),
);
/** A partition whose records are a Buffer or a source (settling on the same or other bytes). */
const partition = fc.record({
  partition: fc.integer({ min: 0, max: 10_000 }),
  errorName: fc.constantFrom('', 'OFFSET_OUT_OF_RANGE'),
  errorMessage: fc.string({ maxLength: 30 }),
  highWatermark: int64,
  logStartOffset: int64,
  records,
  source: fc.constantFrom('buffer', 'source', 'source settling on other bytes'),
  other: records,
  divergingEpoch: fc.option(fc.record({ epoch: fc.integer({ min: 0, max: 1000 }), endOffset: int64 }), { nil: null }),
  leaderEpoch: fc.integer({ min: -1, max: 1000 }),
});
const response = fc.array(
  fc.record({ name: fc.stringMatching(/^[a-z._-]{1,20}$/), partitions: fc.array(partition, { maxLength: 5 }) }),
  { maxLength: 3 },
);

type Generated = { name: string; partitions: Array<PartitionArg> }[];
type PartitionArg = typeof partition extends fc.Arbitrary<infer T> ? T : never;

/** The answer with sources, and what protobufjs must see: the same with each source's settled bytes. */
function build(topics: Generated): { sourced: object; plain: object; sources: TestSource[] } {
  const sources: TestSource[] = [];
  const sourced = {
    topics: topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map(({ source, other, records: bytes, ...rest }) => {
        if (source === 'buffer') return { ...rest, records: bytes };
        const made = new TestSource(bytes, source === 'source' ? undefined : other);
        sources.push(made);
        return { ...rest, records: made };
      }),
    })),
  };
  const plain = {
    topics: topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map(({ source, other, records: bytes, ...rest }) => ({
        ...rest,
        records: source === 'source settling on other bytes' ? other : bytes,
      })),
    })),
  };
  return { sourced, plain, sources };
}

describe('RecordsSource in Fetch answers', () => {
  it('writes protobufjs bytes of the message with each source settled, each settled once before it writes', () => {
    fc.assert(
      fc.property(response, (topics) => {
        const { sourced, plain, sources } = build(topics);
        const hand = encodeFetchResponse(sourced, fresh);
        expect(hand).not.toBeNull();
        expect(hand!.toString('hex')).toBe(protobufFetch(plain).toString('hex'));
        for (const source of sources) {
          const length = source.settledBytes.length;
          expect(source.calls).toEqual(length === 0 ? ['settle'] : ['settle', `write ${length}`]);
        }
      }),
      propertyOptions({ numRuns: 300 }),
    );
  });

  it('does the same inside the followers stream answer', () => {
    fc.assert(
      fc.property(fc.nat(), response, (correlationId, topics) => {
        const { sourced, plain } = build(topics);
        const hand = encodeReplicaFetchStreamResponse({ correlationId, response: sourced }, fresh);
        expect(hand?.toString('hex')).toBe(protobufStream({ correlationId, response: plain }).toString('hex'));
      }),
      propertyOptions({ numRuns: 100 }),
    );
  });

  it('gives protobufjs the message with every source read, copying only the way to a source', () => {
    fc.assert(
      fc.property(response, (topics) => {
        const { sourced, plain } = build(topics);
        const read = withRecordsRead(sourced);
        expect(protobufFetch(read).equals(protobufFetch(plain))).toBe(true);
        expect(JSON.stringify(read)).not.toMatch(/"calls"/);
      }),
      propertyOptions({ numRuns: 100 }),
    );
    const withoutSources = { topics: [{ name: 't', partitions: [{ partition: 1, records: Buffer.from([1]) }] }] };
    expect(withRecordsRead(withoutSources)).toBe(withoutSources);
    const untouched = { name: 'u', partitions: [] };
    const mixed = {
      topics: [untouched, { name: 't', partitions: [{ partition: 1, records: new TestSource(Buffer.from([9])) }] }],
    };
    const read = withRecordsRead(mixed);
    expect(read).not.toBe(mixed);
    expect(read.topics[0]).toBe(untouched);
    expect(read.topics[1]!.partitions[0]!.records).toEqual(Buffer.from([9]));
  });

  it('sends no answer when a source cannot write its bytes', () => {
    const failing: RecordsSource = {
      length: 10,
      settle: () => 10,
      writeInto: () => {
        throw new Error('corrupt log: 00000000000000000000.log at byte 700: file shorter than expected size');
      },
    };
    const message = { topics: [{ name: 't', partitions: [{ partition: 0, records: failing }] }] };
    expect(() => encodeFetchResponse(message, fresh)).toThrow(/file shorter than expected/);
    const badSize: RecordsSource = { length: 1, settle: () => -1, writeInto: () => undefined };
    expect(() =>
      encodeFetchResponse({ topics: [{ name: 't', partitions: [{ partition: 0, records: badSize }] }] }, fresh),
    ).toThrow(/settled on -1 bytes/);
  });

  it('tells a source from bytes', () => {
    expect(isRecordsSource(new TestSource(Buffer.alloc(1)))).toBe(true);
    expect(isRecordsSource(Buffer.alloc(1))).toBe(false);
    expect(isRecordsSource(new Uint8Array(1))).toBe(false);
    expect(isRecordsSource('AQI=')).toBe(false);
    expect(isRecordsSource(null)).toBe(false);
  });
});
