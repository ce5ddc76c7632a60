/**
 * The broker's partitions (Kafka's ReplicaManager, thin): applies metadata images (become
 * leader / follower, open logs under log.dirs/<topic>-<partition>), serves Produce, Fetch,
 * ListOffsets and OffsetForLeaderEpoch on top of the pure cores, and carries out their effects
 * (answer acks=all waiters, send AlterPartition). Decisions stay in core/.
 */
import { join } from 'node:path';
import { readHighWatermarks, writeHighWatermarks, HIGH_WATERMARK_CHECKPOINT_FILE } from './high-watermark-checkpoint';
import { defaultLogConfig, isCompacted, LogError, parseLogConfig, PartitionLog, type LogConfig } from '@sluice/log';
import type { MetadataImage } from '@sluice/metadata';
import { ApiError, CorruptRecordError, decodeRecordBatches, iterateBatches } from '@sluice/protocol';
import type { Logger } from '@sluice/runtime';
import { parseAcks } from '../core/acks';
import { answerOffsetForLeaderEpoch } from '../core/offset-for-leader-epoch';
import {
  PartitionLeader,
  type AlterPartitionProposal,
  type AlterPartitionResult,
  type ReplicationEffects,
} from '../core/partition-leader';
import { ProducerStateManager, producerBatchOf, type ProducerBatch } from '../core/producer-state';
import { producerBatchesInLog } from '../core/producer-state-rebuild';
// Requests as they arrive (`__Output`: int64 as strings, defaults filled); answers as sent.
import type {
  FetchPartitionResult,
  FetchRequest__Output as FetchRequest,
  FetchResponse,
  ItemError,
  ListOffsetsPartitionResult,
  ListOffsetsRequest__Output as ListOffsetsRequest,
  ListOffsetsResponse,
  OffsetForLeaderEpochPartitionResult,
  OffsetForLeaderEpochRequest__Output as OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  ProducePartitionResult,
  ProduceRequest__Output as ProduceRequest,
  ProduceResponse,
} from '@sluice/proto';
import { PartitionReplica } from './partition-replica';

export interface ReplicaManagerOptions {
  readonly brokerId: number;
  readonly logDir: string;
  readonly log: Logger;
  readonly maxMessageBytes: number;
  readonly minInsyncReplicas: number;
  readonly replicaLagTimeMaxMs: number;
  /** Kafka's log.retention.check.interval.ms (default 300000). */
  readonly retentionCheckIntervalMs?: number;
  /** Kafka's log.cleaner.backoff.ms (default 15000): how often compacted logs get a cleaning pass. */
  readonly logCleanerBackoffMs?: number;
  /** Kafka's log.cleaner.dedupe.buffer.size (default 128 MiB): bound on one pass's key map. */
  readonly logCleanerDedupeBufferBytes?: number;
  /** Sends one AlterPartition item to the controller; resolves with its answer. */
  readonly alterPartition: (
    replica: PartitionReplica,
    proposal: AlterPartitionProposal,
  ) => Promise<AlterPartitionResult>;
  /** Follower partitions changed (leader or epoch): the fetchers re-plan. */
  readonly onFollowersChanged: () => void;
  readonly nowMs?: () => number;
}

/** Bounds on one request: a client cannot make the broker wait or read without limit. */
const MAX_PRODUCE_TIMEOUT_MS = 300_000;
const MAX_FETCH_WAIT_MS = 30_000;
const DEFAULT_FETCH_MAX_BYTES = 50 * 1024 * 1024;
/** Kafka's replica.high.watermark.checkpoint.interval.ms. */
const HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS = 5_000;
/** Kafka's log.retention.check.interval.ms default. */
const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000;
/** Kafka's log.cleaner.backoff.ms default. */
const DEFAULT_LOG_CLEANER_BACKOFF_MS = 15_000;
/** Kafka's producer.id.expiration.check.interval.ms. */
const PRODUCER_EXPIRY_INTERVAL_MS = 600_000;

function errorFields(error: unknown): Required<ItemError> {
  if (error instanceof ApiError) return { errorName: error.errorName, errorMessage: error.message };
  if (error instanceof LogError) return { errorName: error.code, errorMessage: error.message };
  // A batch whose bytes do not check out (CRC, header) is the client's fault, as in Kafka.
  if (error instanceof CorruptRecordError) return { errorName: 'CORRUPT_MESSAGE', errorMessage: error.message };
  throw error;
}

