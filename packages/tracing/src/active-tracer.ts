/**
 * Whether anybody records spans in this process. `@opentelemetry/api` hands out a no-op tracer
 * until an SDK registers a provider; `activeTracer` tells the two apart in one property read
 * (the global proxy provider's delegate), so hot paths skip everything tracing costs (decoding
 * record headers, building links) when no SDK runs: the answer is undefined and nothing else is
 * done. Asked per call, not cached: a provider may be registered after a component was built.
 */
import { trace, ProxyTracerProvider, type Tracer } from '@opentelemetry/api';

/** Tracer names: one per sluice component, as the instrumentation scope of its spans. */
export type SluiceTracerName = 'sluice-client' | 'sluice-broker' | 'sluice-coordinator' | 'sluice-controller';

/** The tracer when an SDK is registered; undefined when tracing is off (the API's no-op). */
export function activeTracer(name: SluiceTracerName): Tracer | undefined {
  const provider = trace.getTracerProvider();
  if (provider instanceof ProxyTracerProvider) return provider.getDelegateTracer(name);
  // A provider registered without the proxy (not what the API does today): trust it.
  return provider.getTracer(name);
}
