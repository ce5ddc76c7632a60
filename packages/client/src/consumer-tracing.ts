/**
 * The consuming side's spans (OpenTelemetry messaging conventions), shared by Consumer and
 * ShareConsumer; all no-ops unless the application registered an SDK, and nothing here runs
 * when none is (`activeTracer` is asked first).
 *
 * - `receive {topic}` (CLIENT), one per topic per poll that returned records, from the poll's
 *   start to its return, linked to every record's creation context; its parent is the caller's
 *   active span, or else the first sampled record's creation context (links.ts says why).
 * - `process {topic}` (CONSUMER) around the application's handling of one record
 *   (`processRecord`), a child of the record's creation context: the trace a record was created
 *   in ends with what the application did with it.
 */
import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RecordHeader } from '@sluice/protocol';
import {
  activeTracer,
  batchParent,
  isSampled,
  messagingConventions,
  recordContext,
  recordLinks,
  recordParent,
  type TracedRecord,
} from '@sluice/tracing';

/** What the spans need of a received record (ConsumerRecord and ShareConsumerRecord both have it). */
export interface TraceableRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface ConsumerSpanOptions {
  /** Consumer group or share group name. */
  readonly group?: string;
}

/** Records one receive span per topic among `records`, which a poll started at `startMs` returned. */
export function recordReceiveSpans(
  records: readonly TraceableRecord[],
  startMs: number,
  options: ConsumerSpanOptions = {},
): void {
  if (records.length === 0) return;
  const tracer = activeTracer('sluice-client');
  if (tracer === undefined) return;
  const byTopic = new Map<string, TraceableRecord[]>();
  for (const record of records) {
    const list = byTopic.get(record.topic);
    if (list === undefined) byTopic.set(record.topic, [record]);
    else list.push(record);
  }
  const conventions = messagingConventions();
  for (const [topic, topicRecords] of byTopic) {
    const traced: TracedRecord[] = [];
    let firstSampled: TracedRecord | undefined;
    for (const record of topicRecords) {
      if (record.headers.length === 0) continue;
      const creation = recordContext(record.headers);
      if (creation === undefined) continue;
      const entry = { offset: record.offset, timestamp: record.timestamp, context: creation };
      traced.push(entry);
      if (firstSampled === undefined && isSampled(creation)) firstSampled = entry;
    }
    const contexts = { recordCount: topicRecords.length, traced, firstSampled };
    const partitions = new Set(topicRecords.map((record) => record.partition));
    const only = topicRecords.length === 1 ? topicRecords[0] : undefined;
    const span = tracer.startSpan(
      conventions.spanName('receive', topic),
      {
        kind: SpanKind.CLIENT,
        startTime: startMs,
        links: recordLinks(contexts),
        attributes: conventions.attributes({
          operation: 'receive',
          destination: topic,
          ...(partitions.size === 1 ? { partition: topicRecords[0]!.partition } : {}),
          ...(only === undefined ? { batchMessageCount: topicRecords.length } : { offset: only.offset, key: only.key }),
          ...(options.group === undefined ? {} : { consumerGroup: options.group }),
        }),
      },
      batchParent(contexts, otelContext.active()),
    );
    span.end();
  }
}

/**
 * Runs `handle(record)` inside a `process {topic}` span whose parent is the record's creation
 * context (or the active context when the record carries none); the span ends when the handler
 * settles, with status ERROR if it threw. Without a tracing SDK it just calls the handler.
 */
export async function processRecord<R extends TraceableRecord, T>(
  record: R,
  handle: (record: R) => T | Promise<T>,
  options: ConsumerSpanOptions = {},
): Promise<T> {
  const tracer = activeTracer('sluice-client');
  if (tracer === undefined) return handle(record);
  const conventions = messagingConventions();
  const creation = record.headers.length === 0 ? undefined : recordContext(record.headers);
  const parent = creation === undefined ? otelContext.active() : recordParent(creation);
  const span = tracer.startSpan(
    conventions.spanName('process', record.topic),
    {
      kind: SpanKind.CONSUMER,
      attributes: conventions.attributes({
        operation: 'process',
        destination: record.topic,
        partition: record.partition,
        offset: record.offset,
        key: record.key,
        ...(options.group === undefined ? {} : { consumerGroup: options.group }),
      }),
    },
    parent,
  );
  return otelContext.with(trace.setSpan(parent, span), async () => {
    try {
      return await handle(record);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