/** Whether a data batch in `records` holds a record with a null key (decompresses as needed). */
function hasKeylessRecord(records: Buffer): boolean {
  return decodeRecordBatches(records, { verifyCrc: false }).some(
    (batch) => !batch.isControl && batch.records.some((record) => record.key === null),
  );
}

export class ReplicaManager {
  private readonly replicas = new Map<string, PartitionReplica>();
  private readonly ackResolvers = new Map<string, Map<number, (error: ApiError | null) => void>>();
  private image: MetadataImage | undefined;
  private fencedValue = true;
  private readonly now: () => number;
  /** Broker-level log settings a topic's configs override. */
  private readonly logConfig: LogConfig;
  private deletedSegments = 0;
  private compactedRecords = 0;
  private timers: NodeJS.Timeout[] = [];
  private lastProducerExpiryMs = 0;
  /** High watermarks read at start (Kafka's replication-offset-checkpoint), by `<topic>-<partition>`. */
  private readonly checkpointedHighWatermarks: Map<string, number>;
  private lastWrittenHighWatermarks = new Map<string, number>();

  constructor(private readonly options: ReplicaManagerOptions) {
    this.now = options.nowMs ?? Date.now;
    this.logConfig = { ...defaultLogConfig, maxMessageBytes: options.maxMessageBytes };
    this.checkpointedHighWatermarks = readHighWatermarks(
      join(options.logDir, HIGH_WATERMARK_CHECKPOINT_FILE),
      options.log,
    );
  }

  /** A fenced broker serves no writes (Kafka: it leads nothing until unfenced). */
  setFenced(fenced: boolean): void {
    this.fencedValue = fenced;
  }
  get fenced(): boolean {
    return this.fencedValue;
  }

  start(): void {
    this.lastProducerExpiryMs = this.now();
    // A failed invariant inside a timer is logged, not left to crash the process on the spot.
    const guarded = (what: string, run: () => void) => (): void => {
      try {
        run();
      } catch (error) {
        this.options.log.error({ err: error }, `${what} failed`);
      }
    };
    this.timers.push(
      setInterval(
        guarded('ISR check', () => this.tick()),
        Math.max(10, Math.floor(this.options.replicaLagTimeMaxMs / 2)),
      ),
    );
    this.timers.push(
      setInterval(
        guarded('acks=all expiry', () => this.expireAcks()),
        100,
      ),
    );
    this.timers.push(
      setInterval(
        guarded('high watermark checkpoint', () => this.checkpointHighWatermarks()),
        HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS,
      ),
    );
    this.timers.push(
      setInterval(
        guarded('retention', () => this.runRetention()),
        this.options.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS,
      ),
    );
    this.timers.push(
      setInterval(
        guarded('log cleaner', () => this.runCompaction()),
        this.options.logCleanerBackoffMs ?? DEFAULT_LOG_CLEANER_BACKOFF_MS,
      ),
    );
  }

  /** Records compaction removed since start (all partitions), for /metrics. */
  get compactionRemovedRecords(): number {
    return this.compactedRecords;
  }

  /**
   * One cleaner pass (Kafka's LogCleaner, on the event loop here): every local log whose topic's
   * cleanup.policy includes compact is compacted below its replica's high watermark (a leader's
   * followers may still fetch above it; a follower's suffix there may be truncated). The log
   * decides whether it is dirty enough; time/size retention of compact-only logs is skipped by
   * the log itself (retention still drops segments below the log start offset).
   * Returns the number of records removed.
   */
  runCompaction(nowMs: number = this.now()): number {
    let removed = 0;
    for (const replica of this.replicas.values()) {
      if (replica.role.kind === 'offline' || !isCompacted(replica.log.config)) continue;
      try {
        const result = replica.log.compact(nowMs, {
          maxOffset: replica.highWatermark,
          dedupeBufferBytes: this.options.logCleanerDedupeBufferBytes,
        });
        removed += result.recordsRemoved;
      } catch (error) {
        this.options.log.error({ partition: replica.key, err: error }, 'compaction failed');
      }
    }
    this.compactedRecords += removed;
    return removed;
  }

  /** Segments deleted by retention since start (all partitions), for /metrics. */
  get retentionDeletedSegments(): number {
    return this.deletedSegments;
  }

