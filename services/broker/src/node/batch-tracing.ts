/**
 * A batch's life inside the brokers as OpenTelemetry spans, each linked to the creation context
 * of every record in the batch (their `traceparent` headers) and parented on the first sampled
 * one (packages/tracing/src/links.ts says why), so a record's trace shows where it went:
 *
 * - `append {topic}` (SERVER) on the leader: validating and appending the producer's batch;
 * - `replicate {topic}` (CONSUMER) on each follower: appending the same bytes fetched from the
 *   leader (asynchronous to the producer, which is what CONSUMER means);
 * - `hw_advance {topic}` (INTERNAL) on the leader: from the append until the high watermark
 *   passed the batch's last offset, i.e. until every ISR member had it and acks=all could answer.
 *
 * Cost when tracing is off: one `activeTracer` check per appended batch and one Map size check
 * per changed partition; no record is decoded. When a tracer is registered, each replica first
 * walks the batch's record headers in place (`mayHoldSampledRecord`: no objects, no decode) for a
 * sampled traceparent; only a batch that has one (or is compressed, which cannot be walked) is
 * decoded for its creation contexts, and a batch none of whose records is sampled gets no span (the producer's sampler decided; the
 * broker follows it, as a parent-based sampler would). Pending high-watermark spans are bounded
 * per partition (the oldest is dropped, and counted) and forgotten when leadership moves.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Context, type Link, type Tracer } from '@opentelemetry/api';
import {
  activeTracer,
  batchParent,
  contextsOfBatches,
  mayHoldSampledRecord,
  messagingConventions,
  recordLinks,
} from '@sluice/tracing';

/** Pending `hw_advance` spans per partition; more are dropped oldest first. */
export const MAX_PENDING_HW_SPANS_PER_PARTITION = 1_024;

export interface TracedPartition {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
}

interface PendingAdvance {
  readonly tracer: Tracer;
  readonly parent: Context;
  readonly links: Link[];
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly recordCount: number;
  readonly appendStartMs: number;
}

/** A leader append in progress: end it with the offsets the log gave, or with the error. */
export interface LeaderAppendTrace {
  appended(firstOffset: number, lastOffset: number): void;
  failed(errorName: string): void;
}

export class BrokerBatchTracing {
  private readonly pending = new Map<string, PendingAdvance[]>();
  private droppedValue = 0;

  constructor(
    private readonly brokerId: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** `hw_advance` spans dropped because a partition had too many pending. */
  get droppedHighWatermarkSpans(): number {
    return this.droppedValue;
  }

  /** Before a leader appends a producer's batch; undefined when tracing is off or nothing is sampled. */
  beginLeaderAppend(partition: TracedPartition, records: Buffer, leaderEpoch: number): LeaderAppendTrace | undefined {
    const tracer = activeTracer('sluice-broker');
    // One walk over the record headers (no decode) rules out most batches under a low sampling rate.
    if (tracer === undefined || !mayHoldSampledRecord(records)) return undefined;
    const contexts = contextsOfBatches(records);
    if (contexts.firstSampled === undefined) return undefined;
    const startMs = this.nowMs();
    const parent = batchParent(contexts, ROOT_CONTEXT);
    const links = recordLinks(contexts);
    const conventions = messagingConventions();
    const span = tracer.startSpan(
      conventions.spanName('append', partition.topic),
      {
        kind: SpanKind.SERVER,
        links,
        attributes: {
          ...conventions.attributes({
            operation: 'append',
            destination: partition.topic,
            partition: partition.partition,
            batchMessageCount: contexts.recordCount,
          }),
          'sluice.broker.id': this.brokerId,
          'sluice.leader_epoch': leaderEpoch,
        },
      },
      parent,
    );
    return {
      appended: (firstOffset, lastOffset) => {
        span.setAttributes({ ...conventions.offsetAttributes(firstOffset), 'sluice.offset.last': lastOffset });
        span.end();
        this.addPending(partition.key, {
          tracer,
          parent,
          links,
          firstOffset,
          lastOffset,
          recordCount: contexts.recordCount,
          appendStartMs: startMs,
        });
      },
      failed: (errorName) => {
        span.setAttribute('error.type', errorName);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorName });
        span.end();
      },
    };
  }

  /**
   * The partition's high watermark may have moved: every pending batch now below it gets its
   * `hw_advance` span, from its append until now.
   */
  onHighWatermark(partition: TracedPartition, highWatermark: number): void {
    if (this.pending.size === 0) return;
    const queue = this.pending.get(partition.key);
    if (queue === undefined) return;
    const nowMs = this.nowMs();
    const conventions = messagingConventions();
    while (queue.length > 0 && queue[0]!.lastOffset < highWatermark) {
      const batch = queue.shift()!;
      batch.tracer
        .startSpan(
          conventions.spanName('hw_advance', partition.topic),
          {
            kind: SpanKind.INTERNAL,
            startTime: batch.appendStartMs,
            links: batch.links,
            attributes: {
              ...conventions.attributes({
                operation: 'hw_advance',
                destination: partition.topic,
                partition: partition.partition,
                offset: batch.firstOffset,
                batchMessageCount: batch.recordCount,
              }),
              'sluice.offset.last': batch.lastOffset,
              'sluice.high_watermark': highWatermark,
              'sluice.broker.id': this.brokerId,
            },
          },
          batch.parent,
        )
        .end(nowMs);
    }
    if (queue.length === 0) this.pending.delete(partition.key);
  }

  /** Leadership of the partition moved: its pending batches will never be acknowledged here. */
  forget(partitionKey: string): void {
    this.pending.delete(partitionKey);
  }

  /** Runs a follower's append of fetched bytes inside a `replicate` span when any record is sampled. */
  followerAppend<T>(partition: TracedPartition, leaderId: number, records: Buffer, append: () => T): T {
    const tracer = activeTracer('sluice-broker');
    if (tracer === undefined || !mayHoldSampledRecord(records)) return append();
    const contexts = contextsOfBatches(records);
    if (contexts.firstSampled === undefined) return append();
    const conventions = messagingConventions();
    const span = tracer.startSpan(
      conventions.spanName('replicate', partition.topic),
      {
        kind: SpanKind.CONSUMER,
        links: recordLinks(contexts),
        attributes: {
          ...conventions.attributes({
            operation: 'replicate',
            destination: partition.topic,
            partition: partition.partition,
            offset: contexts.traced[0]?.offset ?? -1,
            batchMessageCount: contexts.recordCount,
          }),
          'sluice.broker.id': this.brokerId,
          'sluice.leader.id': leaderId,
        },
      },
      batchParent(contexts, ROOT_CONTEXT),
    );
    try {
      return append();
    } catch (error) {
      span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  private addPending(key: string, batch: PendingAdvance): void {
    let queue = this.pending.get(key);
    if (queue === undefined) this.pending.set(key, (queue = []));
    if (queue.length >= MAX_PENDING_HW_SPANS_PER_PARTITION) {
      queue.shift();
      this.droppedValue++;
    }
    queue.push(batch);
  }
}
