/**
 * Tiered storage on the broker (Kafka's RemoteLogManager), the shell around packages/tiering:
 * the leader of each partition whose topic has remote.storage.enable=true runs that partition's
 * tiering task (copy rolled segments to S3, local retention bounded by what is copied, total
 * retention of remote segments) every remote.log.manager.task.interval.ms, and serves reads below
 * its local log start from the object store. Why the broker uploads, not services/tiering: the
 * segment bytes are on the leader's own disk (pods share none); sending them over gRPC to another
 * pod first would double the network traffic and put one pod in the path of every copy.
 *
 * One run at a time over all partitions, one partition after another (a run is bounded by
 * packages/tiering's maxSegmentsPerRun; when one copied its maximum and more is rolled, the next
 * pass starts at once instead of a task interval later, so copying keeps up with a producer
 * faster than maxSegmentsPerRun segments per interval); a partition whose run failed (object store down, the
 * metadata topic unavailable) waits with exponential backoff and jitter, then resumes by itself.
 * Uncopied segments stay local whatever local retention says (retentionBound).
 */
import { randomUUID } from 'node:crypto';
import { Admin } from '@sluice/client';
import type { Logger } from '@sluice/runtime';
import {
  BoundedReadStore,
  ChunkCache,
  ByteRateLimiter,
  ConcurrencyLimiter,
  parseTopicTieringConfig,
  PartitionTierer,
  readRemoteLogAuxState,
  RemotePartitionState,
  RemoteSegmentReader,
  S3ObjectStore,
  TopicRemoteLogMetadataLog,
  type ChunkCacheCounters,
  type ConcurrencyLimiterCounters,
  type ClusterTieringConfig,
  type ObjectStoreCounters,
  type RemoteCompactionTotals,
  type RemoteLogAuxState,
  type TierTotals,
  type TopicTieringConfig,
} from '@sluice/tiering';
import { DEFAULT_DEDUPE_BUFFER_BYTES, LogError, type LogConfig } from '@sluice/log';
import { ApiError } from '@sluice/protocol';
import type { RemoteReads } from './fetch-path';
import type { PartitionReplica } from './partition-replica';

export interface RemoteLogManagerOptions {
  readonly brokerId: number;
  readonly log: Logger;
  /** remote.log.storage.system.enable=true, with its S3 settings. */
  readonly config: ClusterTieringConfig;
  readonly controllerAddresses: readonly string[];
  /** Where this broker's own SDK clients (the metadata topic's producer and consumers) bootstrap. */
  readonly bootstrap: () => readonly string[];
  readonly replicas: () => readonly PartitionReplica[];
  /** A topic's configs from the metadata image (raw Kafka names) and its parsed log config. */
  readonly topicConfigs: (topic: string) => Readonly<Record<string, string>>;
  readonly logConfig: (topic: string) => LogConfig;
  /** Whether the metadata image still has the topic (deleted topics' objects are removed). */
  readonly topicExists: (topicId: string) => boolean;
  readonly nowMs: () => number;
  readonly random?: () => number;
  /** Each remote read's latency, for the histogram. */
  readonly onRemoteFetch?: (seconds: number) => void;
  /** `log.cleaner.dedupe.buffer.size`: bounds remote compaction's key map as it does the cleaner's. */
  readonly dedupeBufferBytes?: number;
}

/** Cumulative counts per topic (bounded by the topics this broker has led), for /metrics. */
export interface TopicTieringCounts {
  copiedBytes: number;
  copiedSegments: number;
  failedRuns: number;
  deletedRemoteSegments: number;
  remoteFetchBytes: number;
  remoteFetchRequests: number;
  remoteFetchFailures: number;
  remoteCompactionRuns: number;
  remoteCompactionBytesIn: number;
  remoteCompactionBytesOut: number;
  remoteCompactionRecordsDropped: number;
}

/** One partition led here, as a scrape sees it now (Kafka's per-partition RemoteLogSizeBytes etc.). */
export interface PartitionTieringGauges {
  readonly topic: string;
  readonly partition: number;
  readonly remoteSizeBytes: number;
  readonly copyLagBytes: number;
  readonly copyLagSegments: number;
}

