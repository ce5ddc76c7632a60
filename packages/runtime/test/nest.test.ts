import 'reflect-metadata';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { ApiError } from '@sluice/protocol';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import { ApiErrorRpcFilter, GrpcHealthController, grpcMicroserviceOptions, HealthStatus } from '../src';
import { createEchoClient, ECHO_FIXTURES_DIR, ECHO_PROTO_FILE } from './support/echo-fixture';

@Controller()
class EchoController {
  @GrpcMethod('Echo', 'Echo')
  echo(request: { text: string; failWith: string }): { text: string } {
    if (request.failWith === 'NOT_CONTROLLER')
      throw new ApiError('NOT_CONTROLLER', 'ask node 3', { leaderAddress: '127.0.0.1:9095' });
    if (request.failWith === 'bug') throw new Error('stack secrets');
    return { text: request.text };
  }
}

const health = new HealthStatus('SERVING');

@Module({
  controllers: [EchoController, GrpcHealthController],
  providers: [{ provide: HealthStatus, useValue: health }],
})
class TestModule {}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('NestJS gRPC glue', () => {
  let app: INestMicroservice;
  let address: string;

  beforeAll(async () => {
    address = `127.0.0.1:${await freePort()}`;
    app = await NestFactory.createMicroservice(TestModule, {
      ...grpcMicroserviceOptions({
        url: address,
        protoFiles: [ECHO_PROTO_FILE],
        packages: ['test.v1'],
        protoDirs: [ECHO_FIXTURES_DIR],
      }),
      logger: false,
    });
    app.useGlobalFilters(new ApiErrorRpcFilter());
    await app.listen();
  });
  afterAll(() => app.close());

  it('maps ApiErrors thrown in a Nest controller exactly like the raw helpers', async () => {
    const client = createEchoClient(address);
    try {
      expect(await unaryCall(client, 'Echo', { text: 'hi' }, { timeoutMs: 2_000 })).toMatchObject({ text: 'hi' });
      const error = (await unaryCall(client, 'Echo', { failWith: 'NOT_CONTROLLER' }, { timeoutMs: 2_000 }).catch(
        (e: unknown) => e,
      )) as ApiError;
      expect([error.errorName, error.message, error.detail]).toEqual([
        'NOT_CONTROLLER',
        'NOT_CONTROLLER: ask node 3',
        { leaderAddress: '127.0.0.1:9095' },
      ]);
      const hidden = (await unaryCall(client, 'Echo', { failWith: 'bug' }, { timeoutMs: 2_000 }).catch(
        (e: unknown) => e,
      )) as ApiError;
      expect(hidden.errorName).toBe('UNKNOWN_SERVER_ERROR');
      expect(hidden.message).not.toContain('secrets');
    } finally {
      client.close();
    }
  });

  it('serves grpc.health.v1 Check from the injected HealthStatus', async () => {
    const client = createGrpcClient('Health', address);
    try {
      expect(await unaryCall(client, 'Check', { service: '' }, { timeoutMs: 2_000 })).toEqual({ status: 'SERVING' });
      health.set('', 'NOT_SERVING');
      expect(await unaryCall(client, 'Check', { service: '' }, { timeoutMs: 2_000 })).toEqual({
        status: 'NOT_SERVING',
      });
      const unknown = (await unaryCall(client, 'Check', { service: 'x' }, { timeoutMs: 2_000 }).catch(
        (e: unknown) => e,
      )) as ApiError;
      expect(unknown.message).toMatch(/unknown service/);
    } finally {
      client.close();
    }
  });
});
