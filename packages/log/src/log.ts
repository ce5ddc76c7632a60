import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BatchLayout, RecordBatchView, readInt64AsNumber } from '@sluice/protocol';
import { writeCheckpointFile, writeOffsetCheckpoint } from './checkpoint-file';
import { fsyncDirectory, writeFileAtomic } from './durable-file';
import { noopLogger, systemClock, type Clock, type LogLogger } from './env';
import {
  assert,
  FencedLeaderEpochError,
  InvalidRecordBatchError,
  LogClosedError,
  LogError,
  LogStorageError,
  OffsetOutOfRangeError,
  OffsetsOutOfOrderError,
  RecordBatchTooLargeError,
  RecordTooLargeError,
  UnexpectedAppendOffsetError,
} from './errors';
import { CLEAN_SHUTDOWN_FILE, LEADER_EPOCH_FILE, LOG_START_OFFSET_FILE, RECOVERY_POINT_FILE } from './file-names';
import { shouldFlush } from './flush-policy';
import { LeaderEpochCache, UNDEFINED_EPOCH, type EpochEndOffset, type EpochEntry } from './leader-epoch-cache';
import { defaultLogConfig, validateLogConfig, type LogConfig } from './log-config';
import { sharedLogResources, type LogResources } from './log-resources';
import { recoverLog, type VerifyOnOpen } from './recovery';
import { selectRetention, type RetentionSegment } from './retention';
import { shouldRoll } from './roll-policy';
import { LogSegment, type AppendedBatch, type SegmentContext } from './segment';

const INT32_MAX = 2 ** 31 - 1;
const EMPTY = Buffer.alloc(0);

export interface OpenLogOptions {
  /** The partition directory (`<topic>-<partition>`); created when missing. */
  readonly dir: string;
  readonly config?: LogConfig;
  readonly clock?: Clock;
  readonly logger?: LogLogger;
  /** Bounded caches for closed segments, shared by every log of a broker. */
  readonly resources?: LogResources;
  /** `all` also verifies every batch before the recovery point (slow; for suspicious disks). */
  readonly verifyOnOpen?: VerifyOnOpen;
}

export interface AppendInfo {
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly batchCount: number;
  readonly recordCount: number;
  readonly sizeBytes: number;
  readonly maxTimestampMs: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
}

export interface ReadOptions {
  /** Exclusive upper bound (e.g. the high watermark): only batches wholly below it are returned. */
  readonly maxOffset?: number;
}

export interface ReadResult {
  /** Whole batches, exactly as stored; empty when nothing is readable. */
  readonly records: Buffer;
  readonly batchCount: number;
  /** Base offset of the first returned batch (may be below the requested offset). */
  readonly firstOffset: number | null;
  readonly lastOffset: number | null;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
}

export interface TimestampAndOffset {
  readonly offset: number;
  readonly timestampMs: number;
}

export interface LogStats {
  readonly cleanShutdown: boolean;
  readonly recoveryScannedBytes: number;
  readonly recoveryTruncatedBytes: number;
  readonly recoveryTruncations: number;
  readonly recoveryDeletedSegments: number;
  readonly indexRebuilds: number;
  readonly rolls: number;
  readonly flushes: number;
  readonly retentionDeletedSegments: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface ValidatedAppend {
  readonly views: RecordBatchView[];
  readonly batches: AppendedBatch[];
  readonly recordCount: number;
  readonly maxTimestampMs: number;
}

/**
 * A partition's log on local disk (Kafka's UnifiedLog + LocalLog): a list of segments, the last
 * one active. All I/O is synchronous on held fds; decisions (roll, flush, retention, index
 * lookups) live in pure functions. Not re-entrant: one caller at a time, as on Node's one thread.
 *
 * Offsets: `logStartOffset` <= `recoveryPoint` <= `logEndOffset`. Everything below the recovery
 * point has been fdatasynced and is checkpointed, so recovery refuses to drop it.
 */
export class PartitionLog {
  private readonly segments: LogSegment[];
  private logStart: number;
  private recoveryPointOffset: number;
  /** What `recovery-point-offset-checkpoint` holds: <= recoveryPointOffset between checkpoints. */
  private checkpointedRecoveryPoint: number;
  private lastRecoveryCheckpointMs: number;
  private readonly epochs: LeaderEpochCache;
  private unflushedMessages = 0;
  private oldestUnflushedAppendMs: number | null = null;
  private directoryDirty = false;
  /**
   * New epochs from appends are checkpointed by the next flush or clean close, not fsynced on the
   * append path (as Kafka since KAFKA-15046): until then they lie above the recovery point, where
   * a recovery scan rebuilds them from the batches' leader epochs.
   */
  private epochsDirty = false;
  private state: 'open' | 'closed' | 'failed' = 'open';
  private readonly statsValue: Mutable<LogStats>;