/** What a scrape reads: the counts, and gauges computed now over the partitions led here. */
export interface TieringSnapshot {
  readonly counts: ReadonlyMap<string, Readonly<TopicTieringCounts>>;
  /** Every tiered partition led here (the metrics export a bounded number of them). */
  readonly partitions: readonly PartitionTieringGauges[];
  readonly remoteSizeBytes: ReadonlyMap<string, number>;
  readonly copyLagBytes: ReadonlyMap<string, number>;
  readonly copyLagSegments: ReadonlyMap<string, number>;
  readonly store: ObjectStoreCounters;
  readonly chunkCache: ChunkCacheCounters;
  /** Remote reads in flight and waiting (remote.log.reader.*). */
  readonly remoteReads: ConcurrencyLimiterCounters;
}

interface TieredPartition {
  readonly tierer: PartitionTierer;
  readonly leaderEpoch: number;
  failures: number;
  nextRunMs: number;
  /** The tierer's totals already added to the topic's counts. */
  reported: TierTotals;
  reportedCompaction: RemoteCompactionTotals;
}

/** Backoff after failed runs: doubling from one task interval, at most this. */
const MAX_BACKOFF_MS = 60_000;
/** The longest a remote read waits for the fetch quota. */
const MAX_FETCH_THROTTLE_MS = 5_000;

export class RemoteLogManager {
  private readonly store: S3ObjectStore;
  private readonly reader: RemoteSegmentReader;
  private readonly chunks: ChunkCache;
  /** remote.log.reader.threads / remote.log.reader.max.pending.tasks over every remote read. */
  private readonly remoteReads: ConcurrencyLimiter;
  private readonly counts = new Map<string, TopicTieringCounts>();
  /** remote.log.manager.copy.max.bytes.per.second over every partition's copies; null = unlimited. */
  private readonly copyQuota: ByteRateLimiter | null;
  /** remote.log.manager.fetch.max.bytes.per.second over every remote read; null = unlimited. */
  private readonly fetchQuota: ByteRateLimiter | null;
  private readonly random: () => number;
  private metadataLog: TopicRemoteLogMetadataLog | null = null;
  /** Leader partitions whose tiering task is open, by `<topic>-<partition>`. */
  private readonly tiered = new Map<string, TieredPartition>();
  /** Partitions of deleted topics whose objects are still being removed (bounded by the partitions once led). */
  private readonly deleting = new Map<string, PartitionTierer>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  /** The last pass left rolled segments uncopied after copying some: the next one starts at once. */
  private moreToCopy = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private bucketReady = false;

  constructor(private readonly options: RemoteLogManagerOptions) {
    const s3 = options.config.s3;
    if (s3 === null) throw new Error('remote log manager needs the S3 settings');
    this.store = new S3ObjectStore(s3, {
      onWarning: (...content) => options.log.warn({ detail: content.map(String).join(' ') }, 'S3 client warning'),
    });
    // Every remote read of every fetch shares one bound on GETs in flight (remote.log.reader.*);
    // copies, deletes and the follower's aux-state reads use the store directly.
    this.remoteReads = new ConcurrencyLimiter(
      options.config.remoteReaderMaxInFlight,
      options.config.remoteReaderMaxPending,
    );
    const readStore = new BoundedReadStore(this.store, this.remoteReads);
    this.chunks = new ChunkCache(readStore, options.config.fetchChunkBytes, options.config.fetchChunkCacheBytes);
    this.reader = new RemoteSegmentReader(readStore, this.chunks, s3.keyPrefix);
    this.random = options.random ?? Math.random;
    this.copyQuota =
      options.config.copyMaxBytesPerSecond === -1 ? null : new ByteRateLimiter(options.config.copyMaxBytesPerSecond);
    this.fetchQuota =
      options.config.fetchMaxBytesPerSecond === -1 ? null : new ByteRateLimiter(options.config.fetchMaxBytesPerSecond);
  }

  start(): void {
    this.schedule();
  }

  /** Stops the timer, waits for a run in flight, closes the clients; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      clearTimeout(this.timer);
      await this.running;
      await this.metadataLog?.close();
      this.store.destroy();
    })();
    return this.stopping;
  }

  /** The ready tiering task of a partition this broker leads, if its topic tiers. */
  tiererOf(partitionKey: string): PartitionTierer | undefined {
    return this.tiered.get(partitionKey)?.tierer;
  }

