import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { BATCH_HEADER_BYTES } from '@sluice/protocol';
import { readFully, writeFully, writeWholeFile } from './durable-file';
import { assert, CorruptLogError, LogStorageError } from './errors';
import { DELETED_SUFFIX, segmentPaths, type SegmentPaths } from './file-names';
import type { LogConfig } from './log-config';
import type { LogFiles } from './log-files';
import type { LogResources } from './log-resources';
import {
  checkOffsetIndexStructure,
  lastOffsetIndexEntryWithin,
  lookupOffsetIndex,
  OFFSET_INDEX_ENTRY_BYTES,
  type OffsetPosition,
} from './offset-index';
import { SegmentIndexer } from './segment-indexer';
import { scanSegmentFile } from './segment-scan';
import { checkTimeIndexStructure, lookupTimeIndex, TIME_INDEX_ENTRY_BYTES, timeIndexEntry } from './time-index';
import { nearWalkWindowBytes, walkBatchHeaders, type BatchLocation } from './batch-header-walk';
import { RecentAppends } from './recent-appends';

export interface SegmentContext {
  readonly config: LogConfig;
  readonly resources: LogResources;
  /** Creates, syncs, cuts, renames and removes files (journaled by power-loss tests). */
  readonly files: LogFiles;
  /** Told whenever a closed segment's index had to be rebuilt from its log file. */
  readonly onIndexRebuilt: (file: string, reason: string) => void;
}

/** Header facts of a batch being appended, gathered during validation so append never re-parses. */
export interface AppendedBatch {
  readonly startInBuffer: number;
  readonly baseOffset: number;
  readonly maxTimestampMs: number;
  readonly sizeBytes: number;
}

interface ActiveState {
  readonly fd: number;
  readonly indexer: SegmentIndexer;
  readonly activeSinceMs: number;
  nextOffset: number;
  /** The tail of the file, in memory (recent-appends.ts): leader appends handed over to be kept. */
  readonly recent: RecentAppends;
}

/**
 * One segment: a `.log` file of whole batches plus its two sparse indexes. The active segment
 * holds a read/write fd and its indexes in memory; a closed segment holds nothing but sizes and
 * borrows fds and index buffers from the shared, bounded `LogResources` on demand.
 */