  /**
   * One retention pass (Kafka's LogManager cleanupLogs): every local log applies its topic's
   * retention.ms / retention.bytes and drops segments wholly below its log start offset, but
   * never a segment holding an offset at or above the replica's high watermark (Kafka deletes a
   * segment only when the next one's base offset is <= the high watermark): a leader must not
   * drop records its followers may still need to fetch, nor a follower its uncommitted suffix.
   * Returns the number of segments deleted.
   */
  runRetention(nowMs: number = this.now()): number {
    let deleted = 0;
    for (const replica of this.replicas.values()) {
      if (replica.role.kind === 'offline') continue;
      const before = replica.log.logStartOffset;
      try {
        deleted += replica.log.deleteOldSegments(nowMs, { maxOffset: replica.highWatermark });
      } catch (error) {
        this.options.log.error({ partition: replica.key, err: error }, 'retention failed');
        continue;
      }
      if (replica.log.logStartOffset !== before) {
        this.options.log.info(
          { partition: replica.key, logStartOffset: replica.log.logStartOffset },
          'retention moved the log start offset',
        );
      }
    }
    this.deletedSegments += deleted;
    return deleted;
  }

  /** Writes every partition's high watermark when one changed since the last write. */
  checkpointHighWatermarks(): void {
    const current = new Map([...this.replicas.values()].map((r) => [r.key, r.highWatermark]));
    if (
      current.size === this.lastWrittenHighWatermarks.size &&
      [...current].every(([key, hw]) => this.lastWrittenHighWatermarks.get(key) === hw)
    )
      return;
    try {
      writeHighWatermarks(join(this.options.logDir, HIGH_WATERMARK_CHECKPOINT_FILE), current);
      this.lastWrittenHighWatermarks = current;
    } catch (error) {
      this.options.log.error({ err: error }, 'high watermark checkpoint not written');
    }
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.checkpointHighWatermarks();
    for (const replica of this.replicas.values()) {
      if (replica.role.kind === 'leader') this.answer(replica, replica.role.core.resign());
      replica.role = { kind: 'offline' };
      replica.changed();
      replica.log.close();
    }
    this.replicas.clear();
  }

  replica(topic: string, partition: number): PartitionReplica | undefined {
    return this.replicas.get(`${topic}-${partition}`);
  }

  /** Follower replicas grouped by leader broker id, for the fetchers. */
  followersByLeader(): Map<number, PartitionReplica[]> {
    const byLeader = new Map<number, PartitionReplica[]>();
    for (const replica of this.replicas.values()) {
      if (replica.role.kind !== 'follower') continue;
      const list = byLeader.get(replica.role.leaderId) ?? [];
      list.push(replica);
      byLeader.set(replica.role.leaderId, list);
    }
    return byLeader;
  }

  // ------------------------------------------------------------------ metadata

