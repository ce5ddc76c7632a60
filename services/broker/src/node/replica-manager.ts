/**
 * The broker's partitions (Kafka's ReplicaManager), as a thin facade over the pieces that do the
 * work: the replication core and its driver (every decision, both roles, one timer), the log
 * lifecycle (open, configs, retention, compaction, checkpoints, close), transitions (metadata
 * image -> roles), the produce path, the fetch path (with the long poll), the offset lookups, and
 * the follower half the replica fetchers step.
 */
import { LogError, type EpochEndOffset, type LogFiles } from '@sluice/log';
import type { MetadataImage } from '@sluice/metadata';
import type { ClusterTieringConfig } from '@sluice/tiering';
import type { ApiError } from '@sluice/protocol';
import type { Logger, RequestPhases } from '@sluice/runtime';
import type { AlterPartitionProposal, AlterPartitionResult } from '../core/partition-leader';
import type {
  EpochEndQuery,
  FollowerFetchAnswer,
  FollowerFetchPosition,
  PartitionFollower,
} from '../core/partition-follower';
// Requests as they arrive (`__Output`: int64 as strings, defaults filled); answers as sent.
import type {
  DescribeLogDirsRequest__Output as DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  FetchRequest__Output as FetchRequest,
  FetchAnswer,
  FetchResponse,
  ListOffsetsRequest__Output as ListOffsetsRequest,
  ListOffsetsResponse,
  OffsetForLeaderEpochRequest__Output as OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  ProduceRequest__Output as ProduceRequest,
  ProduceResponse,
} from '@sluice/proto';
import { BrokerBatchTracing } from './batch-tracing';
import { describeLogDir, validateLogDirsQuestion, type LogDirsQuestion } from '../core/log-dirs';
import { DiskSpaceGuard, NO_DISK_THROTTLE, type DiskThrottle } from './disk-space-guard';
import { readLogDirSpace } from './log-dir-space';
import { FetchPath, type FollowerHold, type RemoteReads } from './fetch-path';
import { LogFlusher } from './log-flusher';
import { LogLifecycle } from './log-lifecycle';
import { OffsetLookups } from './offset-lookups';
import type { PartitionReplica } from './partition-replica';
import { ProducePath } from './produce-path';
import type { FollowerReplicas, FollowerThrottle } from './replica-fetcher';
import { ReplicationThrottle } from '../core/replication-throttle';
import { RemoteLogManager } from './remote-log-manager';
import { RemoteProducerState } from './remote-producer-state';
import { RemoteStartOver } from './remote-start-over';
import { ReplicaTransitions } from './replica-transitions';
import { ReplicationDriver } from './replication-driver';
import { noTopicTraffic, type TopicTraffic } from './topic-traffic';
import type { ReplicaHealth } from '../core/replication';