export class LogSegment {
  readonly paths: SegmentPaths;
  private active: ActiveState | null = null;
  private cachedLargestTimestampMs: number | null = null;
  /** Closed segments: whether index files are known to be on disk (fsynced). */
  indexesDurable = true;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    public sizeBytes: number,
    private readonly context: SegmentContext,
  ) {
    this.paths = segmentPaths(dir, baseOffset);
  }

  /** Creates an empty active segment, replacing any stale file of the same name. */
  static create(dir: string, baseOffset: number, context: SegmentContext, nowMs: number): LogSegment {
    const segment = new LogSegment(dir, baseOffset, 0, context);
    context.resources.forget(segment.paths.log);
    context.resources.forget(segment.paths.offsetIndex);
    context.resources.forget(segment.paths.timeIndex);
    for (const path of [segment.paths.offsetIndex, segment.paths.timeIndex])
      if (existsSync(path)) context.files.remove(path);
    const fd = context.files.create(segment.paths.log, 'w+');
    segment.active = {
      fd,
      indexer: segment.newIndexer(),
      activeSinceMs: nowMs,
      nextOffset: baseOffset,
      recent: segment.newRecentAppends(),
    };
    return segment;
  }

  /** A closed segment found on disk; nothing is read until it is used. */
  static closed(dir: string, baseOffset: number, sizeBytes: number, context: SegmentContext): LogSegment {
    return new LogSegment(dir, baseOffset, sizeBytes, context);
  }

  /** An active segment whose state recovery has rebuilt (or resumed). */
  static activeFromRecovery(
    dir: string,
    baseOffset: number,
    sizeBytes: number,
    indexer: SegmentIndexer,
    nextOffset: number,
    context: SegmentContext,
    nowMs: number,
  ): LogSegment {
    const segment = new LogSegment(dir, baseOffset, sizeBytes, context);
    context.resources.forget(segment.paths.log);
    const fd = openSync(segment.paths.log, 'r+');
    segment.active = { fd, indexer, activeSinceMs: nowMs, nextOffset, recent: segment.newRecentAppends() };
    return segment;
  }

  newIndexer(offsetBytes?: Buffer, timeBytes?: Buffer): SegmentIndexer {
    return new SegmentIndexer(
      this.baseOffset,
      this.context.config.indexIntervalBytes,
      this.context.config.segmentIndexBytes,
      offsetBytes,
      timeBytes,
    );
  }

  private newRecentAppends(): RecentAppends {
    return new RecentAppends(this.context.resources.recentAppends);
  }

  get isActive(): boolean {
    return this.active !== null;
  }

  /** Offset after the last batch; known for the active segment only. */
  get nextOffset(): number {
    assert(this.active !== null, 'nextOffset of a closed segment');
    return this.active.nextOffset;
  }

  get activeSinceMs(): number {
    assert(this.active !== null, 'activeSinceMs of a closed segment');
    return this.active.activeSinceMs;
  }

  get indexFull(): boolean {
    return this.active?.indexer.isFull ?? true;
  }

  /** Memory held by in-memory indexes (active only). */
  get indexMemoryBytes(): number {
    return this.active === null
      ? 0
      : this.active.indexer.offsets.capacityBytes + this.active.indexer.times.capacityBytes;
  }

  /**
   * Writes `buffer[start, end)` (whole, validated batches) at the end of the file and indexes
   * them. On a write error the file is cut back to its old size, so nothing changes. With
   * `keepInMemory` the caller hands the bytes over (it never changes them again): they stay in
   * memory, within the shared budget, to answer reads of the tail; otherwise what was kept no
   * longer reaches the end of the file and is let go.
   */
  append(
    buffer: Buffer,
    start: number,
    end: number,
    batches: ReadonlyArray<AppendedBatch>,
    nextOffset: number,
    keepInMemory = false,
  ): void {
    const state = this.activeState();
    const position = this.sizeBytes;
    try {
      writeFully(state.fd, buffer, start, end, position);
    } catch (error) {
      state.recent.clear();
      try {
        this.context.files.truncate(state.fd, this.paths.log, position);
      } catch {
        // The storage error below is what matters; the log refuses further writes.
      }
      throw new LogStorageError(this.paths.log, 'append', error);
    }
    for (const batch of batches) {
      state.indexer.onBatch(
        batch.baseOffset,
        batch.maxTimestampMs,
        position + batch.startInBuffer - start,
        batch.sizeBytes,
      );
    }
    this.sizeBytes += end - start;
    state.nextOffset = nextOffset;
    if (keepInMemory && batches.length > 0)
      state.recent.add(position, buffer.subarray(start, end), batches[0]!.baseOffset);
    else state.recent.clear();
  }

  /** Reads `length` bytes at `position` (the caller keeps within `sizeBytes`). */
  readBytes(position: number, length: number): Buffer {
    assert(position >= 0 && position + length <= this.sizeBytes, 'read beyond segment end');
    const recent = this.active?.recent.bytesAt(position, length);
    if (recent !== undefined) return recent;
    const buffer = Buffer.allocUnsafe(length);
    const got = readFully(this.readFd(), buffer, 0, length, position);
    if (got < length)
      throw new CorruptLogError(this.paths.log, position + got, `file shorter than expected size ${this.sizeBytes}`);
    return buffer;
  }

  /**
   * Reads `length` bytes at `position` into `target` from `targetOffset` on (the caller keeps
   * within `sizeBytes` and the target): from the file straight into the caller's memory, or
   * copied from the recent appends that hold them. A file shorter than the segment is a
   * CorruptLogError; a failed read call a LogStorageError, both naming the file.
   */
  readInto(position: number, length: number, target: Buffer, targetOffset: number): void {
    assert(position >= 0 && length >= 0 && position + length <= this.sizeBytes, 'read beyond segment end');
    assert(targetOffset >= 0 && targetOffset + length <= target.length, 'read beyond the end of its target');
    if (this.active?.recent.copyInto(position, length, target, targetOffset) === true) return;
    let got: number;
    try {
      got = readFully(this.readFd(), target, targetOffset, length, position);
    } catch (error) {
      throw new LogStorageError(this.paths.log, 'read', error);
    }
    if (got < length)
      throw new CorruptLogError(this.paths.log, position + got, `file shorter than expected size ${this.sizeBytes}`);
  }

  /** The first batch whose last offset is >= `offset`, or null when the segment has none. */
  findBatch(offset: number): BatchLocation | null {
    const recent = this.active?.recent.findBatch(offset);
    if (recent !== undefined) return recent;
    return this.withIndexRetry(() => {
      const entry = this.lookupOffset(offset);
      let first = true;
      let mismatch = false;
      const found = walkBatchHeaders(
        this.readFd(),
        this.paths.log,
        entry?.position ?? 0,
        this.sizeBytes,
        (batch) => {
          if (first && entry !== null && batch.baseOffset !== entry.offset) {
            mismatch = true;
            return true;
          }
          first = false;
          return batch.lastOffset >= offset;
        },
        // From an index entry the batch sought is within about an index interval; from the
        // segment's start (no entry below it) it may be as far.
        nearWalkWindowBytes(this.context.config.indexIntervalBytes),
      );
      return mismatch ? 'index-mismatch' : found;
    });
  }

  /**
   * Where the whole batches from `first` on end, reading no record: the batches that end at or
   * before `limitPosition` and whose last offset is below `bound`, at least `first` (the caller
   * has checked that it is below `bound`). The offset index gives the farthest batch start that
   * qualifies (every batch before an entry ends at its position with offsets below its offset);
   * the few batches after it, up to the next entry, are walked by their headers. Kafka's read
   * takes a byte range the same way (FileRecords.slice) but leaves the last batch cut; this one
   * ends at a batch boundary, as PartitionLog.read does.
   */
  locateEnd(first: BatchLocation, limitPosition: number, bound: number): number {
    const firstEnd = first.position + first.sizeBytes;
    assert(first.position >= 0 && firstEnd <= this.sizeBytes, 'located batch beyond segment end');
    assert(first.lastOffset < bound, 'located batch not below the bound');
    const limit = Math.min(limitPosition, this.sizeBytes);
    return this.withIndexRetry(() => {
      const entry = this.lastIndexEntryWithin(limit, bound);
      const jump = entry !== null && entry.position > firstEnd ? entry : null;
      const from = jump?.position ?? firstEnd;
      // Not even a header fits after `from`: nothing to walk, unless the entry jumped to must be
      // checked against the file (a wrong entry would cut a batch).
      if (jump === null && from + BATCH_HEADER_BYTES > limit) return from;
      let checked = jump === null;
      let mismatch = false;
      let stop: BatchLocation | null;
      try {
        // The leader's tail is walked in memory when its recent appends hold it (no file read).
        stop = this.walkHeaders(
          from,
          (batch) => {
            if (!checked) {
              checked = true;
              if (batch.baseOffset !== jump!.offset) {
                mismatch = true;
                return true;
              }
            }
            return batch.position + batch.sizeBytes > limit || batch.lastOffset >= bound;
          },
          nearWalkWindowBytes(this.context.config.indexIntervalBytes),
        );
      } catch (error) {
        // What the entry points at is no batch header at all: the entry is wrong, not the file
        // (the rebuild scans the file and says so if the file is what is damaged).
        if (!checked && error instanceof CorruptLogError) return 'index-mismatch';
        throw error;
      }
      if (mismatch) return 'index-mismatch';
      return stop === null ? this.sizeBytes : stop.position;
    });
  }

  /** The first batch with max timestamp >= `timestampMs` and last offset >= `minOffset`. */
  findByTimestamp(timestampMs: number, minOffset: number): BatchLocation | null {
    const entry = this.lookupTime(timestampMs);
    const start = this.findBatch(Math.max(entry?.offset ?? this.baseOffset, minOffset));
    if (start === null) return null;
    return walkBatchHeaders(
      this.readFd(),
      this.paths.log,
      start.position,
      this.sizeBytes,
      (batch) => batch.maxTimestampMs >= timestampMs && batch.lastOffset >= minOffset,
    );
  }

  /** Largest batch timestamp in the segment, -1 when no batch has one. */
  largestTimestampMs(): number {
    if (this.active !== null) return this.active.indexer.maxTimestampSoFar;
    if (this.cachedLargestTimestampMs === null) {
      const times = this.loadIndexes().times;
      const count = times.length / TIME_INDEX_ENTRY_BYTES;
      this.cachedLargestTimestampMs = count === 0 ? -1 : timeIndexEntry(times, this.baseOffset, count - 1).timestampMs;
    }
    return this.cachedLargestTimestampMs;
  }

  lastModifiedMs(): number {
    return statSync(this.paths.log).mtimeMs;
  }

  /**
   * Active -> closed (roll or close): completes the time index, writes both index files (fsynced
   * now when `sync`, else by the next flush), releases the fd and the in-memory indexes.
   */
  close(sync: boolean): void {
    const state = this.active;
    if (state === null) return;
    state.indexer.finish();
    const files = this.context.files;
    writeWholeFile(files, this.paths.offsetIndex, state.indexer.offsets.bytes(), sync);
    writeWholeFile(files, this.paths.timeIndex, state.indexer.times.bytes(), sync);
    if (sync) files.sync(state.fd, this.paths.log);
    closeSync(state.fd);
    state.recent.clear();
    this.active = null;
    this.indexesDurable = sync;
    this.cachedLargestTimestampMs = state.indexer.maxTimestampSoFar;
  }

  /** Closed -> active again (a truncation made it the last segment). */
  reactivate(nowMs: number): void {
    if (this.active !== null) return;
    const loaded = this.loadIndexes();
    const indexer = this.newIndexer(loaded.offsets, loaded.times);
    this.forgetCached();
    const fd = openSync(this.paths.log, 'r+');
    this.active = {
      fd,
      indexer,
      activeSinceMs: nowMs,
      nextOffset: this.baseOffset,
      recent: this.newRecentAppends(),
    };
    if (!this.resumeIndexer(this.sizeBytes)) {
      throw new CorruptLogError(
        this.paths.log,
        indexer.lastOffsetEntry()?.position ?? 0,
        'batches after the last index entry fail validation',
      );
    }
  }

  /**
   * Cuts the (active) segment at `position`, the boundary of the batch with base `cutBaseOffset`,
   * drops index entries from it on, and replays the few batches after the last index entry to
   * restore the running index state exactly as appends had left it.
   */
  truncateTo(position: number, cutBaseOffset: number): void {
    const state = this.activeState();
    assert(position >= 0 && position <= this.sizeBytes, 'truncate position outside the segment');
    state.recent.clear();
    this.context.files.truncate(state.fd, this.paths.log, position);
    this.context.files.sync(state.fd, this.paths.log);
    this.sizeBytes = position;
    state.indexer.truncateTo(cutBaseOffset);
    if (!this.resumeIndexer(position)) {
      throw new CorruptLogError(
        this.paths.log,
        state.indexer.lastOffsetEntry()?.position ?? 0,
        'batches before the truncation point fail validation',
      );
    }
  }

  /**
   * Rebuilds the running state (max timestamp so far, bytes since last entry, next offset) from
   * the index plus a replay of batches after its last offset entry. Returns false (changing
   * nothing that matters) when the replayed tail fails its CRC: callers fall back to a full scan.
   */
  resumeIndexer(endPosition: number): boolean {
    const state = this.activeState();
    const indexer = state.indexer;
    const last = indexer.lastOffsetEntry();
    let next = last?.offset ?? this.baseOffset;
    let first = last !== null;
    const result = scanSegmentFile(state.fd, last?.position ?? 0, endPosition, true, (view) => {
      if (first) {
        if (view.baseOffset !== last!.offset)
          return `index entry offset ${last!.offset} but batch has ${view.baseOffset}`;
        indexer.resumeAtIndexedBatch(view.maxTimestamp, view.baseOffset, view.sizeBytes);
        first = false;
      } else {
        indexer.onBatch(view.baseOffset, view.maxTimestamp, view.position, view.sizeBytes);
      }
      next = view.nextOffset;
      return null;
    });
    if (result.problem !== null || result.validEndPosition !== endPosition) return false;
    // An empty segment's next offset is its base offset; otherwise the last batch's next offset.
    state.nextOffset = Math.max(next, this.baseOffset);
    return true;
  }

  syncData(): void {
    this.context.files.sync(this.active !== null ? this.active.fd : this.readFd(), this.paths.log);
  }

  /** Makes a closed segment's index files durable (after a roll wrote them without fsync). */
  syncIndexes(): void {
    if (this.active !== null || this.indexesDurable) return;
    for (const path of [this.paths.offsetIndex, this.paths.timeIndex]) {
      const fd = openSync(path, 'r');
      try {
        this.context.files.sync(fd, path);
      } finally {
        closeSync(fd);
      }
    }
    this.indexesDurable = true;
  }

  /** A closed segment whose indexes recovery rebuilt: write them (fsynced by the next flush). */
  writeIndexesFrom(indexer: SegmentIndexer): void {
    assert(this.active === null, 'writeIndexesFrom on the active segment');
    this.forgetCached();
    writeWholeFile(this.context.files, this.paths.offsetIndex, indexer.offsets.bytes(), false);
    writeWholeFile(this.context.files, this.paths.timeIndex, indexer.times.bytes(), false);
    this.indexesDurable = false;
    this.cachedLargestTimestampMs = indexer.maxTimestampSoFar;
  }

  /** Writes the active segment's indexes without closing it (clean shutdown leaves them valid). */
  writeActiveIndexes(sync: boolean): void {
    const state = this.activeState();
    state.indexer.finish();
    writeWholeFile(this.context.files, this.paths.offsetIndex, state.indexer.offsets.bytes(), sync);
    writeWholeFile(this.context.files, this.paths.timeIndex, state.indexer.times.bytes(), sync);
  }

  /** Releases the fd without writing anything (after a failure, or for a crash-like close). */
  release(): void {
    if (this.active !== null) {
      this.active.recent.clear();
      closeSync(this.active.fd);
      this.active = null;
    }
    this.forgetCached();
  }

  delete(): void {
    this.release();
    for (const path of [this.paths.offsetIndex, this.paths.timeIndex, this.paths.log]) {
      if (existsSync(path)) this.context.files.remove(path);
    }
  }

  /**
   * Retention's delete: renames the files to `<name>.deleted` (a cheap directory operation) and
   * returns the new paths, which the caller unlinks off the event loop. Gone from the segment's
   * names at once, as with delete(); a crash before the unlink leaves them for the next open.
   */
  renameForDeletion(): string[] {
    this.release();
    const renamed: string[] = [];
    for (const path of [this.paths.offsetIndex, this.paths.timeIndex, this.paths.log]) {
      if (!existsSync(path)) continue;
      this.context.files.rename(path, path + DELETED_SUFFIX);
      renamed.push(path + DELETED_SUFFIX);
    }
    return renamed;
  }

  /** Closed segments: both index files, loaded through the shared cache, rebuilt when invalid. */
  loadIndexes(): { offsets: Buffer; times: Buffer } {
    const resources = this.context.resources;
    const offsets = resources.indexes.get(this.paths.offsetIndex);
    const times = resources.indexes.get(this.paths.timeIndex);
    if (offsets !== undefined && times !== undefined) return { offsets, times };
    const fromDisk = this.readIndexFiles();
    const loaded = typeof fromDisk === 'string' ? this.rebuildIndexes(fromDisk) : fromDisk;
    resources.indexes.set(this.paths.offsetIndex, loaded.offsets, loaded.offsets.length);
    resources.indexes.set(this.paths.timeIndex, loaded.times, loaded.times.length);
    return loaded;
  }

  /** Index files if present and structurally valid, else the reason they are not. */
  readIndexFiles(): { offsets: Buffer; times: Buffer } | string {
    if (!existsSync(this.paths.offsetIndex)) return 'offset index missing';
    if (!existsSync(this.paths.timeIndex)) return 'time index missing';
    const offsets = readFileSync(this.paths.offsetIndex);
    const times = readFileSync(this.paths.timeIndex);
    const offsetProblem = checkOffsetIndexStructure(offsets, this.sizeBytes);
    if (offsetProblem !== null) return `offset index: ${offsetProblem.reason} at byte ${offsetProblem.position}`;
    const timeProblem = checkTimeIndexStructure(times);
    if (timeProblem !== null) return `time index: ${timeProblem.reason} at byte ${timeProblem.position}`;
    return { offsets, times };
  }

  /** Scans the log file (CRCs verified) to rebuild both indexes and writes them (fsynced). */
  private rebuildIndexes(reason: string): { offsets: Buffer; times: Buffer } {
    const indexer = this.newIndexer();
    let expected = this.baseOffset;
    const result = scanSegmentFile(this.readFd(), 0, this.sizeBytes, true, (view) => {
      if (view.baseOffset < expected) return `batch offset ${view.baseOffset} below expected ${expected}`;
      indexer.onBatch(view.baseOffset, view.maxTimestamp, view.position, view.sizeBytes);
      expected = view.nextOffset;
      return null;
    });
    if (result.problem !== null) {
      throw new CorruptLogError(this.paths.log, result.problem.position, result.problem.reason);
    }
    indexer.finish();
    const offsets = Buffer.from(indexer.offsets.bytes());
    const times = Buffer.from(indexer.times.bytes());
    writeWholeFile(this.context.files, this.paths.offsetIndex, offsets, true);
    writeWholeFile(this.context.files, this.paths.timeIndex, times, true);
    this.context.onIndexRebuilt(this.paths.log, reason);
    return { offsets, times };
  }

  private lookupOffset(offset: number): { offset: number; position: number } | null {
    if (this.active !== null) return this.active.indexer.lookupOffset(offset);
    const offsets = this.loadIndexes().offsets;
    return lookupOffsetIndex(offsets, offsets.length / OFFSET_INDEX_ENTRY_BYTES, this.baseOffset, offset);
  }

  /** The last offset-index entry at or before `maxPosition` whose offset is at most `maxOffset`. */
  private lastIndexEntryWithin(maxPosition: number, maxOffset: number): OffsetPosition | null {
    if (this.active !== null) {
      const offsets = this.active.indexer.offsets;
      return lastOffsetIndexEntryWithin(offsets.raw(), offsets.count, this.baseOffset, maxPosition, maxOffset);
    }
    const offsets = this.loadIndexes().offsets;
    return lastOffsetIndexEntryWithin(
      offsets,
      offsets.length / OFFSET_INDEX_ENTRY_BYTES,
      this.baseOffset,
      maxPosition,
      maxOffset,
    );
  }

  private lookupTime(timestampMs: number): { timestampMs: number; offset: number } | null {
    if (this.active !== null) return this.active.indexer.lookupTime(timestampMs);
    const times = this.loadIndexes().times;
    return lookupTimeIndex(times, times.length / TIME_INDEX_ENTRY_BYTES, this.baseOffset, timestampMs);
  }

  /** Runs a lookup; if the index pointed at the wrong batch, rebuilds it once and retries. */
  private withIndexRetry<T>(lookup: () => T | 'index-mismatch'): T {
    const first = lookup();
    if (first !== 'index-mismatch') return first;
    assert(this.active === null, `active segment ${this.paths.log} index points at the wrong batch`);
    this.forgetCached();
    const rebuilt = this.rebuildIndexes('index entry points at the wrong batch');
    this.context.resources.indexes.set(this.paths.offsetIndex, rebuilt.offsets, rebuilt.offsets.length);
    this.context.resources.indexes.set(this.paths.timeIndex, rebuilt.times, rebuilt.times.length);
    const second = lookup();
    if (second === 'index-mismatch')
      throw new CorruptLogError(this.paths.offsetIndex, 0, 'rebuilt index still mismatches the log');
    return second;
  }

  /**
   * Batch headers from `start` to the segment's end, until `visit` says stop: from the recent
   * appends when they hold `start` (the leader's tail), else from the file in windows of
   * `windowBytes` (walkBatchHeaders).
   */
  private walkHeaders(
    start: number,
    visit: (batch: BatchLocation) => boolean,
    windowBytes: number,
  ): BatchLocation | null {
    const inMemory = this.active?.recent.walkHeaders(start, this.sizeBytes, visit);
    if (inMemory !== undefined) return inMemory;
    return walkBatchHeaders(this.readFd(), this.paths.log, start, this.sizeBytes, visit, windowBytes);
  }

  private readFd(): number {
    return this.active !== null ? this.active.fd : this.context.resources.readFd(this.paths.log);
  }

  private activeState(): ActiveState {
    assert(this.active !== null, `segment ${this.paths.log} is not active`);
    return this.active;
  }

  private forgetCached(): void {
    this.context.resources.forget(this.paths.log);
    this.context.resources.forget(this.paths.offsetIndex);
    this.context.resources.forget(this.paths.timeIndex);
    this.cachedLargestTimestampMs = null;
  }
}