  private constructor(
    readonly dir: string,
    private configValue: LogConfig,
    private readonly clock: Clock,
    private readonly logger: LogLogger,
    private readonly context: Mutable<SegmentContext>,
    recovered: ReturnType<typeof recoverLog>,
    statsValue: Mutable<LogStats>,
  ) {
    this.segments = recovered.segments;
    this.logStart = recovered.logStartOffset;
    this.recoveryPointOffset = recovered.recoveryPoint;
    this.checkpointedRecoveryPoint = recovered.recoveryPoint;
    this.lastRecoveryCheckpointMs = clock.nowMs();
    this.epochs = recovered.epochCache;
    this.statsValue = statsValue;
  }

  /** Opens (creating if needed) and recovers the log in `options.dir`. */
  static open(options: OpenLogOptions): PartitionLog {
    const config = validateLogConfig(options.config ?? defaultLogConfig);
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? noopLogger;
    const stats: Mutable<LogStats> = {
      cleanShutdown: false,
      recoveryScannedBytes: 0,
      recoveryTruncatedBytes: 0,
      recoveryTruncations: 0,
      recoveryDeletedSegments: 0,
      indexRebuilds: 0,
      rolls: 0,
      flushes: 0,
      retentionDeletedSegments: 0,
    };
    const context: Mutable<SegmentContext> = {
      config,
      resources: options.resources ?? sharedLogResources(),
      onIndexRebuilt: (file, reason) => {
        stats.indexRebuilds++;
        logger.warn('rebuilt segment index', { file, reason });
      },
    };
    const recovered = recoverLog(options.dir, context, { verifyOnOpen: options.verifyOnOpen ?? 'unflushed', logger, nowMs: clock.nowMs() });
    stats.cleanShutdown = recovered.cleanShutdown;
    stats.recoveryScannedBytes = recovered.scannedBytes;
    stats.recoveryTruncatedBytes = recovered.truncatedBytes;
    stats.recoveryTruncations = recovered.truncations;
    stats.recoveryDeletedSegments = recovered.deletedSegments;
    const log = new PartitionLog(options.dir, config, clock, logger, context, recovered, stats);
    // From here on a crash is unclean: the active segment's saved indexes go stale with appends.
    const marker = join(options.dir, CLEAN_SHUTDOWN_FILE);
    if (existsSync(marker)) {
      unlinkSync(marker);
      fsyncDirectory(options.dir);
    }
    if (recovered.epochCacheChanged) log.persistEpochs();
    if (recovered.truncations > 0) {
      logger.warn('log recovered with truncation', { dir: options.dir, truncatedBytes: recovered.truncatedBytes, logEndOffset: log.logEndOffset });
    }
    return log;
  }

  get config(): LogConfig {
    return this.configValue;
  }

  /**
   * Kafka's updateConfig (a topic's configs changed): retention, roll, flush and size limits
   * apply from the next call that uses them; index sizes (`segment.index.bytes`,
   * `index.interval.bytes`) keep their current values until the log is reopened, so indexes
   * already allocated never change shape under an open segment.
   */
  updateConfig(config: LogConfig): void {
    this.ensureOpen();
    const next = validateLogConfig({ ...config, segmentIndexBytes: this.configValue.segmentIndexBytes, indexIntervalBytes: this.configValue.indexIntervalBytes });
    this.configValue = next;
    this.context.config = next;
  }

