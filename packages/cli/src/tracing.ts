/**
 * `--trace` on produce and consume: OpenTelemetry's Node SDK from the OTEL_* environment (as the
 * services start it); with nothing configured there, OTLP to the SDK's default endpoint
 * (http://localhost:4318), as any OTel SDK exports by default. OTEL_SDK_DISABLED=true still wins.
 */
import { shutdownTracing, startTracingFromEnv, tracingSetupFromEnv } from '@sluice/runtime';

export function startCliTracing(env: NodeJS.ProcessEnv = process.env): void {
  if (!tracingSetupFromEnv(env).enabled && (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() !== 'true')
    env.OTEL_TRACES_EXPORTER = 'otlp';
  startTracingFromEnv('cli', env);
}

/** Runs `work` with `--trace`'s tracing around it when `trace` is set. */
export async function withCliTracing<T>(trace: boolean, work: () => Promise<T>): Promise<T> {
  if (!trace) return work();
  startCliTracing();
  try {
    return await work();
  } finally {
    // The spans of the last records are still batched in the SDK: export them before exiting.
    await shutdownTracing(5_000);
  }
}
