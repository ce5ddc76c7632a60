/**
 * Idempotent producer state of one partition (Kafka's ProducerStateManager, minus transactions):
 * per producer id its epoch and the metadata of its last 5 batches, which is what lets the leader
 * recognise a retried batch and answer it with the offsets it got the first time.
 *
 * Rules on a client append (Kafka's ProducerAppendInfo, origin CLIENT):
 * - a retry of one of the producer's last 5 batches (same epoch, same first and last sequence) is
 *   a duplicate: nothing is appended, the caller answers with the original offsets (and, for
 *   acks=all, still waits for the high watermark to pass them);
 * - an epoch older than the producer's current one: INVALID_PRODUCER_EPOCH (Kafka since 2.7;
 *   PRODUCER_FENCED belongs to the transaction coordinator, which we do not have yet);
 * - a newer epoch (a bump) must start again at sequence 0: else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - the same epoch must continue exactly after the last sequence (wrapping at 2^31-1): else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - a producer id we hold no state for must start at sequence 0, else UNKNOWN_PRODUCER_ID. Kafka
 *   accepts any sequence there since KIP-360; we stay strict because our state can also be lost
 *   to `maxProducerIds` eviction, and the client answers UNKNOWN_PRODUCER_ID by bumping its epoch
 *   rather than risking a silent duplicate.
 *
 * State is rebuilt from the log (`loadFromBatches`) on becoming leader, so it survives failover;
 * followers keep it current with `applyReplicated`. Memory is bounded: at most `maxProducerIds`
 * producers (least recently appended evicted first) of at most 5 batches each. Producers idle for
 * `producer.id.expiration.ms` (by their batches' max timestamps, as Kafka, so every replica
 * expires the same ones) are dropped by `expire`.
 */
import { ApiError, NO_PRODUCER_ID, type RecordBatchView } from '@sluice/protocol';
import { assert, assertOffset } from './assert';
import { incrementSequence, isNextSequence, MAX_SEQUENCE } from './producer-sequence';

/** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN, tied to max.in.flight.requests.per.connection <= 5. */
export const RETAINED_BATCHES_PER_PRODUCER = 5;

export interface ProducerStateConfig {
  /** `producer.id.expiration.ms`: state of a producer idle this long is dropped. */
  readonly producerIdExpirationMs: number;
  /** Bound on producers tracked per partition (not a Kafka setting: Kafka has no bound). */
  readonly maxProducerIds: number;
}

export const defaultProducerStateConfig: ProducerStateConfig = {
  producerIdExpirationMs: 86_400_000,
  maxProducerIds: 50_000,
};

/** The idempotence fields of a batch header. */
export interface ProducerBatch {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly lastOffsetDelta: number;
  readonly maxTimestampMs: number;
}

/** A batch as stored in the log, with its offsets. */
export interface LoggedProducerBatch extends ProducerBatch {
  readonly baseOffset: number;
  /** Control batches (transaction markers) carry no sequence; they only move the epoch. */
  readonly isControl?: boolean;
}

export interface BatchMetadata {
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestampMs: number;
}

export interface ProducerEntry {
  readonly producerId: number;
  readonly producerEpoch: number;
  /** Oldest first, at most RETAINED_BATCHES_PER_PRODUCER. */
  readonly batches: readonly BatchMetadata[];
  readonly lastTimestampMs: number;
}

/** Validated and not yet applied: apply with `commitAppend` once the log took the bytes. */
export interface ProducerAppendPlan {
  readonly stateVersion: number;
  readonly batches: readonly ProducerBatch[];
}

export type ProducerAppendDecision =
  | { readonly kind: 'append'; readonly plan: ProducerAppendPlan }
  /** A retry of batch `batchIndex`: answer with these offsets, append nothing. */
  | {
      readonly kind: 'duplicate';
      readonly batchIndex: number;
      readonly firstOffset: number;
      readonly lastOffset: number;
    }
  | { readonly kind: 'error'; readonly batchIndex: number; readonly error: ApiError };

export function lastSequenceOf(batch: ProducerBatch): number {
  return incrementSequence(batch.baseSequence, batch.lastOffsetDelta);
}

