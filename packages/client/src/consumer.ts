/**
 * `Consumer` with manual assignment (groups come with the coordinator): assign partitions, seek
 * (to an offset, the beginning, the end, or a timestamp), and poll records, as a promise or an
 * async iterator. Reads stop at each partition's high watermark, so a record a consumer sees is
 * on every in-sync replica and cannot vanish in a leader change.
 *
 * - Fetches run in the background, long polls (`fetch.max.wait.ms`, `fetch.min.bytes`) to each
 *   partition's leader for the assigned partitions that have a position and at most one poll's
 *   worth of undelivered records; `poll()` hands out what arrived, taking turns between
 *   partitions. A partition is in at most one fetch to its leader, and a broker has at most
 *   `MAX_FETCHES_IN_FLIGHT_PER_BROKER` of them, so while one answer travels the broker reads the
 *   next; a broker's fetch waits while another of its partitions has more than a poll's worth
 *   buffered, so that their fetches go together (startFetches). Buffered data is bounded: at most
 *   one poll's worth plus one fetched chunk (`max.partition.fetch.bytes`) per partition,
 *   `fetch.max.bytes` per response.
 * - The position is the next offset poll() will return. A partition without one gets it from
 *   `auto.offset.reset` (earliest / latest / none = OFFSET_OUT_OF_RANGE from poll), and so does
 *   one whose position fell out of the log (retention).
 * - Leader moves (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, unreachable broker) refresh the
 *   metadata and fetch again from the new leader after a backoff; positions are kept.
 * - The Fetches to a broker go on one FetchStream (fetch-transport.ts), or as unary Fetch calls to
 *   a broker that does not serve it; the answers are the same.
 */
import { fromGrpcError, type FetchPartitionResult__Output, type TokenSource } from '@sluice/proto';
import {
  ApiError,
  decodeRecordBatchInto,
  iterateBatches,
  TimestampType,
  type RecordBuilder,
  type RecordHeader,
} from '@sluice/protocol';
import { processRecord, recordReceiveSpans } from './consumer-tracing';
import { EndToEndLatencyHistogram } from './end-to-end-latency';
import type { TopicPartition } from './accumulator';
import { ClusterMetadata } from './cluster-metadata';
import { GroupMembership, type CommittedPosition } from './group-membership';
import { apiErrorFromName } from './errors';
import type { FetchClientOptions } from './fetch-client-options';
import { FetchTransport, type FetchTransportCounters } from './fetch-transport';
import { Wakeup } from './wakeup';
import { listOffsets, topicPartitionKey as keyOf, type OffsetAndTimestamp } from './list-offsets';
import { backoffMs } from './producer-config';

export type OffsetResetStrategy = 'earliest' | 'latest' | 'none';

export interface ConsumerOptions extends FetchClientOptions {
  /** `auto.offset.reset`, default latest. */
  readonly autoOffsetReset?: OffsetResetStrategy;
  /** `max.partition.fetch.bytes`, default 1 MiB. */
  readonly maxPartitionFetchBytes?: number;
  /** `max.poll.records`, default 500. */
  readonly maxPollRecords?: number;
  /**
   * group.id: join this consumer group (KIP-848) on subscribe(); the coordinator assigns the
   * partitions. Needs `coordinators` (addresses of the coordinator service).
   */
  readonly groupId?: string;
  readonly coordinators?: string | readonly string[];
  /**
   * group.instance.id: static membership. close() then leaves with epoch -2: the member keeps
   * its partitions (unconsumed) until its session times out, and a consumer that joins with the
   * same instance id within that time takes them back without a rebalance.
   */
  readonly groupInstanceId?: string;
  /** client.id, shown by `sluice group describe` (default sluice-client). */
  readonly clientId?: string;
  /** group.remote.assignor: uniform (default) or range. */
  readonly groupRemoteAssignor?: string;
  /**
   * Whether the group membership holds the coordinator's wake-up stream (default true; see
   * group-membership.ts): off, assignment changes are heard on heartbeats only.
   */
  readonly groupWakeups?: boolean;
  /** enable.auto.commit (default true with a group). */
  readonly enableAutoCommit?: boolean;
  /** auto.commit.interval.ms (default 5000). */
  readonly autoCommitIntervalMs?: number;
  /** max.poll.interval.ms, the member's rebalance timeout (default 300000). */
  readonly maxPollIntervalMs?: number;
}

export interface ConsumerRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: 'CreateTime' | 'LogAppendTime';
  readonly leaderEpoch: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

type Position =
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'reset'; readonly strategy: 'earliest' | 'latest' }
  | { readonly kind: 'unknown' };

