import { createGrpcClient, unaryCall, type HealthCheckResponse__Output } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { HealthStatus, startGrpcServer, unaryHandler } from '../src';
import type { StartedGrpcServer } from '../src';
import {
  createEchoClient,
  echoClientConstructor,
  type EchoClient,
  type EchoRequest__Output,
  type EchoResponse__Output,
} from './support/echo-fixture';

describe('gRPC helpers over loopback', () => {
  const reported: Array<{ error: unknown; referenceId: string }> = [];
  let server: StartedGrpcServer;
  let client: EchoClient;
  const health = new HealthStatus('NOT_SERVING');

  beforeAll(async () => {
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      services: [
        health.registration(),
        {
          definition: echoClientConstructor().service,
          implementation: {
            Echo: unaryHandler<EchoRequest__Output, EchoResponse__Output>(
              (request) => {
                if (request.failWith === 'NOT_CONTROLLER') {
                  throw new ApiError('NOT_CONTROLLER', 'node 2 is the controller', {
                    leaderId: '2',
                    leaderAddress: '127.0.0.1:9093',
                    note: 'caf\u00e9 100%',
                  });
                }
                if (request.failWith === 'bug') throw new TypeError('secret internals at /srv/app.js:12');
                return { text: request.text, bigNumber: request.bigNumber, payload: request.payload };
              },
              (error, referenceId) => reported.push({ error, referenceId }),
            ),
          },
        },
      ],
    });
    client = createEchoClient(server.address);
  });

  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('binds an OS-chosen port and round-trips int64 as a string and bytes as a Buffer', async () => {
    expect(server.port).toBeGreaterThan(0);
    const response = await unaryCall(
      client,
      'Echo',
      { text: 'hi', bigNumber: '9007199254740993', payload: Buffer.from([1, 2, 3]) },
      { timeoutMs: 2_000 },
    );
    expect(response.text).toBe('hi');
    expect(response.bigNumber).toBe('9007199254740993'); // 2^53 + 1: would be rounded as a number
    expect(Buffer.isBuffer(response.payload)).toBe(true);
    expect([...response.payload]).toEqual([1, 2, 3]);
  });

  it('maps an ApiError to a status + trailers and back to the same ApiError', async () => {
    const error = await unaryCall(client, 'Echo', { failWith: 'NOT_CONTROLLER' }, { timeoutMs: 2_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.errorName).toBe('NOT_CONTROLLER');
    expect(apiError.code).toBe(41);
    expect(apiError.retriable).toBe(true);
    expect(apiError.message).toBe('NOT_CONTROLLER: node 2 is the controller');
    expect(apiError.detail).toEqual({ leaderId: '2', leaderAddress: '127.0.0.1:9093', note: 'caf\u00e9 100%' });
  });

  it('hides non-ApiErrors as UNKNOWN_SERVER_ERROR with a reference id, and reports them server-side', async () => {
    const error = (await unaryCall(client, 'Echo', { failWith: 'bug' }, { timeoutMs: 2_000 }).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect(error.errorName).toBe('UNKNOWN_SERVER_ERROR');
    expect(error.message).not.toContain('secret');
    expect(error.message).not.toContain('app.js');
    const last = reported[reported.length - 1];
    expect(last?.error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(last?.referenceId);
  });

  it('serves grpc.health.v1.Health/Check with the status the service sets', async () => {
    const healthClient = createGrpcClient('Health', server.address);
    try {
      const check = (service: string): Promise<{ status: string }> =>
        unaryCall(healthClient, 'Check', { service }, { timeoutMs: 2_000 });
      expect(await check('')).toEqual({ status: 'NOT_SERVING' });
      health.set('', 'SERVING');
      health.set('sluice.v1.Controller', 'SERVING');
      expect(await check('')).toEqual({ status: 'SERVING' });
      expect(await check('sluice.v1.Controller')).toEqual({ status: 'SERVING' });
      const unknown = await check('nope').catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(ApiError); // NOT_FOUND without sluice trailers
      health.shutdown();
      expect(await check('sluice.v1.Controller')).toEqual({ status: 'NOT_SERVING' });
    } finally {
      healthClient.close();
    }
  });

  it('streams status changes to grpc.health.v1.Health/Watch', async () => {
    const watched = new HealthStatus('SERVING');
    const watchServer = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [watched.registration()] });
    const watchClient = createGrpcClient('Health', watchServer.address);
    try {
      const seen: string[] = [];
      const call = watchClient.Watch({ service: '' });
      call.on('data', (response: HealthCheckResponse__Output) => seen.push(response.status));
      call.on('error', () => undefined); // the cancel below
      const until = async (n: number): Promise<void> => {
        for (let k = 0; k < 200 && seen.length < n; k++) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      await until(1);
      watched.set('', 'NOT_SERVING');
      await until(2);
      expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
      call.cancel();
    } finally {
      watchClient.close();
      await watchServer.stop(0);
    }
  });

  it('reports an unreachable server as NETWORK_EXCEPTION, fast', async () => {
    const spare = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [] });
    const address = spare.address;
    await spare.stop();
    const deadClient = createEchoClient(address);
    try {
      const started = Date.now();
      const error = (await unaryCall(deadClient, 'Echo', { text: 'x' }, { timeoutMs: 5_000 }).catch(
        (e: unknown) => e,
      )) as ApiError;
      expect(error.errorName).toBe('NETWORK_EXCEPTION');
      expect(error.retriable).toBe(true);
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      deadClient.close();
    }
  });
});
