/**
 * Test support: a real OpenTelemetry SDK (TracerProvider with AsyncLocalStorage context) that
 * keeps finished spans in memory, registered globally for one test file (jest gives each file its
 * own globals), so the code under test records through `@opentelemetry/api` exactly as with the
 * Node SDK a service starts from OTEL_* settings.
 */
import { context, trace, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

export interface InMemoryTracing {
  /** Every span finished so far (exports flushed first). */
  spans(): Promise<ReadableSpan[]>;
  stop(): Promise<void>;
}

export function startInMemoryTracing(): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(contextManager)) throw new Error('a context manager was already registered');
  if (!trace.setGlobalTracerProvider(provider)) throw new Error('a tracer provider was already registered');
  return {
    spans: async () => {
      await provider.forceFlush();
      return exporter.getFinishedSpans();
    },
    stop: async () => {
      trace.disable();
      context.disable();
      await provider.shutdown();
    },
  };
}

/** The kind's name, for readable assertions and printed trees. */
export function kindName(kind: SpanKind): string {
  return SpanKind[kind] ?? String(kind);
}

/** The parent span id of a finished span (undefined for a root). */
export function parentSpanIdOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
