/**
 * The producer's spans (OpenTelemetry messaging conventions), all through `@opentelemetry/api`:
 * no-ops unless the application registered an SDK, and then nothing here runs at all
 * (`activeTracer` is asked first).
 *
 * - `create {topic}` (PRODUCER), one per record when send() is called, a child of the caller's
 *   active span: its context is the record's creation context and travels in the record's
 *   `traceparent` header, which brokers and consumers link to. A record whose headers already
 *   carry a traceparent keeps it (the application chose its creation context) and gets no span.
 * - `send {topic}` (CLIENT, since create spans exist), one per batch and attempt, from the
 *   request leaving until its answer, linked to every record's creation context; its parent is
 *   the batch's first sampled record (links.ts says why).
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type SpanContext } from '@opentelemetry/api';
import type { RecordHeader, RecordInput } from '@sluice/protocol';
import {
  activeTracer,
  batchParent,
  isSampled,
  linksTo,
  messagingConventions,
  parseTraceparent,
  TRACEPARENT_HEADER,
  traceparentBytes,
  type RecordContexts,
} from '@sluice/tracing';

/** A record's creation context as the producer keeps it, with the header to send. */
export interface RecordCreation {
  readonly context: SpanContext;
  readonly headers: RecordHeader[];
}

/**
 * Starts and ends the record's `create` span and returns the headers carrying its context; or
 * the context already in `headers`; undefined when tracing is off.
 */
export function createRecordContext(topic: string, input: RecordInput): RecordCreation | undefined {
  const headers = (input.headers ?? []) as RecordHeader[];
  for (const header of headers)
    if (header.key === TRACEPARENT_HEADER) {
      const given = parseTraceparent(header.value);
      return given === undefined ? undefined : { context: given, headers };
    }
  const tracer = activeTracer('sluice-client');
  if (tracer === undefined) return undefined;
  const conventions = messagingConventions();
  const span = tracer.startSpan(conventions.spanName('create', topic), {
    kind: SpanKind.PRODUCER,
    attributes: conventions.attributes({ operation: 'create', destination: topic, key: input.key }),
  });
  const spanContext = span.spanContext();
  span.end();
  return {
    context: spanContext,
    headers: [...headers, { key: TRACEPARENT_HEADER, value: traceparentBytes(spanContext) }],
  };
}

export interface SendSpanInput {
  readonly topic: string;
  readonly partition: number;
  readonly creations: readonly (SpanContext | undefined)[];
  readonly attempt: number;
}

/** The `send` span for one batch attempt, or undefined (tracing off, or no record traced). */
export function startSendSpan(input: SendSpanInput): Span | undefined {
  const tracer = activeTracer('sluice-client');
  if (tracer === undefined) return undefined;
  const traced = input.creations.filter((creation) => creation !== undefined);
  if (traced.length === 0) return undefined;
  const firstSampled = traced.find(isSampled);
  const records: RecordContexts = {
    recordCount: input.creations.length,
    traced: traced.map((context) => ({ offset: -1, timestamp: 0, context })),
    firstSampled: firstSampled === undefined ? undefined : { offset: -1, timestamp: 0, context: firstSampled },
  };
  const conventions = messagingConventions();
  return tracer.startSpan(
    conventions.spanName('send', input.topic),
    {
      kind: SpanKind.CLIENT,
      links: linksTo(traced),
      attributes: {
        ...conventions.attributes({
          operation: 'send',
          destination: input.topic,
          partition: input.partition,
          batchMessageCount: input.creations.length,
        }),
        'sluice.produce.attempt': input.attempt,
      },
    },
    // The sender loop has no caller: whatever context it started in is not this batch's.
    batchParent(records, ROOT_CONTEXT),
  );
}

/** Ends a send span with the batch's outcome. */
export function endSendSpan(span: Span | undefined, outcome: { baseOffset?: number; errorName?: string }): void {
  if (span === undefined) return;
  if (outcome.errorName !== undefined) {
    span.setAttribute('error.type', outcome.errorName);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorName });
  } else if (outcome.baseOffset !== undefined && outcome.baseOffset >= 0) {
    span.setAttributes(messagingConventions().offsetAttributes(outcome.baseOffset));
  }
  span.end();
}

/** The trace id a record was created in, for callers that print or log it. */
export function traceIdOf(creation: SpanContext | undefined): string | undefined {
  return creation === undefined || !trace.isSpanContextValid(creation) ? undefined : creation.traceId;
}
