/**
 * Per-partition record accumulation (Kafka's RecordAccumulator) as a pure structure: no timers,
 * no blocking, time as `nowMs`. The producer shell appends records, asks `ready(nowMs)` which
 * partitions have a batch to send, `drain`s them into RecordBatch bytes (encoded once, here) and
 * `release`s each batch's memory when its produce request is answered.
 *
 * - A batch is sendable when full (a record did not fit `batch.size`, or a newer batch exists),
 *   when it has lingered `linger.ms`, or at once while a flush is on or an append is waiting
 *   for memory (as Kafka, which then sends everything to free memory sooner).
 * - `buffer.memory` is accounted, not allocated: each batch reserves max(batch.size, its first
 *   record's size) when created and gives it back on `release`. An append that does not fit says
 *   `buffer-full` and changes nothing: the shell waits (bounded by `max.block.ms`) and retries.
 * - With an idempotent producer identity set, `drain` stamps producer id, epoch and the
 *   partition's next sequence, and keeps at most `max.in.flight.requests.per.connection`
 *   unreleased batches per partition, so sequences reach the leader in order.
 */
import {
  ApiError,
  BATCH_HEADER_BYTES,
  BatchLayout,
  crc32c,
  encodeRecordBatch,
  type RecordInput,
} from '@sluice/protocol';
import { defaultAccumulatorConfig, validateAccumulatorConfig, type AccumulatorConfig } from './accumulator-config';
import { recordSizeUpperBound, singleRecordBatchUpperBound } from './record-size';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface ProducerIdentity {
  readonly producerId: number;
  readonly producerEpoch: number;
}

export type AppendResult =
  | {
      readonly kind: 'appended';
      readonly batchId: number;
      /** The record's index in its batch: its offset is the batch's base offset plus this. */
      readonly recordIndex: number;
      readonly newBatch: boolean;
      /** The batch can take no more records: worth waking the sender. */
      readonly batchFull: boolean;
    }
  /** KIP-480: the record would open a new batch; let the sticky partitioner move first. */
  | { readonly kind: 'abort-for-new-batch' }
  /** Not enough of `buffer.memory` left; nothing changed. */
  | { readonly kind: 'buffer-full'; readonly requiredBytes: number; readonly availableBytes: number }
  | { readonly kind: 'error'; readonly error: ApiError };

export interface ReadyResult {
  readonly readyPartitions: readonly TopicPartition[];
  /** When to ask again if nothing else happens; null when no batch is waiting. */
  readonly nextReadyCheckDelayMs: number | null;
}

export interface DrainedBatch {
  readonly batchId: number;
  readonly topic: string;
  readonly partition: number;
  /** One RecordBatch v2, ready to send as is. */
  readonly bytes: Buffer;
  readonly recordCount: number;
  readonly createdMs: number;
  /** -1 without an idempotent identity. */
  readonly baseSequence: number;
}

interface OpenBatch {
  readonly batchId: number;
  readonly records: RecordInput[];
  readonly createdMs: number;
  readonly reservedBytes: number;
  estimatedBytes: number;
  full: boolean;
}

interface PartitionQueue {
  readonly topicPartition: TopicPartition;
  readonly batches: OpenBatch[];
  inFlight: number;
}

const MAX_SEQUENCE = 0x7fffffff;

export class RecordAccumulator {
  readonly config: AccumulatorConfig;
  private readonly queues = new Map<string, PartitionQueue>();
  /**
   * Next sequence per partition for the current identity. Kept apart from the queues, which are
   * dropped when a partition goes idle: its sequences must go on where they stopped, not at 0.
   * One number per partition ever produced to, until the identity changes.
   */
  private readonly nextSequences = new Map<string, number>();
  /** Reserved memory of drained, not yet released batches, by batch id. */
  private readonly inFlight = new Map<number, { readonly key: string; readonly reservedBytes: number }>();
  private reservedBytes = 0;
  private nextBatchId = 1;
  private flushing = false;
  private memoryWaiters = 0;
  private identity: ProducerIdentity | null = null;

  constructor(config: Partial<AccumulatorConfig> = {}) {
    this.config = validateAccumulatorConfig({ ...defaultAccumulatorConfig, ...config });
  }

  get availableMemoryBytes(): number {
    return this.config.bufferMemoryBytes - this.reservedBytes;
  }
  /** Batches not yet drained, over all partitions. */
  get queuedBatches(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.batches.length;
    return count;
  }
  get inFlightBatches(): number {
    return this.inFlight.size;
  }

