/**
 * The broker's ProduceStream handler (its NestJS controller, as the broker serves it) over a real
 * gRPC server and client on loopback, with a scripted `append` (no log): requests reach `append` one at a time in the order written, answers
 * leave in completion order under their correlation ids, at most `maxInFlightRequests` are
 * unanswered (the handler stops reading, later requests wait), acks=0 gets no answer, a
 * whole-request refusal is answered by name and the stream goes on, and a failed acks=0 request
 * ends the stream with its error.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { waitFor } from '@sluice/local-cluster';
import { createGrpcClient, fromGrpcError } from '@sluice/proto';
import type {
  BrokerClient,
  ProduceRequest,
  ProduceRequest__Output,
  ProduceResponse,
  ProduceStreamRequest,
  ProduceStreamResponse__Output,
} from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { createMetricsRegistry, HealthStatus } from '@sluice/runtime';
import { STREAM_CREDENTIAL_EXPIRED_DETAIL, type GrpcApp } from '@sluice/service-common';
import type { BrokerRequests } from '../src/rpc/broker-requests';
import { startBrokerRpc } from '../src/rpc/broker-rpc.module';

interface Appended {
  readonly request: ProduceRequest__Output;
  answer(response: ProduceResponse): void;
  refuse(error: unknown): void;
}

function produceRequest(partition: number, acks = -1): ProduceRequest {
  return {
    acks,
    timeoutMs: 1_000,
    topics: [{ name: 't', partitions: [{ partition, records: Buffer.from([partition]) }] }],
  };
}

function okResponse(request: ProduceRequest__Output, errorName = ''): ProduceResponse {
  return {
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partition: p.partition,
        errorName,
        errorMessage: '',
        baseOffset: p.partition * 10,
        logAppendTime: -1,
        logStartOffset: 0,
      })),
    })),
  };
}

describe('ProduceStream handler', () => {
  let server: GrpcApp;
  let client: BrokerClient;
  let appended: Appended[];

  async function start(maxInFlightRequests: number): Promise<void> {
    appended = [];
    // Only appendProduce is scripted: the stream never reaches the other paths.
    const requests = {
      appendProduce: (request: ProduceRequest__Output) => {
        if (request.acks === 2) throw new ApiError('INVALID_REQUIRED_ACKS', 'acks must be -1, 0 or 1');
        // As the controller's credential check refuses a message past the stream's token exp.
        if (request.acks === 3)
          throw new ApiError('SASL_AUTHENTICATION_FAILED', 'token expired at ... on an open stream', {
            [STREAM_CREDENTIAL_EXPIRED_DETAIL]: 'true',
          });
        return new Promise<ProduceResponse>((answer, refuse) => appended.push({ request, answer, refuse }));
      },
    } as Partial<BrokerRequests> as BrokerRequests;
    server = await startBrokerRpc('127.0.0.1', 0, {
      requests,
      health: new HealthStatus('SERVING'),
      registry: createMetricsRegistry({ service: 'broker', nodeId: 1, defaultMetrics: false }),
      report: () => undefined,
      produceStream: { maxInFlightRequests },
    });
    client = createGrpcClient('Broker', server.address);
  }

  afterEach(async () => {
    client.close();
    await server.close();
  });

  function open(): {
    call: ClientDuplexStream<ProduceStreamRequest, ProduceStreamResponse__Output>;
    answers: ProduceStreamResponse__Output[];
    ended: Promise<ApiError | null>;
  } {
    const call = client.ProduceStream();
    const answers: ProduceStreamResponse__Output[] = [];
    call.on('data', (answer: ProduceStreamResponse__Output) => answers.push(answer));
    const ended = new Promise<ApiError | null>((resolve) => {
      call.on('error', (error) => resolve(fromGrpcError(error)));
      call.on('end', () => resolve(null));
    });
    return { call, answers, ended };
  }

  it('appends in the order written and answers in completion order by correlation id', async () => {
    await start(8);
    const { call, answers, ended } = open();
    for (let i = 0; i < 5; i++) call.write({ correlationId: 100 + i, request: produceRequest(i) });
    await waitFor('all five appended', () => appended.length === 5);
    expect(appended.map((a) => a.request.topics[0]!.partitions[0]!.partition)).toEqual([0, 1, 2, 3, 4]);
    // Acks complete backwards: answers follow completion, each under its own correlation id.
    for (const entry of [...appended].reverse()) entry.answer(okResponse(entry.request));
    await waitFor('five answers', () => answers.length === 5);
    expect(answers.map((a) => Number(a.correlationId))).toEqual([104, 103, 102, 101, 100]);
    for (const answer of answers)
      expect(Number(answer.response!.topics[0]!.partitions[0]!.baseOffset)).toBe(
        (Number(answer.correlationId) - 100) * 10,
      );
    call.end();
    await expect(ended).resolves.toBeNull();
  });

  it('keeps at most maxInFlightRequests unanswered and reads the rest as answers leave', async () => {
    await start(2);
    const { call, answers, ended } = open();
    for (let i = 0; i < 6; i++) call.write({ correlationId: i, request: produceRequest(i) });
    await waitFor('two appended', () => appended.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(appended.length).toBe(2);
    appended[0]!.answer(okResponse(appended[0]!.request));
    await waitFor('a third appended', () => appended.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(appended.length).toBe(3);
    for (let next = 1; next < 6; next++) {
      await waitFor(`request ${next} appended`, () => appended.length > next);
      appended[next]!.answer(okResponse(appended[next]!.request));
    }
    await waitFor('six answers', () => answers.length === 6);
    expect(appended.map((a) => a.request.topics[0]!.partitions[0]!.partition)).toEqual([0, 1, 2, 3, 4, 5]);
    call.end();
    await expect(ended).resolves.toBeNull();
  });

  it('answers nothing for acks=0, answers a whole-request refusal by name and goes on', async () => {
    await start(8);
    const { call, answers, ended } = open();
    call.write({ correlationId: 1, request: produceRequest(0, 0) });
    call.write({ correlationId: 2, request: produceRequest(1, 2) });
    call.write({ correlationId: 3, request: produceRequest(2, 1) });
    await waitFor('acks=0 and acks=1 appended', () => appended.length === 2);
    for (const entry of appended) entry.answer(okResponse(entry.request));
    await waitFor('two answers', () => answers.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answers.map((a) => [Number(a.correlationId), a.errorName])).toEqual([
      [2, 'INVALID_REQUIRED_ACKS'],
      [3, ''],
    ]);
    expect(answers[0]!.response).toBeNull();
    call.end();
    await expect(ended).resolves.toBeNull();
  });

  it('ends the stream with an error when an acks=0 request fails (the client has no answer to notice it by)', async () => {
    await start(8);
    const { call, ended } = open();
    call.write({ correlationId: 1, request: produceRequest(0, 0) });
    await waitFor('appended', () => appended.length === 1);
    appended[0]!.answer(okResponse(appended[0]!.request, 'NOT_LEADER_OR_FOLLOWER'));
    const error = await ended;
    expect(error).toMatchObject({ errorName: 'NOT_LEADER_OR_FOLLOWER' });
  });

  it('ends the stream after answering what it took when a message is refused for an expired token (KIP-368)', async () => {
    await start(8);
    const { call, answers, ended } = open();
    call.write({ correlationId: 1, request: produceRequest(0) });
    call.write({ correlationId: 2, request: produceRequest(1) });
    await waitFor('both appended', () => appended.length === 2);
    call.write({ correlationId: 3, request: produceRequest(2, 3) });
    call.write({ correlationId: 4, request: produceRequest(3) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Neither the refused message nor the one after it reached the log.
    expect(appended).toHaveLength(2);
    for (const entry of appended) entry.answer(okResponse(entry.request));
    const error = await ended;
    expect(error).toMatchObject({ errorName: 'SASL_AUTHENTICATION_FAILED' });
    expect(error?.detail[STREAM_CREDENTIAL_EXPIRED_DETAIL]).toBe('true');
    // What was appended was acknowledged before the end; the refused ones got no answer.
    expect(answers.map((a) => [Number(a.correlationId), a.errorName])).toEqual([
      [1, ''],
      [2, ''],
    ]);
  });
});
