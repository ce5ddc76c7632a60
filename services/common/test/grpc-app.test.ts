import 'reflect-metadata';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import { Metadata } from '@grpc/grpc-js';
import { ApiError } from '@sluice/protocol';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type { Client, ServiceClientConstructor } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { fromGrpcError, HEALTH_PROTO_FILE, loadProtos } from '@sluice/proto';
import { createMetricsRegistry, HealthStatus } from '@sluice/runtime';
import {
  fileDescriptorsViaReflection,
  listServicesViaReflection,
  peerHostOf,
  RpcCall,
  SluiceRpcModule,
  startGrpcApp,
  type Authenticator,
  type GrpcApp,
  type RpcCallContext,
} from '../src';

// The test-only test.v1.Echo service, shared with @sluice/runtime's server tests.
const FIXTURES = join(__dirname, '..', '..', '..', 'packages', 'runtime', 'test', 'fixtures');
const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

function clientOf(definition: PackageDefinition, fullName: string, address: string): Client {
  let node: unknown = loadPackageDefinition(definition);
  for (const part of fullName.split('.')) node = (node as Record<string, unknown>)[part];
  return new (node as ServiceClientConstructor)(address, credentials.createInsecure());
}

/** One unary call of a fixture service (not in the contract, so untyped), errors as ApiErrors. */
function callUnary(
  client: Client,
  method: string,
  request: object,
  options: { timeoutMs: number; metadata?: Metadata },
): Promise<Record<string, unknown>> {
  const invoke = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method] as (
    ...args: unknown[]
  ) => unknown;
  return new Promise((resolveCall, rejectCall) => {
    invoke.call(
      client,
      request,
      options.metadata ?? new Metadata(),
      { deadline: new Date(Date.now() + options.timeoutMs) },
      (error: Error | null, response: Record<string, unknown>) =>
        error !== null ? rejectCall(fromGrpcError(error)) : resolveCall(response),
    );
  });
}
const ECHO_FILES = ['test/v1/echo.proto', HEALTH_PROTO_FILE];

@Controller()
class EchoController {
  @GrpcMethod('Echo', 'Echo')
  echo(@Payload() request: { text: string; failWith: string }, @RpcCall() call: RpcCallContext): { text: string } {
    if (request.failWith === 'NOT_CONTROLLER')
      throw new ApiError('NOT_CONTROLLER', 'ask node 3', { leaderAddress: '127.0.0.1:9095' });
    if (request.failWith === 'bug') throw new Error('stack secrets');
    if (request.text === 'who') return { text: `${call.principal}@${call.peerHost} ${call.service}/${call.method}` };
    if (request.text === 'trace') return { text: call.traceparent ?? 'none' };
    return { text: request.text };
  }
}

/** Reads `authorization: Bearer <name>`; refuses `Bearer bad`; anonymous without the header. */
const bearerNames: Authenticator = {
  authenticate({ metadata }) {
    const header = metadata.get('authorization')[0];
    if (header === undefined) return 'User:ANONYMOUS';
    if (header === 'Bearer bad') throw new ApiError('SASL_AUTHENTICATION_FAILED', 'token refused');
    return `User:${String(header).replace(/^Bearer /, '')}`;
  },
};

