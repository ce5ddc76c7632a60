/**
 * The partition logs' life on this broker's disk: opening each under `log.dirs[0]/<topic>-<partition>`
 * with its topic's configs (and taking changed configs), the retention and compaction passes the
 * replication core schedules, the flush scheduler's checks and the checkpoint passes (recovery
 * points, log start offsets: written off the event loop, one pass at a time), Kafka's
 * replication-offset-checkpoint (read at start, written when the core says), and closing. An I/O
 * error (a full disk, a failed fsync) takes the whole directory offline (`offline`: Kafka's log
 * directory failure); other errors of one log (LogError: a closed log) are that partition's and are
 * logged; anything else is a bug and goes on up.
 *
 * Logs are opened with scheduled flushing: nothing fdatasyncs on the event loop while the broker
 * runs. Appends ask `afterAppend` whether their log is due a flush (a roll, flush.messages), the
 * core's flush tick asks every log (flush.ms), and the LogFlusher runs the flushes.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defaultLogConfig,
  isCompacted,
  LogError,
  LogStorageError,
  nodeLogFiles,
  parseLogConfig,
  PartitionLog,
  type LogConfig,
  type LogFiles,
} from '@sluice/log';
import type { MetadataImage } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import type { Logger } from '@sluice/runtime';
import type { LogMaintenance } from '../core/replication-ready';
import {
  HIGH_WATERMARK_CHECKPOINT_FILE,
  readHighWatermarks,
  writeHighWatermarks,
  writeHighWatermarksAsync,
} from './high-watermark-checkpoint';
import type { LogFlusher } from './log-flusher';
import type { PartitionReplica } from './partition-replica';

export interface LogLifecycleOptions {
  readonly logDir: string;
  readonly log: Logger;
  readonly maxMessageBytes: number;
  /** Kafka's log.flush.interval.messages / log.flush.interval.ms (topics' flush.messages / flush.ms override them); default never. */
  readonly flushIntervalMessages?: number;
  readonly flushIntervalMs?: number;
  /** Kafka's log.cleaner.dedupe.buffer.size (default 128 MiB): bound on one pass's key map. */
  readonly logCleanerDedupeBufferBytes?: number;
  /** The file layer of every log (a power-loss test journals its syncs); default node:fs. */
  readonly files?: LogFiles;
  /** Every log's flush durations (for /metrics). */
  readonly onFlush?: (durationSeconds: number) => void;
  /**
   * Tiered storage: a further bound on what retention may delete from a replica's log (on the
   * leader of a tiered topic, what is durably copied); null = none.
   */
  readonly retentionBound?: (replica: PartitionReplica) => number | null;
  /**
   * Told once, asynchronously, when an I/O error took the log directory offline (see
   * `offline`): the broker tells the controller and stops fetching.
   */
  readonly onOffline?: (dir: string, reason: string) => void;
}

/** Why the log directory went offline: the first I/O error, by file and operation. */
export interface LogDirFailure {
  readonly dir: string;
  readonly reason: string;
}

/**
 * Kafka's suffix of a partition directory being deleted: it is renamed first (one atomic step, so
 * a new replica of the same partition can open at once under the old name), then removed in the
 * background; a crash in between leaves a name no partition has, removed at the next start.
 */
export const DELETED_LOG_DIR_SUFFIX = '-delete';

/** Checkpoint files written at once in one pass (their syncs share libuv's pool with flushes). */
const CHECKPOINT_CONCURRENCY = 4;

export class LogLifecycle {
  /** High watermarks read at start (Kafka's replication-offset-checkpoint), by `<topic>-<partition>`. */
  readonly checkpointedHighWatermarks: ReadonlyMap<string, number>;
  /** Broker-level log settings a topic's configs override. */
  private readonly brokerLogConfig: LogConfig;
  private deletedSegments = 0;
  private removedRecords = 0;
  readonly files: LogFiles;
  /** One pass of each checkpoint kind at a time (a slow disk must not pile them up). */
  private readonly passInFlight = { recoveryPoint: false, logStart: false, highWatermark: false };
  /** Synchronous high-watermark checkpoint writes: a scheduled write begun before one is stale. */
  private highWatermarkSyncWrites = 0;
  private failure: LogDirFailure | null = null;

