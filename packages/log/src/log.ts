import { existsSync, promises as fsPromises, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchLayout, RecordBatchView, readInt64AsNumber } from '@sluice/protocol';
import { formatCheckpoint, readCheckpointFile, writeCheckpointFile, writeOffsetCheckpoint } from './checkpoint-file';
import {
  buildOffsetMap,
  DEFAULT_DEDUPE_BUFFER_BYTES,
  discardCleaned,
  finishSwap,
  cleanSegment,
  lastBatchesOfProducers,
  markSwappable,
  mergeCleanedParts,
  NO_DELETE_HORIZON,
  OffsetMap,
  planCleaning,
  writeSwapManifest,
  type CleanableSegment,
  type CleanedGroup,
  type CompactionResult,
  type CompactOptions,
} from './compaction';
import { writeFileAtomic, writeFileAtomicAsync } from './durable-file';
import { noopLogger, systemClock, type Clock, type LogLogger } from './env';
import {
  assert,
  CorruptLogError,
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
import {
  CLEAN_SHUTDOWN_FILE,
  CLEANER_OFFSET_FILE,
  LEADER_EPOCH_FILE,
  PRODUCER_SNAPSHOT_FILE,
  LOG_START_OFFSET_FILE,
  RECOVERY_POINT_FILE,
} from './file-names';
import { shouldFlush } from './flush-policy';
import { checkLocatedBatches } from './located-batches';
import { LeaderEpochCache, UNDEFINED_EPOCH, type EpochEndOffset, type EpochEntry } from './leader-epoch-cache';
import { defaultLogConfig, isCompacted, validateLogConfig, type LogConfig } from './log-config';
import { nodeLogFiles, type LogFiles } from './log-files';
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
  /** Creates, syncs, cuts, renames and removes files; default node:fs (a test journals it). */
  readonly files?: LogFiles;
  /** Who runs the flushes; default `inline`. See `LogFlushing`. */
  readonly flushing?: LogFlushing;
  /**
   * Told after every flush that synced something, with how long the fdatasyncs took (Kafka's
   * LogFlushRateAndTimeMs). Measured on the monotonic clock: an observation, not a decision.
   */
  readonly onFlush?: (durationSeconds: number) => void;
  /**
   * Told once, when an I/O error (a full disk, a failed fsync) fails the log: the host takes the
   * whole log directory offline (Kafka's LogDirFailureChannel), since its other logs share the
   * disk. Called synchronously from inside the failing operation; keep it to a flag and a wake-up.
   */
  readonly onStorageError?: (error: LogStorageError) => void;
}

/**
 * - `inline` (Kafka's LocalLog): `flush.messages` / `flush.ms` fdatasync synchronously at the
 *   append that reaches them, and the log-start checkpoint is written when the start moves.
 * - `scheduled` (a broker): the log never syncs on its own between open and close; the host asks
 *   `flushDue` after appends and on its flush scheduler, runs `flushAsync` (fdatasync on libuv's
 *   thread pool, off the event loop) and writes the recovery-point and log-start checkpoints on
 *   its own cadences (`checkpointRecoveryPoint`, `checkpointLogStartOffset`).
 */
export type LogFlushing = 'inline' | 'scheduled';

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

/**
 * Whole batches found without reading them (`PartitionLog.locate`), to be read later by
 * `readLocated` straight into the caller's memory (a Fetch answer's frame). Valid while the log's
 * layout stands (`isCurrent`): appends keep it, a truncation, retention's or compaction's removal
 * of segments, or the log's close end it.
 */
export interface RecordsLocation {
  /** Bytes of the whole batches found: what `read` would have returned; 0 when nothing is readable. */
  readonly sizeBytes: number;
  /** Base offset of the first batch (may be below the requested offset); null when empty. */
  readonly firstOffset: number | null;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
}

/** What `readLocated` read, checked against its location: the batches and where they end. */
export interface LocatedRead {
  readonly batchCount: number;
  readonly lastOffset: number | null;
}