describe('the sluice gRPC surface on NestJS', () => {
  const health = new HealthStatus('SERVING');
  const registry = createMetricsRegistry({ service: 'test', nodeId: 1, defaultMetrics: false });
  const reported: string[] = [];
  let app: GrpcApp;
  let echo: Client;
  let healthClient: Client;

  @Module({
    imports: [
      SluiceRpcModule.forRoot({
        service: 'test',
        registry,
        health,
        report: (_error, referenceId) => reported.push(referenceId),
        authenticator: bearerNames,
      }),
    ],
    controllers: [EchoController],
  })
  class EchoModule {}

  beforeAll(async () => {
    const packageDefinition = loadProtos(ECHO_FILES, [FIXTURES, join(__dirname, '..', '..', '..', 'proto')]);
    app = await startGrpcApp({
      module: EchoModule,
      host: '127.0.0.1',
      port: 0,
      packageDefinition,
      services: ['test.v1.Echo', HEALTH_SERVICE_NAME],
    });
    echo = clientOf(packageDefinition, 'test.v1.Echo', app.address);
    healthClient = clientOf(packageDefinition, HEALTH_SERVICE_NAME, app.address);
  });
  afterAll(async () => {
    echo.close();
    healthClient.close();
    await app.close();
  });

  it('binds the port the OS chose and answers on it', async () => {
    expect(app.port).toBeGreaterThan(0);
    expect(app.address).toBe(`127.0.0.1:${app.port}`);
    expect(await callUnary(echo, 'Echo', { text: 'hi' }, { timeoutMs: 2_000 })).toMatchObject({ text: 'hi' });
  });

  it('maps ApiErrors to Kafka-named statuses and hides unexpected errors behind a reported reference', async () => {
    const error = (await callUnary(echo, 'Echo', { failWith: 'NOT_CONTROLLER' }, { timeoutMs: 2_000 }).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect([error.errorName, error.message, error.detail]).toEqual([
      'NOT_CONTROLLER',
      'NOT_CONTROLLER: ask node 3',
      { leaderAddress: '127.0.0.1:9095' },
    ]);
    const hidden = (await callUnary(echo, 'Echo', { failWith: 'bug' }, { timeoutMs: 2_000 }).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect(hidden.errorName).toBe('UNKNOWN_SERVER_ERROR');
    expect(hidden.message).not.toContain('secrets');
    expect(reported).toHaveLength(1);
    expect(hidden.message).toContain(reported[0]);
  });

  it('refuses bytes that are no valid request with INVALID_REQUEST, unary or streaming, and serves on', async () => {
    const identity = (bytes: Buffer): Buffer => bytes;
    const raw = (client: Client, path: string, bytes: Buffer): Promise<ApiError | Buffer> =>
      new Promise((resolveCall) =>
        client.makeUnaryRequest(
          path,
          identity,
          identity,
          bytes,
          { deadline: new Date(Date.now() + 2_000) },
          (error, value) => resolveCall(error !== null ? fromGrpcError(error) : (value as Buffer)),
        ),
      );
    // Field 2 (int64) as a varint of eleven bytes: no protobuf decoder takes it.
    const garbage = Buffer.from([0x10, ...Array(10).fill(0xff), 0x01]);
    const refused = await raw(echo, '/test.v1.Echo/Echo', garbage);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).errorName).toBe('INVALID_REQUEST');
    expect((refused as ApiError).message).toContain('/test.v1.Echo/Echo');
    const watched = await new Promise<ApiError>((resolveWatch) => {
      const call = healthClient.makeServerStreamRequest(
        '/grpc.health.v1.Health/Watch',
        identity,
        identity,
        // Field 1 with wire type 7, which does not exist (the unknown field 2 above would be skipped).
        Buffer.from([0x0f]),
        { deadline: new Date(Date.now() + 2_000) },
      );
      call.on('data', () => undefined);
      call.on('error', (error) => resolveWatch(fromGrpcError(error)));
    });
    expect(watched.errorName).toBe('INVALID_REQUEST');
    expect(await callUnary(echo, 'Echo', { text: 'still here' }, { timeoutMs: 2_000 })).toMatchObject({
      text: 'still here',
    });
  });

  it('authenticates every call through the guard and gives the handler its principal, peer and RPC', async () => {
    expect(await callUnary(echo, 'Echo', { text: 'who' }, { timeoutMs: 2_000 })).toMatchObject({
      text: 'User:ANONYMOUS@127.0.0.1 test.v1.Echo/Echo',
    });
    const asAlice = new Metadata();
    asAlice.set('authorization', 'Bearer alice');
    expect(await callUnary(echo, 'Echo', { text: 'who' }, { timeoutMs: 2_000, metadata: asAlice })).toMatchObject({
      text: 'User:alice@127.0.0.1 test.v1.Echo/Echo',
    });
    const bad = new Metadata();
    bad.set('authorization', 'Bearer bad');
    const refused = (await callUnary(echo, 'Echo', { text: 'who' }, { timeoutMs: 2_000, metadata: bad }).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect([refused.errorName, refused.message]).toEqual([
      'SASL_AUTHENTICATION_FAILED',
      'SASL_AUTHENTICATION_FAILED: token refused',
    ]);
  });

  it("hands the handler the caller's W3C traceparent", async () => {
    const traced = new Metadata();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    traced.set('traceparent', traceparent);
    expect(await callUnary(echo, 'Echo', { text: 'trace' }, { timeoutMs: 2_000, metadata: traced })).toMatchObject({
      text: traceparent,
    });
    expect(await callUnary(echo, 'Echo', { text: 'trace' }, { timeoutMs: 2_000 })).toMatchObject({ text: 'none' });
  });

  it('counts every RPC by API and outcome, with its latency', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/sluice_rpc_requests_total\{api="Echo",outcome="ok",service="test",node_id="1"\} [4-9]/);
    expect(text).toMatch(/sluice_rpc_requests_total\{api="Echo",outcome="NOT_CONTROLLER"[^}]*\} 1/);
    expect(text).toMatch(/sluice_rpc_requests_total\{api="Echo",outcome="UNKNOWN_SERVER_ERROR"[^}]*\} 1/);
    expect(text).toMatch(/sluice_rpc_request_seconds_count\{[^}]*api="Echo"[^}]*\} [6-9]/);
    // The same requests, each split into queue, local and remote time (Kafka's RequestMetrics).
    const value = (name: string, labels: Record<string, string>): number => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
      return Number(line?.split(' ').at(-1));
    };
    const phase = (suffix: string, name: string): number =>
      value(`sluice_rpc_request_phase_seconds_${suffix}`, { api: 'Echo', phase: name });
    const total = value('sluice_rpc_request_seconds_count', { api: 'Echo' });
    expect([phase('count', 'queue'), phase('count', 'local'), phase('count', 'remote')]).toEqual([total, total, total]);
    const phaseSum = phase('sum', 'queue') + phase('sum', 'local') + phase('sum', 'remote');
    expect(phaseSum).toBeCloseTo(value('sluice_rpc_request_seconds_sum', { api: 'Echo' }), 6);
    // Guards and interceptors run before the handler: some queue time, however small.
    expect(phase('sum', 'queue')).toBeGreaterThan(0);
  });

  it('serves grpc.health.v1 Check and Watch from the HealthStatus', async () => {
    expect(await callUnary(healthClient, 'Check', { service: '' }, { timeoutMs: 2_000 })).toEqual({
      status: 'SERVING',
    });
    const unknown = (await callUnary(healthClient, 'Check', { service: 'x' }, { timeoutMs: 2_000 }).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect(unknown.message).toMatch(/unknown service 'x'/);

    const seen: string[] = [];
    const watch = (
      healthClient as unknown as { Watch(r: { service: string }): NodeJS.EventEmitter & { cancel(): void } }
    ).Watch({ service: '' });
    watch.on('data', (answer: { status: string }) => seen.push(answer.status));
    watch.on('error', () => undefined);
    const deadline = Date.now() + 5_000;
    while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    health.set('', 'NOT_SERVING');
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    watch.cancel();
    health.set('', 'SERVING');
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
  });

  it('describes itself through gRPC server reflection', async () => {
    expect(await listServicesViaReflection(app.address)).toEqual(['grpc.health.v1.Health', 'test.v1.Echo']);
    // describe: the file defining the service, as serialized FileDescriptorProtos grpcurl decodes.
    const files = await fileDescriptorsViaReflection(app.address, 'test.v1.Echo');
    expect(files.length).toBeGreaterThan(0);
    expect(Buffer.concat(files).toString('latin1')).toContain('EchoRequest');
  });
});

describe('peerHostOf', () => {
  it("takes the host out of grpc-js's peer strings", () => {
    expect(peerHostOf('ipv4:127.0.0.1:5000')).toBe('127.0.0.1');
    expect(peerHostOf('ipv6:[::1]:5000')).toBe('::1');
    expect(peerHostOf('10.0.0.7:9092')).toBe('10.0.0.7');
    expect(peerHostOf('unix:/tmp/socket')).toBe('unix:/tmp/socket');
    expect(peerHostOf('')).toBe('unknown');
  });
});
