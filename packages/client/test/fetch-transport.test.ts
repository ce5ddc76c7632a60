/**
 * The consumer's fetch transport against a real gRPC server on loopback whose Fetch and
 * FetchStream are scripted here (the broker's own FetchStream is tested with real brokers in
 * services/broker/test/consumer-fetch-stream.component.test.ts). What is checked is the transport's
 * own behaviour: several requests out on one stream, answered in any order and matched by
 * correlation id; a refusal by name rejects only its request; a broken stream fails every request
 * on it, requests go unary while it backs off, then a new stream takes over; a broker without the
 * stream (UNIMPLEMENTED) gets the requests as unary Fetch at once; a stream that misses a
 * request's deadline is cancelled.
 */
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { createGrpcClient, type BrokerClient, type BrokerHandlers } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { FetchTransport, type FetchTransportCounters } from '../src/fetch-transport';
import { startLoopbackBroker } from './loopback-broker';

jest.setTimeout(30_000);

type StreamCall = ServerDuplexStream<pb.FetchStreamRequest__Output, pb.FetchStreamResponse>;

const request = (fetchOffset: number): pb.FetchRequest => ({
  replicaId: -1,
  replicaEpoch: -1,
  maxWaitMs: 0,
  minBytes: 0,
  maxBytes: 1024 * 1024,
  topics: [{ name: 'orders', partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1024 * 1024 }] }],
});

/** The answer the scripted broker gives a fetch at `fetchOffset`: its offset as the high watermark, bytes to match. */
const answerTo = (fetchOffset: number): pb.FetchResponse => ({
  topics: [
    {
      name: 'orders',
      partitions: [{ partition: 0, errorName: '', highWatermark: fetchOffset, records: Buffer.alloc(64, fetchOffset) }],
    },
  ],
});

const offsetOf = (r: pb.FetchRequest__Output | null): number => Number(r?.topics[0]?.partitions[0]?.fetchOffset ?? -1);
const highWatermarkOf = (answer: pb.FetchResponse__Output): number =>
  Number(answer.topics[0]!.partitions[0]!.highWatermark);

/** A scripted broker: unary Fetch answers at once; each FetchStream message is handed to the test. */
async function startBroker(serveStream: boolean) {
  const streams: StreamCall[] = [];
  const received: { call: StreamCall; message: pb.FetchStreamRequest__Output }[] = [];
  let unary = 0;
  const handlers: Partial<BrokerHandlers> = {
    Fetch: (call, callback) => {
      unary++;
      callback(null, answerTo(offsetOf(call.request)));
    },
  };
  if (serveStream)
    handlers.FetchStream = (call: StreamCall) => {
      streams.push(call);
      call.on('data', (message: pb.FetchStreamRequest__Output) => received.push({ call, message }));
      call.on('error', () => undefined);
    };
  const { server, port } = await startLoopbackBroker(handlers);
  return { server, port, streams, received, unaryFetches: () => unary };
}

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('FetchTransport', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(serveStream: boolean) {
    const broker = await startBroker(serveStream);
    cleanups.push(() => broker.server.forceShutdown());
    const client: BrokerClient = createGrpcClient('Broker', `127.0.0.1:${broker.port}`);
    cleanups.push(() => client.close());
    const counters: FetchTransportCounters = {
      streamAnswers: 0,
      unaryAnswers: 0,
      streamsOpened: 0,
      streamFailures: 0,
      fallbacksUnimplemented: 0,
    };
    const transport = new FetchTransport(client, counters);
    cleanups.push(() => transport.close());
    return { broker, transport, counters };
  }

  const settled = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      (value) => value,
      (error: unknown) => error,
    );

  it('carries several requests on one stream, answered in any order, a refusal failing only its own', async () => {
    const { broker, transport, counters } = await setUp(true);
    const first = transport.fetch(request(10), 5_000);
    const second = transport.fetch(request(20), 5_000);
    const third = settled(transport.fetch(request(30), 5_000));
    await until('three messages', () => broker.received.length === 3);
    expect(broker.streams).toHaveLength(1);
    // Answered last to first; the third refused by name.
    const [a, b, c] = broker.received;
    c!.call.write({
      correlationId: c!.message.correlationId,
      errorName: 'TOPIC_AUTHORIZATION_FAILED',
      errorMessage: 'no',
    });
    b!.call.write({ correlationId: b!.message.correlationId, response: answerTo(offsetOf(b!.message.request)) });
    a!.call.write({ correlationId: a!.message.correlationId, response: answerTo(offsetOf(a!.message.request)) });
    expect(highWatermarkOf(await first)).toBe(10);
    expect(highWatermarkOf(await second)).toBe(20);
    const refused = await third;
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).errorName).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(counters).toEqual({
      streamAnswers: 2,
      unaryAnswers: 0,
      streamsOpened: 1,
      streamFailures: 0,
      fallbacksUnimplemented: 0,
    });
    expect(broker.unaryFetches()).toBe(0);
  });

  it('fails every request of a broken stream, goes unary while backing off, then reopens', async () => {
    const { broker, transport, counters } = await setUp(true);
    const first = settled(transport.fetch(request(1), 5_000));
    const second = settled(transport.fetch(request(2), 5_000));
    await until('two messages', () => broker.received.length === 2);
    broker.streams[0]!.emit('error', { code: status.UNAVAILABLE, details: 'going away' });
    for (const outcome of [await first, await second]) {
      expect(outcome).toBeInstanceOf(ApiError);
      expect((outcome as ApiError).retriable).toBe(true);
    }
    expect(counters).toMatchObject({ streamFailures: 1, streamsOpened: 1 });
    // Within the backoff (100 ms after the first failure): unary Fetch.
    expect(highWatermarkOf(await transport.fetch(request(3), 5_000))).toBe(3);
    expect(broker.unaryFetches()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const reopened = transport.fetch(request(4), 5_000);
    await until('a message on a new stream', () => broker.received.length === 3);
    const { call, message } = broker.received[2]!;
    expect(call).toBe(broker.streams[1]);
    call.write({ correlationId: message.correlationId, response: answerTo(offsetOf(message.request)) });
    expect(highWatermarkOf(await reopened)).toBe(4);
    expect(counters).toMatchObject({ streamsOpened: 2, streamFailures: 1, unaryAnswers: 1, streamAnswers: 1 });
  });

  it('sends the requests as unary Fetch at once to a broker without the stream, and stays unary', async () => {
    const { broker, transport, counters } = await setUp(false);
    const answers = await Promise.all([transport.fetch(request(5), 5_000), transport.fetch(request(6), 5_000)]);
    expect(answers.map(highWatermarkOf)).toEqual([5, 6]);
    expect(highWatermarkOf(await transport.fetch(request(7), 5_000))).toBe(7);
    expect(counters).toEqual({
      streamAnswers: 0,
      unaryAnswers: 3,
      streamsOpened: 1,
      streamFailures: 0,
      fallbacksUnimplemented: 1,
    });
    expect(broker.unaryFetches()).toBe(3);
  });

  it('cancels a stream that misses a request deadline, failing its requests', async () => {
    const { broker, transport, counters } = await setUp(true);
    const late = await settled(transport.fetch(request(1), 200));
    expect((late as ApiError).errorName).toBe('REQUEST_TIMED_OUT');
    expect(counters).toMatchObject({ streamFailures: 1 });
    await until('the broker saw the stream cancelled', () => broker.streams[0]!.cancelled);
  });
});