  constructor(private readonly options: LogLifecycleOptions) {
    this.files = options.files ?? nodeLogFiles;
    this.brokerLogConfig = {
      ...defaultLogConfig,
      maxMessageBytes: options.maxMessageBytes,
      flushMessages: options.flushIntervalMessages ?? defaultLogConfig.flushMessages,
      flushMs: options.flushIntervalMs ?? defaultLogConfig.flushMs,
    };
    this.checkpointedHighWatermarks = readHighWatermarks(this.checkpointPath(), options.log);
    this.removeDeletedLeftovers();
  }

  /**
   * Deletes a replica's log: the broker no longer hosts the partition (a committed reassignment
   * removed it; Kafka's StopReplica with delete). The replica is already out of the replication
   * core, so nothing appends to it; a flush or checkpoint still in flight gives up on the closed
   * log. Resolves once the files are gone; a failure is logged (the renamed directory is removed
   * at the next start), never taking the log directory offline.
   */
  async deleteLog(replica: PartitionReplica): Promise<void> {
    replica.log.abandon();
    if (this.failure !== null) return; // nothing is written to an offline directory, deletions included
    const dir = join(this.options.logDir, replica.key);
    const doomed = `${dir}.${randomUUID().replaceAll('-', '')}${DELETED_LOG_DIR_SUFFIX}`;
    try {
      renameSync(dir, doomed);
      await rm(doomed, { recursive: true, force: true });
      this.options.log.info({ partition: replica.key }, 'replica removed from this broker: log deleted');
    } catch (error) {
      this.options.log.warn({ partition: replica.key, err: error }, 'log of a removed replica not deleted yet');
    }
  }

  /** Directories a crash left half-deleted (renamed with DELETED_LOG_DIR_SUFFIX) go at start. */
  private removeDeletedLeftovers(): void {
    let names: string[];
    try {
      names = readdirSync(this.options.logDir);
    } catch {
      return; // no directory yet: nothing left over
    }
    for (const name of names.filter((n) => n.endsWith(DELETED_LOG_DIR_SUFFIX))) {
      try {
        rmSync(join(this.options.logDir, name), { recursive: true, force: true });
        this.options.log.info({ dir: name }, 'removed a log directory left half-deleted');
      } catch (error) {
        this.options.log.warn({ dir: name, err: error }, 'could not remove a log directory left half-deleted');
      }
    }
  }

  /** Segments deleted by retention since start (all partitions), for /metrics. */
  get retentionDeletedSegments(): number {
    return this.deletedSegments;
  }

  /** Records compaction removed since start (all partitions), for /metrics. */
  get compactionRemovedRecords(): number {
    return this.removedRecords;
  }

  /**
   * The log directory is offline (Kafka's log directory failure): an I/O error (a full disk, a
   * failed fsync or write) failed one of its logs or files. Its logs share the disk, so from
   * then on none is served, written, flushed, cleaned or checkpointed, and nothing new opens
   * there, until a restart finds it healthy again (recovery cuts whatever the failure left
   * half-written). Null while it is online.
   */
  get offline(): LogDirFailure | null {
    return this.failure;
  }

  /** Takes the directory offline (once; later errors add nothing) and tells `onOffline` on the next turn. */
  markOffline(error: unknown): void {
    if (this.failure !== null) return;
    const reason = error instanceof Error ? error.message : String(error);
    this.failure = { dir: this.options.logDir, reason };
    this.options.log.error(
      { logDir: this.options.logDir, err: error },
      'log directory offline after an I/O error: its replicas are no longer served',
    );
    const notify = this.options.onOffline;
    if (notify !== undefined) setImmediate(() => notify(this.options.logDir, reason));
  }

