/**
 * The tracing interceptor on a real Nest gRPC app with a registered OpenTelemetry SDK (spans kept
 * in memory): every RPC is a SERVER span named `{service}/{method}`, a child of the caller's
 * `traceparent` metadata when sent; the handler runs inside it (its log lines and its own spans
 * belong to the call); a Kafka-named error marks it ERROR with `error.type`; health checks have
 * none.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import { credentials, loadPackageDefinition, Metadata } from '@grpc/grpc-js';
import type { Client, ServiceClientConstructor } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ApiError } from '@sluice/protocol';
import { HEALTH_PROTO_FILE, loadProtos } from '@sluice/proto';
import { createMetricsRegistry, HealthStatus, traceCorrelation } from '@sluice/runtime';
import { SluiceRpcModule, startGrpcApp, type GrpcApp } from '../src';

// The test-only test.v1.Echo service, shared with @sluice/runtime's server tests.
const FIXTURES = join(__dirname, '..', '..', '..', 'packages', 'runtime', 'test', 'fixtures');

@Controller()
class EchoController {
  @GrpcMethod('Echo', 'Echo')
  echo(@Payload() request: { text: string; failWith: string }): { text: string } {
    if (request.failWith === 'NOT_CONTROLLER') throw new ApiError('NOT_CONTROLLER', 'ask node 3');
    // What a pino line written here would carry.
    return { text: JSON.stringify(traceCorrelation()) };
  }
}

function call(client: Client, method: string, request: object, metadata = new Metadata()): Promise<{ text: string }> {
  const invoke = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!;
  return new Promise((resolve, reject) =>
    invoke.call(
      client,
      request,
      metadata,
      { deadline: new Date(Date.now() + 2_000) },
      (error: Error | null, response: { text: string }) => (error !== null ? reject(error) : resolve(response)),
    ),
  );
}

describe('RPC server spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  let app: GrpcApp;
  let echo: Client;
  let health: Client;

  @Module({
    imports: [
      SluiceRpcModule.forRoot({
        service: 'broker',
        registry: createMetricsRegistry({ service: 'test', nodeId: 1, defaultMetrics: false }),
        health: new HealthStatus('SERVING'),
        report: () => undefined,
      }),
    ],
    controllers: [EchoController],
  })
  class EchoModule {}

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    const packageDefinition: PackageDefinition = loadProtos(
      ['test/v1/echo.proto', HEALTH_PROTO_FILE],
      [FIXTURES, join(__dirname, '..', '..', '..', 'proto')],
    );
    app = await startGrpcApp({
      module: EchoModule,
      host: '127.0.0.1',
      port: 0,
      packageDefinition,
      services: ['test.v1.Echo', 'grpc.health.v1.Health'],
    });
    const loaded = loadPackageDefinition(packageDefinition) as unknown as {
      test: { v1: { Echo: ServiceClientConstructor } };
      grpc: { health: { v1: { Health: ServiceClientConstructor } } };
    };
    echo = new loaded.test.v1.Echo(app.address, credentials.createInsecure());
    health = new loaded.grpc.health.v1.Health(app.address, credentials.createInsecure());
  });

  afterAll(async () => {
    echo.close();
    health.close();
    await app.close();
    trace.disable();
    context.disable();
    await provider.shutdown();
  });

  beforeEach(() => exporter.reset());

  it("is a SERVER span under the caller's traceparent, active while the handler runs", async () => {
    const metadata = new Metadata();
    metadata.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const answer = await call(echo, 'Echo', { text: 'hi' }, metadata);
    await provider.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span).toBeDefined();
    expect(span!.name).toBe('test.v1.Echo/Echo');
    expect(span!.kind).toBe(SpanKind.SERVER);
    expect(span!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span!.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'test.v1.Echo',
      'rpc.method': 'Echo',
    });
    expect(JSON.parse(answer.text)).toEqual({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: span!.spanContext().spanId,
    });
  });

  it('starts a new trace without a traceparent and marks a Kafka-named failure', async () => {
    await expect(call(echo, 'Echo', { text: 'x', failWith: 'NOT_CONTROLLER' })).rejects.toThrow();
    await provider.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toBe('NOT_CONTROLLER');
  });

  it('leaves health checks untraced', async () => {
    await call(health, 'Check', { service: '' });
    await provider.forceFlush();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('writes no trace ids into log lines outside a span', () => {
    expect(traceCorrelation()).toEqual({});
  });
});