/** A location as the log keeps it: which segment, where, and the layout it was found in. */
class FoundRecords implements RecordsLocation {
  constructor(
    readonly log: PartitionLog,
    readonly layoutVersion: number,
    readonly segment: LogSegment | null,
    readonly position: number,
    readonly sizeBytes: number,
    readonly firstOffset: number | null,
    /** Every batch found ends below this offset (the read's bound). */
    readonly bound: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {}
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
  /** Scheduled flushes given up because the log was cut meanwhile or a file was gone (retried later). */
  readonly flushesDiscarded: number;
  readonly retentionDeletedSegments: number;
  /** Compaction passes that rewrote segments, and the records they removed. */
  readonly compactionPasses: number;
  readonly compactionRemovedRecords: number;
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
  /**
   * The log start moved past the checkpointed epochs' first start, and the checkpoint holds every
   * epoch (not dirty). Not written then: every open trims the checkpoint to the log start anyway
   * (recovery's truncateFromStart), so a file that still names older starts says nothing wrong;
   * it is rewritten with the next write that matters (new epochs, truncation) or at a clean
   * close. Writing it at once was a synchronous write and fdatasync on the event loop per segment
   * deleted on every replica (tiered topics with short local retention delete one per segment
   * copied), which Kafka avoids since KAFKA-15046.
   */
  private epochsStartStale = false;
  private state: 'open' | 'closed' | 'failed' = 'open';
  /** Bumped by every truncation: a scheduled flush that began before one proves nothing after it. */
  private truncations = 0;
  /**
   * Bumped whenever bytes already in the log may move or vanish (truncation, retention's and
   * compaction's removal of segments): a location found before that may no longer hold what it
   * found (`isCurrent`). Appends and rolls keep every located byte where it was.
   */
  private layoutVersion = 0;
  /** The one scheduled flush in flight; the next waits for it. */
  private flushInFlight: Promise<boolean> | null = null;
  /** Synchronous writes of each checkpoint: a scheduled write that began before one is stale. */
  private recoveryCheckpointWrites = 0;
  private logStartCheckpointWrites = 0;
  /** What `log-start-offset-checkpoint` holds (scheduled flushing lets it trail). */
  private checkpointedLogStart: number;
  private checkpointWriteInFlight = { recoveryPoint: false, logStart: false };
  /**
   * Compaction progress (`cleaner-offset-checkpoint`): offsets below `firstDirty` are deduplicated;
   * `deleteHorizonMs` is the earliest delete horizon of a kept tombstone (a pass is due then even
   * when nothing is dirty). Null when unknown: everything counts as dirty.
   */
  private cleanerFirstDirty: number | null = null;
  private cleanerDeleteHorizonMs: number | null = null;
  private readonly statsValue: Mutable<LogStats>;

  private constructor(
    readonly dir: string,
    private configValue: LogConfig,
    private readonly clock: Clock,
    private readonly logger: LogLogger,
    private readonly onFlush: ((durationSeconds: number) => void) | undefined,
    private readonly onStorageError: ((error: LogStorageError) => void) | undefined,
    private readonly context: Mutable<SegmentContext>,
    recovered: ReturnType<typeof recoverLog>,
    statsValue: Mutable<LogStats>,
    private readonly flushing: LogFlushing,
  ) {
    this.segments = recovered.segments;
    this.logStart = recovered.logStartOffset;
    this.recoveryPointOffset = recovered.recoveryPoint;
    this.checkpointedRecoveryPoint = recovered.recoveryPoint;
    this.lastRecoveryCheckpointMs = clock.nowMs();
    this.checkpointedLogStart = recovered.logStartOffset;
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
      flushesDiscarded: 0,
      retentionDeletedSegments: 0,
      compactionPasses: 0,
      compactionRemovedRecords: 0,
    };
    const context: Mutable<SegmentContext> = {
      config,
      resources: options.resources ?? sharedLogResources(),
      files: options.files ?? nodeLogFiles,
      onIndexRebuilt: (file, reason) => {
        stats.indexRebuilds++;
        logger.warn('rebuilt segment index', { file, reason });
      },
    };
    const recovered = recoverLog(options.dir, context, {
      verifyOnOpen: options.verifyOnOpen ?? 'unflushed',
      logger,
      nowMs: clock.nowMs(),
    });
    stats.cleanShutdown = recovered.cleanShutdown;
    stats.recoveryScannedBytes = recovered.scannedBytes;
    stats.recoveryTruncatedBytes = recovered.truncatedBytes;
    stats.recoveryTruncations = recovered.truncations;
    stats.recoveryDeletedSegments = recovered.deletedSegments;
    const log = new PartitionLog(
      options.dir,
      config,
      clock,
      logger,
      options.onFlush,
      options.onStorageError,
      context,
      recovered,
      stats,
      options.flushing ?? 'inline',
    );
    log.loadCleanerCheckpoint();
    // From here on a crash is unclean: the active segment's saved indexes go stale with appends.
    const marker = join(options.dir, CLEAN_SHUTDOWN_FILE);
    if (existsSync(marker)) {
      context.files.remove(marker);
      context.files.syncDirectory(options.dir);
    }
    if (recovered.epochCacheChanged) log.persistEpochs();
    if (recovered.truncations > 0) {
      logger.warn('log recovered with truncation', {
        dir: options.dir,
        truncatedBytes: recovered.truncatedBytes,
        logEndOffset: log.logEndOffset,
      });
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
    const next = validateLogConfig({
      ...config,
      segmentIndexBytes: this.configValue.segmentIndexBytes,
      indexIntervalBytes: this.configValue.indexIntervalBytes,
    });
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
   * caller's buffer in place and appends those bytes. With `keepInMemory` the caller hands the
   * buffer over (it never changes it again): the log keeps it, within the shared budget
   * (`LogResourceLimits.recentAppendBytes`), to answer reads of the tail without the file. With
   * `crcVerified` the caller has just checked every batch's CRC itself (the broker's produce path
   * does, before its producer-state checks, as Kafka does): the rest is validated, the CRC not
   * computed a second time.
   */
  append(batches: Buffer, options: { leaderEpoch: number; keepInMemory?: boolean; crcVerified?: boolean }): AppendInfo {
    this.ensureOpen();
    const leaderEpoch = options.leaderEpoch;
    if (!Number.isSafeInteger(leaderEpoch) || leaderEpoch < 0 || leaderEpoch > INT32_MAX) {
      throw new InvalidRecordBatchError(`leader epoch ${leaderEpoch} is not a non-negative int32`, 0);
    }
    const latest = this.epochs.latestEpoch();
    if (latest !== null && leaderEpoch < latest) throw new FencedLeaderEpochError(leaderEpoch, latest);
    if (batches.length === 0) throw new InvalidRecordBatchError('no record batches in the append', 0);
    const validated = this.validate(batches, 'leader', options.crcVerified !== true);
    const firstOffset = this.logEndOffset;
    let next = firstOffset;
    validated.views.forEach((view, i) => {
      view.stamp(next, leaderEpoch);
      (validated.batches[i] as Mutable<AppendedBatch>).baseOffset = next;
      next += view.lastOffsetDelta + 1;
    });
    this.write(batches, validated, firstOffset, next, options.keepInMemory === true);
    if (this.epochs.assign(leaderEpoch, firstOffset)) this.epochsDirty = true;
    return this.finishAppend(validated, firstOffset, next - 1, batches.length);
  }

  /**
   * Follower append: keeps the offsets and epochs the leader stamped. The first batch must start
   * at or after the log end offset, and each batch at or after where the previous one ended
   * (offsets may skip: compaction leaves gaps, as in Kafka).
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
      if (epoch >= 0 && epoch > (this.epochs.latestEpoch() ?? -1))
        changed = this.epochs.assign(epoch, view.baseOffset) || changed;
    }
    if (changed) this.epochsDirty = true;
    return this.finishAppend(validated, firstView.baseOffset, lastView.lastOffset, batches.length);
  }

  /** `read`'s and `locate`'s argument checks; the log end now and the offset reads stop below. */
  private checkRead(offset: number, maxBytes: number, options: ReadOptions): { logEndOffset: number; bound: number } {
    this.ensureOpen();
    assert(Number.isSafeInteger(maxBytes) && maxBytes >= 0, 'maxBytes must be a non-negative integer');
    const logEndOffset = this.logEndOffset;
    if (!Number.isSafeInteger(offset) || offset < this.logStart || offset > logEndOffset) {
      throw new OffsetOutOfRangeError(offset, this.logStart, logEndOffset);
    }
    return { logEndOffset, bound: Math.min(options.maxOffset ?? logEndOffset, logEndOffset) };
  }

  /**
   * Whole batches from the one holding `offset`, read straight from the segment file: at most
   * `maxBytes` unless the first batch alone is larger (then exactly that batch, as Kafka). Reads
   * stay within one segment; the caller asks again from the next offset.
   */
  read(offset: number, maxBytes: number, options: ReadOptions = {}): ReadResult {
    const { logEndOffset, bound } = this.checkRead(offset, maxBytes, options);
    const empty: ReadResult = {
      records: EMPTY,
      batchCount: 0,
      firstOffset: null,
      lastOffset: null,
      logStartOffset: this.logStart,
      logEndOffset,
    };
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
      return {
        records: bytes.subarray(0, end),
        batchCount,
        firstOffset: first.baseOffset,
        lastOffset,
        logStartOffset: this.logStart,
        logEndOffset,
      };
    }
    return empty;
  }

