/**
 * The producer's ProduceStream and expiring tokens (KIP-368's client side), against a real gRPC
 * server on loopback whose ProduceStream is scripted here (the broker's own refusal is tested in
 * services/broker/test/produce-stream.test.ts and e2e/test/security-reauth.test.ts):
 * - an idle stream is replaced at 0.8 of the remaining life of its token when the source has a
 *   newer token (half-closed, a new one opened for the next request), so the broker never has to
 *   refuse it; with nothing newer (a static token) the stream is kept;
 * - a stream the broker ends because its token expired is reopened and its unanswered request
 *   written again, once: a second such end surfaces the error.
 */
import { type ServerDuplexStream } from '@grpc/grpc-js';
import { createGrpcClient, toGrpcStatus, type BrokerClient, type BrokerHandlers } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { ProduceStreamConnection, type ProduceOutcome } from '../src/produce-stream';
import { startLoopbackBroker } from './loopback-broker';

jest.setTimeout(30_000);

type StreamCall = ServerDuplexStream<pb.ProduceStreamRequest__Output, pb.ProduceStreamResponse>;

const request = (partition: number): pb.ProduceRequest => ({
  acks: -1,
  timeoutMs: 1_000,
  topics: [{ name: 'orders', partitions: [{ partition, records: Buffer.from([partition]) }] }],
});

const okAnswer = (message: pb.ProduceStreamRequest__Output): pb.ProduceStreamResponse => ({
  correlationId: message.correlationId,
  errorName: '',
  errorMessage: '',
  response: {
    topics: [
      {
        name: 'orders',
        partitions: [
          { partition: 0, errorName: '', errorMessage: '', baseOffset: 0, logAppendTime: -1, logStartOffset: 0 },
        ],
      },
    ],
  },
});

/** The broker's refusal of a stream whose token expired (services/common stream-credential.ts). */
const expired = (): ApiError =>
  new ApiError('SASL_AUTHENTICATION_FAILED', 'token expired at ... on an open stream (ProduceStream)', {
    streamCredentialExpired: 'true',
  });

/** An unsigned JWT-shaped token expiring at `expSeconds` (the client reads exp, never verifies). */
const tokenExpiringAt = (expSeconds: number): string =>
  `e30.${Buffer.from(JSON.stringify({ sub: 'alice', exp: expSeconds })).toString('base64url')}.sig`;

/** A scripted broker: `onMessage(streamIndex, call, message)` decides each message's fate. */
async function startBroker(
  onMessage: (streamIndex: number, call: StreamCall, message: pb.ProduceStreamRequest__Output) => void,
) {
  const streams: { call: StreamCall; messages: pb.ProduceStreamRequest__Output[]; endedByClient: boolean }[] = [];
  const handlers: Partial<BrokerHandlers> = {
    ProduceStream: (call: StreamCall) => {
      const stream = { call, messages: [] as pb.ProduceStreamRequest__Output[], endedByClient: false };
      const index = streams.push(stream) - 1;
      call.on('data', (message: pb.ProduceStreamRequest__Output) => {
        stream.messages.push(message);
        onMessage(index, call, message);
      });
      call.on('end', () => {
        stream.endedByClient = true;
        call.end();
      });
      call.on('error', () => undefined);
    },
  };
  const { server, address } = await startLoopbackBroker(handlers);
  return { streams, address, stop: () => server.forceShutdown() };
}

function send(connection: ProduceStreamConnection, partition: number): Promise<ProduceOutcome> {
  return new Promise((resolve) => connection.send(request(partition), resolve));
}