  get logStartOffset(): number {
    return this.logStart;
  }
  get logEndOffset(): number {
    return this.active.nextOffset;
  }
  get recoveryPoint(): number {
    return this.recoveryPointOffset;
  }
  get stats(): LogStats {
    return { ...this.statsValue };
  }
  get segmentCount(): number {
    return this.segments.length;
  }
  /** Total bytes of all segment files. */
  get sizeBytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.sizeBytes, 0);
  }
  /** Base offsets of the segments, oldest first (the last is active). */
  segmentBaseOffsets(): number[] {
    return this.segments.map((segment) => segment.baseOffset);
  }
  epochEntries(): readonly EpochEntry[] {
    return this.epochs.entries();
  }
  latestEpoch(): number | null {
    return this.epochs.latestEpoch();
  }

  /**
   * Leader append: validates every batch (header, CRC, size, record count vs offsets) before
   * writing a byte, then stamps base offsets from the log end offset and `leaderEpoch` into the
   * caller's buffer in place and appends those bytes.
   */
  append(batches: Buffer, options: { leaderEpoch: number }): AppendInfo {
    this.ensureOpen();
    const leaderEpoch = options.leaderEpoch;
    if (!Number.isSafeInteger(leaderEpoch) || leaderEpoch < 0 || leaderEpoch > INT32_MAX) {
      throw new InvalidRecordBatchError(`leader epoch ${leaderEpoch} is not a non-negative int32`, 0);
    }
    const latest = this.epochs.latestEpoch();
    if (latest !== null && leaderEpoch < latest) throw new FencedLeaderEpochError(leaderEpoch, latest);
    if (batches.length === 0) throw new InvalidRecordBatchError('no record batches in the append', 0);
    const validated = this.validate(batches, 'leader');
    const firstOffset = this.logEndOffset;
    let next = firstOffset;
    validated.views.forEach((view, i) => {
      view.stamp(next, leaderEpoch);
      (validated.batches[i] as Mutable<AppendedBatch>).baseOffset = next;
      next += view.lastOffsetDelta + 1;
    });
    this.write(batches, validated, firstOffset, next);
    if (this.epochs.assign(leaderEpoch, firstOffset)) this.epochsDirty = true;
    return this.finishAppend(validated, firstOffset, next - 1, batches.length);
  }

  /**
   * Follower append: keeps the offsets and epochs the leader stamped. The first batch must start
   * at or after the log end offset, and each batch where the previous one ended.
   */
  appendAsFollower(batches: Buffer): AppendInfo | null {
    this.ensureOpen();
    if (batches.length === 0) return null;
    const validated = this.validate(batches, 'follower');
    const firstView = validated.views[0]!;
    const lastView = validated.views.at(-1)!;
    this.write(batches, validated, firstView.baseOffset, lastView.nextOffset);
    let changed = false;
    for (const view of validated.views) {
      const epoch = view.partitionLeaderEpoch;
      if (epoch >= 0 && epoch > (this.epochs.latestEpoch() ?? -1)) changed = this.epochs.assign(epoch, view.baseOffset) || changed;
    }
    if (changed) this.epochsDirty = true;
    return this.finishAppend(validated, firstView.baseOffset, lastView.lastOffset, batches.length);
  }

  /**
   * Whole batches from the one holding `offset`, read straight from the segment file: at most
   * `maxBytes` unless the first batch alone is larger (then exactly that batch, as Kafka). Reads
   * stay within one segment; the caller asks again from the next offset.
   */
  read(offset: number, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.ensureOpen();
    assert(Number.isSafeInteger(maxBytes) && maxBytes >= 0, 'maxBytes must be a non-negative integer');
    const logEndOffset = this.logEndOffset;
    if (!Number.isSafeInteger(offset) || offset < this.logStart || offset > logEndOffset) {
      throw new OffsetOutOfRangeError(offset, this.logStart, logEndOffset);
    }
    const bound = Math.min(options.maxOffset ?? logEndOffset, logEndOffset);
    const empty: ReadResult = { records: EMPTY, batchCount: 0, firstOffset: null, lastOffset: null, logStartOffset: this.logStart, logEndOffset };
    if (offset >= bound) return empty;
    for (let i = this.holderIndex(offset); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const first = segment.findBatch(offset);
      if (first === null) continue;
      if (first.lastOffset >= bound) return empty;
      const length = Math.min(Math.max(maxBytes, first.sizeBytes), segment.sizeBytes - first.position);
      const bytes = segment.readBytes(first.position, length);
      let end = 0;
      let batchCount = 0;
      let lastOffset = first.lastOffset;
      while (end + BatchLayout.RECORDS <= bytes.length) {
        const size = bytes.readInt32BE(end + BatchLayout.BATCH_LENGTH) + 12;
        if (end + size > bytes.length) break;
        const batchLast = readInt64AsNumber(bytes, end) + bytes.readInt32BE(end + BatchLayout.LAST_OFFSET_DELTA);
        if (batchLast >= bound) break;
        end += size;
        batchCount++;
        lastOffset = batchLast;
      }
      assert(batchCount >= 1, `read at ${first.position} of ${segment.paths.log} returned no whole batch`);
      return { records: bytes.subarray(0, end), batchCount, firstOffset: first.baseOffset, lastOffset, logStartOffset: this.logStart, logEndOffset };
    }
    return empty;
  }

  /**
   * Kafka's ListOffsets by timestamp at batch granularity: the first batch whose max timestamp is
   * >= `timestampMs`, answered with its base offset (not below the log start offset); null when
   * no batch is that recent.
   */
  offsetForTimestamp(timestampMs: number): TimestampAndOffset | null {
    this.ensureOpen();
    for (let i = this.holderIndex(this.logStart); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      if (segment.largestTimestampMs() < timestampMs) continue;
      const found = segment.findByTimestamp(timestampMs, this.logStart);
      if (found !== null) return { offset: Math.max(found.baseOffset, this.logStart), timestampMs: found.maxTimestampMs };
    }
    return null;
  }

  /** Kafka's OffsetForLeaderEpoch for the divergence check; null for an unknown epoch. */
  endOffsetForEpoch(epoch: number): EpochEndOffset | null {
    this.ensureOpen();
    const answer = this.epochs.endOffsetFor(epoch, this.logEndOffset);
    return answer.epoch === UNDEFINED_EPOCH ? null : answer;
  }

  /** Flushes when `flush.messages`/`flush.ms` say so, or to catch up on rolled segments. */
  maybeFlush(nowMs: number = this.clock.nowMs()): boolean {
    this.ensureOpen();
    if (shouldFlush({ unflushedMessages: this.unflushedMessages, oldestUnflushedAppendMs: this.oldestUnflushedAppendMs }, this.config, nowMs)) {
      this.flush();
      return true;
    }
    // Like Kafka's flush after roll, but from the shell's timer instead of the append path.
    if (this.recoveryPointOffset < this.active.baseOffset) {
      this.flush(this.active.baseOffset);
      return true;
    }
    this.maybeCheckpointRecoveryPoint(nowMs);
    return false;
  }

  /**
   * fdatasyncs every segment holding offsets in [recoveryPoint, upTo) (and rolled segments'
   * index files and the directory), then advances and checkpoints the recovery point.
   */
  flush(upToOffset: number = this.logEndOffset): void {
    this.ensureOpen();
    const target = Math.min(upToOffset, this.logEndOffset);
    if (target <= this.recoveryPointOffset) return;
    this.guard('flush', () => {
      for (let i = this.holderIndex(this.recoveryPointOffset); i < this.segments.length; i++) {
        const segment = this.segments[i]!;
        if (segment.baseOffset >= target) break;
        segment.syncData();
        segment.syncIndexes();
      }
      if (this.directoryDirty) {
        fsyncDirectory(this.dir);
        this.directoryDirty = false;
      }
      // Epochs starting below the new recovery point will not be rebuilt by a recovery scan.
      if (this.epochsDirty) this.persistEpochs();
      this.recoveryPointOffset = target;
      this.maybeCheckpointRecoveryPoint(this.clock.nowMs());
    });
    if (target === this.logEndOffset) {
      this.unflushedMessages = 0;
      this.oldestUnflushedAppendMs = null;
    }
    this.statsValue.flushes++;
  }

  /** Closes the active segment and starts a new one at the log end offset (no-op when empty). */
  roll(): void {
    this.ensureOpen();
    if (this.active.sizeBytes === 0) return;
    this.rollAt(this.logEndOffset);
  }

  /**
   * Retention: deletes the oldest closed segments past `retention.ms`, beyond `retention.bytes`,
   * or wholly below the log start offset; moves the log start offset (checkpointed first).
   * With `maxOffset` (Kafka: the high watermark) only segments wholly below it are candidates:
   * a segment goes only if the next segment's base offset is <= `maxOffset`.
   * Returns the number of segments deleted.
   */
  deleteOldSegments(nowMs: number = this.clock.nowMs(), options: { readonly maxOffset?: number } = {}): number {
    this.ensureOpen();
    const maxOffset = options.maxOffset ?? Infinity;
    assert(maxOffset === Infinity || Number.isSafeInteger(maxOffset), `retention bound ${maxOffset} must be an integer`);
    let closedCount = this.segments.length - 1;
    while (closedCount > 0 && this.segments[closedCount]!.baseOffset > maxOffset) closedCount--;
    const closed = this.segments.slice(0, closedCount);
    const candidates: RetentionSegment[] = closed.map((segment) => ({
      baseOffset: segment.baseOffset,
      sizeBytes: segment.sizeBytes,
      // Lazy: the time predicate only reads the prefix it may delete.
      get largestTimestampMs(): number {
        const largest = segment.largestTimestampMs();
        return largest >= 0 ? largest : segment.lastModifiedMs();
      },
    }));
    const nextBases = this.segments.slice(1).map((segment) => segment.baseOffset);
    const decision = selectRetention(candidates, nextBases, this.sizeBytes, this.logStart, this.config, nowMs);
    if (decision.deleteCount === 0) return 0;
    const newStart = Math.max(this.logStart, this.segments[decision.deleteCount]!.baseOffset);
    this.guard('retention', () => {
      this.setLogStartOffset(newStart);
      for (const segment of this.segments.splice(0, decision.deleteCount)) {
        this.logger.info('retention deleted segment', { file: segment.paths.log, reason: decision.reason });
        segment.delete();
      }
      this.directoryDirty = true;
      this.recoveryPointOffset = Math.max(this.recoveryPointOffset, this.logStart);
    });
    this.statsValue.retentionDeletedSegments += decision.deleteCount;
    return decision.deleteCount;
  }

  /** Kafka's DeleteRecords: moves the log start offset up (segments go on the next retention run). */
  advanceLogStartOffset(offset: number): void {
    this.ensureOpen();
    if (!Number.isSafeInteger(offset) || offset > this.logEndOffset) throw new OffsetOutOfRangeError(offset, this.logStart, this.logEndOffset);
    if (offset <= this.logStart) return;
    this.guard('advance log start offset', () => this.setLogStartOffset(offset));
  }

  /**
   * Follower truncation: removes every batch holding an offset >= `offset` (a batch straddling it
   * goes whole, so the new log end offset may be lower), with indexes and the epoch cache.
   * Returns whether anything was removed. Below the log start offset it truncates fully.
   */
  truncateTo(offset: number): boolean {
    this.ensureOpen();
    assert(Number.isSafeInteger(offset) && offset >= 0, `truncation offset ${offset} must be >= 0`);
    if (offset >= this.logEndOffset) return false;
    if (offset < this.logStart) {
      this.truncateFullyAndStartAt(offset);
      return true;
    }
    const holder = this.holderIndex(offset);
    let index = holder;
    let cut = this.segments[index]!.findBatch(offset);
    while (cut === null && index + 1 < this.segments.length) cut = this.segments[++index]!.findBatch(offset);
    assert(cut !== null, `no batch holds offset ${offset} below the log end offset`);
    const cutPosition = cut.position;
    let newEnd = cut.baseOffset;
    this.guard('truncate', () => {
      // Lower the durable recovery point first (to a value surely <= the new end): a crash
      // mid-way must not find it above the end of the log.
      const safePoint = Math.min(this.recoveryPointOffset, this.segments[index]!.baseOffset);
      if (safePoint < this.recoveryPointOffset) this.writeRecoveryCheckpoint(safePoint);
      for (const segment of this.segments.splice(index + 1).reverse()) segment.delete();
      const segment = this.segments[index]!;
      segment.reactivate(this.clock.nowMs());
      segment.truncateTo(cutPosition, cut.baseOffset);
      fsyncDirectory(this.dir);
      // With offset gaps (follower appends) the end is the previous batch's end, not the cut.
      newEnd = segment.nextOffset;
      if (this.recoveryPointOffset > newEnd || safePoint < this.recoveryPointOffset) {
        this.recoveryPointOffset = Math.min(this.recoveryPointOffset, newEnd);
        this.writeRecoveryCheckpoint(this.recoveryPointOffset);
      }
      if (this.epochs.truncateFromEnd(newEnd)) this.persistEpochs();
    });
    this.logger.info('truncated log', { dir: this.dir, requestedOffset: offset, logEndOffset: newEnd });
    return true;
  }

  /** Deletes everything and restarts the log (start = end = `offset`), for followers. */
  truncateFullyAndStartAt(offset: number): void {
    this.ensureOpen();
    assert(Number.isSafeInteger(offset) && offset >= 0, `start offset ${offset} must be >= 0`);
    this.guard('truncate fully', () => {
      const firstBase = this.segments[0]!.baseOffset;
      // Until the new segment exists, a crash must recover whatever remains, with tail rules.
      this.writeRecoveryCheckpoint(Math.min(this.recoveryPointOffset, firstBase));
      if (this.epochs.clear()) this.persistEpochs();
      for (const segment of this.segments.splice(0).reverse()) segment.delete();
      this.segments.push(LogSegment.create(this.dir, offset, this.context, this.clock.nowMs()));
      fsyncDirectory(this.dir);
      this.logStart = offset;
      writeOffsetCheckpoint(join(this.dir, LOG_START_OFFSET_FILE), offset);
      this.recoveryPointOffset = offset;
      this.writeRecoveryCheckpoint(offset);
    });
    this.unflushedMessages = 0;
    this.oldestUnflushedAppendMs = null;
  }

  /** Flushes everything, saves the active indexes and marks a clean shutdown. */
  close(): void {
    if (this.state !== 'open') return;
    this.flush();
    this.guard('close', () => {
      if (this.epochsDirty) this.persistEpochs();
      this.active.writeActiveIndexes(true);
      this.writeRecoveryCheckpoint(this.recoveryPointOffset);
      for (const segment of this.segments) segment.release();
      writeFileAtomic(join(this.dir, CLEAN_SHUTDOWN_FILE), '');
    });
    this.state = 'closed';
  }

  /** Releases fds without flushing or marking a clean shutdown (a failed disk, or tests). */
  abandon(): void {
    if (this.state === 'closed') return;
    for (const segment of this.segments) segment.release();
    this.state = 'closed';
  }

  /** Rewrites the recovery-point checkpoint when it trails and the interval has passed. */
  private maybeCheckpointRecoveryPoint(nowMs: number): void {
    if (this.checkpointedRecoveryPoint === this.recoveryPointOffset) return;
    if (nowMs - this.lastRecoveryCheckpointMs < this.config.recoveryPointCheckpointIntervalMs) return;
    this.writeRecoveryCheckpoint(this.recoveryPointOffset);
  }

  /**
   * Every write of the checkpoint goes through here. Callers only ever write an offset whose data
   * is fdatasynced and still present (truncation lowers it before cutting files).
   */
  private writeRecoveryCheckpoint(offset: number): void {
    writeOffsetCheckpoint(join(this.dir, RECOVERY_POINT_FILE), offset);
    this.checkpointedRecoveryPoint = offset;
    this.lastRecoveryCheckpointMs = this.clock.nowMs();
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private validate(buffer: Buffer, mode: 'leader' | 'follower'): ValidatedAppend {
    if (buffer.length > this.config.segmentBytes) throw new RecordBatchTooLargeError(buffer.length, this.config.segmentBytes);
    const views: RecordBatchView[] = [];
    const batches: AppendedBatch[] = [];
    let recordCount = 0;
    let maxTimestampMs = -1;
    let expected = this.logEndOffset;
    for (let start = 0; start < buffer.length; ) {
      const view = RecordBatchView.at(buffer, start);
      if (mode === 'leader') {
        if (view.sizeBytes > this.config.maxMessageBytes) throw new RecordTooLargeError(view.sizeBytes, this.config.maxMessageBytes, start);
        if (view.recordsCount < 1 || view.lastOffsetDelta + 1 !== view.recordsCount) {
          throw new InvalidRecordBatchError(`record count ${view.recordsCount} does not match last offset delta ${view.lastOffsetDelta}`, start);
        }
      } else {
        const base = view.baseOffset;
        if (views.length === 0 && base < expected) throw new UnexpectedAppendOffsetError(base, expected);
        if (views.length > 0 && base !== expected) throw new OffsetsOutOfOrderError(expected, base, start);
        expected = view.nextOffset;
      }
      view.verifyCrc();
      views.push(view);
      batches.push({ startInBuffer: start, baseOffset: mode === 'follower' ? view.baseOffset : -1, maxTimestampMs: view.maxTimestamp, sizeBytes: view.sizeBytes });
      recordCount += view.recordsCount;
      if (view.maxTimestamp > maxTimestampMs) maxTimestampMs = view.maxTimestamp;
      start += view.sizeBytes;
    }
    if (mode === 'follower') {
      const span = views.at(-1)!.lastOffset - views[0]!.baseOffset;
      if (span > INT32_MAX) throw new InvalidRecordBatchError(`append spans ${span} offsets, more than int32 allows`, 0);
    }
    return { views, batches, recordCount, maxTimestampMs };
  }

  /** Rolls if needed, then appends; `nextOffset` is the log end offset after the append. */
  private write(buffer: Buffer, validated: ValidatedAppend, firstOffset: number, nextOffset: number): void {
    const nowMs = this.clock.nowMs();
    const active = this.active;
    const reason = shouldRoll(
      {
        segmentSizeBytes: active.sizeBytes,
        segmentBaseOffset: active.baseOffset,
        segmentActiveSinceMs: active.activeSinceMs,
        indexFull: active.indexFull,
        appendSizeBytes: buffer.length,
        appendLastOffset: nextOffset - 1,
        nowMs,
      },
      this.config,
    );
    if (reason !== null) this.rollAt(firstOffset);
    try {
      this.active.append(buffer, 0, buffer.length, validated.batches, nextOffset);
    } catch (error) {
      if (error instanceof LogStorageError) this.fail(error);
      throw error;
    }
    this.unflushedMessages += validated.recordCount;
    this.oldestUnflushedAppendMs ??= nowMs;
  }

  private finishAppend(validated: ValidatedAppend, firstOffset: number, lastOffset: number, sizeBytes: number): AppendInfo {
    if (shouldFlush({ unflushedMessages: this.unflushedMessages, oldestUnflushedAppendMs: this.oldestUnflushedAppendMs }, this.config, this.clock.nowMs())) {
      this.flush();
    }
    return {
      firstOffset,
      lastOffset,
      batchCount: validated.views.length,
      recordCount: validated.recordCount,
      sizeBytes,
      maxTimestampMs: validated.maxTimestampMs,
      logStartOffset: this.logStart,
      logEndOffset: this.logEndOffset,
    };
  }

  private rollAt(baseOffset: number): void {
    this.guard('roll', () => {
      const previous = this.active;
      assert(baseOffset >= previous.nextOffset, `roll base ${baseOffset} below the log end offset ${previous.nextOffset}`);
      if (previous.sizeBytes === 0) {
        // An empty active segment is replaced rather than kept as a zero-length closed segment.
        this.segments.pop();
        previous.delete();
      } else {
        previous.close(false);
      }
      this.segments.push(LogSegment.create(this.dir, baseOffset, this.context, this.clock.nowMs()));
      this.directoryDirty = true;
    });
    this.statsValue.rolls++;
  }

  private setLogStartOffset(offset: number): void {
    this.logStart = offset;
    writeOffsetCheckpoint(join(this.dir, LOG_START_OFFSET_FILE), offset);
    if (this.epochs.truncateFromStart(offset)) this.persistEpochs();
  }

  private persistEpochs(): void {
    this.epochsDirty = false;
    writeCheckpointFile(
      join(this.dir, LEADER_EPOCH_FILE),
      this.epochs.entries().map((entry) => [entry.epoch, entry.startOffset]),
    );
  }

  /** Index of the last segment whose base offset is <= `offset` (0 when none). */
  private holderIndex(offset: number): number {
    let low = 0;
    let high = this.segments.length - 1;
    let found = 0;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  private ensureOpen(): void {
    if (this.state !== 'open') throw new LogClosedError(this.dir);
  }

  /** Runs file-system work; an unexpected I/O error marks the log failed (Kafka: dir offline). */
  private guard(operation: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      if (error instanceof LogError && !(error instanceof LogStorageError)) throw error;
      const storageError = error instanceof LogStorageError ? error : new LogStorageError(this.dir, operation, error);
      this.fail(storageError);
      throw storageError;
    }
  }

  private fail(error: LogStorageError): void {
    this.logger.error('log failed; refusing further operations', { dir: this.dir, error: error.message });
    this.state = 'failed';
  }
}