export interface ReplicaManagerOptions {
  readonly brokerId: number;
  readonly logDir: string;
  readonly log: Logger;
  readonly maxMessageBytes: number;
  readonly minInsyncReplicas: number;
  /** durable.acks.enable: the broker's default for topics that do not set it (default false). */
  readonly durableAcks?: boolean;
  readonly replicaLagTimeMaxMs: number;
  /** Kafka's log.retention.check.interval.ms (default 300000). */
  readonly retentionCheckIntervalMs?: number;
  /** Kafka's log.cleaner.backoff.ms (default 15000): how often compacted logs get a cleaning pass. */
  readonly logCleanerBackoffMs?: number;
  /** Kafka's log.cleaner.dedupe.buffer.size (default 128 MiB): bound on one pass's key map. */
  readonly logCleanerDedupeBufferBytes?: number;
  /** log.flush.interval.messages / log.flush.interval.ms: the broker's flush.messages / flush.ms (default never). */
  readonly flushIntervalMessages?: number;
  readonly flushIntervalMs?: number;
  /** log.flush.scheduler.interval.ms (default 1000). */
  readonly logFlushSchedulerIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms, log.flush.start.offset.checkpoint.interval.ms (default 60000 each). */
  readonly recoveryPointCheckpointIntervalMs?: number;
  readonly logStartOffsetCheckpointIntervalMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms (default 5000). */
  readonly highWatermarkCheckpointIntervalMs?: number;
  /** The file layer of every log (a power-loss test journals its syncs); default node:fs. */
  readonly files?: LogFiles;
  /** Sends one AlterPartition item to the controller; resolves with its answer. */
  readonly alterPartition: (
    replica: PartitionReplica,
    proposal: AlterPartitionProposal,
  ) => Promise<AlterPartitionResult>;
  /** Follower partitions changed (leader or epoch): the fetchers re-plan. */
  readonly onFollowersChanged: () => void;
  readonly nowMs?: () => number;
  /** Bytes and records in and out, for /metrics. */
  readonly traffic?: TopicTraffic;
  /** Every log flush's duration, for /metrics. */
  readonly onLogFlush?: (durationSeconds: number) => void;
  /** The log directory went offline (an I/O error): tell the controller, stop fetching. */
  readonly onLogDirOffline?: (dir: string, reason: string) => void;
  /** Tiered storage (remote.log.storage.system.enable=true); absent: off. */
  readonly tiering?: ReplicaManagerTiering;
  /** log.dir.min.free.bytes (sluice): produce refused below this much free space; 0 / absent: off. */
  readonly logDirMinFreeBytes?: number;
  /** log.dir.throttle.free.bytes / log.dir.throttle.max.ms (sluice): produce answers held back below it; absent: off. */
  readonly logDirThrottle?: DiskThrottle;
}

export interface ReplicaManagerTiering {
  readonly config: ClusterTieringConfig;
  readonly controllerAddresses: readonly string[];
  readonly bootstrap: () => readonly string[];
  /** The current metadata image (topic configs). */
  readonly image: () => MetadataImage | undefined;
  /** Each remote read's latency (for /metrics). */
  readonly onRemoteFetch?: (seconds: number) => void;
}

/** Kafka's log.retention.check.interval.ms default. */
const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000;
/** Kafka's log.cleaner.backoff.ms default. */
const DEFAULT_LOG_CLEANER_BACKOFF_MS = 15_000;
/** libuv's default thread pool size: more concurrent fdatasyncs would only queue there. */
const MAX_CONCURRENT_FLUSHES = 4;

export class ReplicaManager implements FollowerReplicas {
  private readonly now: () => number;
  private readonly lifecycle: LogLifecycle;
  private readonly flusher: LogFlusher;
  private readonly driver: ReplicationDriver;
  private readonly transitions: ReplicaTransitions;
  private readonly producePath: ProducePath;
  private readonly fetchPath: FetchPath;
  private readonly lookups: OffsetLookups;
  /** Kafka's replication throttle, both sides (rates and lists from the metadata image's configs). */
  readonly throttle: ReplicationThrottle;
  /** Tiered storage; null when remote.log.storage.system.enable=false. */
  readonly remoteLogs: RemoteLogManager | null;
  private readonly remoteStartOver: RemoteStartOver;
  private readonly logger: Logger;
  private readonly logDir: string;