describe('ProduceStreamConnection and expiring tokens (KIP-368)', () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let client: BrokerClient;

  afterEach(() => {
    client?.close();
    broker?.stop();
  });

  it('replaces an idle stream at 0.8 of its token life when the source has a new token', async () => {
    broker = await startBroker((_index, call, message) => call.write(okAnswer(message)));
    client = createGrpcClient('Broker', broker.address);
    // A token of 3-4 s: the two sends below must land before 0.8 of its life even on a loaded
    // machine (with 1-2 s, a slow first connection could pass the refresh point before them).
    const expSeconds = Math.ceil(Date.now() / 1000) + 3;
    const openedAtMs = Date.now();
    const replaceAtMs = openedAtMs + 0.8 * (expSeconds * 1000 - openedAtMs);
    // As a refreshing source: the first token until the refresh point, a newer one after it. It
    // notes when it first hands out the newer one: that is the client's check at 0.8 of the life.
    let newerHandedOutAtMs: number | undefined;
    const tokens = {
      token: () => {
        if (Date.now() < replaceAtMs) return Promise.resolve(tokenExpiringAt(expSeconds));
        newerHandedOutAtMs ??= Date.now();
        return Promise.resolve(tokenExpiringAt(expSeconds + 60));
      },
    };
    const connection = new ProduceStreamConnection(client, { requestTimeoutMs: 5_000, label: 'scripted', tokens });
    expect((await send(connection, 0)).kind).toBe('answered');
    expect((await send(connection, 1)).kind).toBe('answered'); // still well inside the token's life
    expect(broker.streams).toHaveLength(1);
    // Wait for the client's own check rather than a fixed time: its timer runs from when the stream
    // opened (after openedAtMs) and may fire late on a loaded machine (a fixed 100 ms margin failed
    // once in a full suite run). Bounded: the check is due about 2.4 s from now at the latest.
    const waitUntilMs = Date.now() + 10_000;
    while (newerHandedOutAtMs === undefined && Date.now() < waitUntilMs)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(newerHandedOutAtMs).toBeGreaterThanOrEqual(replaceAtMs);
    await new Promise((resolve) => setImmediate(resolve)); // the check's answer handled
    expect((await send(connection, 2)).kind).toBe('answered');
    expect(broker.streams).toHaveLength(2);
    expect(broker.streams[0]!.endedByClient).toBe(true); // half-closed, not cancelled
    expect(broker.streams.map((stream) => stream.messages.length)).toEqual([2, 1]);
    expect(connection.counters).toEqual({ streamsOpened: 2, replacedBeforeExpiry: 1 });
    await connection.close(1_000);
  });

  it('keeps the stream when the source has nothing newer (a static token)', async () => {
    broker = await startBroker((_index, call, message) => call.write(okAnswer(message)));
    client = createGrpcClient('Broker', broker.address);
    const expSeconds = Math.ceil(Date.now() / 1000) + 1;
    const token = tokenExpiringAt(expSeconds);
    const connection = new ProduceStreamConnection(client, {
      requestTimeoutMs: 5_000,
      label: 'scripted',
      tokens: { token: () => Promise.resolve(token) },
    });
    expect((await send(connection, 0)).kind).toBe('answered');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expSeconds * 1000 - Date.now()) - 50));
    expect((await send(connection, 1)).kind).toBe('answered');
    expect(broker.streams).toHaveLength(1);
    expect(connection.counters).toEqual({ streamsOpened: 1, replacedBeforeExpiry: 0 });
    await connection.close(1_000);
  });

  it('reopens a stream the broker ended for an expired token and writes its unanswered request again, once', async () => {
    // The first stream is refused at its first message; the second answers.
    broker = await startBroker((index, call, message) =>
      index === 0 ? call.emit('error', toGrpcStatus(expired())) : call.write(okAnswer(message)),
    );
    client = createGrpcClient('Broker', broker.address);
    const connection = new ProduceStreamConnection(client, { requestTimeoutMs: 5_000, label: 'scripted' });
    const outcome = await send(connection, 7);
    expect(outcome.kind).toBe('answered');
    expect(broker.streams).toHaveLength(2);
    const written = broker.streams.map((stream) =>
      stream.messages.map((m) => m.request?.topics[0]?.partitions[0]?.partition),
    );
    expect(written).toEqual([[7], [7]]);
    await connection.close(1_000);
  });

  it('surfaces the refusal when the reopened stream is refused as well (no fresh token)', async () => {
    broker = await startBroker((_index, call) => call.emit('error', toGrpcStatus(expired())));
    client = createGrpcClient('Broker', broker.address);
    const connection = new ProduceStreamConnection(client, { requestTimeoutMs: 5_000, label: 'scripted' });
    const outcome = await send(connection, 3);
    expect(outcome).toMatchObject({ kind: 'failed', error: { errorName: 'SASL_AUTHENTICATION_FAILED' } });
    expect(broker.streams).toHaveLength(2); // one rewrite, no loop
    await connection.close(1_000);
  });
});