  applyImage(image: MetadataImage): void {
    const previous = this.image;
    this.image = image;
    const nowMs = this.now();
    const me = this.options.brokerId;
    const brokers = image.cluster.brokers();
    const ineligible = brokers.filter((b) => b.fenced).map((b) => b.brokerId);
    const brokerEpochs = new Map(brokers.map((b) => [b.brokerId, b.brokerEpoch]));
    let followersChanged = false;
    // Kafka's dynamic topic configs: an open log takes its topic's changed settings.
    const configsChanged = previous !== undefined && previous.configs !== image.configs;
    for (const topic of image.topics.topics()) {
      if (configsChanged) this.updateLogConfigs(topic.name, topic.partitionCount);
      for (let p = 0; p < topic.partitionCount; p++) {
        const reg = topic.partition(p);
        if (reg === undefined || !reg.replicas.includes(me)) continue;
        const registration = {
          leader: reg.leader,
          leaderEpoch: reg.leaderEpoch,
          partitionEpoch: reg.partitionEpoch,
          replicas: [...reg.replicas],
          isr: [...reg.isr],
        };
        const replica = this.ensureReplica(topic.name, topic.topicId, p);
        const role = replica.role;
        if (reg.leader === me) {
          if (role.kind === 'leader') {
            const outcome = role.core.applyRegistration(registration, nowMs, ineligible);
            if (outcome.kind === 'resigned') {
              this.answer(replica, outcome.completions);
            } else {
              role.core.setBrokerEpochs(brokerEpochs);
              if (outcome.kind === 'updated') this.handleEffects(replica, outcome);
              continue;
            }
          }
          replica.role = {
            kind: 'leader',
            core: new PartitionLeader({
              localBrokerId: me,
              registration,
              logEndOffset: replica.log.logEndOffset,
              highWatermark: Math.min(replica.followerHighWatermark, replica.log.logEndOffset),
              nowMs,
              config: {
                replicaLagTimeMaxMs: this.options.replicaLagTimeMaxMs,
                minInsyncReplicas: this.minIsr(topic.name),
                maxPendingAcks: 10_000,
              },
              ineligibleReplicaIds: ineligible,
              brokerEpochs,
            }),
          };
          replica.alterInFlight = false;
          // Idempotence survives failover: the new leader rebuilds producer state from its log
          // (followers keep none; the whole log's batch headers are read once per leadership).
          replica.producerState = new ProducerStateManager();
          replica.producerState.loadFromBatches(producerBatchesInLog(replica.log), nowMs);
          followersChanged = true;
          this.options.log.info({ partition: replica.key, leaderEpoch: reg.leaderEpoch }, 'became leader');
          replica.changed();
        } else {
          if (role.kind === 'follower' && role.leaderId === reg.leader && role.leaderEpoch === reg.leaderEpoch)
            continue;
          if (role.kind === 'leader') {
            replica.followerHighWatermark = role.core.highWatermark;
            this.answer(replica, role.core.resign());
          }
          replica.producerState = undefined;
          replica.role =
            reg.leader < 0
              ? { kind: 'offline' }
              : { kind: 'follower', leaderId: reg.leader, leaderEpoch: reg.leaderEpoch, truncated: false };
          followersChanged = true;
          this.options.log.info(
            { partition: replica.key, leader: reg.leader, leaderEpoch: reg.leaderEpoch },
            'became follower',
          );
          replica.changed();
        }
      }
    }
    if (followersChanged) this.options.onFollowersChanged();
  }

  private minIsr(topic: string): number {
    const value = this.image?.configs.value('topic', topic, 'min.insync.replicas');
    const parsed = value === undefined ? NaN : Number(value);
    return Number.isSafeInteger(parsed) && parsed >= 1 ? parsed : this.options.minInsyncReplicas;
  }

  /**
   * A partition's LogConfig: the broker's, overridden by the topic's configs in the metadata
   * image (retention.ms, retention.bytes, segment.bytes, max.message.bytes, ...). The controller
   * validated them; one this log layer still refuses leaves the broker's settings in force.
   */
  private logConfigFor(topic: string): LogConfig {
    const entries = this.image?.configs.resource('topic', topic)?.entries;
    if (entries === undefined || entries.size === 0) return this.logConfig;
    try {
      return parseLogConfig(Object.fromEntries(entries), this.logConfig);
    } catch (error) {
      this.options.log.warn({ topic, err: error }, 'topic log configs not applied');
      return this.logConfig;
    }
  }

  private updateLogConfigs(topic: string, partitionCount: number): void {
    const replicas = Array.from({ length: partitionCount }, (_, p) => this.replicas.get(`${topic}-${p}`)).filter(
      (r) => r !== undefined,
    );
    if (replicas.length === 0) return;
    const config = this.logConfigFor(topic);
    // Index sizes apply when a log is reopened (PartitionLog.updateConfig keeps them).
    const fields = (Object.keys(config) as (keyof LogConfig)[]).filter(
      (field) => field !== 'segmentIndexBytes' && field !== 'indexIntervalBytes',
    );
    for (const replica of replicas) {
      const current = replica.log.config;
      if (fields.every((field) => current[field] === config[field])) continue;
      replica.log.updateConfig(config);
      this.options.log.info(
        { partition: replica.key, retentionMs: config.retentionMs, retentionBytes: config.retentionBytes },
        'log config updated',
      );
    }
  }

  private ensureReplica(topic: string, topicId: string, partition: number): PartitionReplica {
    const key = `${topic}-${partition}`;
    let replica = this.replicas.get(key);
    if (replica === undefined) {
      const log = PartitionLog.open({ dir: join(this.options.logDir, key), config: this.logConfigFor(topic) });
      replica = new PartitionReplica(topic, topicId, partition, log);
      // Below the checkpointed high watermark everything was committed: a safe truncation floor.
      replica.followerHighWatermark = Math.min(this.checkpointedHighWatermarks.get(key) ?? 0, log.logEndOffset);
      this.replicas.set(key, replica);
    }
    return replica;
  }