/** The idempotence fields of a batch in the log (or a request, with `baseOffset` still 0). */
export function producerBatchOf(view: RecordBatchView): LoggedProducerBatch {
  return {
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    lastOffsetDelta: view.lastOffsetDelta,
    maxTimestampMs: view.maxTimestamp,
    baseOffset: view.baseOffset,
    isControl: view.isControl,
  };
}

export class ProducerStateManager {
  private readonly config: ProducerStateConfig;
  /** Map order is least recently appended first: eviction takes the first key. */
  private readonly producers = new Map<number, ProducerEntry>();
  private version = 0;
  private evictedCount = 0;

  constructor(config: Partial<ProducerStateConfig> = {}) {
    this.config = { ...defaultProducerStateConfig, ...config };
    assert(
      Number.isSafeInteger(this.config.producerIdExpirationMs) && this.config.producerIdExpirationMs > 0,
      'producer.id.expiration.ms must be positive',
    );
    assert(
      Number.isSafeInteger(this.config.maxProducerIds) && this.config.maxProducerIds > 0,
      'maxProducerIds must be positive',
    );
  }

  get size(): number {
    return this.producers.size;
  }
  /** Producers dropped to stay within `maxProducerIds` (not by expiry). */
  get evictions(): number {
    return this.evictedCount;
  }
  entry(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  /**
   * Checks a client append (one request's batches for this partition, in order) without changing
   * anything. Batches without a producer id pass through. As Kafka, a duplicate anywhere in the
   * request answers the whole request with that batch's original offsets.
   */
  prepareAppend(batches: readonly ProducerBatch[]): ProducerAppendDecision {
    const working = new Map<number, ProducerEntry>();
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      if (batch.producerId === NO_PRODUCER_ID) continue;
      const error = (e: ApiError): ProducerAppendDecision => ({ kind: 'error', batchIndex: i, error: e });
      const who = `producer ${batch.producerId}`;
      if (!Number.isSafeInteger(batch.producerId) || batch.producerId < 0)
        return error(new ApiError('INVALID_RECORD', `invalid producer id ${batch.producerId}`));
      if (!Number.isInteger(batch.producerEpoch) || batch.producerEpoch < 0 || batch.producerEpoch > 0x7fff) {
        return error(new ApiError('INVALID_RECORD', `${who}: invalid producer epoch ${batch.producerEpoch}`));
      }
      if (!Number.isInteger(batch.baseSequence) || batch.baseSequence < 0 || batch.baseSequence > MAX_SEQUENCE) {
        return error(new ApiError('INVALID_RECORD', `${who}: invalid base sequence ${batch.baseSequence}`));
      }
      const firstSequence = batch.baseSequence;
      const lastSequence = lastSequenceOf(batch);
      const committed = this.producers.get(batch.producerId);
      const duplicate =
        committed === undefined
          ? undefined
          : findDuplicate(committed, batch.producerEpoch, firstSequence, lastSequence);
      if (duplicate !== undefined)
        return {
          kind: 'duplicate',
          batchIndex: i,
          firstOffset: duplicate.firstOffset,
          lastOffset: duplicate.lastOffset,
        };
      const current = working.get(batch.producerId) ?? committed;
      if (current === undefined) {
        if (firstSequence !== 0) {
          return error(
            new ApiError(
              'UNKNOWN_PRODUCER_ID',
              `${who} has no state on this partition and must start at sequence 0, not ${firstSequence}`,
            ),
          );
        }
      } else if (batch.producerEpoch < current.producerEpoch) {
        return error(
          new ApiError(
            'INVALID_PRODUCER_EPOCH',
            `${who}: epoch ${batch.producerEpoch} is older than the current ${current.producerEpoch}`,
          ),
        );
      } else if (batch.producerEpoch > current.producerEpoch) {
        if (firstSequence !== 0) {
          return error(
            new ApiError(
              'OUT_OF_ORDER_SEQUENCE_NUMBER',
              `${who}: new epoch ${batch.producerEpoch} must start at sequence 0, not ${firstSequence}`,
            ),
          );
        }
      } else {
        const last = current.batches.at(-1)?.lastSequence ?? -1;
        if (!isNextSequence(last, firstSequence)) {
          return error(
            new ApiError(
              'OUT_OF_ORDER_SEQUENCE_NUMBER',
              `${who}: sequence ${firstSequence} does not follow ${last} (epoch ${batch.producerEpoch})`,
            ),
          );
        }
      }
      // Offsets are not known yet; -1 placeholders are only compared by sequence within the request.
      working.set(batch.producerId, withBatch(current, batch, -1));
    }
    return { kind: 'append', plan: { stateVersion: this.version, batches } };
  }

