/**
 * The producer's ProduceStream requests are hand encoded into their gRPC frame: the bytes must be
 * exactly proto-loader's (protobufjs fromObject + encode) for every request it takes, the frame
 * must hold them behind 5 reserved bytes, and a broker over loopback (the patched grpc-js) must
 * receive the same requests as protobufjs would have sent, the large ones included.
 */
import { Server, ServerCredentials, type MethodDefinition } from '@grpc/grpc-js';
import fc from 'fast-check';
import { INT32_MAX, anyInt32, anyInt64, anyString } from './wire-arbitraries';
import {
  GRPC_FRAME,
  GRPC_PREFIX_BYTES,
  contractPackageDefinition,
  createGrpcClient,
  encodeFramedProduceStreamRequest,
  serviceDefinition,
  type BrokerClient,
  type BrokerHandlers,
  type ProduceStreamRequest__Output,
} from '../src';

const protobufMethod = contractPackageDefinition()['sluice.v1.Broker'] as unknown as Record<
  string,
  MethodDefinition<unknown, unknown>
>;
const protobuf = (message: unknown): Buffer => protobufMethod.ProduceStream!.requestSerialize(message);

/** What the producer sends: numbers, topic names, Buffers of encoded batches. */
const producerRequest = fc.record({
  correlationId: fc.maxSafeInteger().map(Math.abs),
  request: fc.record({
    acks: fc.constantFrom(-1, 0, 1),
    timeoutMs: fc.integer({ min: 0, max: INT32_MAX }),
    topics: fc.array(
      fc.record({
        name: fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/),
        partitions: fc.array(
          fc.record({
            partition: fc.integer({ min: 0, max: 10_000 }),
            records: fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
          }),
          { maxLength: 6 },
        ),
      }),
      { maxLength: 3 },
    ),
  }),
});