  /**
   * Sets (or, after an epoch bump, replaces) the idempotent identity; sequences restart at 0.
   * Batches still drained must be listed in `carried` (those the producer will `resequence`
   * under the new identity); any other batch in flight would keep a sequence of the old epoch.
   */
  setProducerIdentity(identity: ProducerIdentity | null, carried: ReadonlySet<number> = new Set()): void {
    for (const batchId of this.inFlight.keys())
      if (!carried.has(batchId)) throw new Error('cannot change the producer identity with batches in flight');
    this.identity = identity;
    this.nextSequences.clear();
  }

  /**
   * A drained batch carried over an epoch bump (KIP-360): it takes its partition's next sequence
   * under the current identity, and its bytes are restamped (producer id, epoch, base sequence,
   * CRC) rather than re-encoded. Call in the partition's old sequence order.
   */
  resequence(batch: DrainedBatch): DrainedBatch {
    const entry = this.inFlight.get(batch.batchId);
    if (entry === undefined) throw new Error(`batch ${batch.batchId} is not in flight`);
    if (this.identity === null) throw new Error('resequencing needs an idempotent identity');
    const key = keyOf(batch);
    const baseSequence = this.nextSequences.get(key) ?? 0;
    this.nextSequences.set(key, wrapSequence(baseSequence + batch.recordCount));
    const bytes = Buffer.from(batch.bytes);
    bytes.writeBigInt64BE(BigInt(this.identity.producerId), BatchLayout.PRODUCER_ID);
    bytes.writeInt16BE(this.identity.producerEpoch, BatchLayout.PRODUCER_EPOCH);
    bytes.writeInt32BE(baseSequence, BatchLayout.BASE_SEQUENCE);
    bytes.writeUInt32BE(crc32c(bytes.subarray(BatchLayout.ATTRIBUTES)), BatchLayout.CRC);
    return { ...batch, bytes, baseSequence };
  }

  append(
    topicPartition: TopicPartition,
    record: RecordInput,
    nowMs: number,
    options: { abortOnNewBatch?: boolean } = {},
  ): AppendResult {
    const recordBytes = recordSizeUpperBound(record);
    const singleBatchBytes = singleRecordBatchUpperBound(record);
    if (singleBatchBytes > this.config.maxRequestSizeBytes || singleBatchBytes > this.config.bufferMemoryBytes) {
      return {
        kind: 'error',
        error: new ApiError(
          'MESSAGE_TOO_LARGE',
          `a record of up to ${singleBatchBytes} bytes exceeds max.request.size ${this.config.maxRequestSizeBytes} or buffer.memory ${this.config.bufferMemoryBytes}`,
        ),
      };
    }
    const key = keyOf(topicPartition);
    const queue = this.queues.get(key);
    const last = queue?.batches.at(-1);
    if (last !== undefined && !last.full && last.estimatedBytes + recordBytes <= last.reservedBytes) {
      last.records.push(record);
      last.estimatedBytes += recordBytes;
      if (last.estimatedBytes >= last.reservedBytes) last.full = true;
      return {
        kind: 'appended',
        batchId: last.batchId,
        recordIndex: last.records.length - 1,
        newBatch: false,
        batchFull: last.full,
      };
    }
    if (options.abortOnNewBatch) return { kind: 'abort-for-new-batch' };
    const reserve = Math.max(this.config.batchSizeBytes, singleBatchBytes);
    if (reserve > this.availableMemoryBytes) {
      this.memoryWaiters++;
      return { kind: 'buffer-full', requiredBytes: reserve, availableBytes: this.availableMemoryBytes };
    }
    if (last !== undefined) last.full = true;
    const batch: OpenBatch = {
      batchId: this.nextBatchId++,
      records: [record],
      createdMs: nowMs,
      reservedBytes: reserve,
      estimatedBytes: BATCH_HEADER_BYTES + recordBytes,
      full: false,
    };
    if (batch.estimatedBytes >= batch.reservedBytes) batch.full = true;
    this.reservedBytes += reserve;
    const target = queue ?? { topicPartition: { ...topicPartition }, batches: [], inFlight: 0 };
    target.batches.push(batch);
    if (queue === undefined) this.queues.set(key, target);
    return { kind: 'appended', batchId: batch.batchId, recordIndex: 0, newBatch: true, batchFull: batch.full };
  }