  /** Opens (recovers) a partition's log; KAFKA_STORAGE_ERROR while the directory is offline or when opening fails on I/O. */
  open(partitionKey: string, config: LogConfig): PartitionLog {
    if (this.failure !== null) throw this.offlineError();
    try {
      return PartitionLog.open({
        dir: join(this.options.logDir, partitionKey),
        config,
        files: this.files,
        flushing: 'scheduled',
        onStorageError: (error) => this.markOffline(error),
        ...(this.options.onFlush === undefined ? {} : { onFlush: this.options.onFlush }),
      });
    } catch (error) {
      if (!isSystemError(error) && !(error instanceof LogStorageError)) throw error;
      this.markOffline(error);
      throw this.offlineError();
    }
  }

  /** What a request for a replica in the offline directory is answered with. */
  offlineError(): ApiError {
    return new ApiError(
      'KAFKA_STORAGE_ERROR',
      `log directory ${this.options.logDir} is offline: ${this.failure?.reason ?? 'I/O error'}`,
    );
  }

  /**
   * After an append to a replica's log: a durable-acks partition is flushed in the next round (its
   * acknowledgements wait for it), any other when its log is due one (a segment rolled,
   * flush.messages reached).
   */
  afterAppend(replica: PartitionReplica, durable: boolean, flusher: LogFlusher, nowMs: number): void {
    if (this.failure !== null) return;
    if (durable || replica.log.flushDue(nowMs) !== null) flusher.request(replica);
  }

  /** The flush scheduler's tick (log.flush.scheduler.interval.ms): every log due a flush gets one. */
  runFlushCheck(nowMs: number, replicas: readonly PartitionReplica[], flusher: LogFlusher): void {
    if (this.failure !== null) return;
    for (const replica of replicas) {
      try {
        if (replica.log.flushDue(nowMs) !== null) flusher.request(replica);
      } catch (error) {
        if (!(error instanceof LogError)) throw error;
      }
    }
  }

  /** Writes every trailing recovery-point checkpoint (log.flush.offset.checkpoint.interval.ms). */
  checkpointRecoveryPoints(replicas: readonly PartitionReplica[]): Promise<void> {
    return this.checkpointPass('recoveryPoint', replicas, (log) => log.checkpointRecoveryPoint());
  }

  /** Writes every trailing log-start checkpoint (log.flush.start.offset.checkpoint.interval.ms). */
  checkpointLogStartOffsets(replicas: readonly PartitionReplica[]): Promise<void> {
    return this.checkpointPass('logStart', replicas, (log) => log.checkpointLogStartOffset());
  }