  // ------------------------------------------------------------------ leader effects

  private handleEffects(replica: PartitionReplica, effects: ReplicationEffects): void {
    this.answer(replica, effects.completions);
    if (effects.highWatermarkAdvanced) replica.changed();
    if (effects.alterPartition !== null) this.sendAlterPartition(replica, effects.alterPartition);
  }

  private answer(
    replica: PartitionReplica,
    completions: readonly { waiterId: number; error: ApiError | null }[],
  ): void {
    const resolvers = this.ackResolvers.get(replica.key);
    for (const completion of completions) {
      const resolve = resolvers?.get(completion.waiterId);
      if (resolve === undefined) continue;
      resolvers?.delete(completion.waiterId);
      resolve(completion.error);
    }
  }

  private sendAlterPartition(replica: PartitionReplica, proposal: AlterPartitionProposal): void {
    if (replica.alterInFlight) return;
    replica.alterInFlight = true;
    const role = replica.role;
    this.options
      .alterPartition(replica, proposal)
      .then(
        (result) => {
          replica.alterInFlight = false;
          if (replica.role !== role || role.kind !== 'leader') return;
          const outcome = role.core.onAlterPartitionResult(result, this.now());
          if (outcome.kind === 'applied') this.handleEffects(replica, outcome);
          else
            this.options.log.debug({ partition: replica.key, reason: outcome.reason }, 'AlterPartition answer ignored');
        },
        (error: unknown) => {
          replica.alterInFlight = false;
          this.options.log.warn({ partition: replica.key, err: error }, 'AlterPartition failed; will retry');
        },
      )
      .catch((error: unknown) =>
        this.options.log.error({ partition: replica.key, err: error }, 'AlterPartition answer could not be applied'),
      );
  }

  private tick(): void {
    const nowMs = this.now();
    const expireProducers = nowMs - this.lastProducerExpiryMs >= PRODUCER_EXPIRY_INTERVAL_MS;
    if (expireProducers) this.lastProducerExpiryMs = nowMs;
    for (const replica of this.replicas.values()) {
      if (replica.role.kind !== 'leader') continue;
      const core = replica.role.core;
      if (expireProducers) replica.producerState?.expire(nowMs);
      this.handleEffects(replica, core.maybeShrinkIsr(nowMs));
      const pending = core.pendingAlterPartition();
      if (pending !== null) this.sendAlterPartition(replica, pending);
    }
  }

  private expireAcks(): void {
    const nowMs = this.now();
    for (const replica of this.replicas.values()) {
      if (replica.role.kind === 'leader') this.answer(replica, replica.role.core.expireAcks(nowMs));
    }
  }

  // ------------------------------------------------------------------ Produce

