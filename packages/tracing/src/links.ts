/**
 * Span links from a batch span to the creation contexts of its records, and the batch span's
 * parent. A span about many records (a produce batch, a leader append, a replication, a fetch)
 * is linked to every record it carries, as the messaging conventions ask. Its parent is the
 * caller's active span when there is one; otherwise the first sampled record's creation context,
 * so that the batch's work shows inside that record's trace (a link alone puts it in a trace of
 * its own) and so that parent-based samplers follow the producer's decision: a batch none of whose
 * records is sampled is not recorded anywhere downstream.
 */
import { context as otelContext, trace, type Context, type Link, type SpanContext } from '@opentelemetry/api';
import type { RecordContexts } from './record-contexts';

/** Bound on links per span (the SDK's default OTEL_SPAN_LINK_COUNT_LIMIT is 128 too). */
export const MAX_LINKS_PER_SPAN = 128;

/** Links to each distinct creation context, at most MAX_LINKS_PER_SPAN (the first ones). */
export function linksTo(contexts: Iterable<SpanContext>): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const context of contexts) {
    if (links.length >= MAX_LINKS_PER_SPAN) break;
    const id = `${context.traceId}-${context.spanId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    links.push({ context });
  }
  return links;
}

/** Links to every traced record of a batch. */
export function recordLinks(records: RecordContexts): Link[] {
  return linksTo(records.traced.map((record) => record.context));
}

/**
 * The parent for a span about a batch: the active span's context when one is recording (the
 * application's own work), else the first sampled record's creation context, else the first
 * traced record's (an unsampled parent: parent-based samplers drop the span), else the active
 * context as it is (a root).
 */
export function batchParent(records: RecordContexts, active: Context = otelContext.active()): Context {
  const activeSpan = trace.getSpan(active);
  if (activeSpan !== undefined && activeSpan.isRecording()) return active;
  const parent = records.firstSampled ?? records.traced[0];
  return parent === undefined ? active : trace.setSpanContext(active, parent.context);
}

/** A context whose parent is one record's creation context (a `process` span's parent). */
export function recordParent(creation: SpanContext, base: Context = otelContext.active()): Context {
  return trace.setSpanContext(base, creation);
}