  constructor(options: ReplicaManagerOptions) {
    const now = (this.now = options.nowMs ?? Date.now);
    this.logDir = options.logDir;
    this.throttle = new ReplicationThrottle(options.brokerId);
    this.logger = options.log;
    const tracing = new BrokerBatchTracing(options.brokerId, now);
    this.lifecycle = new LogLifecycle({
      logDir: options.logDir,
      log: options.log,
      maxMessageBytes: options.maxMessageBytes,
      flushIntervalMessages: options.flushIntervalMessages,
      flushIntervalMs: options.flushIntervalMs,
      logCleanerDedupeBufferBytes: options.logCleanerDedupeBufferBytes,
      files: options.files,
      ...(options.onLogFlush === undefined ? {} : { onFlush: options.onLogFlush }),
      retentionBound: (replica) => this.remoteLogs?.retentionBound(replica) ?? null,
      onOffline: (dir, reason) => {
        // No fetching into a failed disk: the fetchers re-plan and find nothing to follow.
        options.onFollowersChanged();
        options.onLogDirOffline?.(dir, reason);
      },
    });
    const tiering = options.tiering;
    this.remoteLogs =
      tiering === undefined || !tiering.config.remoteLogStorageSystemEnable
        ? null
        : new RemoteLogManager({
            brokerId: options.brokerId,
            log: options.log,
            config: tiering.config,
            controllerAddresses: tiering.controllerAddresses,
            bootstrap: tiering.bootstrap,
            replicas: () => this.driver.replicaList(),
            topicConfigs: (topic) =>
              Object.fromEntries(tiering.image()?.configs.resource('topic', topic)?.entries ?? []),
            logConfig: (topic) => this.lifecycle.configFor(tiering.image(), topic),
            topicExists: (topicId) => {
              const image = tiering.image();
              return image === undefined || image.topics.topicById(topicId) !== undefined;
            },
            nowMs: now,
            ...(tiering.onRemoteFetch === undefined ? {} : { onRemoteFetch: tiering.onRemoteFetch }),
            ...(options.logCleanerDedupeBufferBytes === undefined
              ? {}
              : { dedupeBufferBytes: options.logCleanerDedupeBufferBytes }),
          });
    this.remoteStartOver = new RemoteStartOver(this.remoteLogs, options.log);
    this.flusher = new LogFlusher({
      log: options.log,
      maxConcurrentFlushes: MAX_CONCURRENT_FLUSHES,
      onFlushed: (replicas) => this.driver.onLogsFlushed(replicas),
    });
    const traffic = options.traffic ?? noTopicTraffic;
    this.driver = new ReplicationDriver({
      brokerId: options.brokerId,
      log: options.log,
      replicaLagTimeMaxMs: options.replicaLagTimeMaxMs,
      retentionCheckIntervalMs: options.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS,
      logCleanerBackoffMs: options.logCleanerBackoffMs ?? DEFAULT_LOG_CLEANER_BACKOFF_MS,
      logFlushSchedulerIntervalMs: options.logFlushSchedulerIntervalMs,
      recoveryPointCheckpointIntervalMs: options.recoveryPointCheckpointIntervalMs,
      logStartOffsetCheckpointIntervalMs: options.logStartOffsetCheckpointIntervalMs,
      highWatermarkCheckpointIntervalMs: options.highWatermarkCheckpointIntervalMs,
      lifecycle: this.lifecycle,
      flusher: this.flusher,
      alterPartition: options.alterPartition,
      onFollowersChanged: options.onFollowersChanged,
      nowMs: now,
      tracing,
      traffic,
    });
    this.transitions = new ReplicaTransitions({
      brokerId: options.brokerId,
      minInsyncReplicas: options.minInsyncReplicas,
      durableAcks: options.durableAcks ?? false,
      driver: this.driver,
      lifecycle: this.lifecycle,
      nowMs: now,
    });
    const leaderOf = (topic: string, partition: number): PartitionReplica | ApiError => this.leaderOf(topic, partition);
    const diskGuard = new DiskSpaceGuard(
      options.logDir,
      options.logDirMinFreeBytes ?? 0,
      now,
      undefined,
      undefined,
      options.logDirThrottle ?? NO_DISK_THROTTLE,
    );
    const remoteProducerState = new RemoteProducerState({
      remoteLogs: this.remoteLogs,
      driver: this.driver,
      log: options.log,
      nowMs: now,
    });
    this.producePath = new ProducePath({
      driver: this.driver,
      leaderOf,
      nowMs: now,
      tracing,
      traffic,
      diskSpaceRefusal: () => diskGuard.refusal(),
      diskThrottleMs: () => diskGuard.throttleMs(),
      producerStateRefusal: (replica, leader) => remoteProducerState.refusal(replica, leader),
      afterAppend: (replica) =>
        this.lifecycle.afterAppend(replica, this.driver.core.isDurable(replica.key), this.flusher, now()),
    });
    const remoteOf = (replica: PartitionReplica): RemoteReads | undefined =>
      this.remoteLogs?.remoteReadsOf(replica.key, replica.topic);
    this.fetchPath = new FetchPath({
      driver: this.driver,
      leaderOf,
      nowMs: now,
      traffic,
      remoteOf,
      throttle: this.throttle,
    });
    this.lookups = new OffsetLookups(
      leaderOf,
      (replica) => this.remoteLogs?.tiererOf(replica.key)?.logStartOffset() ?? replica.log.logStartOffset,
      (replica, timestampMs) => this.remoteLogs?.tiererOf(replica.key)?.offsetForTimestamp(timestampMs) ?? null,
    );
  }