  /** Remote reads of a partition this broker leads (counted and timed), if its topic tiers. */
  remoteReadsOf(partitionKey: string, topic: string): RemoteReads | undefined {
    const tierer = this.tiererOf(partitionKey);
    if (tierer === undefined) return undefined;
    return {
      logStartOffset: () => tierer.logStartOffset(),
      read: async (offset, maxBytes) => {
        const counts = this.countsOf(topic);
        const startedAt = performance.now();
        try {
          const read = await tierer.read(offset, maxBytes);
          counts.remoteFetchRequests++;
          counts.remoteFetchBytes += read.records.length;
          await this.waitForFetchQuota(read.records.length);
          return read;
        } catch (error) {
          counts.remoteFetchFailures++;
          // The log's own errors (OFFSET_OUT_OF_RANGE) keep their names; the object store's
          // (unreachable, a corrupt object) are Kafka's retriable KAFKA_STORAGE_ERROR to the consumer.
          if (error instanceof LogError || error instanceof ApiError) throw error;
          throw new ApiError(
            'KAFKA_STORAGE_ERROR',
            `remote read of ${partitionKey} at ${offset} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        } finally {
          this.options.onRemoteFetch?.((performance.now() - startedAt) / 1000);
        }
      },
    };
  }

  snapshot(): TieringSnapshot {
    const remoteSizeBytes = new Map<string, number>();
    const copyLagBytes = new Map<string, number>();
    const copyLagSegments = new Map<string, number>();
    const add = (map: Map<string, number>, topic: string, value: number): void => {
      map.set(topic, (map.get(topic) ?? 0) + value);
    };
    const partitions: PartitionTieringGauges[] = [];
    for (const { tierer } of this.tiered.values()) {
      const size = tierer.state.remoteSizeBytes();
      add(remoteSizeBytes, tierer.topic, size);
      const lag = tierer.copyLag();
      add(copyLagBytes, tierer.topic, lag.bytes);
      add(copyLagSegments, tierer.topic, lag.segments);
      partitions.push({
        topic: tierer.topic,
        partition: tierer.state.partition,
        remoteSizeBytes: size,
        copyLagBytes: lag.bytes,
        copyLagSegments: lag.segments,
      });
    }
    return {
      counts: this.counts,
      partitions,
      remoteSizeBytes,
      copyLagBytes,
      copyLagSegments,
      store: this.store.counters(),
      chunkCache: this.chunks.counters(),
      remoteReads: this.remoteReads.counters(),
    };
  }

  private countProgress(tiered: TieredPartition): void {
    const totals = tiered.tierer.totals();
    const counts = this.countsOf(tiered.tierer.topic);
    counts.copiedBytes += totals.copiedBytes - tiered.reported.copiedBytes;
    counts.copiedSegments += totals.copiedSegments - tiered.reported.copiedSegments;
    counts.deletedRemoteSegments +=
      totals.deletedRemoteSegments -
      tiered.reported.deletedRemoteSegments +
      (totals.cleanedUnfinished - tiered.reported.cleanedUnfinished);
    tiered.reported = { ...totals };
    const compaction = tiered.tierer.remoteCompactionTotals();
    counts.remoteCompactionRuns += compaction.runs - tiered.reportedCompaction.runs;
    counts.remoteCompactionBytesIn += compaction.bytesIn - tiered.reportedCompaction.bytesIn;
    counts.remoteCompactionBytesOut += compaction.bytesOut - tiered.reportedCompaction.bytesOut;
    counts.remoteCompactionRecordsDropped += compaction.recordsDropped - tiered.reportedCompaction.recordsDropped;
    tiered.reportedCompaction = { ...compaction };
  }

  private countsOf(topic: string): TopicTieringCounts {
    let counts = this.counts.get(topic);
    if (counts === undefined) {
      counts = {
        copiedBytes: 0,
        copiedSegments: 0,
        failedRuns: 0,
        deletedRemoteSegments: 0,
        remoteFetchBytes: 0,
        remoteFetchRequests: 0,
        remoteFetchFailures: 0,
        remoteCompactionRuns: 0,
        remoteCompactionBytesIn: 0,
        remoteCompactionBytesOut: 0,
        remoteCompactionRecordsDropped: 0,
      };
      this.counts.set(topic, counts);
    }
    return counts;
  }

  /** The topic's tiering config when it tiers, else null. */
  tieringConfigOf(topic: string): TopicTieringConfig | null {
    try {
      const config = parseTopicTieringConfig(this.options.topicConfigs(topic), this.options.logConfig(topic), {
        remoteLogStorageSystemEnable: true,
      });
      return config.remoteStorageEnable ? config : null;
    } catch (error) {
      this.options.log.warn({ topic, err: error }, 'topic tiering configs not applied');
      return null;
    }
  }

  /**
   * The retention pass's bound for a replica (null: not tiered here, no extra bound). On the leader
   * of a tiered topic: nothing past what is durably copied; before its task has replayed the
   * metadata: nothing at all. Followers need none: they only follow the leader's local log start.
   */
  retentionBound(replica: PartitionReplica): number | null {
    if (replica.role.kind !== 'leader' || this.tieringConfigOf(replica.topic) === null) return null;
    const tiered = this.tiered.get(replica.key);
    if (tiered === undefined) return replica.log.logStartOffset;
    return tiered.tierer.state.highestCopiedOffset() + 1;
  }

  /**
   * For a follower starting at `startOffset`, below which its leader's data is only remote (Kafka's
   * OFFSET_MOVED_TO_TIERED_STORAGE): the leader epochs and producer state as of `startOffset - 1`,
   * from the partition's replayed remote-log metadata and the objects of the segment holding that
   * offset. Null when nothing remote holds it. Throws while the store or the metadata topic fails.
   */
  async remoteLogAuxState(topicId: string, partition: number, startOffset: number): Promise<RemoteLogAuxState | null> {
    const metadataLog = await this.ensureMetadataLog();
    const state = new RemotePartitionState(topicId, partition);
    for (const record of await metadataLog.replay(topicId, partition)) state.apply(record);
    return readRemoteLogAuxState(state, this.store, this.options.config.s3!.keyPrefix, startOffset);
  }

  /** One pass now (tests; the timer runs them every remote.log.manager.task.interval.ms). */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        void this.runOnce().finally(() => this.schedule());
      },
      this.moreToCopy ? 0 : this.options.config.remoteLogManagerTaskIntervalMs,
    );
  }

  private async pass(): Promise<void> {
    const { log } = this.options;
    this.moreToCopy = false;
    try {
      await this.reconcile();
    } catch (error) {
      log.warn({ err: error }, 'tiering: could not open the remote-log metadata; retrying next interval');
      return;
    }
    for (const [key, tiered] of this.tiered) {
      if (this.stopped) return;
      const now = this.options.nowMs();
      if (now < tiered.nextRunMs) continue;
      try {
        const result = await tiered.tierer.runOnce();
        this.countProgress(tiered);
        // Progress was made (no busy loop on a partition that copies nothing).
        if (result.moreToCopy && result.copiedSegments > 0) this.moreToCopy = true;
        tiered.failures = 0;
        tiered.nextRunMs = 0;
        if (
          result.copiedSegments + result.deletedLocalSegments + result.deletedRemoteSegments > 0 ||
          (result.remoteCompaction !== null && result.remoteCompaction.skipped === null)
        ) {
          log.info({ partition: key, ...result }, 'tiering task run');
        }
      } catch (error) {
        // What the run finished before failing is counted too.
        this.countProgress(tiered);
        tiered.failures++;
        this.countsOf(tiered.tierer.topic).failedRuns++;
        const backoffMs = Math.min(
          MAX_BACKOFF_MS,
          this.options.config.remoteLogManagerTaskIntervalMs * 2 ** Math.min(tiered.failures, 16),
        );
        // Jitter (half to all of the backoff): partitions that failed together do not retry together.
        tiered.nextRunMs = now + Math.round(backoffMs * (0.5 + this.random() / 2));
        log.warn({ partition: key, failures: tiered.failures, err: error }, 'tiering task failed; backing off');
      }
    }
  }

  /** Opens the task of every tiered partition this broker now leads, drops the others. */
  private async reconcile(): Promise<void> {
    const leading = new Map<string, { replica: PartitionReplica; leaderEpoch: number; config: TopicTieringConfig }>();
    for (const replica of this.options.replicas()) {
      const role = replica.role;
      if (role.kind !== 'leader') continue;
      const config = this.tieringConfigOf(replica.topic);
      if (config !== null) leading.set(replica.key, { replica, leaderEpoch: role.core.leaderEpoch, config });
    }
    for (const [key, tiered] of this.tiered) {
      const now = leading.get(key);
      if (now !== undefined && now.leaderEpoch === tiered.leaderEpoch) continue;
      this.tiered.delete(key);
      // The topic was deleted while this broker led the partition: its objects go too. (When the
      // last leader is gone first, they stay until a scrub, which is not built yet.)
      if (!this.options.topicExists(tiered.tierer.topicId)) this.deleting.set(key, tiered.tierer);
    }
    for (const [key, tierer] of this.deleting) {
      try {
        const segments = await tierer.deletePartition();
        this.deleting.delete(key);
        this.options.log.info({ partition: key, segments }, 'deleted topic: remote segments deleted');
      } catch (error) {
        this.options.log.warn({ partition: key, err: error }, 'deleted topic: remote cleanup failed; retrying');
      }
    }
    if (leading.size === 0) return;
    const metadataLog = await this.ensureMetadataLog();
    for (const [key, { replica, leaderEpoch, config }] of leading) {
      if (this.tiered.has(key)) continue;
      const tierer = await PartitionTierer.open({
        log: replica.log,
        topic: replica.topic,
        topicId: replica.topicId,
        partition: replica.partition,
        brokerId: this.options.brokerId,
        leaderEpoch: () => leaderEpoch,
        highWatermark: () => (replica.role.kind === 'leader' ? replica.role.core.highWatermark : 0),
        config,
        store: this.store,
        keyPrefix: this.options.config.s3!.keyPrefix,
        metadataLog,
        reader: this.reader,
        nowMs: this.options.nowMs,
        newUploadId: () => randomUUID(),
        beforeCopy: (bytes) => this.waitForCopyQuota(bytes),
        copyMergeMaxBytes: this.options.config.copyMergeMaxBytes,
        // Passes only while the topic is compacted (the compactor checks the log's config each time).
        remoteCompaction: {
          intervalMs: this.options.config.remoteCompactionIntervalMs,
          maxBytesPerPass: this.options.config.remoteCompactionMaxBytes,
          dedupeBufferBytes: this.options.dedupeBufferBytes ?? DEFAULT_DEDUPE_BUFFER_BYTES,
        },
      });
      this.tiered.set(key, {
        tierer,
        leaderEpoch,
        failures: 0,
        nextRunMs: 0,
        reported: tierer.totals(),
        reportedCompaction: tierer.remoteCompactionTotals(),
      });
      this.options.log.info(
        { partition: key, leaderEpoch, remoteSegments: tierer.state.copied().length },
        'tiering task opened (remote-log metadata replayed)',
      );
    }
  }

  private async waitForCopyQuota(bytes: number): Promise<void> {
    if (this.copyQuota === null) return;
    const waitMs = this.copyQuota.admit(bytes, this.options.nowMs());
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /**
   * Remote reads over the fetch quota are answered late (Kafka throttles the same way), by at most
   * MAX_FETCH_THROTTLE_MS per read so a fetch stays within its request timeout; a rate too low
   * for the reads asked of it is then exceeded, not turned into timeouts.
   */
  private async waitForFetchQuota(bytes: number): Promise<void> {
    if (this.fetchQuota === null) return;
    const waitMs = Math.min(MAX_FETCH_THROTTLE_MS, this.fetchQuota.admit(bytes, this.options.nowMs()));
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  private async ensureMetadataLog(): Promise<TopicRemoteLogMetadataLog> {
    if (this.metadataLog !== null) return this.metadataLog;
    const { config } = this.options;
    if (!this.bucketReady) {
      await this.store.ensureBucket();
      this.bucketReady = true;
    }
    const admin = new Admin({ bootstrap: this.options.controllerAddresses });
    try {
      await TopicRemoteLogMetadataLog.ensureTopic(
        admin,
        config.metadataTopicNumPartitions,
        config.metadataTopicReplicationFactor,
      );
    } finally {
      admin.close();
    }
    this.metadataLog = new TopicRemoteLogMetadataLog({
      bootstrap: this.options.bootstrap(),
      numPartitions: config.metadataTopicNumPartitions,
    });
    return this.metadataLog;
  }
}
