/**
 * `node bench/dist/group-grpc-pipeline.js [--baseline DIR] [--calls 20000] [--rounds 2]
 * [--concurrency 64]`: what the shared RPC pipeline (services/common: the sluice gRPC transport,
 * guards, interceptors, filter, under NestJS) costs a server per unary call, in server CPU
 * microseconds per call, for this checkout and for another built checkout (`--baseline`,
 * bench/peers/baseline-checkout.sh), alternated round by round.
 *
 * Each server is a child process that loads NestJS and @sluice/service-common from its own
 * checkout and serves the contract's Coordinator.OffsetFetch with a handler that answers at once
 * (a Promise, as the coordinator's does, taking its @RpcCall context), so what is measured is the
 * pipeline around a group RPC, not the group logic. The load (grpc-js client, this checkout) runs
 * in this process with `--concurrency` calls in flight; the server reports its own
 * `process.cpuUsage()` over the measured calls. docs/performance.md section 43.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import { flag, intFlag } from './flags';

const ROOT = resolve(__dirname, '..', '..');

interface ServeReady {
  readonly type: 'ready';
  readonly address: string;
}
interface CpuAnswer {
  readonly type: 'cpu';
  readonly micros: number;
}

// What the child takes from a checkout's own packages (the bench does not depend on them).
interface ServiceCommon {
  RpcCall(): ParameterDecorator;
  readonly SluiceRpcModule: { forRoot(options: object): object };
  startContractGrpcApp(options: object): Promise<{ readonly address: string; close(): Promise<void> }>;
}
interface NestCommon {
  Controller(): ClassDecorator;
  Module(metadata: object): ClassDecorator;
}
interface NestMicroservices {
  Payload(): ParameterDecorator;
  GrpcMethod(service: string, method: string): MethodDecorator;
}

/** The child: a server from `workspace`'s own NestJS and service-common. */
async function serve(workspace: string): Promise<void> {
  const load = createRequire(join(workspace, 'services', 'coordinator', 'package.json'));
  load('reflect-metadata');
  const common = load('@sluice/service-common') as ServiceCommon;
  const nest = load('@nestjs/common') as NestCommon;
  const micro = load('@nestjs/microservices') as NestMicroservices;
  const runtime = load('@sluice/runtime') as typeof import('@sluice/runtime');
  const answer = { offsets: [] };

  // The decorators applied by hand: each checkout's own copies of them.
  class OffsetsController {
    offsetFetch(_request: unknown, call: { method: string }): Promise<typeof answer> {
      if (call.method !== 'OffsetFetch') throw new Error(`assertion: context of ${call.method}`);
      return Promise.resolve(answer);
    }
  }
  const proto = OffsetsController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'offsetFetch') as PropertyDescriptor;
  Reflect.defineMetadata('design:paramtypes', [Object, Object], proto, 'offsetFetch');
  micro.Payload()(proto, 'offsetFetch', 0);
  common.RpcCall()(proto, 'offsetFetch', 1);
  micro.GrpcMethod('Coordinator', 'OffsetFetch')(proto, 'offsetFetch', descriptor);
  nest.Controller()(OffsetsController);
  class PipelineBenchModule {}
  nest.Module({
    imports: [
      common.SluiceRpcModule.forRoot({
        service: 'coordinator',
        registry: runtime.createMetricsRegistry({ service: 'coordinator', nodeId: 1, defaultMetrics: false }),
        health: new runtime.HealthStatus(),
        report: () => undefined,
      }),
    ],
    controllers: [OffsetsController],
  })(PipelineBenchModule);
  const app = await common.startContractGrpcApp({
    module: PipelineBenchModule,
    host: '127.0.0.1',
    port: 0,
    services: ['sluice.v1.Coordinator', 'grpc.health.v1.Health'],
  });
  let since = process.cpuUsage();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'mark') since = process.cpuUsage();
    else if (message.type === 'cpu') {
      const used = process.cpuUsage(since);
      process.send?.({ type: 'cpu', micros: used.user + used.system } satisfies CpuAnswer);
    } else if (message.type === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', address: app.address } satisfies ServeReady);
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolveMessage, rejectMessage) => {
    const onMessage = (message: { type: string }): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolveMessage(message as T);
    };
    const onExit = (code: number | null): void =>
      rejectMessage(new Error(`the server exited (${code}) before ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function callMany(
  client: ReturnType<typeof createGrpcClient<'Coordinator'>>,
  calls: number,
  concurrency: number,
) {
  let issued = 0;
  const lane = async (): Promise<void> => {
    while (issued < calls) {
      issued++;
      await unaryCall(client, 'OffsetFetch', { groupId: 'bench', partitions: [] }, { timeoutMs: 10_000 });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** One measurement: server CPU microseconds per call and calls per second. */
async function measure(
  workspace: string,
  calls: number,
  concurrency: number,
): Promise<{ cpuMicrosPerCall: number; callsPerSecond: number }> {
  const child = fork(__filename, ['--serve', workspace], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { address } = await nextMessage<ServeReady>(child, 'ready');
    const client = createGrpcClient('Coordinator', address);
    try {
      await callMany(client, Math.min(2_000, calls), concurrency); // warm-up: JIT, connection
      child.send({ type: 'mark' });
      const startedMs = performance.now();
      await callMany(client, calls, concurrency);
      const elapsedMs = performance.now() - startedMs;
      child.send({ type: 'cpu' });
      const { micros } = await nextMessage<CpuAnswer>(child, 'cpu');
      return { cpuMicrosPerCall: micros / calls, callsPerSecond: (calls * 1000) / elapsedMs };
    } finally {
      client.close();
    }
  } finally {
    child.send({ type: 'stop' });
    await new Promise((resolveExit) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => resolveExit(clearTimeout(force)));
    });
  }
}

async function main(): Promise<void> {
  const calls = intFlag('--calls', 20_000);
  const rounds = intFlag('--rounds', 2);
  const concurrency = intFlag('--concurrency', 64);
  const baseline = flag('--baseline');
  const builds: { name: string; workspace: string }[] = [
    ...(baseline === undefined ? [] : [{ name: `baseline ${baseline}`, workspace: resolve(baseline) }]),
    { name: 'this checkout', workspace: ROOT },
  ];
  console.log(
    `load before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const results = new Map<string, number[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const build of builds) {
      const { cpuMicrosPerCall, callsPerSecond } = await measure(build.workspace, calls, concurrency);
      results.set(build.name, [...(results.get(build.name) ?? []), cpuMicrosPerCall]);
      console.log(
        `round ${round} ${build.name}: ${cpuMicrosPerCall.toFixed(1)} server CPU us/call, ${Math.round(callsPerSecond)} calls/s (load ${loadavg()[0]!.toFixed(2)})`,
      );
    }
  }
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  for (const [name, values] of results) console.log(`${name}: median ${median(values).toFixed(1)} server CPU us/call`);
  console.log(
    `load after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) {
  serve(process.argv[serveAt + 1] as string).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