interface PartitionState {
  readonly topicPartition: TopicPartition;
  position: Position;
  /**
   * Delivered-but-not-returned records, and where the fetch after them starts. At most
   * `max.poll.records` of them when the next fetch is sent (it prefetches while they are handed
   * out), so one fetch's worth beyond that bounds the buffer.
   */
  buffered: ConsumerRecord[];
  nextFetchOffset: number;
  /** Bumped by every seek, so an answer to an older fetch is dropped. */
  generation: number;
  /** Not fetched before this time (after an error). */
  retryAtMs: number;
  failures: number;
  /** An error poll() must raise (OFFSET_OUT_OF_RANGE with reset none, corrupt data). */
  error: ApiError | null;
  /**
   * The fetch holding this partition, if one is out: not fetched again from that broker until it
   * answers. A fetch to an old leader does not hold back one to the new leader (its answer is
   * then dropped as stale), so a hung broker cannot stall a partition that moved.
   */
  inFlight: { readonly brokerId: number; readonly fetchId: number } | null;
}

/**
 * Fetches one broker may have out at once from this consumer. With one (as Kafka's consumer) the
 * broker sits idle while its answer travels and is decoded, and a partition drained meanwhile
 * waits for it; two overlap the broker's read of the next answer with the transfer and decoding
 * of this one. Memory stays bounded per partition (each is in at most one fetch to its leader);
 * this bound keeps a consumer of many partitions from splitting them into many small long polls.
 */
export const MAX_FETCHES_IN_FLIGHT_PER_BROKER = 2;

/** Counters of the fetch pipeline (`Consumer.fetchStats()`). */
export interface ConsumerFetchStats {
  /** Fetch requests sent. */
  readonly fetchRequests: number;
  /** Record bytes received in fetch answers (whole batches, before filtering). */
  readonly fetchedBytes: number;
  /** The most Fetches that were out to one broker at the same time. */
  readonly maxFetchesInFlightPerBroker: number;
  /** Partitions asked for, summed over the Fetches sent (over fetchRequests: partitions per Fetch). */
  readonly partitionsFetched: number;
  /** Fetches answered on a broker's FetchStream, and as unary Fetch calls (fetch-transport.ts). */
  readonly streamAnswers: number;
  readonly unaryAnswers: number;
  /** FetchStreams opened, broken, and refused as unimplemented (a broker without the RPC). */
  readonly streamsOpened: number;
  readonly streamFailures: number;
  readonly fallbacksUnimplemented: number;
  /** FetchStreams of the current transports replaced before their token expired (KIP-368). */
  readonly streamsReplacedBeforeExpiry: number;
}

const LEADER_ERRORS = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'KAFKA_STORAGE_ERROR',
  'NETWORK_EXCEPTION',
  'REQUEST_TIMED_OUT',
  'NOT_ENOUGH_REPLICAS',
]);

export class Consumer implements AsyncIterable<ConsumerRecord> {
  readonly metadata: ClusterMetadata;
  private readonly autoOffsetReset: OffsetResetStrategy;
  private readonly fetchMaxWaitMs: number;
  private readonly fetchMinBytes: number;
  private readonly fetchMaxBytes: number;
  private readonly maxPartitionFetchBytes: number;
  private readonly maxPollRecords: number;
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  private readonly checkCrcs: boolean;
  private readonly partitions = new Map<string, PartitionState>();
  /** Fetches out per broker id (at most MAX_FETCHES_IN_FLIGHT_PER_BROKER each). */
  private readonly fetchesInFlight = new Map<number, number>();
  private nextFetchId = 1;
  /** Where the next poll starts taking records: partitions take turns (Kafka's fairness). */
  private drainStart = 0;
  private fetchStatsValue = { fetchRequests: 0, fetchedBytes: 0, maxFetchesInFlightPerBroker: 0, partitionsFetched: 0 };
  private readonly transportCounters: FetchTransportCounters = {
    streamAnswers: 0,
    unaryAnswers: 0,
    streamsOpened: 0,
    streamFailures: 0,
    fallbacksUnimplemented: 0,
  };
  /** The bearer token source, if any: a newer token replaces an idle FetchStream (KIP-368). */
  private readonly securityTokens: TokenSource | undefined;
  /** Per broker id, how its Fetches travel (one FetchStream, or unary calls as a fallback). */
  private readonly transports = new Map<number, FetchTransport>();
  private readonly wakeup = new Wakeup();
  private metadataRefresh: Promise<void> | null = null;
  private closed = false;
  /** The group this consumer is a member of (with groupId), else null. */
  readonly group: GroupMembership | null;
  private autoCommitTimer: NodeJS.Timeout | undefined;
  private readonly autoCommit: boolean;
  private lastPollMs = Date.now();
  private lastCommitted = new Map<string, number>();
  /**
   * Per topic, the time from each record's creation (CreateTime) to this consumer receiving it
   * from poll(); read it with `snapshot()` and export it as the application likes.
   */
  readonly endToEndLatency = new EndToEndLatencyHistogram();