  /** The local leader replica, or UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER (also for share groups). */
  leaderOf(topic: string, partition: number): PartitionReplica | ApiError {
    const replica = this.replica(topic, partition);
    if (replica === undefined || replica.role.kind !== 'leader') {
      const known = this.image?.topics.topicByName(topic);
      if (known === undefined || partition < 0 || partition >= known.partitionCount) {
        return new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} does not exist`);
      }
      return new ApiError(
        'NOT_LEADER_OR_FOLLOWER',
        `broker ${this.options.brokerId} does not lead ${topic}-${partition}`,
      );
    }
    return replica;
  }

  async produce(request: ProduceRequest): Promise<ProduceResponse> {
    return this.appendProduce(request);
  }

  /**
   * Validates and appends every partition of `request` before it returns (nothing on that path
   * awaits), so requests are sequenced in the logs in the order this is called: ProduceStream
   * relies on that to keep a stream's requests in arrival order. The promise settles once acks
   * allow. A whole-request refusal (bad acks) is thrown before anything is appended.
   */
  appendProduce(request: ProduceRequest): Promise<ProduceResponse> {
    const acks = parseAcks(request.acks);
    if (acks instanceof ApiError) throw acks;
    const timeoutMs = Math.min(Math.max(0, request.timeoutMs), MAX_PRODUCE_TIMEOUT_MS);
    const appended = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) =>
        this.producePartition(topic.name, p.partition, p.records, acks, timeoutMs),
      ),
    }));
    return Promise.all(
      appended.map(async (topic) => ({ name: topic.name, partitions: await Promise.all(topic.partitions) })),
    ).then((topics) => ({ topics }));
  }

  /** Appends now (synchronously); the answer is a promise only while acks=all waits. */
  private producePartition(
    topic: string,
    partition: number,
    records: Buffer,
    acks: 0 | 1 | -1,
    timeoutMs: number,
  ): ProducePartitionResult | Promise<ProducePartitionResult> {
    const failed = (error: unknown): ProducePartitionResult => ({
      partition,
      ...errorFields(error),
      baseOffset: -1,
      logAppendTime: -1,
      logStartOffset: -1,
    });
    const replica = this.leaderOf(topic, partition);
    if (replica instanceof ApiError) return failed(replica);
    if (this.fencedValue)
      return failed(new ApiError('NOT_LEADER_OR_FOLLOWER', `broker ${this.options.brokerId} is fenced`));
    const role = replica.role;
    if (role.kind !== 'leader')
      return failed(
        new ApiError('NOT_LEADER_OR_FOLLOWER', `broker ${this.options.brokerId} does not lead ${replica.key}`),
      );
    const core = role.core;
    const refused = core.checkProduce(acks);
    if (refused !== null) return failed(refused);
    const producerState = replica.producerState;
    let headers: ProducerBatch[];
    try {
      headers = [...iterateBatches(records, { verifyCrc: true })].map(producerBatchOf);
      // Kafka's LogValidator: a compacted topic refuses records without a key (compaction could
      // only drop them).
      if (isCompacted(replica.log.config) && hasKeylessRecord(records)) {
        return failed(new ApiError('INVALID_RECORD', `compacted topic ${topic} cannot accept a record without a key`));
      }
    } catch (error) {
      return failed(error);
    }
    const decision = producerState?.prepareAppend(headers) ?? null;
    if (decision?.kind === 'error') return failed(decision.error);
    let firstOffset: number;
    let lastOffset: number;
    if (decision?.kind === 'duplicate') {
      // A retried batch: answer with the offsets it got the first time, append nothing.
      firstOffset = decision.firstOffset;
      lastOffset = decision.lastOffset;
    } else {
      let info;
      try {
        info = replica.log.append(records, { leaderEpoch: core.leaderEpoch });
      } catch (error) {
        return failed(error);
      }
      if (decision !== null) producerState?.commitAppend(decision.plan, info.firstOffset);
      firstOffset = info.firstOffset;
      lastOffset = info.lastOffset;
      this.handleEffects(replica, core.onLeaderAppend(replica.log.logEndOffset, this.now()));
      replica.changed();
    }
    const nowMs = this.now();
    const ok: ProducePartitionResult = {
      partition,
      errorName: '',
      errorMessage: '',
      baseOffset: firstOffset,
      logAppendTime: -1,
      logStartOffset: replica.log.logStartOffset,
    };
    if (acks !== -1) return ok;
    const outcome = core.awaitAcks(lastOffset, nowMs + timeoutMs);
    const answer = (error: ApiError | null): ProducePartitionResult =>
      error === null ? ok : { ...failed(error), baseOffset: firstOffset };
    if (outcome.kind === 'done') return answer(outcome.completion.error);
    return new Promise<ApiError | null>((resolve) => {
      let resolvers = this.ackResolvers.get(replica.key);
      if (resolvers === undefined) this.ackResolvers.set(replica.key, (resolvers = new Map()));
      resolvers.set(outcome.waiterId, resolve);
    }).then(answer);
  }

  // ------------------------------------------------------------------ Fetch

  async fetch(request: FetchRequest): Promise<FetchResponse> {
    const deadline = this.now() + Math.min(Math.max(0, request.maxWaitMs), MAX_FETCH_WAIT_MS);
    const minBytes = Math.max(0, request.minBytes);
    for (;;) {
      const { response, bytes, errors } = this.readOnce(request);
      const waitMs = deadline - this.now();
      if (bytes >= minBytes || errors || waitMs <= 0) return response;
      const woken = await this.waitForChange(request, waitMs);
      if (!woken) return this.readOnce(request).response;
      // A follower also needs to hear a moved high watermark promptly (acks=all on the others).
      if (request.replicaId >= 0) return this.readOnce(request).response;
    }
  }

  private waitForChange(request: FetchRequest, waitMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const unsubscribes: (() => void)[] = [];
      const done = (woken: boolean): void => {
        clearTimeout(timer);
        for (const unsubscribe of unsubscribes) unsubscribe();
        resolve(woken);
      };
      const timer = setTimeout(() => done(false), waitMs);
      for (const topic of request.topics) {
        for (const p of topic.partitions) {
          const replica = this.replica(topic.name, p.partition);
          if (replica !== undefined) unsubscribes.push(replica.onChange(() => done(true)));
        }
      }
    });
  }

  private readOnce(request: FetchRequest): { response: FetchResponse; bytes: number; errors: boolean } {
    let budget = request.maxBytes > 0 ? request.maxBytes : DEFAULT_FETCH_MAX_BYTES;
    let bytes = 0;
    let errors = false;
    const nowMs = this.now();
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p): FetchPartitionResult => {
        const result = this.readPartition(topic.name, p, request, budget, nowMs);
        if (result.errorName !== '' || result.divergingEpoch !== null) errors = true;
        bytes += result.records.length;
        budget = Math.max(0, budget - result.records.length);
        return result;
      }),
    }));
    return { response: { topics }, bytes, errors };
  }

  private readPartition(
    topic: string,
    p: FetchRequest['topics'][number]['partitions'][number],
    request: FetchRequest,
    budget: number,
    nowMs: number,
  ): Required<FetchPartitionResult> {
    const empty = Buffer.alloc(0);
    const failed = (error: unknown): Required<FetchPartitionResult> => ({
      partition: p.partition,
      ...errorFields(error),
      highWatermark: -1,
      logStartOffset: -1,
      records: empty,
      divergingEpoch: null,
      leaderEpoch: -1,
    });
    const replica = this.leaderOf(topic, p.partition);
    if (replica instanceof ApiError) return failed(replica);
    const role = replica.role;
    if (role.kind !== 'leader')
      return failed(new ApiError('NOT_LEADER_OR_FOLLOWER', `not the leader of ${replica.key}`));
    const core = role.core;
    const fetchOffset = Number(p.fetchOffset);
    const maxBytes = Math.min(budget, p.partitionMaxBytes > 0 ? p.partitionMaxBytes : budget);
    const log = replica.log;
    try {
      if (request.replicaId >= 0) {
        const outcome = core.onFollowerFetch(
          {
            replicaId: request.replicaId,
            fetchOffset,
            lastFetchedEpoch: p.lastFetchedEpoch >= 0 ? p.lastFetchedEpoch : null,
            currentLeaderEpoch: p.currentLeaderEpoch >= 0 ? p.currentLeaderEpoch : null,
            logStartOffset: Number(p.logStartOffset),
            brokerEpoch: Number(request.replicaEpoch),
          },
          log,
          nowMs,
        );
        // The log start offset tells a follower that fell below it where to start over.
        if (outcome.kind === 'error') return { ...failed(outcome.error), logStartOffset: log.logStartOffset };
        if (outcome.kind === 'diverging') {
          return {
            partition: p.partition,
            errorName: '',
            errorMessage: '',
            highWatermark: core.highWatermark,
            logStartOffset: log.logStartOffset,
            records: empty,
            divergingEpoch: outcome.divergingEpoch,
            leaderEpoch: core.leaderEpoch,
          };
        }
        this.handleEffects(replica, outcome);
        const read = fetchOffset < log.logEndOffset && maxBytes > 0 ? log.read(fetchOffset, maxBytes).records : empty;
        return {
          partition: p.partition,
          errorName: '',
          errorMessage: '',
          highWatermark: core.highWatermark,
          logStartOffset: log.logStartOffset,
          records: read,
          divergingEpoch: null,
          leaderEpoch: core.leaderEpoch,
        };
      }
      if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== core.leaderEpoch) {
        return failed(
          new ApiError(
            p.currentLeaderEpoch < core.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH',
            `leader epoch is ${core.leaderEpoch}, request has ${p.currentLeaderEpoch}`,
          ),
        );
      }
      const highWatermark = core.highWatermark;
      // As Kafka: out of range only outside the log; between the high watermark and the log end
      // (a new leader's high watermark may still trail the old one's) the answer is just empty.
      const read =
        maxBytes > 0 && fetchOffset < highWatermark
          ? log.read(fetchOffset, maxBytes, { maxOffset: highWatermark }).records
          : empty;
      if (fetchOffset >= highWatermark && (fetchOffset > log.logEndOffset || fetchOffset < log.logStartOffset)) {
        return failed(
          new ApiError(
            'OFFSET_OUT_OF_RANGE',
            `fetch offset ${fetchOffset} is outside ${log.logStartOffset}..${log.logEndOffset}`,
          ),
        );
      }
      return {
        partition: p.partition,
        errorName: '',
        errorMessage: '',
        highWatermark,
        logStartOffset: log.logStartOffset,
        records: read,
        divergingEpoch: null,
        leaderEpoch: core.leaderEpoch,
      };
    } catch (error) {
      return failed(error);
    }
  }

  // ------------------------------------------------------------------ ListOffsets, OffsetForLeaderEpoch

  listOffsets(request: ListOffsetsRequest): ListOffsetsResponse {
    return {
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p): ListOffsetsPartitionResult => {
          const failed = (error: unknown): ListOffsetsPartitionResult => ({
            partition: p.partition,
            ...errorFields(error),
            offset: -1,
            timestamp: -1,
            leaderEpoch: -1,
          });
          const replica = this.leaderOf(topic.name, p.partition);
          if (replica instanceof ApiError) return failed(replica);
          if (replica.role.kind !== 'leader')
            return failed(new ApiError('NOT_LEADER_OR_FOLLOWER', `not the leader of ${replica.key}`));
          const core = replica.role.core;
          const unavailable = core.checkOffsetsAvailable();
          if (unavailable !== null) return failed(unavailable);
          const timestamp = Number(p.timestamp);
          const ok = (offset: number, ts: number): ListOffsetsPartitionResult => ({
            partition: p.partition,
            errorName: '',
            errorMessage: '',
            offset,
            timestamp: ts,
            leaderEpoch: core.leaderEpoch,
          });
          if (timestamp === -2) return ok(replica.log.logStartOffset, -1);
          if (timestamp === -1) return ok(core.highWatermark, -1);
          if (timestamp < 0)
            return failed(new ApiError('INVALID_REQUEST', `timestamp ${timestamp} is neither -1, -2 nor a time`));
          const found = this.offsetForTimestamp(replica, timestamp, core.highWatermark);
          return found === null ? ok(-1, -1) : ok(found.offset, found.timestampMs);
        }),
      })),
    };
  }

  /**
   * Kafka's ListOffsets by timestamp: the first record (below the high watermark) whose
   * timestamp is at least `timestampMs`. The log finds the batch; its records say which one.
   */
  private offsetForTimestamp(
    replica: PartitionReplica,
    timestampMs: number,
    highWatermark: number,
  ): { offset: number; timestampMs: number } | null {
    const log = replica.log;
    let from = log.offsetForTimestamp(timestampMs)?.offset ?? null;
    while (from !== null && from < highWatermark) {
      const read = log.read(from, 1, { maxOffset: highWatermark });
      if (read.lastOffset === null) return null;
      for (const batch of decodeRecordBatches(read.records)) {
        for (const record of batch.records) {
          if (record.offset >= from && record.timestamp >= timestampMs)
            return { offset: record.offset, timestampMs: record.timestamp };
        }
      }
      // Only the batch's max timestamp qualified it (a later record, or none): look further on.
      from = read.lastOffset + 1;
    }
    return null;
  }

  offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    return {
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p): OffsetForLeaderEpochPartitionResult => {
          const failed = (error: unknown): OffsetForLeaderEpochPartitionResult => ({
            partition: p.partition,
            ...errorFields(error),
            leaderEpoch: -1,
            endOffset: -1,
          });
          const replica = this.leaderOf(topic.name, p.partition);
          if (replica instanceof ApiError) return failed(replica);
          const answer = answerOffsetForLeaderEpoch(
            replica.leaderEpoch,
            { currentLeaderEpoch: p.currentLeaderEpoch >= 0 ? p.currentLeaderEpoch : null, leaderEpoch: p.leaderEpoch },
            replica.log,
          );
          if (answer.kind === 'error') return failed(answer.error);
          return {
            partition: p.partition,
            errorName: '',
            errorMessage: '',
            leaderEpoch: answer.epoch,
            endOffset: answer.endOffset,
          };
        }),
      })),
    };
  }
}