  private async checkpointPass(
    kind: 'recoveryPoint' | 'logStart',
    replicas: readonly PartitionReplica[],
    write: (log: PartitionLog) => Promise<boolean>,
  ): Promise<void> {
    if (this.passInFlight[kind] || this.failure !== null) return;
    this.passInFlight[kind] = true;
    try {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < replicas.length) {
          const replica = replicas[next++]!;
          try {
            await write(replica.log);
          } catch (error) {
            if (!(error instanceof LogError)) throw error;
            this.options.log.error({ partition: replica.key, err: error }, 'checkpoint not written');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(CHECKPOINT_CONCURRENCY, replicas.length) }, () => worker()));
    } finally {
      this.passInFlight[kind] = false;
    }
  }

  /**
   * A partition's LogConfig: the broker's, overridden by the topic's configs in the metadata
   * image (retention.ms, retention.bytes, segment.bytes, max.message.bytes, ...). The controller
   * validated them; one this log layer still refuses leaves the broker's settings in force.
   */
  configFor(image: MetadataImage | undefined, topic: string): LogConfig {
    const entries = image?.configs.resource('topic', topic)?.entries;
    if (entries === undefined || entries.size === 0) return this.brokerLogConfig;
    try {
      return parseLogConfig(Object.fromEntries(entries), this.brokerLogConfig);
    } catch (error) {
      this.options.log.warn({ topic, err: error }, 'topic log configs not applied');
      return this.brokerLogConfig;
    }
  }

  /** Kafka's dynamic topic configs: open logs take their topic's changed settings. */
  updateConfigs(image: MetadataImage, topic: string, replicas: readonly PartitionReplica[]): void {
    if (replicas.length === 0) return;
    const config = this.configFor(image, topic);
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

  /**
   * One retention pass (Kafka's LogManager cleanupLogs): every log applies its topic's
   * retention.ms / retention.bytes and drops segments wholly below its log start offset, but never
   * a segment holding an offset at or above `maxOffset`, the replica's high watermark (Kafka
   * deletes a segment only when the next one's base offset is <= the high watermark). Returns the
   * number of segments deleted.
   */
  runRetention(pass: LogMaintenance, replicaOf: (partition: string) => PartitionReplica | undefined): number {
    if (this.failure !== null) return 0;
    let deleted = 0;
    for (const { partition, maxOffset } of pass.partitions) {
      const replica = replicaOf(partition);
      if (replica === undefined) continue;
      const before = replica.log.logStartOffset;
      const bound = this.options.retentionBound?.(replica) ?? null;
      try {
        deleted += replica.log.deleteOldSegments(pass.nowMs, {
          maxOffset: bound === null ? maxOffset : Math.min(maxOffset, bound),
        });
      } catch (error) {
        if (!(error instanceof LogError)) throw error;
        this.options.log.error({ partition, err: error }, 'retention failed');
        continue;
      }
      if (replica.log.logStartOffset !== before) {
        this.options.log.info(
          { partition, logStartOffset: replica.log.logStartOffset },
          'retention moved the log start offset',
        );
      }
    }
    this.deletedSegments += deleted;
    return deleted;
  }

  /**
   * One cleaner pass (Kafka's LogCleaner, on the event loop here): every log whose topic's
   * cleanup.policy includes compact is compacted below `maxOffset`, the replica's high watermark.
   * The log decides whether it is dirty enough; time/size retention of compact-only logs is
   * skipped by the log itself. Returns the number of records removed.
   */
  runCompaction(pass: LogMaintenance, replicaOf: (partition: string) => PartitionReplica | undefined): number {
    if (this.failure !== null) return 0;
    let removed = 0;
    for (const { partition, maxOffset } of pass.partitions) {
      const replica = replicaOf(partition);
      if (replica === undefined || !isCompacted(replica.log.config)) continue;
      try {
        removed += replica.log.compact(pass.nowMs, {
          maxOffset,
          dedupeBufferBytes: this.options.logCleanerDedupeBufferBytes,
        }).recordsRemoved;
      } catch (error) {
        if (!(error instanceof LogError)) throw error;
        this.options.log.error({ partition, err: error }, 'compaction failed');
      }
    }
    this.removedRecords += removed;
    return removed;
  }

  /** Writes the checkpoint now (shutdown); false (logged) when the disk refused. */
  writeCheckpoint(highWatermarks: ReadonlyMap<string, number>): boolean {
    if (this.failure !== null) return false;
    this.highWatermarkSyncWrites++;
    try {
      writeHighWatermarks(this.files, this.checkpointPath(), highWatermarks);
      return true;
    } catch (error) {
      if (!isSystemError(error)) throw error;
      this.options.log.error({ err: error }, 'high watermark checkpoint not written');
      this.markOffline(error);
      return false;
    }
  }

  /**
   * Writes the checkpoint off the event loop (its cadence); resolves false when it was not
   * written: one is still in flight, a synchronous write overtook it, or the disk refused (logged).
   * The next cadence tries again.
   */
  async writeCheckpointAsync(highWatermarks: ReadonlyMap<string, number>): Promise<boolean> {
    if (this.passInFlight.highWatermark || this.failure !== null) return false;
    this.passInFlight.highWatermark = true;
    const syncWritesAtStart = this.highWatermarkSyncWrites;
    try {
      return await writeHighWatermarksAsync(
        this.files,
        this.checkpointPath(),
        highWatermarks,
        () => this.highWatermarkSyncWrites === syncWritesAtStart,
      );
    } catch (error) {
      if (!isSystemError(error)) throw error;
      this.options.log.error({ err: error }, 'high watermark checkpoint not written');
      this.markOffline(error);
      return false;
    } finally {
      this.passInFlight.highWatermark = false;
    }
  }

  private checkpointPath(): string {
    return join(this.options.logDir, HIGH_WATERMARK_CHECKPOINT_FILE);
  }
}

/** An error from the operating system (ENOSPC, EACCES, EIO, ...), not from our code. */
function isSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}
