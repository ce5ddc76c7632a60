/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header) as a
 * record header: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`, 55 ASCII bytes. The
 * producer writes one per record (the record's creation context); brokers and consumers read it
 * to link their spans to that record. Parsing is strict where the spec is (lower-case hex, no
 * all-zero ids, version ff invalid) and lenient where it asks to be (a future version may append
 * fields after the flags), so a malformed header is ignored rather than trusted.
 */
import { TraceFlags, type SpanContext } from '@opentelemetry/api';

/** The record header's key, as Kafka clients' OpenTelemetry instrumentations name it. */
export const TRACEPARENT_HEADER = 'traceparent';

/** `00-` + 32 + `-` + 16 + `-` + 2. */
export const TRACEPARENT_BYTES = 55;

const INVALID_TRACE_ID = '00000000000000000000000000000000';
const INVALID_SPAN_ID = '0000000000000000';
const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const FUTURE_VERSION = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The header value for a span context (version 00; only the sampled flag is kept). */
export function formatTraceparent(context: SpanContext): string {
  const flags = (context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** The header value as the bytes a record header carries. */
export function traceparentBytes(context: SpanContext): Buffer {
  return Buffer.from(formatTraceparent(context), 'latin1');
}

/**
 * The remote span context a header names, or undefined when it is absent or malformed (bad
 * length, upper-case or non-hex digits, all-zero ids, version ff, extra fields on version 00).
 */
export function parseTraceparent(value: string | Buffer | null | undefined): SpanContext | undefined {
  if (value === null || value === undefined) return undefined;
  const text = typeof value === 'string' ? value : value.toString('latin1');
  if (text.length < TRACEPARENT_BYTES || text.length > 512) return undefined;
  let traceId: string;
  let spanId: string;
  let flags: string;
  const v00 = VERSION_00.exec(text);
  if (v00 !== null) {
    [, traceId, spanId, flags] = v00 as unknown as [string, string, string, string];
  } else {
    const future = FUTURE_VERSION.exec(text);
    // Version 00 must be exactly 55 characters; ff is forbidden; later versions may add fields.
    if (future === null || future[1] === '00' || future[1] === 'ff') return undefined;
    [, , traceId, spanId, flags] = future as unknown as [string, string, string, string, string];
  }
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  return {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
}

/** Whether the context says its trace is sampled (recorded and exported upstream). */
export function isSampled(context: SpanContext): boolean {
  return (context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}