  /** A fenced broker serves no writes (Kafka: it leads nothing until unfenced). */
  setFenced(fenced: boolean): void {
    this.driver.core.setFenced(fenced);
  }
  get fenced(): boolean {
    return this.driver.core.fenced;
  }

  /** Starts the replication timer (ISR checks, acks=all timeouts, checkpoints, retention, cleaning). */
  start(): void {
    this.driver.start();
    this.remoteLogs?.start();
  }

  /**
   * Checkpoints the high watermarks, fails waiting acks=all produces, and closes every log
   * (flushing it). With the log directory offline nothing more is written there: the logs are
   * let go unflushed and unmarked, and the next start recovers them.
   */
  stop(): void {
    // Tiering is stopped by the node before this (awaited); a copy in flight is abandoned: its
    // COPY_SEGMENT_STARTED without a finish claims nothing, the next leader's task deletes it.
    void this.remoteLogs?.stop();
    const replicas = this.driver.replicaList();
    this.flusher.stop();
    this.driver.stop();
    const offline = this.lifecycle.offline !== null;
    for (const replica of replicas) {
      if (offline) replica.log.abandon();
      else replica.log.close();
    }
  }

  /** The log directories taken offline by an I/O error (sluice brokers have one: log.dirs[0]). */
  offlineLogDirs(): string[] {
    const failure = this.lifecycle.offline;
    return failure === null ? [] : [failure.dir];
  }

  /** Flush rounds run so far (metrics, tests). */
  get flushRounds(): number {
    return this.flusher.rounds;
  }

  replica(topic: string, partition: number): PartitionReplica | undefined {
    return this.driver.replicaOf(topic, partition);
  }

  /** Follower replicas grouped by leader broker id, for the fetchers. */
  followersByLeader(): Map<number, PartitionReplica[]> {
    const byLeader = new Map<number, PartitionReplica[]>();
    if (this.lifecycle.offline !== null) return byLeader;
    for (const [leaderId, keys] of this.driver.core.followersByLeader()) byLeader.set(leaderId, this.replicasOf(keys));
    return byLeader;
  }

  // ------------------------------------------------------------------ metadata

  applyImage(image: MetadataImage): void {
    this.throttle.applyConfigs(image.configs, this.now());
    this.transitions.applyImage(image);
  }

  /** The local leader replica, or UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER (also for share groups). */
  leaderOf(topic: string, partition: number): PartitionReplica | ApiError {
    return this.transitions.leaderOf(topic, partition);
  }

  // ------------------------------------------------------------------ client requests

  async produce(request: ProduceRequest, phases?: RequestPhases): Promise<ProduceResponse> {
    return this.appendProduce(request, phases);
  }

  /**
   * Validates and appends every partition of `request` before it returns (ProduceStream relies on
   * that to keep a stream's requests in arrival order); the promise settles once acks allow. A
   * whole-request refusal (bad acks) is thrown before anything is appended.
   */
  appendProduce(request: ProduceRequest, phases?: RequestPhases): Promise<ProduceResponse> {
    return this.producePath.appendProduce(request, phases);
  }

