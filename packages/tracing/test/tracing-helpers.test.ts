/**
 * The framework-free tracing helpers: W3C traceparent parsing and formatting (strict where the
 * spec is), the messaging conventions in each OTEL_SEMCONV_STABILITY_OPT_IN mode, creation
 * contexts read back from real RecordBatch bytes (plain and compressed), the batch-parent rule,
 * and `activeTracer` telling a registered SDK from the API's no-op.
 */
import { ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { CompressionType, encodeRecordBatch } from '@sluice/protocol';
import {
  activeTracer,
  batchParent,
  contextsOfBatches,
  formatTraceparent,
  linksTo,
  MAX_LINKS_PER_SPAN,
  mayHoldSampledRecord,
  MessagingConventions,
  parseTraceparent,
  semconvModeFromEnv,
  traceparentBytes,
  TRACEPARENT_HEADER,
} from '../src';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

function spanContext(traceId: string, spanId: string, sampled: boolean): SpanContext {
  return { traceId, spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
}

describe('traceparent', () => {
  it('round-trips a context through the header form', () => {
    const context = spanContext(TRACE_ID, SPAN_ID, true);
    expect(formatTraceparent(context)).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(traceparentBytes(context)).toHaveLength(55);
    expect(parseTraceparent(traceparentBytes(context))).toEqual(context);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)).toEqual(spanContext(TRACE_ID, SPAN_ID, false));
  });

  it('refuses malformed values and accepts a future version with extra fields', () => {
    for (const bad of [
      undefined,
      null,
      '',
      `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `ff-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${SPAN_ID}-01-extra`,
      `00-${TRACE_ID}-${SPAN_ID}-1`,
      `00-${TRACE_ID}x${SPAN_ID}-01`,
    ])
      expect(parseTraceparent(bad)).toBeUndefined();
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01-later-fields`)).toEqual(spanContext(TRACE_ID, SPAN_ID, true));
  });
});

describe('messaging conventions', () => {
  it('reads OTEL_SEMCONV_STABILITY_OPT_IN as a list', () => {
    expect(semconvModeFromEnv({})).toBe('old');
    expect(semconvModeFromEnv({ OTEL_SEMCONV_STABILITY_OPT_IN: 'http, messaging' })).toBe('stable');
    expect(semconvModeFromEnv({ OTEL_SEMCONV_STABILITY_OPT_IN: 'messaging/dup' })).toBe('dup');
    expect(semconvModeFromEnv({ OTEL_SEMCONV_STABILITY_OPT_IN: 'http' })).toBe('old');
  });

  const input = {
    operation: 'send' as const,
    destination: 'orders',
    partition: 3,
    offset: 42,
    key: Buffer.from('customer-7'),
    batchMessageCount: 5,
    consumerGroup: 'billing',
  };

  it('names spans {operation} {destination} and uses the pre-stable names by default', () => {
    const conventions = new MessagingConventions('old');
    expect(conventions.spanName('send', 'orders')).toBe('send orders');
    expect(conventions.attributes(input)).toEqual({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'orders',
      'messaging.operation': 'publish',
      'messaging.kafka.destination.partition': 3,
      'messaging.kafka.message.offset': 42,
      'messaging.kafka.message.key': 'customer-7',
      'messaging.batch.message_count': 5,
      'messaging.kafka.consumer.group': 'billing',
    });
  });

  it('uses the newer names with messaging opt-in, and both with messaging/dup', () => {
    expect(new MessagingConventions('stable').attributes(input)).toEqual({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'orders',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.partition.id': '3',
      'messaging.kafka.offset': 42,
      'messaging.kafka.message.key': 'customer-7',
      'messaging.batch.message_count': 5,
      'messaging.consumer.group.name': 'billing',
    });
    const dup = new MessagingConventions('dup').attributes(input);
    expect(dup).toMatchObject({ 'messaging.kafka.offset': 42, 'messaging.kafka.message.offset': 42 });
    expect(dup).toMatchObject({ 'messaging.operation': 'publish', 'messaging.operation.type': 'send' });
    expect(new MessagingConventions('dup').offsetAttributes(7)).toEqual({
      'messaging.kafka.offset': 7,
      'messaging.kafka.message.offset': 7,
    });
  });

  it('leaves a binary key that is not UTF-8 out', () => {
    const attributes = new MessagingConventions('stable').attributes({
      operation: 'process',
      destination: 'orders',
      key: Buffer.from([0xff, 0xfe, 0x00]),
    });
    expect(attributes['messaging.kafka.message.key']).toBeUndefined();
  });
});