  /**
   * What `read(offset, maxBytes, options)` would return, found without reading a record: the
   * segment's offset index and a few batch headers give where those whole batches start and end.
   * `readLocated` then reads them into the caller's memory, so a Fetch answer's records go from
   * the file straight into its frame, with no Buffer of their own and no copy (docs/performance.md
   * section 20). Same errors as `read`.
   */
  locate(offset: number, maxBytes: number, options: ReadOptions = {}): RecordsLocation {
    const { logEndOffset, bound } = this.checkRead(offset, maxBytes, options);
    const found = (segment: LogSegment | null, position: number, sizeBytes: number, firstOffset: number | null) =>
      new FoundRecords(
        this,
        this.layoutVersion,
        segment,
        position,
        sizeBytes,
        firstOffset,
        bound,
        this.logStart,
        logEndOffset,
      );
    if (offset >= bound) return found(null, 0, 0, null);
    for (let i = this.holderIndex(offset); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const first = segment.findBatch(offset);
      if (first === null) continue;
      if (first.lastOffset >= bound) break;
      const limit = first.position + Math.max(maxBytes, first.sizeBytes);
      const end = segment.locateEnd(first, limit, bound);
      assert(
        end >= first.position + first.sizeBytes,
        `located batches at ${first.position} of ${segment.paths.log} end before the first`,
      );
      return found(segment, first.position, end - first.position, first.baseOffset);
    }
    return found(null, 0, 0, null);
  }

  /** Whether `location` (from this log's `locate`) still holds what it found: see RecordsLocation. */
  isCurrent(location: RecordsLocation): boolean {
    return (
      location instanceof FoundRecords &&
      location.log === this &&
      location.layoutVersion === this.layoutVersion &&
      this.state === 'open'
    );
  }

