/**
 * The coordinator's work as spans (INTERNAL, inside the RPC's server span when one is active):
 * `heartbeat {group}` for consumer and share group heartbeats, `commit {group}` for offset
 * commits (written to __consumer_offsets before the answer), and
 * `share_state_write __share_group_state` for a broker's share-state write. Without a registered
 * tracer `inCoordinatorSpan` only runs the work.
 */
import { context as otelContext, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { ApiError } from '@sluice/protocol';
import { activeTracer, messagingConventions, type MessagingOperation } from '@sluice/tracing';

export async function inCoordinatorSpan<T>(
  operation: Extract<MessagingOperation, 'heartbeat' | 'commit' | 'share_state_write'>,
  destination: string,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer('sluice-coordinator');
  if (tracer === undefined) return work();
  const conventions = messagingConventions();
  const span = tracer.startSpan(conventions.spanName(operation, destination), {
    kind: SpanKind.INTERNAL,
    attributes: { ...conventions.attributes({ operation, destination }), ...attributes },
  });
  try {
    return await otelContext.with(trace.setSpan(otelContext.active(), span), work);
  } catch (error) {
    const errorName = error instanceof ApiError ? error.errorName : 'UNKNOWN_SERVER_ERROR';
    span.setAttribute('error.type', errorName);
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorName });
    throw error;
  } finally {
    span.end();
  }
}
