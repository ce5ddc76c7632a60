/**
 * The creation contexts the records of RecordBatch bytes carry in their `traceparent` headers.
 * Decoding a batch costs (it decompresses a compressed one), so callers ask for this only once
 * `activeTracer` said a tracer records; the result then decides whether any span is made at all
 * (a batch none of whose records is sampled gets none).
 */
import type { SpanContext } from '@opentelemetry/api';
import { decodeRecordBatches, type DecodedRecord, type RecordHeader } from '@sluice/protocol';
import { isSampled, parseTraceparent, TRACEPARENT_HEADER } from './traceparent';

export interface TracedRecord {
  readonly offset: number;
  /** CreateTime (or the batch's LogAppendTime), ms since the epoch. */
  readonly timestamp: number;
  readonly context: SpanContext;
}

export interface RecordContexts {
  /** Records in the bytes, traced or not. */
  readonly recordCount: number;
  /** Those carrying a well-formed traceparent, in offset order. */
  readonly traced: readonly TracedRecord[];
  /** The first traced record whose trace is sampled, if any: a batch span's parent. */
  readonly firstSampled: TracedRecord | undefined;
}

const NONE: RecordContexts = { recordCount: 0, traced: [], firstSampled: undefined };

/** The record's creation context from its headers (the last traceparent wins, as in HTTP). */
export function recordContext(headers: readonly RecordHeader[]): SpanContext | undefined {
  for (let i = headers.length - 1; i >= 0; i--) {
    const header = headers[i]!;
    if (header.key === TRACEPARENT_HEADER) return parseTraceparent(header.value);
  }
  return undefined;
}

/** Creation contexts of already decoded records. */
export function contextsOfRecords(records: readonly DecodedRecord[]): RecordContexts {
  const traced: TracedRecord[] = [];
  let firstSampled: TracedRecord | undefined;
  for (const record of records) {
    if (record.headers.length === 0) continue;
    const context = recordContext(record.headers);
    if (context === undefined) continue;
    const entry = { offset: record.offset, timestamp: record.timestamp, context };
    traced.push(entry);
    if (firstSampled === undefined && isSampled(context)) firstSampled = entry;
  }
  return { recordCount: records.length, traced, firstSampled };
}

/**
 * Creation contexts of every record in `bytes` (one or more batches laid end to end; control
 * batches skipped). Bytes that do not decode yield none: tracing never fails a request, the
 * paths that own the bytes report corruption themselves.
 */
export function contextsOfBatches(bytes: Buffer): RecordContexts {
  if (bytes.length === 0) return NONE;
  try {
    const records: DecodedRecord[] = [];
    for (const batch of decodeRecordBatches(bytes, { verifyCrc: false })) {
      if (batch.isControl) continue;
      for (const record of batch.records) records.push(record);
    }
    return contextsOfRecords(records);
  } catch {
    return NONE;
  }
}
