/**
 * `Producer`: Kafka's producer over sluice's Broker gRPC API. `send()` puts a record into the
 * per-partition accumulator and resolves with its offset once the leader acknowledged it (as
 * `acks` says); one sender loop turns ready batches into Produce requests, one per leader broker.
 *
 * Delivery rules (Kafka's):
 * - Retriable errors (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, timeouts, unreachable broker)
 *   are retried with exponential backoff until `delivery.timeout.ms` since the record was sent,
 *   refreshing metadata first when the error says the leader moved.
 * - Idempotence (default): the producer gets an id and epoch from a broker (InitProducerId) and
 *   every batch carries per-partition sequence numbers, so a retried batch that did reach the
 *   log is answered with its first offsets instead of being written twice. Retries of a
 *   partition go out one batch at a time, in sequence order, once nothing else of that partition
 *   is in flight; later batches that the leader refused as OUT_OF_ORDER_SEQUENCE_NUMBER because
 *   an earlier one failed are retried behind it.
 * - A batch that fails for good leaves a sequence gap behind it: the producer then waits until
 *   nothing is in flight and asks for the next epoch (KIP-360), which restarts every sequence.
 *   Later batches of that partition already sent (refused as OUT_OF_ORDER behind the gap) wait
 *   for the bump and go again first, restamped with the new epoch and sequences in their order.
 * - A leader that lost the producer's state (UNKNOWN_PRODUCER_ID: a new leader whose log no
 *   longer holds its batches, an expired producer id) or sees a gap (OUT_OF_ORDER_SEQUENCE_NUMBER)
 *   for a partition's first unresolved batch: as Kafka, not an error for the caller but a reason
 *   to bump the epoch and send that batch and the later ones again (within delivery.timeout.ms).
 * - Requests travel on one ProduceStream per broker, which the broker appends in the order
 *   written, so up to max.in.flight batches of a partition may be unanswered at once; a broken
 *   stream fails all its requests in that order and they are retried one at a time in sequence
 *   order.
 * - At most `max.in.flight.requests.per.connection` requests per broker and unanswered batches
 *   per partition; `buffer.memory` bounds everything buffered: send() waits up to
 *   `max.block.ms` for memory (or for the topic's metadata), then fails with REQUEST_TIMED_OUT
 *   (Kafka's TimeoutException).
 */
import { fromGrpcError, unaryCall, type ProducePartitionResult__Output, type TokenSource } from '@sluice/proto';
import type { Span, SpanContext } from '@opentelemetry/api';
import { ApiError, type RecordHeader, type RecordInput } from '@sluice/protocol';
import { RecordAccumulator, type DrainedBatch, type ProducerIdentity, type TopicPartition } from './accumulator';
import { ClusterMetadata } from './cluster-metadata';
import { apiErrorFromName } from './errors';
import { Partitioner } from './partitioner';
import { ProduceStreamConnection, type ProduceOutcome } from './produce-stream';
import { backoffMs, resolveProducerConfig, type ProducerConfig, type ProducerOptions } from './producer-config';
import { createRecordContext, endSendSpan, startSendSpan, traceIdOf } from './producer-tracing';

export interface ProducerRecord {
  readonly topic: string;
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, Buffer | string | null>> | readonly RecordHeader[];
  /** Explicit partition; otherwise the partitioner chooses. */
  readonly partition?: number;
  /** CreateTime in ms since the epoch; default now. */
  readonly timestamp?: number;
}

export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  /** -1 with acks=0 (nothing is known). */
  readonly offset: number;
  /** The record's CreateTime, or the broker's LogAppendTime when the topic uses it. */
  readonly timestamp: number;
  /** The trace the record was created in (its `traceparent` header), when it carries one. */
  readonly traceId?: string;
}

export interface ProducerStats {
  readonly requests: number;
  readonly retries: number;
  readonly metadataRefreshes: number;
  readonly epochBumps: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  /** Produce streams replaced before their token expired (KIP-368's re-authentication; produce-stream.ts). */
  readonly produceStreamsReplaced: number;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A record waiting for its outcome: its send() promise's resolve and reject are kept here
 * directly (no wrapper object per record: at 5,000 records/s every object per record is GC work).
 */
interface PendingRecord {
  readonly timestamp: number;
  /** The record's creation context (its traceparent header), when traced. */
  readonly creation: SpanContext | undefined;
  resolve: (metadata: RecordMetadata) => void;
  reject: (error: unknown) => void;
}

function settleNothing(): void {}

interface BatchState {
  readonly batchId: number;
  readonly topic: string;
  readonly partition: number;
  readonly createdMs: number;
  readonly records: PendingRecord[];
  readonly done: Deferred<void>;
  drained: DrainedBatch | null;
  attempts: number;
  nextAttemptMs: number;
  inFlight: boolean;
}

/** Answers about an idempotent producer's sequences: retried behind an earlier batch, or after an epoch bump. */
const SEQUENCE_ERRORS = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID']);

/** Errors after which the leader we wrote to is probably not the leader any more. */
const METADATA_ERRORS = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'NETWORK_EXCEPTION',
  'REQUEST_TIMED_OUT',
  'KAFKA_STORAGE_ERROR',
]);