describe('creation contexts in RecordBatch bytes', () => {
  const sampled = spanContext(TRACE_ID, SPAN_ID, true);
  const unsampled = spanContext('1'.repeat(32), '2'.repeat(16), false);
  const records = [
    { key: null, value: Buffer.from('untraced'), timestamp: 1 },
    {
      key: null,
      value: Buffer.from('a'),
      headers: [{ key: TRACEPARENT_HEADER, value: traceparentBytes(unsampled) }],
      timestamp: 2,
    },
    {
      key: null,
      value: Buffer.from('b'),
      headers: [{ key: TRACEPARENT_HEADER, value: traceparentBytes(sampled) }],
      timestamp: 3,
    },
    {
      key: null,
      value: Buffer.from('c'),
      headers: [{ key: TRACEPARENT_HEADER, value: Buffer.from('garbage') }],
      timestamp: 4,
    },
  ];

  it.each([CompressionType.None, CompressionType.Gzip, CompressionType.Zstd])(
    'reads every traced record and the first sampled one (compression %s)',
    (compression) => {
      const bytes = Buffer.concat([
        encodeRecordBatch({ compression, records }),
        encodeRecordBatch({ compression, records: records.slice(0, 2) }),
      ]);
      const found = contextsOfBatches(bytes);
      expect(found.recordCount).toBe(6);
      expect(found.traced.map((r) => r.context.spanId)).toEqual(['2'.repeat(16), SPAN_ID, '2'.repeat(16)]);
      expect(found.firstSampled?.context).toEqual(sampled);
    },
  );

  it('yields nothing for bytes that do not decode, instead of failing the caller', () => {
    expect(contextsOfBatches(Buffer.from('not a batch at all, not even close to one'))).toEqual({
      recordCount: 0,
      traced: [],
      firstSampled: undefined,
    });
  });

  it('parents a batch span on the first sampled record, links each distinct context, bounded', () => {
    const found = contextsOfBatches(encodeRecordBatch({ compression: CompressionType.None, records }));
    expect(trace.getSpanContext(batchParent(found, ROOT_CONTEXT))).toEqual(sampled);
    const many = Array.from({ length: MAX_LINKS_PER_SPAN + 10 }, (_, i) =>
      spanContext(TRACE_ID, (i + 1).toString(16).padStart(16, '0'), true),
    );
    expect(linksTo([...many, ...many])).toHaveLength(MAX_LINKS_PER_SPAN);
    expect(linksTo([sampled, sampled, unsampled])).toHaveLength(2);
  });
});

describe('activeTracer', () => {
  it('is undefined until an SDK registers a provider, then that provider records', async () => {
    expect(activeTracer('sluice-broker')).toBeUndefined();
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    try {
      const tracer = activeTracer('sluice-broker');
      expect(tracer).toBeDefined();
      tracer!.startSpan('append orders').end();
      await provider.forceFlush();
      expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['append orders']);
    } finally {
      trace.disable();
    }
    expect(activeTracer('sluice-broker')).toBeUndefined();
  });
});

describe('mayHoldSampledRecord', () => {
  const header = (flags: string): { key: string; value: Buffer } => ({
    key: TRACEPARENT_HEADER,
    value: Buffer.from(`00-${TRACE_ID}-${SPAN_ID}-${flags}`),
  });
  const batchOf = (headers: { key: string; value: Buffer }[][], compression = CompressionType.None): Buffer =>
    encodeRecordBatch({
      compression,
      records: headers.map((h, i) => ({
        key: Buffer.from(`k${i}`),
        value: Buffer.alloc(300, i),
        headers: h,
        timestamp: i,
      })),
    });

  it('finds a sampled record among unsampled and untraced ones, across batches', () => {
    const unsampled = batchOf([[], [header('00')], [{ key: 'other', value: Buffer.from('x') }, header('00')]]);
    expect(mayHoldSampledRecord(unsampled)).toBe(false);
    expect(mayHoldSampledRecord(Buffer.concat([unsampled, batchOf([[header('00')], [header('01')]])]))).toBe(true);
    expect(mayHoldSampledRecord(batchOf([[header('0b')]]))).toBe(true);
    expect(mayHoldSampledRecord(batchOf([[header('0a')]]))).toBe(false);
    // The last traceparent of a record decides, as recordContext reads it.
    expect(mayHoldSampledRecord(batchOf([[header('01'), header('00')]]))).toBe(false);
    expect(mayHoldSampledRecord(Buffer.alloc(0))).toBe(false);
  });

  it('answers maybe where it cannot walk: compressed or malformed bytes', () => {
    expect(mayHoldSampledRecord(batchOf([[header('00')]], CompressionType.Gzip))).toBe(true);
    const cut = batchOf([[header('00')], [header('00')]]);
    expect(mayHoldSampledRecord(cut.subarray(0, cut.length - 20))).toBe(true);
    expect(mayHoldSampledRecord(Buffer.from('not a record batch'))).toBe(true);
  });

  it('agrees with the full decode on random batches', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const headers = Array.from({ length: 1 + (seed % 7) }, (_, i) =>
        (seed * (i + 3)) % 5 === 0 ? [] : [header((seed * 7 + i) % 11 === 0 ? '01' : '00')],
      );
      const bytes = batchOf(headers);
      expect([seed, mayHoldSampledRecord(bytes)]).toEqual([seed, contextsOfBatches(bytes).firstSampled !== undefined]);
    }
  });
});