  /**
   * Kafka's ready(): partitions whose first batch should be sent now. One rule is not Kafka's:
   * behind an unanswered batch of its partition, only a full batch is ready (or any on flush or
   * when memory is short).
   */
  ready(nowMs: number): ReadyResult {
    const readyPartitions: TopicPartition[] = [];
    let nextReadyCheckDelayMs: number | null = null;
    const sendEverything = this.flushing || this.memoryWaiters > 0;
    for (const queue of this.queues.values()) {
      const first = queue.batches[0];
      if (first === undefined) continue;
      if (queue.inFlight >= this.config.maxInFlightBatchesPerPartition) continue;
      // A partition with a batch unanswered pipelines only full batches: a part-filled one keeps
      // filling until that answer comes (one request per round trip instead of one per linger.ms
      // at moderate rates, which costs the brokers more than it saves in latency).
      if (queue.inFlight > 0 && !sendEverything && !first.full && queue.batches.length === 1) continue;
      const waitedMs = nowMs - first.createdMs;
      if (sendEverything || first.full || queue.batches.length > 1 || waitedMs >= this.config.lingerMs) {
        readyPartitions.push(queue.topicPartition);
      } else {
        const left = this.config.lingerMs - waitedMs;
        nextReadyCheckDelayMs = nextReadyCheckDelayMs === null ? left : Math.min(nextReadyCheckDelayMs, left);
      }
    }
    return { readyPartitions, nextReadyCheckDelayMs };
  }

  /**
   * Takes the first batch of each given partition, in order, while the request stays within
   * `max.request.size` (the first batch always goes), and encodes it.
   */
  drain(partitions: readonly TopicPartition[], maxRequestSizeBytes = this.config.maxRequestSizeBytes): DrainedBatch[] {
    const drained: DrainedBatch[] = [];
    let requestBytes = 0;
    for (const topicPartition of partitions) {
      const key = keyOf(topicPartition);
      const queue = this.queues.get(key);
      const first = queue?.batches[0];
      if (queue === undefined || first === undefined) continue;
      if (queue.inFlight >= this.config.maxInFlightBatchesPerPartition) continue;
      if (drained.length > 0 && requestBytes + first.estimatedBytes > maxRequestSizeBytes) break;
      queue.batches.shift();
      const baseSequence = this.identity === null ? -1 : (this.nextSequences.get(key) ?? 0);
      const bytes = encodeRecordBatch({
        compression: this.config.compression,
        records: first.records,
        ...(this.identity === null
          ? {}
          : { producerId: this.identity.producerId, producerEpoch: this.identity.producerEpoch, baseSequence }),
      });
      if (this.identity !== null) this.nextSequences.set(key, wrapSequence(baseSequence + first.records.length));
      queue.inFlight++;
      this.inFlight.set(first.batchId, { key, reservedBytes: first.reservedBytes });
      requestBytes += bytes.length;
      drained.push({
        batchId: first.batchId,
        topic: topicPartition.topic,
        partition: topicPartition.partition,
        bytes,
        recordCount: first.records.length,
        createdMs: first.createdMs,
        baseSequence,
      });
    }
    return drained;
  }

  /** A drained batch was answered (acknowledged or failed for good): its memory is free again. */
  release(batchId: number): void {
    const entry = this.inFlight.get(batchId);
    if (entry === undefined) throw new Error(`batch ${batchId} is not in flight`);
    this.inFlight.delete(batchId);
    this.reservedBytes -= entry.reservedBytes;
    const queue = this.queues.get(entry.key)!;
    queue.inFlight--;
    if (queue.inFlight === 0 && queue.batches.length === 0) this.queues.delete(entry.key);
    // Whoever waited for memory retries now; until then everything counts as ready.
    this.memoryWaiters = 0;
    if (this.reservedBytes < 0) throw new Error('accumulator memory accounting went negative');
  }

  /**
   * Removes queued (never drained) batches created at or before `createdAtOrBeforeMs` (Kafka's
   * delivery.timeout.ms expiry of batches that never got a leader), freeing their memory. They
   * took no sequence numbers, so an idempotent producer's sequences stay gapless.
   */
  expireQueued(
    createdAtOrBeforeMs: number,
  ): { readonly batchId: number; readonly topic: string; readonly partition: number }[] {
    const expired: { batchId: number; topic: string; partition: number }[] = [];
    for (const [key, queue] of this.queues) {
      while (queue.batches.length > 0 && queue.batches[0]!.createdMs <= createdAtOrBeforeMs) {
        const batch = queue.batches.shift()!;
        this.reservedBytes -= batch.reservedBytes;
        expired.push({
          batchId: batch.batchId,
          topic: queue.topicPartition.topic,
          partition: queue.topicPartition.partition,
        });
      }
      if (queue.batches.length === 0 && queue.inFlight === 0) this.queues.delete(key);
    }
    if (expired.length > 0) this.memoryWaiters = 0;
    return expired;
  }

  /** Kafka's flush(): every batch is ready until `endFlush`. */
  beginFlush(): void {
    this.flushing = true;
  }
  endFlush(): void {
    this.flushing = false;
  }
}

function keyOf(topicPartition: TopicPartition): string {
  return `${topicPartition.topic}\u0000${topicPartition.partition}`;
}

function wrapSequence(sequence: number): number {
  return sequence > MAX_SEQUENCE ? sequence - MAX_SEQUENCE - 1 : sequence;
}