/** How long close() lets a broker finish reading an idle ProduceStream (acks=0 data in it). */
const STREAM_CLOSE_GRACE_MS = 2_000;

/** Bound on the sender's sleep when nothing is scheduled: expiry checks run at least this often. */
const MAX_IDLE_MS = 250;

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

interface PreparedRecord {
  readonly topic: string;
  readonly input: RecordInput;
  readonly partition: number | undefined;
  readonly creation: SpanContext | undefined;
}

/** Validates and converts a record once, before it waits for anything. */
function prepareRecord(record: ProducerRecord): PreparedRecord {
  if (typeof record.topic !== 'string' || record.topic === '')
    throw new ApiError('INVALID_TOPIC_EXCEPTION', 'a record needs a topic');
  const timestamp = record.timestamp ?? Date.now();
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new ApiError('INVALID_TIMESTAMP', `timestamp ${timestamp} must be a non-negative integer of ms`);
  if (record.partition !== undefined && (!Number.isInteger(record.partition) || record.partition < 0))
    throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${record.partition} is not a partition number`);
  const input: RecordInput = {
    key: toBuffer(record.key),
    value: toBuffer(record.value),
    headers: toHeaders(record.headers),
    timestamp,
  };
  // The record's creation context, made now (send() is when the application created it).
  const creation = createRecordContext(record.topic, input);
  if (creation !== undefined) input.headers = creation.headers;
  return { topic: record.topic, input, partition: record.partition, creation: creation?.context };
}

/** Shared by every record sent without headers (most): the encoder only reads them. */
const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

function toHeaders(headers: ProducerRecord['headers']): readonly RecordHeader[] {
  if (headers === undefined) return NO_HEADERS;
  if (Array.isArray(headers)) return [...(headers as readonly RecordHeader[])];
  return Object.entries(headers as Readonly<Record<string, Buffer | string | null>>).map(([key, value]) => ({
    key,
    value: toBuffer(value),
  }));
}

export class Producer {
  readonly config: ProducerConfig;
  readonly metadata: ClusterMetadata;
  private readonly accumulator: RecordAccumulator;
  private readonly partitioner: Partitioner;
  private readonly batches = new Map<number, BatchState>();
  /** Per partition: batches waiting to be sent again, in sequence order. */
  private readonly retryQueues = new Map<string, BatchState[]>();
  /**
   * Batches refused as OUT_OF_ORDER because an earlier batch of their partition failed for good
   * (a sequence gap): they wait for the epoch bump, then go again with new sequences, in order.
   */
  private readonly awaitingResequence: BatchState[] = [];
  /** Per partition: Produce requests in flight holding one of its batches. */
  private readonly partitionRequests = new Map<string, number>();
  private readonly brokerRequests = new Map<number, number>();
  /** One ProduceStream per broker address; requests on it are appended in the order written. */
  private readonly streams = new Map<string, ProduceStreamConnection>();
  private readonly memoryWaiters: (() => void)[] = [];
  /** send() calls waiting for metadata or memory; while any wait, later sends queue behind them. */
  private blockedSends = 0;
  private sendChain: Promise<void> = Promise.resolve();
  private identity: ProducerIdentity | null = null;
  private identityNeedsBump = false;
  private wake: (() => void) | null = null;
  private wakeRequested = false;
  private metadataRefreshing = false;
  private lastMetadataRequestMs = 0;
  private flushes = 0;
  private closing = false;
  private fatalError: ApiError | null = null;
  private closed = false;
  private readonly loop: Promise<void>;
  private statsValue = { requests: 0, retries: 0, epochBumps: 0 };
  /** The bearer token source, if any: its tokens' exp plans when the produce streams are replaced. */
  private readonly tokens: TokenSource | undefined;

  constructor(options: ProducerOptions) {
    this.config = resolveProducerConfig(options);
    this.tokens = options.security?.tokens;
    this.metadata = new ClusterMetadata({
      bootstrap: options.bootstrap,
      ...(options.security === undefined ? {} : { security: options.security }),
      metadataMaxAgeMs: this.config.metadataMaxAgeMs,
      requestTimeoutMs: Math.min(this.config.requestTimeoutMs, 10_000),
      ...(options.listenerName === undefined ? {} : { listenerName: options.listenerName }),
    });
    this.accumulator = new RecordAccumulator(this.config.accumulator);
    this.partitioner = new Partitioner({ kind: this.config.partitioner });
    this.loop = this.run().catch((error: unknown) => {
      // The sender cannot go on: every record waiting fails, and so does every later send().
      this.fatalError =
        error instanceof ApiError
          ? error
          : new ApiError('UNKNOWN_SERVER_ERROR', `producer sender stopped: ${String(error)}`);
      this.failEverything(this.fatalError, { includeInFlight: true, includeUndrained: true });
    });
  }

  stats(): ProducerStats {
    return {
      ...this.statsValue,
      metadataRefreshes: this.metadata.refreshes,
      producerId: this.identity?.producerId ?? -1,
      producerEpoch: this.identity?.producerEpoch ?? -1,
      produceStreamsReplaced: [...this.streams.values()].reduce(
        (sum, stream) => sum + stream.counters.replacedBeforeExpiry,
        0,
      ),
    };
  }

  /**
   * Sends one record; resolves with its partition and offset once acknowledged as `acks` says.
   *
   * Records are appended in call order, so one caller's records to a partition keep their order
   * even when some send() calls must wait (for the topic's metadata or for buffer memory): while
   * any send waits, later ones queue behind it instead of overtaking it.
   */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    let prepared: PreparedRecord;
    try {
      if (this.fatalError !== null) throw this.fatalError;
      if (this.closing) throw new ApiError('INVALID_REQUEST', 'the producer is closed');
      prepared = prepareRecord(record);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.blockedSends === 0) {
      try {
        const appended = this.tryAppend(prepared);
        if (appended !== 'blocked') return appended;
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.blockedSends++;
    const deadline = Date.now() + this.config.maxBlockMs;
    // Wrapped in an object so the outer promise settles when the record is appended, not acknowledged.
    const turn = this.sendChain.then(() => this.appendBlocking(prepared, deadline)).finally(() => this.blockedSends--);
    this.sendChain = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn.then((appended) => appended.result);
  }

  /** Appends now, or says `blocked` (topic not known yet, or no buffer memory) having changed nothing. */
  private tryAppend(prepared: PreparedRecord): Promise<RecordMetadata> | 'blocked' {
    const { topic, input } = prepared;
    if (this.fatalError !== null) throw this.fatalError;
    if (this.closing) throw new ApiError('INVALID_REQUEST', 'the producer was closed while send() waited');
    const availability = this.metadata.partitionsForPartitioner(topic);
    if (availability === undefined) return 'blocked';
    let partition: number;
    try {
      partition =
        prepared.partition ?? this.partitioner.partition({ topic, key: input.key, partition: null }, availability);
      if (!Number.isInteger(partition) || partition < 0 || partition >= availability.length)
        throw new RangeError(`partition ${partition} is outside 0..${availability.length - 1} of topic ${topic}`);
    } catch (error) {
      throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', (error as Error).message);
    }
    const sticky = prepared.partition === undefined && input.key === null && this.partitioner.kind === 'sticky';
    let result = this.accumulator.append({ topic, partition }, input, Date.now(), { abortOnNewBatch: sticky });
    if (result.kind === 'abort-for-new-batch') {
      partition = this.partitioner.onNewBatch(topic, availability, partition);
      result = this.accumulator.append({ topic, partition }, input, Date.now());
      if (result.kind === 'abort-for-new-batch') throw new Error('the accumulator asked to abort twice');
    }
    if (result.kind === 'error') throw result.error;
    if (result.kind === 'buffer-full') {
      this.wakeup();
      return 'blocked';
    }
    return this.track(
      result.batchId,
      result.newBatch,
      result.batchFull,
      topic,
      partition,
      input.timestamp,
      prepared.creation,
    );
  }

  private async appendBlocking(
    prepared: PreparedRecord,
    deadline: number,
  ): Promise<{ result: Promise<RecordMetadata> }> {
    await this.waitForTopic(prepared.topic, deadline);
    for (;;) {
      const appended = this.tryAppend(prepared);
      if (appended !== 'blocked') return { result: appended };
      if (this.metadata.partitionsForPartitioner(prepared.topic) === undefined) {
        throw (
          this.metadata.topicError(prepared.topic) ??
          new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${prepared.topic} left the metadata`)
        );
      }
      await this.waitForMemory(deadline);
    }
  }

  /** Sends everything buffered now and resolves when those records have their outcome. */
  async flush(): Promise<void> {
    const waiting = [...this.batches.values()].map((batch) => batch.done.promise);
    this.flushes++;
    this.accumulator.beginFlush();
    this.wakeup();
    try {
      await Promise.all(waiting);
    } finally {
      this.flushes--;
      if (this.flushes === 0) this.accumulator.endFlush();
    }
  }

  /**
   * Sends what is buffered and waits for it (at most `timeoutMs`, default delivery.timeout.ms),
   * then fails whatever is left and closes the connections.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    const timeoutMs = options.timeoutMs ?? this.config.deliveryTimeoutMs;
    this.closing = true;
    for (const waiter of this.memoryWaiters.splice(0)) waiter();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.closed = true;
    this.wakeup();
    await this.loop;
    // As Kafka's close(timeout): what is still unanswered fails now; a late answer changes nothing.
    this.failEverything(
      new ApiError('REQUEST_TIMED_OUT', `the producer closed with records still unacknowledged after ${timeoutMs} ms`),
      { includeInFlight: true },
    );
    // Their late failures find nothing left to fail; idle streams are half-closed so what was
    // written (acks=0) reaches the brokers before the connections close.
    await Promise.all([...this.streams.values()].map((stream) => stream.close(STREAM_CLOSE_GRACE_MS)));
    this.streams.clear();
    this.metadata.close();
  }

  // ------------------------------------------------------------------ send() helpers

  private track(
    batchId: number,
    newBatch: boolean,
    batchFull: boolean,
    topic: string,
    partition: number,
    timestamp: number,
    creation: SpanContext | undefined,
  ): Promise<RecordMetadata> {
    let batch = this.batches.get(batchId);
    if (batch === undefined) {
      batch = {
        batchId,
        topic,
        partition,
        createdMs: Date.now(),
        records: [],
        done: deferred<void>(),
        drained: null,
        attempts: 0,
        nextAttemptMs: 0,
        inFlight: false,
      };
      this.batches.set(batchId, batch);
    }
    const pending: PendingRecord = { timestamp, creation, resolve: settleNothing, reject: settleNothing };
    const promise = new Promise<RecordMetadata>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
    batch.records.push(pending);
    if (newBatch || batchFull) this.wakeup();
    return promise;
  }

  private async waitForTopic(topic: string, deadline: number): Promise<string> {
    let lastError: ApiError | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.metadata.topic(topic) !== undefined) return topic;
      try {
        await this.metadata.refresh([topic]);
      } catch (error) {
        lastError = error instanceof ApiError ? error : fromGrpcError(error);
      }
      if (this.metadata.topic(topic) !== undefined) return topic;
      const left = deadline - Date.now();
      if (left <= 0 || this.closing) {
        const topicError = this.metadata.topicError(topic);
        if (topicError !== undefined)
          throw new ApiError(
            topicError.errorName,
            `topic ${topic} not present in metadata after ${this.config.maxBlockMs} ms: ${topicError.message}`,
          );
        throw (
          lastError ??
          new ApiError('REQUEST_TIMED_OUT', `topic ${topic} not present in metadata after ${this.config.maxBlockMs} ms`)
        );
      }
      await sleep(Math.min(left, backoffMs(attempt, this.config.retryBackoffMs, this.config.retryBackoffMaxMs)));
    }
  }

  private async waitForMemory(deadline: number): Promise<void> {
    this.wakeup();
    const left = deadline - Date.now();
    if (left <= 0)
      throw new ApiError(
        'REQUEST_TIMED_OUT',
        `buffer.memory ${this.config.accumulator.bufferMemoryBytes} bytes stayed full for max.block.ms ${this.config.maxBlockMs}`,
      );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.memoryWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // ------------------------------------------------------------------ the sender loop

  private wakeup(): void {
    this.wakeRequested = true;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeRequested = false;
  }

  private async run(): Promise<void> {
    let identityAttempts = 0;
    while (!this.closed) {
      if (this.config.idempotent && (this.identity === null || this.identityNeedsBump) && this.nothingInFlight()) {
        try {
          await this.initProducerId();
          identityAttempts = 0;
        } catch (error) {
          identityAttempts++;
          const apiError = error instanceof ApiError ? error : fromGrpcError(error);
          if (!apiError.retriable && apiError.errorName !== 'NETWORK_EXCEPTION') throw apiError;
          this.expire(Date.now());
          await this.sleep(backoffMs(identityAttempts, this.config.retryBackoffMs, this.config.retryBackoffMaxMs));
        }
        continue;
      }
      const nowMs = Date.now();
      this.expire(nowMs);
      if (this.metadata.isStale(nowMs)) this.refreshMetadata();
      let waitMs = MAX_IDLE_MS;
      waitMs = Math.min(waitMs, this.sendRetries(nowMs));
      // No new sequences while an epoch bump is pending: they would belong to the old epoch.
      if (!(this.config.idempotent && (this.identity === null || this.identityNeedsBump)))
        waitMs = Math.min(waitMs, this.sendReady(nowMs));
      await this.sleep(Math.max(0, waitMs));
    }
  }

  private nothingInFlight(): boolean {
    for (const count of this.brokerRequests.values()) if (count > 0) return false;
    return this.retryQueues.size === 0;
  }

  private async initProducerId(): Promise<void> {
    const current = this.identity;
    const answer = await unaryCall(
      this.metadata.client(this.metadata.anyBrokerAddress()),
      'InitProducerId',
      current === null || !this.identityNeedsBump
        ? { producerId: -1, producerEpoch: -1 }
        : { producerId: current.producerId, producerEpoch: current.producerEpoch },
      { timeoutMs: this.config.requestTimeoutMs },
    );
    const identity = { producerId: Number(answer.producerId), producerEpoch: answer.producerEpoch };
    if (this.identityNeedsBump) this.statsValue.epochBumps++;
    const carried = this.awaitingResequence.splice(0).filter((state) => this.batches.has(state.batchId));
    this.accumulator.setProducerIdentity(identity, new Set(carried.map((state) => state.batchId)));
    this.identity = identity;
    this.identityNeedsBump = false;
    // Old sequence order per partition becomes the new one; they go before anything drained later.
    carried.sort((a, b) => a.drained!.baseSequence - b.drained!.baseSequence || a.batchId - b.batchId);
    for (const state of carried) {
      state.drained = this.accumulator.resequence(state.drained!);
      state.nextAttemptMs = 0;
      const key = keyOf(state.topic, state.partition);
      const queue = this.retryQueues.get(key) ?? [];
      queue.push(state);
      this.retryQueues.set(key, queue);
    }
  }

  /** Drains ready partitions into one request per leader; returns how long to sleep at most. */
  private sendReady(nowMs: number): number {
    const { readyPartitions, nextReadyCheckDelayMs } = this.accumulator.ready(nowMs);
    const byBroker = new Map<number, TopicPartition[]>();
    let waitMs = nextReadyCheckDelayMs ?? MAX_IDLE_MS;
    for (const topicPartition of readyPartitions) {
      if (this.retryQueues.has(keyOf(topicPartition.topic, topicPartition.partition))) continue;
      const leader = this.metadata.leaderFor(topicPartition.topic, topicPartition.partition);
      if (leader === undefined) {
        this.refreshMetadata();
        waitMs = Math.min(waitMs, this.config.retryBackoffMs);
        continue;
      }
      if ((this.brokerRequests.get(leader.brokerId) ?? 0) >= this.config.maxInFlightRequestsPerConnection) continue;
      const list = byBroker.get(leader.brokerId);
      if (list === undefined) byBroker.set(leader.brokerId, [topicPartition]);
      else list.push(topicPartition);
    }
    for (const [brokerId, partitions] of byBroker) {
      const drained = this.accumulator.drain(partitions);
      if (drained.length === 0) continue;
      const states = drained.map((batch) => {
        const state = this.batches.get(batch.batchId)!;
        state.drained = batch;
        return state;
      });
      this.sendRequest(brokerId, states);
      // More may be ready for this broker than one request held.
      if (drained.length < partitions.length) waitMs = 0;
    }
    return waitMs;
  }

  /** Sends the head of every partition's retry queue that is due; returns the next due time. */
  private sendRetries(nowMs: number): number {
    let waitMs = MAX_IDLE_MS;
    const byBroker = new Map<number, BatchState[]>();
    for (const [key, queue] of this.retryQueues) {
      const head = queue[0]!;
      if ((this.partitionRequests.get(key) ?? 0) > 0) continue;
      if (head.nextAttemptMs > nowMs) {
        waitMs = Math.min(waitMs, head.nextAttemptMs - nowMs);
        continue;
      }
      const leader = this.metadata.leaderFor(head.topic, head.partition);
      if (leader === undefined) {
        this.refreshMetadata();
        waitMs = Math.min(waitMs, this.config.retryBackoffMs);
        continue;
      }
      if ((this.brokerRequests.get(leader.brokerId) ?? 0) >= this.config.maxInFlightRequestsPerConnection) continue;
      queue.shift();
      if (queue.length === 0) this.retryQueues.delete(key);
      const list = byBroker.get(leader.brokerId);
      if (list === undefined) byBroker.set(leader.brokerId, [head]);
      else list.push(head);
    }
    for (const [brokerId, states] of byBroker) {
      this.statsValue.retries += states.length;
      this.sendRequest(brokerId, states);
    }
    return waitMs;
  }

  private sendRequest(brokerId: number, states: BatchState[]): void {
    const address = this.metadata.brokerAddresses().get(brokerId);
    const topics = new Map<string, { partition: number; records: Buffer }[]>();
    for (const state of states) {
      state.attempts++;
      state.inFlight = true;
      const key = keyOf(state.topic, state.partition);
      this.partitionRequests.set(key, (this.partitionRequests.get(key) ?? 0) + 1);
      const list = topics.get(state.topic) ?? [];
      list.push({ partition: state.partition, records: state.drained!.bytes });
      topics.set(state.topic, list);
    }
    this.brokerRequests.set(brokerId, (this.brokerRequests.get(brokerId) ?? 0) + 1);
    this.statsValue.requests++;
    const request = {
      acks: this.config.acks,
      timeoutMs: this.config.requestTimeoutMs,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    };
    // One send span per batch attempt (undefined when tracing is off or no record is traced).
    const sendSpans = states.map((state) =>
      startSendSpan({
        topic: state.topic,
        partition: state.partition,
        creations: state.records.map((record) => record.creation),
        attempt: state.attempts,
      }),
    );
    const onOutcome = (outcome: ProduceOutcome): void => {
      if (sendSpans.some((span) => span !== undefined)) endSendSpans(states, sendSpans, outcome);
      try {
        this.onOutcome(brokerId, states, outcome);
      } catch (error) {
        this.failEverything(new ApiError('UNKNOWN_SERVER_ERROR', `producer bookkeeping failed: ${String(error)}`));
      } finally {
        this.brokerRequests.set(brokerId, (this.brokerRequests.get(brokerId) ?? 1) - 1);
        this.wakeup();
      }
    };
    if (address === undefined) {
      // Asynchronously, as an answer would come: the caller is still walking its batches.
      queueMicrotask(() =>
        onOutcome({
          kind: 'failed',
          error: new ApiError('NETWORK_EXCEPTION', `broker ${brokerId} has no known address`),
        }),
      );
      return;
    }
    this.streamTo(address).send(request, onOutcome);
  }

  /** The open ProduceStream to `address` (one per broker connection), made on first use. */
  private streamTo(address: string): ProduceStreamConnection {
    const client = this.metadata.client(address);
    let stream = this.streams.get(address);
    if (stream === undefined || stream.client !== client) {
      void stream?.close(0);
      stream = new ProduceStreamConnection(client, {
        requestTimeoutMs: this.config.requestTimeoutMs + 1_000,
        label: address,
        ...(this.tokens === undefined ? {} : { tokens: this.tokens }),
      });
      this.streams.set(address, stream);
    }
    return stream;
  }

  private onOutcome(brokerId: number, states: readonly BatchState[], outcome: ProduceOutcome): void {
    if (outcome.kind === 'failed') {
      // In the order the batches were written; a broken stream fails its requests in order too,
      // so a partition's retry queue fills in sequence order.
      for (const state of states) {
        this.finishAttempt(state);
        this.onError(state, outcome.error);
      }
      return;
    }
    if (outcome.kind === 'sent') {
      for (const state of states) {
        this.finishAttempt(state);
        this.complete(state, null);
      }
      return;
    }
    const results = new Map<string, ProducePartitionResult__Output>();
    for (const topic of outcome.response.topics)
      for (const partition of topic.partitions) results.set(keyOf(topic.name, partition.partition), partition);
    for (const state of states) {
      const result = results.get(keyOf(state.topic, state.partition));
      this.finishAttempt(state);
      if (result === undefined)
        this.onError(
          state,
          new ApiError(
            'UNKNOWN_SERVER_ERROR',
            `broker ${brokerId} did not answer for ${state.topic}-${state.partition}`,
          ),
        );
      else if (
        result.errorName === '' ||
        result.errorName === 'NONE' ||
        result.errorName === 'DUPLICATE_SEQUENCE_NUMBER'
      )
        this.complete(state, result);
      else this.onError(state, apiErrorFromName(result.errorName, result.errorMessage));
    }
  }

  private finishAttempt(state: BatchState): void {
    state.inFlight = false;
    const key = keyOf(state.topic, state.partition);
    const left = (this.partitionRequests.get(key) ?? 1) - 1;
    if (left > 0) this.partitionRequests.set(key, left);
    else this.partitionRequests.delete(key);
  }

  /** `result` null: acks=0, nothing is known beyond the request having been sent. */
  private complete(state: BatchState, result: ProducePartitionResult__Output | null): void {
    const baseOffset = this.config.acks === 0 || result === null ? -1 : Number(result.baseOffset);
    const logAppendTime = result === null ? -1 : Number(result.logAppendTime);
    const { topic, partition, records } = state;
    for (let index = 0; index < records.length; index++) {
      const record = records[index]!;
      const offset = baseOffset >= 0 ? baseOffset + index : -1;
      const timestamp = logAppendTime >= 0 ? logAppendTime : record.timestamp;
      // One object per record, no spread: an untraced record's metadata has no traceId key at all.
      record.resolve(
        record.creation === undefined
          ? { topic, partition, offset, timestamp }
          : { topic, partition, offset, timestamp, traceId: traceIdOf(record.creation) },
      );
    }
    this.finish(state);
  }

  private onError(state: BatchState, error: ApiError): void {
    const nowMs = Date.now();
    if (METADATA_ERRORS.has(error.errorName)) this.refreshMetadata();
    const inTime = nowMs < state.createdMs + this.config.deliveryTimeoutMs;
    // Out of sequence while a gap waits for the epoch bump: only new sequences after the bump can
    // place it (Kafka's KIP-360 handling of in-flight batches). The bump waits until nothing of
    // the old epoch is in flight, so whatever is still retried ahead of it lands first.
    const sequenceError = SEQUENCE_ERRORS.has(error.errorName) && this.config.idempotent;
    if (sequenceError && this.identityNeedsBump && inTime && !this.closed) {
      this.awaitingResequence.push(state);
      return;
    }
    // A sequence answer behind an earlier batch of the same partition that is still being
    // retried is a consequence, not a cause: it goes again behind that batch (a new leader that
    // has not seen the earlier batch yet answers UNKNOWN_PRODUCER_ID or OUT_OF_ORDER for it).
    const behindAnother = sequenceError && this.hasEarlierUnfinished(state);
    // The partition's first unresolved batch: the leader lost this producer's state (a new leader
    // whose log no longer holds its batches, an expired or evicted producer id) or holds a gap.
    // As Kafka's idempotent producer (TransactionManager.canRetry, KIP-360): ask for the next
    // epoch and send this batch, and every later one, again with restarted sequences.
    if (sequenceError && !behindAnother && inTime && state.attempts <= this.config.retries && !this.closed) {
      this.identityNeedsBump = true;
      this.awaitingResequence.push(state);
      return;
    }
    if ((error.retriable || behindAnother) && inTime && state.attempts <= this.config.retries && !this.closed) {
      state.nextAttemptMs =
        nowMs + backoffMs(state.attempts, this.config.retryBackoffMs, this.config.retryBackoffMaxMs);
      const key = keyOf(state.topic, state.partition);
      const queue = this.retryQueues.get(key) ?? [];
      queue.push(state);
      queue.sort((a, b) => a.drained!.baseSequence - b.drained!.baseSequence || a.batchId - b.batchId);
      this.retryQueues.set(key, queue);
      return;
    }
    const reason =
      !inTime && error.retriable
        ? new ApiError(
            'REQUEST_TIMED_OUT',
            `expiring ${state.records.length} record(s) for ${state.topic}-${state.partition}: ${this.config.deliveryTimeoutMs} ms passed since batch creation (last error ${error.message})`,
          )
        : error;
    this.fail(state, reason);
  }

  private hasEarlierUnfinished(state: BatchState): boolean {
    const sequence = state.drained!.baseSequence;
    for (const other of this.batches.values()) {
      if (
        other === state ||
        other.topic !== state.topic ||
        other.partition !== state.partition ||
        other.drained === null
      )
        continue;
      if (other.drained.baseSequence < sequence) return true;
    }
    return false;
  }

  private fail(state: BatchState, error: ApiError): void {
    for (const record of state.records) record.reject(error);
    // A drained idempotent batch that failed leaves a gap in its partition's sequences.
    if (state.drained !== null && this.config.idempotent) this.identityNeedsBump = true;
    this.finish(state);
  }

  private finish(state: BatchState): void {
    if (!this.batches.delete(state.batchId)) return;
    if (state.drained !== null) this.accumulator.release(state.batchId);
    state.done.resolve();
    for (const waiter of this.memoryWaiters.splice(0)) waiter();
  }

  /** delivery.timeout.ms for batches that never left (no leader) or wait in the retry queues. */
  private expire(nowMs: number): void {
    const cutoff = nowMs - this.config.deliveryTimeoutMs;
    for (let i = this.awaitingResequence.length - 1; i >= 0; i--) {
      const state = this.awaitingResequence[i]!;
      if (state.createdMs > cutoff) continue;
      this.awaitingResequence.splice(i, 1);
      this.fail(
        state,
        new ApiError(
          'REQUEST_TIMED_OUT',
          `expiring ${state.records.length} record(s) for ${state.topic}-${state.partition}: ${this.config.deliveryTimeoutMs} ms passed since batch creation while waiting for an epoch bump`,
        ),
      );
    }
    for (const expired of this.accumulator.expireQueued(cutoff)) {
      const state = this.batches.get(expired.batchId);
      if (state === undefined) continue;
      this.fail(
        state,
        new ApiError(
          'REQUEST_TIMED_OUT',
          `expiring ${state.records.length} record(s) for ${state.topic}-${state.partition}: ${this.config.deliveryTimeoutMs} ms passed since batch creation without a leader to send to`,
        ),
      );
    }
    for (const [key, queue] of this.retryQueues) {
      while (queue.length > 0 && queue[0]!.createdMs <= cutoff) {
        const state = queue.shift()!;
        this.fail(
          state,
          new ApiError(
            'REQUEST_TIMED_OUT',
            `expiring ${state.records.length} record(s) for ${state.topic}-${state.partition}: ${this.config.deliveryTimeoutMs} ms passed since batch creation`,
          ),
        );
      }
      if (queue.length === 0) this.retryQueues.delete(key);
    }
  }

  private refreshMetadata(): void {
    const nowMs = Date.now();
    if (this.metadataRefreshing || nowMs - this.lastMetadataRequestMs < this.config.retryBackoffMs) return;
    this.metadataRefreshing = true;
    this.lastMetadataRequestMs = nowMs;
    this.metadata
      .refresh()
      .catch(() => undefined)
      .finally(() => {
        this.metadataRefreshing = false;
        this.wakeup();
      });
  }

  private failEverything(
    error: ApiError,
    options: { includeInFlight?: boolean; includeUndrained?: boolean } = {},
  ): void {
    for (const expired of this.accumulator.expireQueued(Number.MAX_SAFE_INTEGER)) {
      const state = this.batches.get(expired.batchId);
      if (state !== undefined) this.fail(state, error);
    }
    for (const state of [...this.batches.values()]) {
      if (state.drained === null && options.includeUndrained !== true) continue;
      if (state.inFlight && options.includeInFlight !== true) continue;
      // A batch taken out of the accumulator but never recorded as drained has nothing to release.
      if (state.drained === null) {
        for (const record of state.records) record.reject(error);
        this.batches.delete(state.batchId);
        state.done.resolve();
        continue;
      }
      this.fail(state, error);
    }
    this.retryQueues.clear();
    this.awaitingResequence.length = 0;
  }
}

/** Ends each batch's send span with what the answer said about that batch. */
function endSendSpans(
  states: readonly BatchState[],
  spans: readonly (Span | undefined)[],
  outcome: ProduceOutcome,
): void {
  const results = new Map<string, ProducePartitionResult__Output>();
  if (outcome.kind === 'answered')
    for (const topic of outcome.response.topics)
      for (const partition of topic.partitions) results.set(keyOf(topic.name, partition.partition), partition);
  states.forEach((state, index) => {
    const span = spans[index];
    if (span === undefined) return;
    if (outcome.kind === 'failed') return endSendSpan(span, { errorName: outcome.error.errorName });
    if (outcome.kind === 'sent') return endSendSpan(span, {});
    const result = results.get(keyOf(state.topic, state.partition));
    if (result === undefined) return endSendSpan(span, { errorName: 'UNKNOWN_SERVER_ERROR' });
    const failed =
      result.errorName !== '' && result.errorName !== 'NONE' && result.errorName !== 'DUPLICATE_SEQUENCE_NUMBER';
    endSendSpan(span, failed ? { errorName: result.errorName } : { baseOffset: Number(result.baseOffset) });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