/** Wider: every field optional, any int32 (and doubles), int64 as numbers or decimal strings, any UTF-16. */
const anyRequest = fc.record(
  {
    correlationId: anyInt64,
    request: fc.option(
      fc.record(
        {
          acks: anyInt32,
          timeoutMs: anyInt32,
          topics: fc.array(
            fc.record(
              {
                name: anyString,
                partitions: fc.array(
                  fc.record(
                    {
                      partition: anyInt32,
                      records: fc.oneof(
                        fc.uint8Array({ maxLength: 200 }),
                        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
                      ),
                    },
                    { requiredKeys: [] },
                  ),
                  { maxLength: 4 },
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

/** The encoded message, checked to sit in its frame right behind the 5 reserved bytes. */
function framedBytesOf(message: unknown): Buffer | null {
  const body = encodeFramedProduceStreamRequest(message);
  if (body === null) return null;
  const frame = (body as Buffer & { [GRPC_FRAME]?: Buffer })[GRPC_FRAME];
  expect(Buffer.isBuffer(frame)).toBe(true);
  expect(frame!.length).toBe(body.length + GRPC_PREFIX_BYTES);
  expect(frame!.buffer).toBe(body.buffer);
  expect(frame!.byteOffset + GRPC_PREFIX_BYTES).toBe(body.byteOffset);
  return body;
}

describe('encodeFramedProduceStreamRequest', () => {
  it('writes protobufjs bytes for every request the producer builds, and takes them all', () => {
    fc.assert(
      fc.property(producerRequest, (message) => {
        const hand = framedBytesOf(message);
        expect(hand).not.toBeNull();
        expect(hand!.toString('hex')).toBe(protobuf(message).toString('hex'));
      }),
      { numRuns: 500 },
    );
  });

  it('writes protobufjs bytes whenever it takes a request (optional fields, negatives, any UTF-16)', () => {
    let taken = 0;
    fc.assert(
      fc.property(anyRequest, (message) => {
        const hand = framedBytesOf(message);
        if (hand === null) return;
        taken++;
        expect(hand.toString('hex')).toBe(protobuf(message).toString('hex'));
      }),
      { numRuns: 1000 },
    );
    // Lone surrogates are left to protobufjs; most generated requests have none.
    expect(taken).toBeGreaterThan(500);
  });

  it('leaves shapes it does not take to protobufjs, and the client serializer falls back to it', () => {
    const partition = { partition: 0, records: Buffer.from([1]) };
    const serialize = serviceDefinition('Broker').ProduceStream.requestSerialize as (message: unknown) => Buffer;
    for (const message of [
      { correlationId: { low: 1, high: 0, unsigned: false }, request: null },
      { correlationId: '12345678901234567890' },
      { correlationId: 2 ** 60 },
      { correlationId: 1, request: { topics: [{ name: 't', partitions: [{ ...partition, records: 'AQI=' }] }] } },
      { correlationId: 1, request: { topics: [{ name: '\ud800', partitions: [] }] } },
      { correlationId: 1, request: { topics: [{ name: 't', partitions: [{ ...partition, partition: '7' }] }] } },
      { correlationId: 1, request: { topics: [null] } },
      { correlationId: 1, request: { topics: 'not a list' } },
      { correlationId: 1, request: 'not a request' },
    ]) {
      expect(encodeFramedProduceStreamRequest(message)).toBeNull();
      let expected: Buffer | Error;
      try {
        expected = protobuf(message);
      } catch (error) {
        expected = error as Error;
      }
      if (expected instanceof Error) expect(() => serialize(message)).toThrow(expected.message);
      else expect(serialize(message).equals(expected)).toBe(true);
    }
    expect(encodeFramedProduceStreamRequest(Object.create({ correlationId: 1 }) as object)).toBeNull();
  });
});

/** grpc-js' compression filter, as patched (patches/@grpc__grpc-js@1.14.7.patch): the last step before the wire. */
interface SendFilter {
  sendMessage(message: Promise<{ message: Buffer; flags?: number }>): Promise<{ message: Buffer; flags?: number }>;
}
const { CompressionFilter } = require('@grpc/grpc-js/build/src/compression-filter') as {
  CompressionFilter: new (channelOptions: Record<string, unknown>, shared: Record<string, unknown>) => SendFilter;
};

describe('the patched grpc-js with a framed request', () => {
  const message = { correlationId: 7, request: { acks: -1, timeoutMs: 100, topics: [] } };

  it('sends the frame itself, its prefix written, when the message goes uncompressed', async () => {
    const body = encodeFramedProduceStreamRequest(message)!;
    const frame = (body as Buffer & { [GRPC_FRAME]?: Buffer })[GRPC_FRAME]!;
    const sent = await new CompressionFilter({}, {}).sendMessage(Promise.resolve({ message: body, flags: 0 }));
    expect(sent.message).toBe(frame);
    expect(sent.message.readUInt8(0)).toBe(0);
    expect(sent.message.readUInt32BE(1)).toBe(body.length);
    expect(sent.message.subarray(GRPC_PREFIX_BYTES).equals(protobuf(message))).toBe(true);
  });

  it('compresses as before when the channel compresses, and copies a message without a frame', async () => {
    const body = encodeFramedProduceStreamRequest(message)!;
    const gzip = new CompressionFilter({ 'grpc.default_compression_algorithm': 2 }, {});
    const compressed = await gzip.sendMessage(Promise.resolve({ message: body, flags: 0 }));
    expect(compressed.message.readUInt8(0)).toBe(1);
    expect(compressed.message).not.toBe((body as Buffer & { [GRPC_FRAME]?: Buffer })[GRPC_FRAME]);
    const plain = protobuf(message);
    const copied = await new CompressionFilter({}, {}).sendMessage(Promise.resolve({ message: plain, flags: 0 }));
    // A new frame (small Buffers may share a pool slab, so compare places, not slabs).
    const aroundPlain =
      copied.message.buffer === plain.buffer && copied.message.byteOffset + GRPC_PREFIX_BYTES === plain.byteOffset;
    expect(aroundPlain).toBe(false);
    expect(copied.message.subarray(GRPC_PREFIX_BYTES).equals(plain)).toBe(true);
  });
});

describe('ProduceStream over loopback with framed requests', () => {
  const server = new Server();
  const received: ProduceStreamRequest__Output[] = [];
  let broker: BrokerClient;

  beforeAll(async () => {
    const produceStream: BrokerHandlers['ProduceStream'] = (call) => {
      call.on('data', (message: ProduceStreamRequest__Output) => {
        received.push(message);
        call.write({ correlationId: message.correlationId, errorName: '', errorMessage: '' });
      });
      call.on('end', () => call.end());
    };
    server.addService(serviceDefinition('Broker'), { ProduceStream: produceStream });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error === null ? resolve(bound) : reject(error),
      ),
    );
    broker = createGrpcClient('Broker', `127.0.0.1:${port}`);
  });

  afterAll(async () => {
    broker.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('delivers every request as sent: small, spanning many HTTP/2 frames, and left to protobufjs', async () => {
    const sent = [
      { correlationId: 0, request: { acks: -1, timeoutMs: 30_000, topics: [] } },
      {
        correlationId: 1,
        request: {
          acks: -1,
          timeoutMs: 30_000,
          topics: [
            {
              name: 'orders',
              partitions: [
                { partition: 0, records: Buffer.alloc(300_000, 0xab) },
                { partition: 5, records: Buffer.from('batch') },
              ],
            },
            { name: 'audit', partitions: [{ partition: 2, records: Buffer.alloc(131_072 + 61, 7) }] },
          ],
        },
      },
      // A lone surrogate: protobufjs serializes it, unframed, on the same stream.
      { correlationId: 2, request: { acks: 1, timeoutMs: 5, topics: [{ name: '\ud800x', partitions: [] }] } },
      { correlationId: 3, request: { acks: 0, timeoutMs: 5, topics: [{ name: 't', partitions: [] }] } },
    ];
    const call = broker.ProduceStream();
    const answered: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (answer: { correlationId: string }) => {
        answered.push(answer.correlationId);
        if (answered.length === sent.length) call.end();
      });
      call.on('error', reject);
      call.on('end', resolve);
    });
    for (const message of sent) call.write(message);
    await done;
    expect(answered).toEqual(['0', '1', '2', '3']);
    const protobufDecode = protobufMethod.ProduceStream!.requestDeserialize;
    expect(received).toEqual(sent.map((message) => protobufDecode(protobuf(message))));
    expect(received[1]!.request!.topics[0]!.partitions[0]!.records.equals(Buffer.alloc(300_000, 0xab))).toBe(true);
  });
});