  /**
   * Reads a current location's batches into `target` from `targetOffset` on (`sizeBytes` of them)
   * and checks them by their headers: whole batches tiling the range from the located first one,
   * all below the read's bound. Bytes that are not that (a segment changed under the location
   * outside the log, a damaged batch length) or a file shorter than its segment are a
   * CorruptLogError naming the file and byte; a failed read call a LogStorageError. The log stays
   * open either way, as after a failed `read`.
   */
  readLocated(location: RecordsLocation, target: Buffer, targetOffset: number): LocatedRead {
    this.ensureOpen();
    assert(this.isCurrent(location), 'a location read after the log layout changed under it (locate again)');
    const found = location as FoundRecords;
    if (found.sizeBytes === 0) return { batchCount: 0, lastOffset: null };
    assert(
      Number.isSafeInteger(targetOffset) && targetOffset >= 0 && targetOffset + found.sizeBytes <= target.length,
      `a located read of ${found.sizeBytes} bytes does not fit its target at ${targetOffset}`,
    );
    const segment = found.segment!;
    segment.readInto(found.position, found.sizeBytes, target, targetOffset);
    const checked = checkLocatedBatches(target, targetOffset, found.sizeBytes, found.firstOffset!, found.bound);
    if ('reason' in checked)
      throw new CorruptLogError(segment.paths.log, found.position + checked.position, checked.reason);
    return checked;
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
      if (found !== null)
        return { offset: Math.max(found.baseOffset, this.logStart), timestampMs: found.maxTimestampMs };
    }
    return null;
  }

  /** Kafka's OffsetForLeaderEpoch for the divergence check; null for an unknown epoch. */
  endOffsetForEpoch(epoch: number): EpochEndOffset | null {
    this.ensureOpen();
    const answer = this.epochs.endOffsetFor(epoch, this.logEndOffset);
    return answer.epoch === UNDEFINED_EPOCH ? null : answer;
  }

  /**
   * Where a flush should reach now, or null when none is due: the log end once `flush.messages` /
   * `flush.ms` say so, else the active segment's base offset while a rolled segment is unflushed
   * (Kafka flushes a segment when it rolls).
   */
  flushDue(nowMs: number = this.clock.nowMs()): number | null {
    this.ensureOpen();
    if (
      shouldFlush(
        { unflushedMessages: this.unflushedMessages, oldestUnflushedAppendMs: this.oldestUnflushedAppendMs },
        this.config,
        nowMs,
      )
    )
      return this.logEndOffset;
    return this.recoveryPointOffset < this.active.baseOffset ? this.active.baseOffset : null;
  }

  /** Flushes when `flush.messages`/`flush.ms` say so, or to catch up on rolled segments. */
  maybeFlush(nowMs: number = this.clock.nowMs()): boolean {
    const target = this.flushDue(nowMs);
    if (target !== null) {
      this.flush(target);
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
    const startedAt = performance.now();
    this.guard('flush', () => {
      for (let i = this.holderIndex(this.recoveryPointOffset); i < this.segments.length; i++) {
        const segment = this.segments[i]!;
        if (segment.baseOffset >= target) break;
        segment.syncData();
        segment.syncIndexes();
      }
      if (this.directoryDirty) {
        this.files.syncDirectory(this.dir);
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
    this.onFlush?.((performance.now() - startedAt) / 1000);
  }

  /**
   * `flush` with every fdatasync on libuv's thread pool (scheduled flushing). What to sync is fixed
   * now: the segments holding [recoveryPoint, upTo), upTo at most the log end now; appends while it
   * runs are not covered. Segments are synced one after another in offset order, so what is
   * durable is always a prefix of the log; then the directory, if a roll or a deletion changed it.
   * The recovery point moves only if the log was not cut meanwhile. One runs at a time per log; a
   * call while one runs waits for it, then flushes what is still unflushed.
   *
   * Resolves with whether the recovery point moved. A file gone meanwhile (retention, compaction)
   * gives up this flush (the next one covers the range); any other I/O error fails the log, as a
   * failed fsync takes Kafka's log directory offline.
   */
  async flushAsync(upToOffset?: number): Promise<boolean> {
    while (this.flushInFlight !== null) await this.flushInFlight.catch(() => false);
    if (this.state !== 'open') return false;
    const flush = this.runScheduledFlush(Math.min(upToOffset ?? this.logEndOffset, this.logEndOffset));
    this.flushInFlight = flush;
    try {
      return await flush;
    } finally {
      this.flushInFlight = null;
    }
  }

  private async runScheduledFlush(target: number): Promise<boolean> {
    if (target <= this.recoveryPointOffset) return false;
    const truncationsAtStart = this.truncations;
    const segments: LogSegment[] = [];
    for (let i = this.holderIndex(this.recoveryPointOffset); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      if (segment.baseOffset >= target) break;
      segments.push(segment);
    }
    const syncDirectory = this.directoryDirty;
    this.directoryDirty = false;
    const coversEnd = target === this.logEndOffset;
    const unflushed = { messages: this.unflushedMessages, oldestMs: this.oldestUnflushedAppendMs };
    if (coversEnd) {
      // Appends from here on are not covered: they count towards the next flush.
      this.unflushedMessages = 0;
      this.oldestUnflushedAppendMs = null;
    }
    const giveUp = (): boolean => {
      this.directoryDirty ||= syncDirectory;
      if (coversEnd) {
        this.unflushedMessages += unflushed.messages;
        if (unflushed.oldestMs !== null)
          this.oldestUnflushedAppendMs = Math.min(
            this.oldestUnflushedAppendMs ?? unflushed.oldestMs,
            unflushed.oldestMs,
          );
      }
      this.statsValue.flushesDiscarded++;
      return false;
    };
    const files = this.files;
    const indexesSynced: LogSegment[] = [];
    const startedAt = performance.now();
    try {
      for (const segment of segments) {
        await files.syncAsync(segment.paths.log);
        // A segment rolled before this flush began wrote its indexes unsynced.
        if (!segment.isActive && !segment.indexesDurable) {
          await files.syncAsync(segment.paths.offsetIndex);
          await files.syncAsync(segment.paths.timeIndex);
          indexesSynced.push(segment);
        }
      }
      if (syncDirectory) await files.syncDirectoryAsync(this.dir);
    } catch (error) {
      if (this.state !== 'open' || (error as NodeJS.ErrnoException).code === 'ENOENT') return giveUp();
      const storageError = new LogStorageError(this.dir, 'flush', error);
      this.fail(storageError);
      throw storageError;
    }
    if (this.state !== 'open' || this.truncations !== truncationsAtStart) return giveUp();
    assert(target <= this.logEndOffset, `flushed to ${target}, past the log end ${this.logEndOffset}`);
    for (const segment of indexesSynced) segment.indexesDurable = true;
    // Epochs starting below the new recovery point will not be rebuilt by a recovery scan (a
    // small synchronous write; epochs change only when leadership does).
    if (this.epochsDirty) this.guard('flush', () => this.persistEpochs());
    this.recoveryPointOffset = Math.max(this.recoveryPointOffset, target);
    this.statsValue.flushes++;
    // Wall time of the syncs, waits on libuv's pool included: what a durable ack waits for.
    this.onFlush?.((performance.now() - startedAt) / 1000);
    return true;
  }

  /**
   * Writes `recovery-point-offset-checkpoint` when it trails the recovery point (scheduled
   * flushing: the host calls this every log.flush.offset.checkpoint.interval.ms), off the event
   * loop. Resolves with whether it was written; one at a time, and never over a newer value a
   * truncation wrote meanwhile.
   */
  async checkpointRecoveryPoint(): Promise<boolean> {
    if (this.state !== 'open' || this.checkpointWriteInFlight.recoveryPoint) return false;
    const offset = this.recoveryPointOffset;
    if (offset === this.checkpointedRecoveryPoint) return false;
    const writesAtStart = this.recoveryCheckpointWrites;
    this.checkpointWriteInFlight.recoveryPoint = true;
    try {
      const written = await this.writeCheckpointAsync(
        RECOVERY_POINT_FILE,
        offset,
        () => this.recoveryCheckpointWrites === writesAtStart,
      );
      if (written) {
        this.checkpointedRecoveryPoint = offset;
        this.lastRecoveryCheckpointMs = this.clock.nowMs();
      }
      return written;
    } finally {
      this.checkpointWriteInFlight.recoveryPoint = false;
    }
  }

  /** The same for `log-start-offset-checkpoint` (log.flush.start.offset.checkpoint.interval.ms). */
  async checkpointLogStartOffset(): Promise<boolean> {
    if (this.state !== 'open' || this.checkpointWriteInFlight.logStart) return false;
    const offset = this.logStart;
    if (offset === this.checkpointedLogStart) return false;
    const writesAtStart = this.logStartCheckpointWrites;
    this.checkpointWriteInFlight.logStart = true;
    try {
      const written = await this.writeCheckpointAsync(
        LOG_START_OFFSET_FILE,
        offset,
        () => this.logStartCheckpointWrites === writesAtStart,
      );
      if (written) this.checkpointedLogStart = offset;
      return written;
    } finally {
      this.checkpointWriteInFlight.logStart = false;
    }
  }

  private async writeCheckpointAsync(name: string, offset: number, current: () => boolean): Promise<boolean> {
    try {
      return await writeFileAtomicAsync(
        this.files,
        join(this.dir, name),
        formatCheckpoint([[offset]]),
        () => this.state === 'open' && current(),
      );
    } catch (error) {
      if (this.state !== 'open') return false;
      const storageError = new LogStorageError(this.dir, `write ${name}`, error);
      this.fail(storageError);
      throw storageError;
    }
  }

  /** The checkpoint files trail the in-memory offsets (scheduled flushing writes them later). */
  get checkpointsTrail(): { readonly recoveryPoint: boolean; readonly logStartOffset: boolean } {
    return {
      recoveryPoint: this.checkpointedRecoveryPoint !== this.recoveryPointOffset,
      logStartOffset: this.checkpointedLogStart !== this.logStart,
    };
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
  deleteOldSegments(
    nowMs: number = this.clock.nowMs(),
    options: {
      readonly maxOffset?: number;
      /**
       * Tiered storage: the local retention (`local.retention.ms` / `.bytes`) to apply instead of
       * the log's own (total) `retention.*`; the caller bounds `maxOffset` by what is copied. It
       * applies whatever `cleanup.policy` says: what it deletes is in remote storage (a tiered
       * compact-only topic keeps its history there, compacted remotely).
       */
      readonly retention?: Pick<LogConfig, 'retentionMs' | 'retentionBytes'>;
    } = {},
  ): number {
    this.ensureOpen();
    const maxOffset = options.maxOffset ?? Infinity;
    assert(
      maxOffset === Infinity || Number.isSafeInteger(maxOffset),
      `retention bound ${maxOffset} must be an integer`,
    );
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
    const retentionConfig: LogConfig =
      options.retention === undefined ? this.config : { ...this.config, ...options.retention, cleanupPolicy: 'delete' };
    const decision = selectRetention(candidates, nextBases, this.sizeBytes, this.logStart, retentionConfig, nowMs);
    if (decision.deleteCount === 0) return 0;
    const newStart = Math.max(this.logStart, this.segments[decision.deleteCount]!.baseOffset);
    this.layoutVersion++;
    this.guard('retention', () => {
      this.setLogStartOffset(newStart);
      for (const segment of this.segments.splice(0, decision.deleteCount)) {
        this.logger.info('retention deleted segment', { file: segment.paths.log, reason: decision.reason });
        this.unlinkLater(segment.renameForDeletion());
      }
      this.directoryDirty = true;
      this.recoveryPointOffset = Math.max(this.recoveryPointOffset, this.logStart);
    });
    this.statsValue.retentionDeletedSegments += decision.deleteCount;
    return decision.deleteCount;
  }

  /**
   * Unlinks retention's renamed files on libuv's thread pool: unlinking a segment frees its pages
   * and blocks, milliseconds of a synchronous call on the event loop that serves produce
   * requests (a tiered topic with short local retention deletes a segment per segment copied).
   * A failed unlink leaves the `.deleted` file for the next open to remove.
   */
  private unlinkLater(paths: readonly string[]): void {
    for (const path of paths) {
      fsPromises.unlink(path).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        this.logger.warn('deleted segment file not removed; the next open removes it', {
          file: path,
          error: error instanceof Error ? error.message : String(error),
        });
      });
    }
  }

  /**
   * Log compaction (Kafka's LogCleaner for `cleanup.policy=compact`), one synchronous pass:
   * - cleanable: leading closed segments wholly below `maxOffset` (the caller passes the high
   *   watermark) whose newest record is at least `min.compaction.lag.ms` old; the active
   *   segment never is;
   * - runs when dirty bytes (past the cleaner checkpoint) exceed `min.cleanable.dirty.ratio` of
   *   the cleanable bytes, or a kept tombstone's delete horizon has passed;
   * - maps key -> latest offset over the dirty range (memory bounded by `dedupeBufferBytes`:
   *   when full, the pass covers a prefix and the next one continues), then rewrites every
   *   cleanable segment up to the map's end (see `filterBatch` for what survives), grouping
   *   small results into one segment of at most `segment.bytes`;
   * - swaps crash-safely: `.cleaned` files (fsynced) -> `.swap`, then the swap manifest is the
   *   commit point; old segments go and `.swap` files take their names. `open` finishes a
   *   committed swap and rolls back an uncommitted one.
   * Offsets are preserved (they get gaps); reads at a removed offset return the next batch.
   */
  compact(nowMs: number = this.clock.nowMs(), options: CompactOptions = {}): CompactionResult {
    this.ensureOpen();
    const maxOffset = options.maxOffset ?? Infinity;
    assert(
      maxOffset === Infinity || Number.isSafeInteger(maxOffset),
      `compaction bound ${maxOffset} must be an integer`,
    );
    const config = this.config;
    const firstBase = this.segments[0]!.baseOffset;
    const firstDirty = Math.max(this.cleanerFirstDirty ?? firstBase, firstBase);
    const nothing: CompactionResult = {
      skipped: 'not-compacted',
      dirtyRatio: 0,
      sourceSegments: 0,
      resultSegments: 0,
      recordsRemoved: 0,
      bytesBefore: 0,
      bytesAfter: 0,
      firstDirtyOffset: firstDirty,
      mapEntries: 0,
    };
    if (!isCompacted(config)) return nothing;
    const closed = this.segments.slice(0, -1);
    const candidates: CleanableSegment[] = closed.map((segment) => ({
      baseOffset: segment.baseOffset,
      sizeBytes: segment.sizeBytes,
      get largestTimestampMs(): number {
        return segment.largestTimestampMs();
      },
    }));
    const nextBases = this.segments.slice(1).map((segment) => segment.baseOffset);
    const plan = planCleaning(candidates, nextBases, firstDirty, maxOffset, config, nowMs);
    if (plan.cleanableCount === 0) return { ...nothing, skipped: 'nothing-cleanable' };
    const horizonDue = this.cleanerDeleteHorizonMs !== null && nowMs >= this.cleanerDeleteHorizonMs;
    if (!(plan.dirtyRatio > config.minCleanableDirtyRatio) && !horizonDue)
      return { ...nothing, skipped: 'below-dirty-ratio', dirtyRatio: plan.dirtyRatio };

    const cleanable = closed.slice(0, plan.cleanableCount);
    const firstUncleanable = nextBases[plan.cleanableCount - 1]!;
    const map = new OffsetMap(options.dedupeBufferBytes ?? DEFAULT_DEDUPE_BUFFER_BYTES);
    let mapEnd = firstUncleanable;
    if (firstDirty < firstUncleanable) {
      let dirtyFrom = 0;
      while (dirtyFrom + 1 < cleanable.length && cleanable[dirtyFrom + 1]!.baseOffset <= firstDirty) dirtyFrom++;
      mapEnd = buildOffsetMap(cleanable.slice(dirtyFrom), firstDirty, firstUncleanable, map);
    }
    let rewriteCount = 0;
    while (rewriteCount < cleanable.length && cleanable[rewriteCount]!.baseOffset < mapEnd) rewriteCount++;
    if (rewriteCount === 0) return { ...nothing, skipped: 'nothing-cleanable', dirtyRatio: plan.dirtyRatio };
    const rewrite = cleanable.slice(0, rewriteCount);
    const ctx = {
      map,
      mapEndOffset: mapEnd,
      nowMs,
      deleteRetentionMs: config.deleteRetentionMs,
      lastBatchOfProducer: lastBatchesOfProducers(rewrite),
    };

    // Writing the .cleaned files changes nothing the log depends on: a failure just discards them.
    let groups: CleanedGroup[];
    try {
      const parts = rewrite.map((segment, i) => cleanSegment(this.dir, segment, nextBases[i]!, ctx, this.files));
      groups = mergeCleanedParts(this.dir, parts, config, this.files);
    } catch (error) {
      discardCleaned(this.dir, rewrite, this.files);
      throw error;
    }

    const newFirstDirty = Math.max(firstDirty, mapEnd);
    let earliestHorizon: number | null = null;
    for (const group of groups) {
      if (group.earliestDeleteHorizonMs !== null)
        earliestHorizon = Math.min(earliestHorizon ?? group.earliestDeleteHorizonMs, group.earliestDeleteHorizonMs);
    }
    // Tombstones under a horizon outside what was rewritten (a shrunken cleanable range) stay tracked.
    if (mapEnd < firstDirty && this.cleanerDeleteHorizonMs !== null)
      earliestHorizon = Math.min(earliestHorizon ?? this.cleanerDeleteHorizonMs, this.cleanerDeleteHorizonMs);
    this.guard('compaction swap', () => {
      markSwappable(this.dir, groups, this.files);
      writeSwapManifest(this.dir, groups, this.files);
      // Committed: from here a crash finishes the swap on open.
      for (const segment of rewrite) segment.release();
      finishSwap(
        this.dir,
        groups.flatMap((group) => group.sourceBaseOffsets.map((source) => [group.baseOffset, source])),
        this.files,
      );
      const cleaned = groups.map((group) =>
        LogSegment.closed(this.dir, group.baseOffset, group.sizeBytes, this.context),
      );
      this.layoutVersion++;
      this.segments.splice(0, rewriteCount, ...cleaned);
      this.persistCleanerCheckpoint(newFirstDirty, earliestHorizon);
    });
    const recordsRemoved = groups.reduce((sum, group) => sum + group.recordsRemoved, 0);
    const bytesBefore = rewrite.reduce((sum, segment) => sum + segment.sizeBytes, 0);
    const bytesAfter = groups.reduce((sum, group) => sum + group.sizeBytes, 0);
    this.statsValue.compactionPasses++;
    this.statsValue.compactionRemovedRecords += recordsRemoved;
    this.logger.info('compacted log', {
      dir: this.dir,
      sourceSegments: rewriteCount,
      resultSegments: groups.length,
      recordsRemoved,
      bytesBefore,
      bytesAfter,
      firstDirtyOffset: newFirstDirty,
    });
    return {
      skipped: null,
      dirtyRatio: plan.dirtyRatio,
      sourceSegments: rewriteCount,
      resultSegments: groups.length,
      recordsRemoved,
      bytesBefore,
      bytesAfter,
      firstDirtyOffset: newFirstDirty,
      mapEntries: map.size,
    };
  }

  /** Offsets below this are deduplicated by compaction (the cleaner checkpoint); null when unknown. */
  get cleanerCheckpoint(): number | null {
    return this.cleanerFirstDirty;
  }

  /** Kafka's DeleteRecords: moves the log start offset up (segments go on the next retention run). */
  advanceLogStartOffset(offset: number): void {
    this.ensureOpen();
    if (!Number.isSafeInteger(offset) || offset > this.logEndOffset)
      throw new OffsetOutOfRangeError(offset, this.logStart, this.logEndOffset);
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
    // The segment holding `offset` by base offset is kept (cut at the first batch reaching
    // `offset`, or whole when every batch in it ends before: compaction and follower gaps can
    // leave offsets no batch holds); every later segment goes. The end is then <= `offset`.
    const index = this.holderIndex(offset);
    const holder = this.segments[index]!;
    const cut = holder.findBatch(offset);
    const cutPosition = cut?.position ?? holder.sizeBytes;
    const cutBaseOffset = cut?.baseOffset ?? this.segments[index + 1]?.baseOffset ?? this.logEndOffset;
    let newEnd = cutBaseOffset;
    this.truncations++;
    this.layoutVersion++;
    this.guard('truncate', () => {
      // Lower the durable recovery point first (to a value surely <= the new end): a crash
      // mid-way must not find it above the end of the log.
      const safePoint = Math.min(this.recoveryPointOffset, holder.baseOffset);
      if (safePoint < this.recoveryPointOffset) this.writeRecoveryCheckpoint(safePoint);
      // Likewise the cleaner checkpoint: whatever is appended after the new end is dirty.
      this.lowerCleanerCheckpoint(holder.baseOffset);
      for (const segment of this.segments.splice(index + 1).reverse()) segment.delete();
      const segment = holder;
      segment.reactivate(this.clock.nowMs());
      segment.truncateTo(cutPosition, cutBaseOffset);
      this.files.syncDirectory(this.dir);
      // With offset gaps (follower appends) the end is the previous batch's end, not the cut.
      newEnd = segment.nextOffset;
      if (this.recoveryPointOffset > newEnd || safePoint < this.recoveryPointOffset) {
        this.recoveryPointOffset = Math.min(this.recoveryPointOffset, newEnd);
        this.writeRecoveryCheckpoint(this.recoveryPointOffset);
      }
      if (this.epochs.truncateFromEnd(newEnd)) this.persistEpochs();
      // A snapshot of state above the new end describes batches that are gone.
      const snapshotPath = join(this.dir, PRODUCER_SNAPSHOT_FILE);
      if (existsSync(snapshotPath) && Number(readFileSync(snapshotPath, 'utf8').split('\n', 1)[0]) >= newEnd)
        this.removeProducerSnapshot();
    });
    this.logger.info('truncated log', { dir: this.dir, requestedOffset: offset, logEndOffset: newEnd });
    return true;
  }

  /**
   * A replica that started below its leader's local log start (tiered storage) takes the leader
   * epochs as of its start from remote storage: only on an empty log, each entry starting at or
   * below the log start (the one covering it is moved up to it, as retention would have).
   */
  restoreLeaderEpochs(entries: readonly EpochEntry[]): void {
    this.ensureOpen();
    assert(this.logStart === this.logEndOffset, `epochs are restored only into an empty log, not ${this.dir}`);
    const restored = new LeaderEpochCache(entries.filter((entry) => entry.startOffset <= this.logStart));
    this.guard('restore leader epochs', () => {
      this.epochs.clear();
      for (const entry of restored.entries()) this.epochs.assign(entry.epoch, entry.startOffset);
      this.epochs.truncateFromStart(this.logStart);
      this.persistEpochs();
    });
  }

  /**
   * Keeps `payload` (the producer state as of `endOffset`, opaque here) beside the log, durably.
   * It stays valid while the log holds every offset above `endOffset` (see producerSnapshot).
   */
  writeProducerSnapshot(endOffset: number, payload: string): void {
    this.ensureOpen();
    assert(
      Number.isSafeInteger(endOffset) && endOffset >= this.logStart - 1 && endOffset < this.logEndOffset + 1,
      `producer snapshot end ${endOffset} must be in ${this.logStart - 1}..${this.logEndOffset}`,
    );
    this.guard('write producer snapshot', () =>
      writeFileAtomic(this.files, join(this.dir, PRODUCER_SNAPSHOT_FILE), `${endOffset}\n${payload}`),
    );
  }

  /**
   * The kept producer state, while it still joins the log: its end is at least the offset below
   * the log start (null once retention moved the start past it, or when there is none). A damaged
   * file is reported and taken as none: it is optional state beside a sound log, and a new leader
   * must not fail over it (it then knows the producers its log holds, as without one).
   */
  producerSnapshot(): { readonly endOffset: number; readonly payload: string } | null {
    this.ensureOpen();
    const path = join(this.dir, PRODUCER_SNAPSHOT_FILE);
    if (!existsSync(path)) return null;
    const text = readFileSync(path, 'utf8');
    const newline = text.indexOf('\n');
    const endOffset = Number(text.slice(0, newline));
    if (newline < 0 || !Number.isSafeInteger(endOffset)) {
      this.logger.warn('producer snapshot without an end offset ignored', { file: path });
      return null;
    }
    if (endOffset < this.logStart - 1 || endOffset >= this.logEndOffset) return null;
    return { endOffset, payload: text.slice(newline + 1) };
  }

  /** Deletes everything and restarts the log (start = end = `offset`), for followers. */
  truncateFullyAndStartAt(offset: number): void {
    this.ensureOpen();
    assert(Number.isSafeInteger(offset) && offset >= 0, `start offset ${offset} must be >= 0`);
    this.truncations++;
    this.layoutVersion++;
    this.guard('truncate fully', () => {
      const firstBase = this.segments[0]!.baseOffset;
      // Until the new segment exists, a crash must recover whatever remains, with tail rules.
      this.writeRecoveryCheckpoint(Math.min(this.recoveryPointOffset, firstBase));
      this.lowerCleanerCheckpoint(offset);
      if (this.epochs.clear()) this.persistEpochs();
      this.removeProducerSnapshot();
      for (const segment of this.segments.splice(0).reverse()) segment.delete();
      this.segments.push(LogSegment.create(this.dir, offset, this.context, this.clock.nowMs()));
      this.files.syncDirectory(this.dir);
      this.logStart = offset;
      this.writeLogStartCheckpoint(offset);
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
      if (this.epochsDirty || this.epochsStartStale) this.persistEpochs();
      if (this.checkpointedLogStart !== this.logStart) this.writeLogStartCheckpoint(this.logStart);
      this.active.writeActiveIndexes(true);
      this.writeRecoveryCheckpoint(this.recoveryPointOffset);
      for (const segment of this.segments) segment.release();
      writeFileAtomic(this.files, join(this.dir, CLEAN_SHUTDOWN_FILE), '');
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
    writeOffsetCheckpoint(this.files, join(this.dir, RECOVERY_POINT_FILE), offset);
    this.recoveryCheckpointWrites++;
    this.checkpointedRecoveryPoint = offset;
    this.lastRecoveryCheckpointMs = this.clock.nowMs();
  }

  private get files(): LogFiles {
    return this.context.files;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private validate(buffer: Buffer, mode: 'leader' | 'follower', verifyCrc = true): ValidatedAppend {
    if (buffer.length > this.config.segmentBytes)
      throw new RecordBatchTooLargeError(buffer.length, this.config.segmentBytes);
    const views: RecordBatchView[] = [];
    const batches: AppendedBatch[] = [];
    let recordCount = 0;
    let maxTimestampMs = -1;
    let expected = this.logEndOffset;
    for (let start = 0; start < buffer.length;) {
      const view = RecordBatchView.at(buffer, start);
      if (mode === 'leader') {
        if (view.sizeBytes > this.config.maxMessageBytes)
          throw new RecordTooLargeError(view.sizeBytes, this.config.maxMessageBytes, start);
        if (view.recordsCount < 1 || view.lastOffsetDelta + 1 !== view.recordsCount) {
          throw new InvalidRecordBatchError(
            `record count ${view.recordsCount} does not match last offset delta ${view.lastOffsetDelta}`,
            start,
          );
        }
      } else {
        const base = view.baseOffset;
        if (views.length === 0 && base < expected) throw new UnexpectedAppendOffsetError(base, expected);
        // Gaps are fine (a compacted leader's batches skip removed offsets); going back is not.
        if (views.length > 0 && base < expected) throw new OffsetsOutOfOrderError(expected, base, start);
        expected = view.nextOffset;
      }
      if (verifyCrc) view.verifyCrc();
      views.push(view);
      batches.push({
        startInBuffer: start,
        baseOffset: mode === 'follower' ? view.baseOffset : -1,
        maxTimestampMs: view.maxTimestamp,
        sizeBytes: view.sizeBytes,
      });
      recordCount += view.recordsCount;
      if (view.maxTimestamp > maxTimestampMs) maxTimestampMs = view.maxTimestamp;
      start += view.sizeBytes;
    }
    if (mode === 'follower') {
      const span = views.at(-1)!.lastOffset - views[0]!.baseOffset;
      if (span > INT32_MAX)
        throw new InvalidRecordBatchError(`append spans ${span} offsets, more than int32 allows`, 0);
    }
    return { views, batches, recordCount, maxTimestampMs };
  }

  /** Rolls if needed, then appends; `nextOffset` is the log end offset after the append. */
  private write(
    buffer: Buffer,
    validated: ValidatedAppend,
    firstOffset: number,
    nextOffset: number,
    keepInMemory = false,
  ): void {
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
      this.active.append(buffer, 0, buffer.length, validated.batches, nextOffset, keepInMemory);
    } catch (error) {
      if (error instanceof LogStorageError) this.fail(error);
      throw error;
    }
    this.unflushedMessages += validated.recordCount;
    this.oldestUnflushedAppendMs ??= nowMs;
  }

  private finishAppend(
    validated: ValidatedAppend,
    firstOffset: number,
    lastOffset: number,
    sizeBytes: number,
  ): AppendInfo {
    if (
      this.flushing === 'inline' &&
      shouldFlush(
        { unflushedMessages: this.unflushedMessages, oldestUnflushedAppendMs: this.oldestUnflushedAppendMs },
        this.config,
        this.clock.nowMs(),
      )
    ) {
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
      assert(
        baseOffset >= previous.nextOffset,
        `roll base ${baseOffset} below the log end offset ${previous.nextOffset}`,
      );
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

  private loadCleanerCheckpoint(): void {
    try {
      const entries = readCheckpointFile(join(this.dir, CLEANER_OFFSET_FILE), 2);
      const entry = entries?.[0];
      if (entry === undefined) return;
      this.cleanerFirstDirty = entry[0]!;
      this.cleanerDeleteHorizonMs = entry[1] === NO_DELETE_HORIZON ? null : entry[1]!;
    } catch (error) {
      // Only an optimization: without it the whole log counts as dirty once.
      this.logger.warn('ignoring unreadable cleaner checkpoint', { dir: this.dir, error: (error as Error).message });
    }
  }

  private persistCleanerCheckpoint(firstDirty: number | null, deleteHorizonMs: number | null): void {
    this.cleanerFirstDirty = firstDirty;
    this.cleanerDeleteHorizonMs = deleteHorizonMs;
    if (firstDirty === null) return;
    writeCheckpointFile(this.files, join(this.dir, CLEANER_OFFSET_FILE), [
      [firstDirty, deleteHorizonMs ?? NO_DELETE_HORIZON],
    ]);
  }

  /** Truncation below the cleaner checkpoint: what comes back there is dirty (lowered first, durably). */
  private lowerCleanerCheckpoint(offset: number): void {
    if (this.cleanerFirstDirty !== null && this.cleanerFirstDirty > offset)
      this.persistCleanerCheckpoint(offset, this.cleanerDeleteHorizonMs);
  }

  /**
   * Inline flushing writes the log-start checkpoint at once; scheduled flushing leaves it to the
   * host's `checkpointLogStartOffset` (Kafka's log.flush.start.offset.checkpoint.interval.ms). A
   * stale one is safe: open takes the larger of it and the first segment's base offset, so what
   * a crash can bring back is records between the two, which retention or the leader move past
   * again (as in Kafka).
   */
  private setLogStartOffset(offset: number): void {
    this.logStart = offset;
    if (this.flushing === 'inline') this.writeLogStartCheckpoint(offset);
    if (!this.epochs.truncateFromStart(offset)) return;
    // A checkpoint that lacks epochs (dirty) is written now, as before: a recovery would rebuild
    // them from the batches left, which may start above the log start.
    if (this.epochsDirty) this.persistEpochs();
    else this.epochsStartStale = true;
  }

  /** Every synchronous write of the log-start checkpoint goes through here. */
  private writeLogStartCheckpoint(offset: number): void {
    writeOffsetCheckpoint(this.files, join(this.dir, LOG_START_OFFSET_FILE), offset);
    this.checkpointedLogStart = offset;
    this.logStartCheckpointWrites++;
  }

  private removeProducerSnapshot(): void {
    const path = join(this.dir, PRODUCER_SNAPSHOT_FILE);
    if (existsSync(path)) this.files.remove(path);
  }

  private persistEpochs(): void {
    this.epochsDirty = false;
    this.epochsStartStale = false;
    writeCheckpointFile(
      this.files,
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
    if (this.state === 'failed') return;
    this.logger.error('log failed; refusing further operations', { dir: this.dir, error: error.message });
    this.state = 'failed';
    this.onStorageError?.(error);
  }

  /** The log refuses every operation since an I/O error failed it (its directory is offline). */
  get failed(): boolean {
    return this.state === 'failed';
  }
}