  constructor(options: ConsumerOptions) {
    const positive = (key: string, value: number, min: number): number => {
      if (!Number.isSafeInteger(value) || value < min)
        throw new ApiError('INVALID_CONFIG', `${key}=${value} must be an integer >= ${min}`);
      return value;
    };
    this.autoOffsetReset = options.autoOffsetReset ?? 'latest';
    if (!['earliest', 'latest', 'none'].includes(this.autoOffsetReset))
      throw new ApiError(
        'INVALID_CONFIG',
        `auto.offset.reset=${String(this.autoOffsetReset)} must be earliest, latest or none`,
      );
    this.fetchMaxWaitMs = positive('fetch.max.wait.ms', options.fetchMaxWaitMs ?? 500, 0);
    this.fetchMinBytes = positive('fetch.min.bytes', options.fetchMinBytes ?? 1, 0);
    this.fetchMaxBytes = positive('fetch.max.bytes', options.fetchMaxBytes ?? 52_428_800, 1);
    this.maxPartitionFetchBytes = positive('max.partition.fetch.bytes', options.maxPartitionFetchBytes ?? 1_048_576, 1);
    this.maxPollRecords = positive('max.poll.records', options.maxPollRecords ?? 500, 1);
    this.requestTimeoutMs = positive('request.timeout.ms', options.requestTimeoutMs ?? 30_000, 1);
    this.retryBackoffMs = positive('retry.backoff.ms', options.retryBackoffMs ?? 100, 0);
    this.retryBackoffMaxMs = positive('retry.backoff.max.ms', options.retryBackoffMaxMs ?? 1_000, 0);
    this.checkCrcs = options.checkCrcs ?? true;
    this.securityTokens = options.security?.tokens;
    if (options.groupId !== undefined) {
      if (options.coordinators === undefined)
        throw new ApiError(
          'INVALID_CONFIG',
          "a consumer with group.id needs the coordinators' addresses (coordinators)",
        );
      const autoCommit = options.enableAutoCommit ?? true;
      this.autoCommit = autoCommit;
      const intervalMs = positive('auto.commit.interval.ms', options.autoCommitIntervalMs ?? 5_000, 1);
      this.group = new GroupMembership(
        {
          groupId: options.groupId,
          coordinators: options.coordinators,
          ...(options.security === undefined ? {} : { security: options.security }),
          ...(options.groupInstanceId === undefined ? {} : { groupInstanceId: options.groupInstanceId }),
          ...(options.groupRemoteAssignor === undefined ? {} : { groupRemoteAssignor: options.groupRemoteAssignor }),
          ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
          ...(options.groupWakeups === undefined ? {} : { wakeups: options.groupWakeups }),
          rebalanceTimeoutMs: positive('max.poll.interval.ms', options.maxPollIntervalMs ?? 300_000, 1),
          requestTimeoutMs: Math.min(this.requestTimeoutMs, 10_000),
          retryBackoffMs: this.retryBackoffMs,
          retryBackoffMaxMs: this.retryBackoffMaxMs,
        },
        {
          autoCommit,
          setAssignment: (owned, start) => this.applyGroupAssignment(owned, start),
          lastPollMs: () => this.lastPollMs,
          positions: (partitions) => this.positionsOf(partitions),
        },
      );
      if (autoCommit) {
        this.autoCommitTimer = setInterval(() => void this.commitAsync(), intervalMs);
        this.autoCommitTimer.unref();
      }
    } else {
      this.group = null;
      this.autoCommit = false;
    }
    this.metadata = new ClusterMetadata({
      bootstrap: options.bootstrap,
      ...(options.security === undefined ? {} : { security: options.security }),
      metadataMaxAgeMs: options.metadataMaxAgeMs ?? 300_000,
      requestTimeoutMs: Math.min(this.requestTimeoutMs, 10_000),
      ...(options.listenerName === undefined ? {} : { listenerName: options.listenerName }),
    });
  }

  // ------------------------------------------------------------------ assignment and positions

  /** Replaces the assignment. Partitions kept keep their positions. */
  assign(topicPartitions: readonly TopicPartition[]): void {
    this.ensureOpen();
    const wanted = new Map(topicPartitions.map((tp) => [keyOf(tp.topic, tp.partition), tp]));
    for (const tp of wanted.values()) {
      if (typeof tp.topic !== 'string' || tp.topic === '' || !Number.isInteger(tp.partition) || tp.partition < 0)
        throw new ApiError('INVALID_REQUEST', `bad topic partition ${JSON.stringify(tp)}`);
    }
    for (const key of [...this.partitions.keys()]) if (!wanted.has(key)) this.partitions.delete(key);
    for (const [key, tp] of wanted) {
      if (this.partitions.has(key)) continue;
      this.partitions.set(key, {
        topicPartition: { topic: tp.topic, partition: tp.partition },
        position: { kind: 'unknown' },
        buffered: [],
        nextFetchOffset: -1,
        generation: 0,
        retryAtMs: 0,
        failures: 0,
        error: null,
        inFlight: null,
      });
    }
  }

  /** Every partition of these topics (from the metadata). Unknown topics reject with UNKNOWN_TOPIC_OR_PARTITION. */
  async assignTopics(topics: readonly string[]): Promise<TopicPartition[]> {
    const assignment: TopicPartition[] = [];
    for (const topic of topics) {
      const partitions = await this.partitionsFor(topic);
      for (let partition = 0; partition < partitions; partition++) assignment.push({ topic, partition });
    }
    this.assign(assignment);
    return assignment;
  }