  fetch(request: FetchRequest, phases?: RequestPhases, hold?: FollowerHold): Promise<FetchResponse> {
    return this.fetchPath.fetch(request, phases, hold);
  }

  /** The answer of the unary Fetch RPC and ReplicaFetchStream, its reads of the log located (FetchPath.fetchAnswer). */
  fetchAnswer(request: FetchRequest, phases?: RequestPhases, hold?: FollowerHold): Promise<FetchAnswer> {
    return this.fetchPath.fetchAnswer(request, phases, hold);
  }

  listOffsets(request: ListOffsetsRequest): ListOffsetsResponse | Promise<ListOffsetsResponse> {
    return this.lookups.listOffsets(request);
  }

  offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    return this.lookups.offsetForLeaderEpoch(request);
  }

  /**
   * Kafka's DescribeLogDirs: the one log directory (log.dirs[0]) with the size and offset lag of
   * each replica asked about, leaders and followers alike; KAFKA_STORAGE_ERROR and no partitions
   * when it went offline. A malformed request is refused whole before anything is read.
   */
  async describeLogDirs(request: DescribeLogDirsRequest): Promise<DescribeLogDirsResponse> {
    const question: LogDirsQuestion = {
      topics: request.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions })),
    };
    validateLogDirsQuestion(question);
    const space = await readLogDirSpace(this.logDir);
    // Read after the await: the replicas and their sizes as of the answer, not of the request.
    const failure = this.lifecycle.offline;
    const answer = describeLogDir(
      {
        path: this.logDir,
        offlineReason: failure?.reason ?? null,
        space,
        replicas:
          failure !== null
            ? []
            : this.driver.replicaList().map((replica) => ({
                topic: replica.topic,
                partition: replica.partition,
                sizeBytes: replica.log.sizeBytes,
                logEndOffset: replica.log.logEndOffset,
                highWatermark: replica.highWatermark,
              })),
      },
      question,
    );
    return {
      logDirs: [
        { ...answer, topics: answer.topics.map((topic) => ({ name: topic.name, partitions: [...topic.partitions] })) },
      ],
    };
  }

  // ------------------------------------------------------------------ metrics

  /** Under-replicated, under-min-ISR, leaders, pending acks ... counted now (for a scrape). */
  replicaHealth(): ReplicaHealth {
    return this.driver.core.replicaHealth();
  }

  get isrShrinks(): number {
    return this.driver.core.isrShrinks;
  }

  get isrExpands(): number {
    return this.driver.core.isrExpands;
  }

  /** Bytes of the open local logs, summed per topic (for a scrape). */
  logSizeBytesByTopic(): Map<string, number> {
    const sizes = new Map<string, number>();
    for (const replica of this.driver.replicaList())
      sizes.set(replica.topic, (sizes.get(replica.topic) ?? 0) + replica.log.sizeBytes);
    return sizes;
  }

  // ------------------------------------------------------------------ log maintenance

  /** Segments deleted by retention since start (all partitions), for /metrics. */
  get retentionDeletedSegments(): number {
    return this.lifecycle.retentionDeletedSegments;
  }

  /** Records compaction removed since start (all partitions), for /metrics. */
  get compactionRemovedRecords(): number {
    return this.lifecycle.compactionRemovedRecords;
  }

  /** One retention pass now, as the timer runs them; returns the segments deleted. */
  runRetention(nowMs: number = this.now()): number {
    const partitions = this.driver.core.maintenanceTargets();
    return this.lifecycle.runRetention({ nowMs, partitions }, (key) => this.driver.replica(key));
  }

  /** One cleaner pass now, as the timer runs them; returns the records removed. */
  runCompaction(nowMs: number = this.now()): number {
    const partitions = this.driver.core.maintenanceTargets();
    return this.lifecycle.runCompaction({ nowMs, partitions }, (key) => this.driver.replica(key));
  }

  // ------------------------------------------------------------------ follower half (the fetchers)

  followersOf(leaderId: number): PartitionReplica[] {
    if (this.lifecycle.offline !== null) return [];
    return this.replicasOf(this.driver.core.followersByLeader().get(leaderId) ?? []);
  }

  truncationQuery(
    replica: PartitionReplica,
  ): { readonly follower: PartitionFollower; readonly query: EpochEndQuery } | null {
    return this.driver.step((core) => core.truncationQuery(replica.key));
  }

  onEpochEnd(
    replica: PartitionReplica,
    follower: PartitionFollower,
    query: EpochEndQuery,
    answer: EpochEndOffset,
  ): { readonly backoff: boolean } {
    const { result, logWriteFailed } = this.driver.stepFollower((core) =>
      core.onEpochEnd(replica.key, follower, query, answer),
    );
    return { backoff: result.backoff || logWriteFailed };
  }

  fetchPosition(
    replica: PartitionReplica,
  ): { readonly follower: PartitionFollower; readonly position: FollowerFetchPosition } | null {
    return this.driver.core.fetchPosition(replica.key);
  }

  /**
   * Before a fetch: the durable-acks partitions among these are flushed to their log end, so the
   * fetch tells the leader (flushed offset) what it needs to answer acks=all.
   */
  flushBeforeFetch(replicas: readonly PartitionReplica[]): Promise<void> {
    return this.flusher.flushed(
      replicas.filter(
        (replica) =>
          this.driver.replica(replica.key) === replica &&
          this.driver.core.isDurable(replica.key) &&
          replica.log.recoveryPoint < replica.log.logEndOffset,
      ),
    );
  }

  /** A follower is throttled out of the ISR only: the image's ISR says whether this broker is in it. */
  followerThrottled(replica: PartitionReplica): boolean {
    // Asked for every followed partition before every fetch: most topics are never throttled.
    if (!this.throttle.mayThrottle('follower', replica.topic)) return false;
    const registration = this.transitions.image?.topics.topicByName(replica.topic)?.partition(replica.partition);
    const inSync = registration?.isr.includes(this.throttle.brokerId) ?? false;
    return this.throttle.isThrottled('follower', replica.topic, replica.partition, inSync);
  }

  /** The follower side of the throttle, as the fetchers share it. */
  get followerThrottle(): FollowerThrottle {
    const throttle = this.throttle;
    return {
      waitMs: (nowMs) => throttle.waitMs('follower', nowMs),
      maxReadBytes: () => throttle.maxReadBytes('follower'),
      heldBack: () => throttle.heldBack('follower'),
      record: (bytes, nowMs) => throttle.record('follower', bytes, nowMs),
    };
  }

  onFetchAnswer(
    replica: PartitionReplica,
    follower: PartitionFollower,
    position: FollowerFetchPosition,
    answer: FollowerFetchAnswer,
  ): { readonly backoff: boolean } {
    const { result, logWriteFailed } = this.driver.stepFollower((core) =>
      core.onFetchAnswer(replica.key, follower, position, answer),
    );
    try {
      this.remoteStartOver.restore(replica);
    } catch (error) {
      if (!(error instanceof LogError)) throw error;
      // The log refused it (a failed disk): the directory goes offline through the log's own path.
      this.logger.warn({ partition: replica.key, err: error }, 'restoring remote state into the log failed');
      return { backoff: true };
    }
    return { backoff: result.backoff || logWriteFailed };
  }

  prepareStartOverFromRemote(replica: PartitionReplica, leaderLocalLogStartOffset: number): Promise<void> {
    return this.remoteStartOver.prepare(replica, leaderLocalLogStartOffset);
  }

  private replicasOf(keys: readonly string[]): PartitionReplica[] {
    return keys.map((key) => this.driver.replica(key)).filter((replica) => replica !== undefined);
  }
}