  /** Applies a plan after the log appended its batches starting at `firstOffset`, contiguously. */
  commitAppend(plan: ProducerAppendPlan, firstOffset: number): void {
    assert(plan.stateVersion === this.version, 'producer state changed between prepareAppend and commitAppend');
    assertOffset(firstOffset, 'first offset');
    let next = firstOffset;
    for (const batch of plan.batches) {
      if (batch.producerId !== NO_PRODUCER_ID) this.put(withBatch(this.producers.get(batch.producerId), batch, next));
      next += batch.lastOffsetDelta + 1;
    }
  }

  /**
   * Records a batch already in the log, without validation (Kafka's REPLICATION origin): a
   * follower's append, or a replay on becoming leader. The log is the truth.
   */
  applyReplicated(batch: LoggedProducerBatch): void {
    if (batch.producerId === NO_PRODUCER_ID) return;
    assertOffset(batch.baseOffset, 'batch base offset');
    const current = this.producers.get(batch.producerId);
    if (batch.isControl) {
      // A marker moves the epoch but adds no sequence.
      const epochChanged = current === undefined || current.producerEpoch !== batch.producerEpoch;
      this.put({
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
        batches: epochChanged ? [] : current.batches,
        lastTimestampMs: Math.max(current?.lastTimestampMs ?? batch.maxTimestampMs, batch.maxTimestampMs),
      });
      return;
    }
    this.put(withBatch(current, batch, batch.baseOffset));
  }

  /**
   * Rebuilds the state from the log's batch headers, oldest first (a new leader, or after a
   * truncation), then drops expired producers. Streams: memory stays within the bounds.
   */
  loadFromBatches(batches: Iterable<LoggedProducerBatch>, nowMs: number): void {
    this.clear();
    for (const batch of batches) this.applyReplicated(batch);
    this.expire(nowMs);
  }

  /** Drops producers idle for `producer.id.expiration.ms`; returns how many. */
  expire(nowMs: number): number {
    let removed = 0;
    for (const [producerId, entry] of this.producers) {
      if (nowMs - entry.lastTimestampMs >= this.config.producerIdExpirationMs) {
        this.producers.delete(producerId);
        removed++;
      }
    }
    if (removed > 0) this.version++;
    return removed;
  }

  clear(): void {
    this.producers.clear();
    this.version++;
  }

  private put(entry: ProducerEntry): void {
    // Delete first so the Map order tracks recency.
    this.producers.delete(entry.producerId);
    this.producers.set(entry.producerId, entry);
    if (this.producers.size > this.config.maxProducerIds) {
      const oldest = this.producers.keys().next().value as number;
      this.producers.delete(oldest);
      this.evictedCount++;
    }
    this.version++;
  }
}

function findDuplicate(
  entry: ProducerEntry,
  producerEpoch: number,
  firstSequence: number,
  lastSequence: number,
): BatchMetadata | undefined {
  if (entry.producerEpoch !== producerEpoch) return undefined;
  return entry.batches.find((b) => b.firstSequence === firstSequence && b.lastSequence === lastSequence);
}

/** Kafka's maybeUpdateProducerEpoch + addBatch: a new epoch forgets the old epoch's batches. */
function withBatch(current: ProducerEntry | undefined, batch: ProducerBatch, firstOffset: number): ProducerEntry {
  const sameEpoch = current !== undefined && current.producerEpoch === batch.producerEpoch;
  const kept = sameEpoch ? current.batches.slice(-(RETAINED_BATCHES_PER_PRODUCER - 1)) : [];
  const metadata: BatchMetadata = {
    firstSequence: batch.baseSequence,
    lastSequence: lastSequenceOf(batch),
    firstOffset,
    lastOffset: firstOffset < 0 ? -1 : firstOffset + batch.lastOffsetDelta,
    maxTimestampMs: batch.maxTimestampMs,
  };
  return {
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    batches: [...kept, metadata],
    lastTimestampMs: Math.max(current?.lastTimestampMs ?? batch.maxTimestampMs, batch.maxTimestampMs),
  };
}