  /** The topic's partition count (refreshing the metadata when the topic is not known yet). */
  async partitionsFor(topic: string): Promise<number> {
    if (this.metadata.topic(topic) === undefined) await this.metadata.refresh([topic]);
    const known = this.metadata.topic(topic);
    if (known === undefined)
      throw (
        this.metadata.topicError(topic) ?? new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} does not exist`)
      );
    return known.partitions.length;
  }

  assignment(): TopicPartition[] {
    return [...this.partitions.values()].map((state) => state.topicPartition);
  }

  seek(topicPartition: TopicPartition, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new ApiError('INVALID_REQUEST', `offset ${offset} must be a non-negative integer`);
    this.setPosition(this.state(topicPartition), { kind: 'offset', offset });
  }

  /** Lazy, as Kafka: the next poll() (or position()) asks the leader for the log start offset. */
  seekToBeginning(topicPartitions: readonly TopicPartition[] = this.assignment()): void {
    for (const tp of topicPartitions) this.setPosition(this.state(tp), { kind: 'reset', strategy: 'earliest' });
  }

  /** Lazy: the next poll() starts at the high watermark. */
  seekToEnd(topicPartitions: readonly TopicPartition[] = this.assignment()): void {
    for (const tp of topicPartitions) this.setPosition(this.state(tp), { kind: 'reset', strategy: 'latest' });
  }

  /** Seeks each partition to its first record with a timestamp >= `timestampMs`, or to its end when none is. */
  async seekToTimestamp(
    timestampMs: number,
    topicPartitions: readonly TopicPartition[] = this.assignment(),
  ): Promise<void> {
    const found = await this.offsetsForTimes(topicPartitions, timestampMs);
    for (const tp of topicPartitions) {
      const answer = found.get(keyOf(tp.topic, tp.partition));
      this.setPosition(
        this.state(tp),
        answer === undefined || answer.offset < 0
          ? { kind: 'reset', strategy: 'latest' }
          : { kind: 'offset', offset: answer.offset },
      );
    }
  }

  /** The next offset poll() returns for the partition, resolving a pending reset first. */
  async position(topicPartition: TopicPartition): Promise<number> {
    const state = this.state(topicPartition);
    await this.resolvePositions([state]);
    if (state.position.kind !== 'offset')
      throw (
        state.error ??
        new ApiError('OFFSET_OUT_OF_RANGE', `no position for ${topicPartition.topic}-${topicPartition.partition}`)
      );
    return state.position.offset;
  }

  private state(topicPartition: TopicPartition): PartitionState {
    const state = this.partitions.get(keyOf(topicPartition.topic, topicPartition.partition));
    if (state === undefined)
      throw new ApiError(
        'INVALID_REQUEST',
        `${topicPartition.topic}-${topicPartition.partition} is not assigned to this consumer`,
      );
    return state;
  }

  private setPosition(state: PartitionState, position: Position): void {
    state.position = position;
    state.buffered = [];
    state.nextFetchOffset = -1;
    state.generation++;
    state.error = null;
    state.retryAtMs = 0;
    // The fetch out (if any) answers for the old position and is dropped: do not wait for it.
    state.inFlight = null;
  }

  // ------------------------------------------------------------------ offsets lookups

  beginningOffsets(topicPartitions: readonly TopicPartition[]): Promise<Map<string, OffsetAndTimestamp>> {
    return this.listOffsets(topicPartitions, -2);
  }

  /** The high watermarks: where a consumer reading everything committed would stop. */
  endOffsets(topicPartitions: readonly TopicPartition[]): Promise<Map<string, OffsetAndTimestamp>> {
    return this.listOffsets(topicPartitions, -1);
  }

  offsetsForTimes(
    topicPartitions: readonly TopicPartition[],
    timestampMs: number,
  ): Promise<Map<string, OffsetAndTimestamp>> {
    if (!Number.isSafeInteger(timestampMs) || timestampMs < 0)
      return Promise.reject(
        new ApiError('INVALID_REQUEST', `timestamp ${timestampMs} must be a non-negative integer of ms`),
      );
    return this.listOffsets(topicPartitions, timestampMs);
  }

  /** Key of a topic partition in the maps these lookups return. */
  static key(topicPartition: TopicPartition): string {
    return keyOf(topicPartition.topic, topicPartition.partition);
  }

  private listOffsets(
    topicPartitions: readonly TopicPartition[],
    timestamp: number,
  ): Promise<Map<string, OffsetAndTimestamp>> {
    return listOffsets(this.metadata, topicPartitions, timestamp, {
      requestTimeoutMs: this.requestTimeoutMs,
      retryBackoffMs: this.retryBackoffMs,
      retryBackoffMaxMs: this.retryBackoffMaxMs,
      isClosed: () => this.closed,
    });
  }

  // ------------------------------------------------------------------ poll

  /**
   * Up to `max.poll.records` records from the assigned partitions, waiting at most `timeoutMs`
   * for some to arrive; [] on timeout. Raises OFFSET_OUT_OF_RANGE (reset none), CORRUPT_MESSAGE
   * and other non-retriable errors of a partition once, clearing them.
   */
  async poll(timeoutMs: number): Promise<ConsumerRecord[]> {
    this.ensureOpen();
    const startMs = (this.lastPollMs = Date.now());
    this.group?.onPoll();
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      const states = [...this.partitions.values()];
      const failed = states.find((state) => state.error !== null);
      if (failed !== undefined) {
        const error = failed.error!;
        failed.error = null;
        throw error;
      }
      const records = this.drainBuffered();
      if (records.length > 0) {
        // Kafka's pipelining: the next fetches travel while the application handles these.
        this.startFetches();
        return this.received(records, startMs);
      }
      await this.resolvePositions(states.filter((state) => state.position.kind !== 'offset')).catch(() => undefined);
      this.startFetches();
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) return [];
      await this.wakeup.wait(Math.min(left, this.nextRetryInMs()));
    }
  }

  /**
   * Runs `handle(record)` inside a `process {topic}` span whose parent is the record's creation
   * context (its traceparent header): the record's trace ends with the application's work. Without
   * a tracing SDK it only calls the handler.
   */
  process<T>(record: ConsumerRecord, handle: (record: ConsumerRecord) => T | Promise<T>): Promise<T> {
    return processRecord(record, handle, this.group === null ? {} : { group: this.group.groupId });
  }

  /** What a poll returns passes here once: end-to-end times, and receive spans when tracing. */
  private received(records: ConsumerRecord[], startMs: number): ConsumerRecord[] {
    const nowMs = Date.now();
    for (const record of records) this.endToEndLatency.observe(record.topic, record.timestamp, nowMs);
    recordReceiveSpans(records, startMs, this.group === null ? {} : { group: this.group.groupId });
    return records;
  }

  /** Polls until close(), one record at a time. */
  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    while (!this.closed) {
      const records = await this.poll(1_000);
      for (const record of records) yield record;
    }
  }

  /**
   * Up to max.poll.records buffered records, starting with the partition after the one the last
   * poll started with, so that with more buffered than one poll takes, every partition's records
   * (and the fetches ahead its draining starts) get their turn instead of the first one's.
   */
  private drainBuffered(): ConsumerRecord[] {
    const records: ConsumerRecord[] = [];
    const states = [...this.partitions.values()];
    if (states.length === 0) return records;
    const start = this.drainStart % states.length;
    this.drainStart = start + 1;
    for (let i = 0; i < states.length && records.length < this.maxPollRecords; i++) {
      const state = states[(start + i) % states.length]!;
      if (state.buffered.length === 0 || state.position.kind !== 'offset') continue;
      const take = state.buffered.splice(0, this.maxPollRecords - records.length);
      for (const record of take) records.push(record);
      const next = state.buffered.length > 0 ? state.buffered[0]!.offset : state.nextFetchOffset;
      state.position = { kind: 'offset', offset: next };
    }
    return records;
  }

  /** The fetch pipeline's counters since the consumer was created. */
  fetchStats(): ConsumerFetchStats {
    const streamsReplacedBeforeExpiry = [...this.transports.values()].reduce(
      (sum, transport) => sum + transport.replacedBeforeExpiry,
      0,
    );
    return { ...this.fetchStatsValue, ...this.transportCounters, streamsReplacedBeforeExpiry };
  }

  private nextRetryInMs(): number {
    const nowMs = Date.now();
    let wait = this.fetchMaxWaitMs + 100;
    for (const state of this.partitions.values())
      if (state.retryAtMs > nowMs) wait = Math.min(wait, state.retryAtMs - nowMs);
    return Math.max(1, wait);
  }

  /** Resolves pending resets (and unknown positions by auto.offset.reset) with ListOffsets. */
  private async resolvePositions(states: readonly PartitionState[]): Promise<void> {
    const earliest: PartitionState[] = [];
    const latest: PartitionState[] = [];
    for (const state of states) {
      if (state.position.kind === 'offset') continue;
      if (state.retryAtMs > Date.now()) continue;
      const strategy = state.position.kind === 'reset' ? state.position.strategy : this.autoOffsetReset;
      if (strategy === 'none') {
        state.error ??= new ApiError(
          'OFFSET_OUT_OF_RANGE',
          `no position for ${state.topicPartition.topic}-${state.topicPartition.partition} and auto.offset.reset is none: seek first`,
        );
        continue;
      }
      (strategy === 'earliest' ? earliest : latest).push(state);
    }
    for (const [list, timestamp] of [
      [earliest, -2],
      [latest, -1],
    ] as const) {
      if (list.length === 0) continue;
      const generations = list.map((state) => state.generation);
      try {
        const offsets = await this.listOffsets(
          list.map((state) => state.topicPartition),
          timestamp,
        );
        list.forEach((state, i) => {
          const answer = offsets.get(keyOf(state.topicPartition.topic, state.topicPartition.partition));
          if (
            answer === undefined ||
            state.generation !== generations[i] ||
            !this.partitions.has(keyOf(state.topicPartition.topic, state.topicPartition.partition))
          )
            return;
          this.setPosition(state, { kind: 'offset', offset: answer.offset });
        });
      } catch (error) {
        const apiError = error instanceof ApiError ? error : fromGrpcError(error);
        for (const state of list) {
          if (apiError.retriable) this.backOff(state);
          else state.error = apiError;
        }
      }
    }
  }

  private backOff(state: PartitionState): void {
    state.failures++;
    state.retryAtMs = Date.now() + backoffMs(state.failures, this.retryBackoffMs, this.retryBackoffMaxMs);
  }

  /**
   * Starts one Fetch per leader broker that has fetchable partitions and fewer than
   * MAX_FETCHES_IN_FLIGHT_PER_BROKER fetches out. A partition still holding up to one poll's worth
   * of records is fetched ahead, from where its buffer ends, so a backlog read does not wait a
   * round trip after every fetch; one already in a fetch to its leader waits for that answer.
   *
   * A broker whose fetch would leave out one of its partitions only because that partition's
   * buffer holds more than a poll's worth waits until that buffer drains (poll() hands it out),
   * then fetches them together: in a backlog read each partition's buffer drains in its turn, and
   * fetching each the moment it drained made every Fetch carry one partition. grpc-js's cost per
   * call is large next to the answer's (docs/performance.md section 21: in a gRPC Fetch loop, one
   * 1 MiB partition per call cost the client about 10-20% more CPU per GB than two), and the records
   * buffered for the other partitions keep poll() busy meanwhile. A consumer that keeps up
   * (buffers below a poll's worth) is never held back.
   */
  private startFetches(): void {
    const nowMs = Date.now();
    const byBroker = new Map<number, { address: string; states: PartitionState[] }>();
    /** Brokers leading a partition that is fetchable but for its buffer: their fetches wait for it. */
    const heldBack = new Set<number>();
    let missingLeader = false;
    for (const state of this.partitions.values()) {
      if (state.position.kind !== 'offset' || state.error !== null || state.retryAtMs > nowMs) continue;
      const leader = this.metadata.leaderFor(state.topicPartition.topic, state.topicPartition.partition);
      if (leader === undefined) {
        missingLeader = true;
        continue;
      }
      if (state.inFlight?.brokerId === leader.brokerId) continue;
      if (state.buffered.length > this.maxPollRecords) {
        heldBack.add(leader.brokerId);
        continue;
      }
      if ((this.fetchesInFlight.get(leader.brokerId) ?? 0) >= MAX_FETCHES_IN_FLIGHT_PER_BROKER) continue;
      const entry = byBroker.get(leader.brokerId) ?? { address: leader.address, states: [] };
      entry.states.push(state);
      byBroker.set(leader.brokerId, entry);
    }
    if (missingLeader || this.metadata.isStale()) void this.refreshMetadata();
    for (const [brokerId, { address, states }] of byBroker)
      if (!heldBack.has(brokerId)) this.fetchFrom(brokerId, address, states);
  }

  private fetchFrom(brokerId: number, address: string, states: PartitionState[]): void {
    const inFlight = { brokerId, fetchId: this.nextFetchId++ };
    const fetchesOut = (this.fetchesInFlight.get(brokerId) ?? 0) + 1;
    if (fetchesOut > MAX_FETCHES_IN_FLIGHT_PER_BROKER)
      throw new Error(`consumer invariant: ${fetchesOut} fetches out to broker ${brokerId}`);
    this.fetchesInFlight.set(brokerId, fetchesOut);
    const stats = this.fetchStatsValue;
    stats.fetchRequests++;
    stats.partitionsFetched += states.length;
    stats.maxFetchesInFlightPerBroker = Math.max(stats.maxFetchesInFlightPerBroker, fetchesOut);
    for (const state of states) state.inFlight = inFlight;
    const sent = states.map((state) => ({
      state,
      generation: state.generation,
      // Behind buffered records the fetch continues where they end (the position is their first).
      fetchOffset: state.buffered.length > 0 ? state.nextFetchOffset : (state.position as { offset: number }).offset,
    }));
    const topics = new Map<
      string,
      {
        partition: number;
        fetchOffset: number;
        currentLeaderEpoch: number;
        lastFetchedEpoch: number;
        logStartOffset: number;
        partitionMaxBytes: number;
      }[]
    >();
    for (const { state, fetchOffset } of sent) {
      const { topic, partition } = state.topicPartition;
      const list = topics.get(topic) ?? [];
      list.push({
        partition,
        fetchOffset,
        currentLeaderEpoch: this.metadata.leaderFor(topic, partition)?.leaderEpoch ?? -1,
        lastFetchedEpoch: -1,
        logStartOffset: -1,
        partitionMaxBytes: this.maxPartitionFetchBytes,
      });
      topics.set(topic, list);
    }
    const request = {
      replicaId: -1,
      replicaEpoch: -1,
      maxWaitMs: this.fetchMaxWaitMs,
      minBytes: this.fetchMinBytes,
      maxBytes: this.fetchMaxBytes,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    };
    this.transportTo(brokerId, address)
      .fetch(request, this.requestTimeoutMs + this.fetchMaxWaitMs)
      .then(
        (response) => {
          const results = new Map<string, FetchPartitionResult__Output>();
          for (const topic of response.topics)
            for (const p of topic.partitions) {
              results.set(keyOf(topic.name, p.partition), p);
              stats.fetchedBytes += p.records.length;
            }
          for (const { state, generation, fetchOffset } of sent) {
            const key = keyOf(state.topicPartition.topic, state.topicPartition.partition);
            const result = results.get(key);
            // Seeked, unassigned or re-fetched meanwhile: the answer is for a position no one holds.
            if (result === undefined || state.generation !== generation || this.partitions.get(key) !== state) continue;
            this.onFetched(state, fetchOffset, result);
          }
        },
        (error: unknown) => {
          const apiError = error instanceof ApiError ? error : fromGrpcError(error);
          for (const { state, generation } of sent) if (state.generation === generation) this.backOff(state);
          if (LEADER_ERRORS.has(apiError.errorName) || apiError.retriable) void this.refreshMetadata();
        },
      )
      .finally(() => {
        for (const { state } of sent) if (state.inFlight === inFlight) state.inFlight = null;
        const left = (this.fetchesInFlight.get(brokerId) ?? 0) - 1;
        if (left > 0) this.fetchesInFlight.set(brokerId, left);
        else this.fetchesInFlight.delete(brokerId);
        this.wakeup.notify();
      });
  }

  /** The broker's transport, new when the broker's address (so its channel) changed. */
  private transportTo(brokerId: number, address: string): FetchTransport {
    const client = this.metadata.client(address);
    const known = this.transports.get(brokerId);
    if (known !== undefined && known.client === client) return known;
    known?.close();
    const transport = new FetchTransport(client, this.transportCounters, true, this.securityTokens);
    this.transports.set(brokerId, transport);
    return transport;
  }

  private onFetched(state: PartitionState, fetchOffset: number, result: FetchPartitionResult__Output): void {
    const { topic, partition } = state.topicPartition;
    const prefetched = state.buffered.length > 0;
    // Where this partition's records continue now. Another answer may have moved it since this
    // fetch left (two fetches of one partition, to an old and a new leader): this one is then stale.
    const continuesAt = prefetched
      ? state.nextFetchOffset
      : state.position.kind === 'offset'
        ? state.position.offset
        : -1;
    if (fetchOffset !== continuesAt) return;
    if (result.errorName !== '' && result.errorName !== 'NONE') {
      // A fetch ahead of buffered records: those records come first, so the error is not acted on
      // (no reset, nothing raised) until they are handed out; the fetch is retried after a backoff.
      if (prefetched) {
        this.backOff(state);
        return;
      }
      const error = apiErrorFromName(result.errorName, result.errorMessage);
      if (error.errorName === 'OFFSET_OUT_OF_RANGE') {
        if (this.autoOffsetReset === 'none')
          state.error = new ApiError(
            'OFFSET_OUT_OF_RANGE',
            `${topic}-${partition}: offset ${fetchOffset} is out of range (${error.message}) and auto.offset.reset is none`,
          );
        else this.setPosition(state, { kind: 'reset', strategy: this.autoOffsetReset });
        return;
      }
      if (LEADER_ERRORS.has(error.errorName) || error.retriable) {
        this.backOff(state);
        void this.refreshMetadata();
        return;
      }
      state.error = error;
      return;
    }
    state.failures = 0;
    const records: ConsumerRecord[] = [];
    let nextFetchOffset = fetchOffset;
    // Each record is built once, straight from the answer's bytes: key and value are views into
    // the answer (grpc-js assembled it into one Buffer per message, which nothing reuses).
    const build: RecordBuilder<ConsumerRecord> = (batch, offset, timestamp, key, value, headers) => ({
      topic,
      partition,
      offset,
      timestamp,
      timestampType: batch.timestampType === TimestampType.LogAppendTime ? 'LogAppendTime' : 'CreateTime',
      leaderEpoch: batch.partitionLeaderEpoch,
      key,
      value,
      headers,
    });
    try {
      for (const view of iterateBatches(result.records, { allowPartialTail: true })) {
        // A control batch's records are checked, never handed out; nor are those before the fetch.
        const batch = decodeRecordBatchInto(view, build, records, {
          verifyCrc: this.checkCrcs,
          fromOffset: view.isControl ? Number.POSITIVE_INFINITY : fetchOffset,
        });
        const lastOffset = batch.baseOffset + batch.lastOffsetDelta;
        if (lastOffset >= fetchOffset) nextFetchOffset = Math.max(nextFetchOffset, lastOffset + 1);
      }
    } catch (error) {
      if (prefetched) {
        this.backOff(state);
        return;
      }
      state.error = new ApiError(
        'CORRUPT_MESSAGE',
        `${topic}-${partition} at offset ${fetchOffset}: ${(error as Error).message}`,
      );
      return;
    }
    if (result.records.length > 0 && nextFetchOffset === fetchOffset) {
      if (prefetched) {
        this.backOff(state);
        return;
      }
      // A batch larger than max.partition.fetch.bytes came back cut: Kafka's KIP-74 answer is the
      // whole first batch, so this means the broker broke that promise; say so instead of spinning.
      state.error = new ApiError(
        'MESSAGE_TOO_LARGE',
        `${topic}-${partition}: the batch at offset ${fetchOffset} is larger than the ${result.records.length} bytes fetched`,
      );
      return;
    }
    if (prefetched) for (const record of records) state.buffered.push(record);
    else state.buffered = records;
    state.nextFetchOffset = nextFetchOffset;
    // With records still buffered, handing them out moves the position (drainBuffered).
    if (state.buffered.length === 0) state.position = { kind: 'offset', offset: nextFetchOffset };
  }

  private refreshMetadata(): Promise<void> {
    this.metadataRefresh ??= this.metadata
      .refresh(this.assignment().map((tp) => tp.topic))
      .catch(() => undefined)
      .finally(() => {
        this.metadataRefresh = null;
        this.wakeup.notify();
      });
    return this.metadataRefresh;
  }

  private ensureOpen(): void {
    if (this.closed) throw new ApiError('INVALID_REQUEST', 'the consumer is closed');
  }

  // ------------------------------------------------------------------ groups

  /**
   * Joins the consumer group with this subscription (needs groupId); the coordinator assigns
   * partitions. A RegExp subscribes to every topic whose whole name it matches, now or later
   * (resolved by the coordinator; flags, lookaround and backreferences are refused, see topic-regex.ts).
   */
  subscribe(topics: readonly string[] | RegExp): void {
    this.ensureOpen();
    if (this.group === null)
      throw new ApiError('INVALID_CONFIG', 'subscribe() needs a group.id; use assign() without one');
    this.group.subscribe(topics);
  }

  /** Commits what poll() handed out for the owned partitions (or the given positions), at the member epoch. */
  async commitSync(positions?: readonly CommittedPosition[]): Promise<void> {
    if (this.group === null) throw new ApiError('INVALID_CONFIG', 'committing offsets needs a group.id');
    const toCommit = positions ?? this.positionsOf(this.assignment());
    await this.group.commit(toCommit);
    for (const { topicPartition, offset } of toCommit)
      this.lastCommitted.set(keyOf(topicPartition.topic, topicPartition.partition), offset);
  }

  /** commitSync without waiting; failures are kept in `group.error` (the next commit retries). */
  async commitAsync(): Promise<void> {
    if (this.group === null || this.closed) return;
    const changed = this.positionsOf(this.assignment()).filter(
      (p) => this.lastCommitted.get(keyOf(p.topicPartition.topic, p.topicPartition.partition)) !== p.offset,
    );
    if (changed.length === 0) return;
    await this.commitSync(changed).catch(() => undefined);
  }

  /** The group's committed offsets (-1: none). */
  async committed(topicPartitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    if (this.group === null) throw new ApiError('INVALID_CONFIG', 'committed offsets need a group.id');
    const found = await this.group.fetchCommitted(topicPartitions);
    return new Map(
      topicPartitions.map((tp) => [keyOf(tp.topic, tp.partition), found.get(keyOf(tp.topic, tp.partition)) ?? -1]),
    );
  }

  /** Per owned partition: high watermark minus position (records not yet consumed). */
  async lag(): Promise<Map<string, number>> {
    const assignment = this.assignment();
    const ends = await this.endOffsets(assignment);
    const result = new Map<string, number>();
    for (const { topicPartition, offset } of this.positionsOf(assignment)) {
      const end = ends.get(keyOf(topicPartition.topic, topicPartition.partition));
      if (end !== undefined)
        result.set(keyOf(topicPartition.topic, topicPartition.partition), Math.max(0, end.offset - offset));
    }
    return result;
  }

  private positionsOf(partitions: readonly TopicPartition[]): CommittedPosition[] {
    const positions: CommittedPosition[] = [];
    for (const tp of partitions) {
      const state = this.partitions.get(keyOf(tp.topic, tp.partition));
      if (state?.position.kind === 'offset')
        positions.push({ topicPartition: state.topicPartition, offset: state.position.offset });
    }
    return positions;
  }

  private applyGroupAssignment(owned: readonly TopicPartition[], start: ReadonlyMap<string, number | null>): void {
    if (this.closed) return;
    this.assign(owned);
    for (const [key, offset] of start) {
      const state = this.partitions.get(key);
      if (state !== undefined && offset !== null) this.setPosition(state, { kind: 'offset', offset });
    }
    this.wakeup.notify();
  }

  /** Commits (with auto commit) and leaves the group, then closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.autoCommitTimer);
    if (this.group !== null) {
      if (this.group.epoch > 0 && this.autoCommit) await this.commitSync().catch(() => undefined);
      await this.group.leave();
    }
    this.closed = true;
    this.wakeup.notify();
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.metadata.close();
  }
}
