/**
 * Starts OpenTelemetry's Node SDK in a service process, configured only by the standard
 * environment variables, and only when they ask for it: with none of OTEL_TRACES_EXPORTER
 * (other than `none`), OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set, or
 * with OTEL_SDK_DISABLED=true, nothing is loaded and every span the code asks for is the API's
 * no-op (the hot paths check `activeTracer` and skip their tracing work altogether).
 *
 * What the SDK reads itself: OTEL_TRACES_EXPORTER (otlp, console, none), OTEL_EXPORTER_OTLP_*
 * (endpoint, protocol: http/protobuf by default, grpc, http/json), OTEL_TRACES_SAMPLER and
 * OTEL_TRACES_SAMPLER_ARG (default parentbased_always_on), OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_*, OTEL_PROPAGATORS. sluice adds two defaults: the service
 * name `sluice-<service>` when neither OTEL_SERVICE_NAME nor a `service.name` resource attribute
 * is given, and no OTLP metrics or logs unless OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER ask for
 * them (metrics are prom-client's /metrics; logs are pino's JSON lines with trace ids).
 *
 * This file imports nothing at load time: a service's main imports it first, before anything
 * else, and the SDK is required only when it is switched on.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface TracingSetup {
  readonly enabled: boolean;
  /** Why (for the service's ready line and for tests). */
  readonly reason: string;
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** Whether the environment switches tracing on (pure: decides only). */
export function tracingSetupFromEnv(env: Env): TracingSetup {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true')
    return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (exporters.includes('none')) return { enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' };
  if (exporters.length > 0) return { enabled: true, reason: `OTEL_TRACES_EXPORTER=${exporters.join(',')}` };
  if (isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT))
    return { enabled: true, reason: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set' };
  if (isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT)) return { enabled: true, reason: 'OTEL_EXPORTER_OTLP_ENDPOINT set' };
  return { enabled: false, reason: 'no OTEL_TRACES_EXPORTER or OTLP endpoint configured' };
}

/** Whether OTEL_RESOURCE_ATTRIBUTES names `service.name` (a comma-separated key=value list). */
function resourceNamesService(env: Env): boolean {
  return (env.OTEL_RESOURCE_ATTRIBUTES ?? '')
    .split(',')
    .some((pair) => decodeURIComponent(pair.split('=')[0] ?? '').trim() === 'service.name');
}

interface RunningSdk {
  shutdown(): Promise<void>;
}

let running: RunningSdk | undefined;

/**
 * Starts the SDK when the environment asks for it (once per process; later calls say what the
 * first did). `service` names the default service.name, e.g. `broker` -> `sluice-broker`.
 */
export function startTracingFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): TracingSetup {
  const setup = tracingSetupFromEnv(env);
  if (!setup.enabled || running !== undefined) return setup;
  if (!isSet(env.OTEL_SERVICE_NAME) && !resourceNamesService(env)) env.OTEL_SERVICE_NAME = `sluice-${service}`;
  const sdkNode = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  running = sdkNode.startNodeSdk({
    ...(isSet(env.OTEL_METRICS_EXPORTER) ? {} : { metricReaders: [] }),
    ...(isSet(env.OTEL_LOGS_EXPORTER) ? {} : { logRecordProcessors: [] }),
  });
  return setup;
}

/** Whether this process started the SDK. */
export function tracingStarted(): boolean {
  return running !== undefined;
}

/**
 * Flushes and stops the SDK (spans still batched are exported), at most `timeoutMs`; a no-op
 * when tracing is off. Services call it on their way out, before process.exit.
 */
export async function shutdownTracing(timeoutMs = 2_000): Promise<void> {
  const sdk = running;
  if (sdk === undefined) return;
  running = undefined;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    sdk.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
}
