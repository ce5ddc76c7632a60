import { closeSync, existsSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  Attributes,
  BatchLayout,
  crc32c,
  decodeRecordBatch,
  encodeRecordBatch,
  type DecodedRecord,
  type RecordBatchView,
} from '@sluice/protocol';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-file';
import { readFully, writeFully, writeWholeFile } from './durable-file';
import { nodeLogFiles, type LogFiles } from './log-files';
import type { LogLogger } from './env';
import { assert, CorruptLogError } from './errors';
import { CLEANED_SUFFIX, CLEANER_SWAP_FILE, segmentPaths, SWAP_SUFFIX, type SegmentPaths } from './file-names';
import type { LogConfig } from './log-config';
import { SegmentIndexer } from './segment-indexer';
import { scanSegmentFile } from './segment-scan';

const INT32_MAX = 2 ** 31 - 1;

/** Kafka's `log.cleaner.dedupe.buffer.size` default: memory for the key -> offset map. */
export const DEFAULT_DEDUPE_BUFFER_BYTES = 128 * 1024 * 1024;
/**
 * What one key costs in the map besides its own bytes, estimated for V8 (string header, hash
 * table slot, boxed offset). Kafka's SkimpyOffsetMap spends 24 B (MD5 + offset) per entry; we keep
 * exact keys (no hash collisions) and charge for them instead.
 */
export const OFFSET_MAP_ENTRY_OVERHEAD_BYTES = 64;
/** "No delete horizon" in the cleaner checkpoint. */
export const NO_DELETE_HORIZON = Number.MAX_SAFE_INTEGER;

export interface CompactOptions {
  /** Exclusive bound (the high watermark): only segments wholly below it are cleaned. */
  readonly maxOffset?: number;
  /** Bound on the key -> offset map (bytes, estimated); a pass that would exceed it cleans a prefix. */
  readonly dedupeBufferBytes?: number;
}

export type CompactionSkip = 'not-compacted' | 'nothing-cleanable' | 'below-dirty-ratio';

export interface CompactionResult {
  /** Why nothing was cleaned; null when a pass ran. */
  readonly skipped: CompactionSkip | null;
  /** Dirty bytes / cleanable bytes before the pass. */
  readonly dirtyRatio: number;
  readonly sourceSegments: number;
  readonly resultSegments: number;
  readonly recordsRemoved: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Offsets below this are deduplicated (Kafka's cleaner checkpoint), after the pass. */
  readonly firstDirtyOffset: number;
  /** Keys in the offset map this pass built. */
  readonly mapEntries: number;
}

/** What planning needs to know of a closed segment (largest timestamp read lazily). */
export interface CleanableSegment {
  readonly baseOffset: number;
  readonly sizeBytes: number;
  readonly largestTimestampMs: number;
}

export interface CleaningPlan {
  /** How many leading closed segments may be cleaned. */
  readonly cleanableCount: number;
  readonly cleanBytes: number;
  readonly dirtyBytes: number;
  readonly dirtyRatio: number;
}

/**
 * Which leading closed segments compaction may touch (Kafka's LogCleanerManager.cleanableOffsets)
 * and how dirty they are. A segment is cleanable when it lies wholly below `maxOffset` (the next
 * segment starts at or below it) and its newest record is at least `min.compaction.lag.ms` old;
 * the first segment failing either ends the range. Segments wholly below `firstDirtyOffset` are
 * clean (already deduplicated), the rest dirty.
 */
export function planCleaning(
  closed: ReadonlyArray<CleanableSegment>,
  nextBaseOffsets: ReadonlyArray<number>,
  firstDirtyOffset: number,
  maxOffset: number,
  config: Pick<LogConfig, 'minCompactionLagMs'>,
  nowMs: number,
): CleaningPlan {
  let count = 0;
  while (count < closed.length) {
    if (nextBaseOffsets[count]! > maxOffset) break;
    if (config.minCompactionLagMs > 0 && closed[count]!.largestTimestampMs > nowMs - config.minCompactionLagMs) break;
    count++;
  }
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (let i = 0; i < count; i++) {
    if (nextBaseOffsets[i]! <= firstDirtyOffset) cleanBytes += closed[i]!.sizeBytes;
    else dirtyBytes += closed[i]!.sizeBytes;
  }
  const total = cleanBytes + dirtyBytes;
  return { cleanableCount: count, cleanBytes, dirtyBytes, dirtyRatio: total === 0 ? 0 : dirtyBytes / total };
}

/**
 * Consecutive segments merged into one cleaned segment (Kafka's groupSegmentsBySize): source
 * sizes sum to at most `segment.bytes` (cleaning only shrinks), and every offset stays within
 * int32 of the group's base offset. Returns group sizes, in order.
 */
export function groupSegmentsBySize(
  sizes: ReadonlyArray<number>,
  baseOffsets: ReadonlyArray<number>,
  endOffsets: ReadonlyArray<number>,
  segmentBytes: number,
): number[] {
  const groups: number[] = [];
  let i = 0;
  while (i < sizes.length) {
    const base = baseOffsets[i]!;
    let size = sizes[i]!;
    let n = 1;
    while (i + n < sizes.length && size + sizes[i + n]! <= segmentBytes && endOffsets[i + n]! - 1 - base <= INT32_MAX) {
      size += sizes[i + n]!;
      n++;
    }
    groups.push(n);
    i += n;
  }
  return groups;
}

/** The key -> latest offset map over the dirty range, bounded by an estimate of its memory. */
export class OffsetMap {
  private readonly latest = new Map<string, number>();
  private usedBytes = 0;

  constructor(readonly budgetBytes: number) {
    assert(
      Number.isSafeInteger(budgetBytes) && budgetBytes > 0,
      `dedupe buffer ${budgetBytes} must be a positive integer`,
    );
  }

  get size(): number {
    return this.latest.size;
  }

  /**
   * Adds every keyed record of a batch, unless that would exceed the budget of a non-empty map
   * (then nothing is added and false returned: the map ends before this batch).
   */
  tryAddBatch(records: ReadonlyArray<DecodedRecord>): boolean {
    let extra = 0;
    for (const record of records) if (record.key !== null) extra += record.key.length + OFFSET_MAP_ENTRY_OVERHEAD_BYTES;
    if (this.latest.size > 0 && this.usedBytes + extra > this.budgetBytes) return false;
    for (const record of records) {
      if (record.key === null) continue;
      const key = record.key.toString('latin1');
      if (!this.latest.has(key)) this.usedBytes += record.key.length + OFFSET_MAP_ENTRY_OVERHEAD_BYTES;
      this.latest.set(key, record.offset);
    }
    return true;
  }

  get(key: Buffer): number | undefined {
    return this.latest.get(key.toString('latin1'));
  }
}

/** A batch's delete horizon (KIP-534: the base timestamp when the DELETE_HORIZON bit is set). */
export function deleteHorizonOf(view: RecordBatchView): number | null {
  return (view.attributes & Attributes.DELETE_HORIZON) !== 0 ? view.baseTimestamp : null;
}

export interface BatchFilterContext {
  readonly map: OffsetMap;
  /** Batches at or above this were not deduplicated this pass: copied as they are. */
  readonly mapEndOffset: number;
  readonly nowMs: number;
  readonly deleteRetentionMs: number;
  /** Base offset of each producer's last batch in the cleaned range (kept, empty if need be). */
  readonly lastBatchOfProducer: ReadonlyMap<number, number>;
}

export interface FilteredBatch {
  /** Bytes to write (the original bytes when unchanged), or null to drop the batch. */
  readonly bytes: Buffer | null;
  /** `bytes` are the original batch, untouched. */
  readonly unchanged: boolean;
  readonly recordsRemoved: number;
  /** The written batch's delete horizon, when it keeps tombstones under one. */
  readonly deleteHorizonMs: number | null;
}

/**
 * One batch through the cleaner (Kafka's Cleaner.shouldRetainRecord + filterTo):
 * - a keyed record survives unless the map holds a later offset for its key;
 * - a record without a key is dropped (Kafka refuses them on produce to compacted topics and its
 *   cleaner discards any that got in);
 * - a surviving tombstone (null value) keeps the batch's delete horizon, or gets one
 *   (now + `delete.retention.ms`) the first time it is cleaned; once the horizon has passed it is
 *   dropped;
 * - transactional batches feed no offsets to the map (an aborted record must not shadow a
 *   committed one; this log keeps no aborted-transaction index) and their tombstones never
 *   expire; control batches (markers) are kept whole;
 * - a batch left empty is dropped, unless it is its producer's last batch in the range: then an
 *   empty batch keeps the producer's epoch and sequence (as Kafka does for idempotence).
 * Surviving records keep their offsets, timestamps and headers; the batch keeps base offset,
 * last offset delta, leader epoch, producer fields and compression, so offsets only get gaps.
 */
export function filterBatch(view: RecordBatchView, ctx: BatchFilterContext): FilteredBatch {
  const existingHorizon = deleteHorizonOf(view);
  if (view.baseOffset >= ctx.mapEndOffset || view.isControl)
    return { bytes: view.bytes(), unchanged: true, recordsRemoved: 0, deleteHorizonMs: existingHorizon };
  const decoded = decodeRecordBatch(view, { verifyCrc: false });
  const transactional = view.isTransactional;
  const kept: DecodedRecord[] = [];
  let keptTombstones = false;
  for (const record of decoded.records) {
    if (record.key === null) continue;
    const latest = ctx.map.get(record.key);
    if (latest !== undefined && latest > record.offset) continue;
    if (record.value === null && !transactional) {
      if (existingHorizon !== null && ctx.nowMs >= existingHorizon) continue;
      keptTombstones = true;
    }
    kept.push(record);
  }
  const removed = decoded.records.length - kept.length;
  const horizon = keptTombstones ? (existingHorizon ?? ctx.nowMs + ctx.deleteRetentionMs) : null;
  if (removed === 0 && horizon === existingHorizon)
    return { bytes: view.bytes(), unchanged: true, recordsRemoved: 0, deleteHorizonMs: horizon };
  if (kept.length === 0) {
    const keepEmpty = view.producerId >= 0 && ctx.lastBatchOfProducer.get(view.producerId) === view.baseOffset;
    if (!keepEmpty) return { bytes: null, unchanged: false, recordsRemoved: removed, deleteHorizonMs: null };
  }
  const bytes = encodeRecordBatch({
    baseOffset: view.baseOffset,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    compression: view.compression,
    timestampType: view.timestampType,
    isTransactional: transactional,
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    // With a horizon the base timestamp carries it (records' deltas are relative to it, as Kafka).
    baseTimestamp: horizon ?? (existingHorizon === null ? view.baseTimestamp : undefined),
    lastOffsetDelta: view.lastOffsetDelta,
    records: kept.map((record) => ({
      key: record.key,
      value: record.value,
      headers: record.headers,
      timestamp: record.timestamp,
      offsetDelta: record.offset - view.baseOffset,
    })),
  });
  if (horizon !== null) {
    bytes.writeInt16BE(bytes.readInt16BE(BatchLayout.ATTRIBUTES) | Attributes.DELETE_HORIZON, BatchLayout.ATTRIBUTES);
    bytes.writeUInt32BE(crc32c(bytes.subarray(BatchLayout.ATTRIBUTES)), BatchLayout.CRC);
  }
  return { bytes, unchanged: false, recordsRemoved: removed, deleteHorizonMs: horizon };
}

/** Paths of a segment's compaction output with `suffix` (`.cleaned` or `.swap`). */
export function suffixedPaths(paths: SegmentPaths, suffix: string): SegmentPaths {
  return { log: paths.log + suffix, offsetIndex: paths.offsetIndex + suffix, timeIndex: paths.timeIndex + suffix };
}

/** Buffers batch writes into ~1 MiB `pwrite`s. */
class BufferedFileWriter {
  private readonly buffer = Buffer.allocUnsafe(1024 * 1024);
  private used = 0;
  private filePosition = 0;

  constructor(private readonly fd: number) {}

  /** Bytes written so far (buffered included): the position of the next batch. */
  get position(): number {
    return this.filePosition + this.used;
  }

  write(bytes: Buffer): void {
    if (bytes.length > this.buffer.length - this.used) this.flush();
    if (bytes.length > this.buffer.length) {
      writeFully(this.fd, bytes, 0, bytes.length, this.filePosition);
      this.filePosition += bytes.length;
      return;
    }
    bytes.copy(this.buffer, this.used);
    this.used += bytes.length;
  }

  flush(): void {
    if (this.used === 0) return;
    writeFully(this.fd, this.buffer, 0, this.used, this.filePosition);
    this.filePosition += this.used;
    this.used = 0;
  }
}

export interface CleanSource {
  readonly baseOffset: number;
  readonly sizeBytes: number;
  readonly paths: SegmentPaths;
}

/** One source segment, filtered into `<base>.log.cleaned` (not yet synced, no indexes). */
export interface CleanedPart {
  readonly baseOffset: number;
  /** The source's end: the next segment's base offset. */
  readonly endOffset: number;
  readonly sizeBytes: number;
  readonly recordsRemoved: number;
  /** Earliest delete horizon among the batches written (null when no tombstone is kept). */
  readonly earliestDeleteHorizonMs: number | null;
}

export interface CleanedGroup {
  readonly baseOffset: number;
  readonly sourceBaseOffsets: number[];
  readonly sizeBytes: number;
  readonly recordsRemoved: number;
  readonly earliestDeleteHorizonMs: number | null;
}

/**
 * Filters one source segment into `<base>.log.cleaned`. Every source batch is CRC-checked on
 * the way: a damaged source stops the pass (CorruptLogError) before anything is swapped.
 */
export function cleanSegment(
  dir: string,
  source: CleanSource,
  endOffset: number,
  ctx: BatchFilterContext,
  files: LogFiles = nodeLogFiles,
): CleanedPart {
  const out = segmentPaths(dir, source.baseOffset).log + CLEANED_SUFFIX;
  const fd = files.create(out, 'w');
  const totals: { recordsRemoved: number; earliest: number | null } = { recordsRemoved: 0, earliest: null };
  try {
    const writer = new BufferedFileWriter(fd);
    const inFd = openSync(source.paths.log, 'r');
    try {
      let expected = source.baseOffset;
      const result = scanSegmentFile(inFd, 0, source.sizeBytes, true, (view) => {
        if (view.baseOffset < expected) return `batch base offset ${view.baseOffset} below expected ${expected}`;
        expected = view.nextOffset;
        const filtered = filterBatch(view, ctx);
        totals.recordsRemoved += filtered.recordsRemoved;
        if (filtered.deleteHorizonMs !== null)
          totals.earliest = Math.min(totals.earliest ?? filtered.deleteHorizonMs, filtered.deleteHorizonMs);
        if (filtered.bytes !== null) writer.write(filtered.bytes);
        return null;
      });
      if (result.problem !== null)
        throw new CorruptLogError(
          source.paths.log,
          result.problem.position,
          `${result.problem.reason} (while compacting)`,
        );
    } finally {
      closeSync(inFd);
    }
    writer.flush();
    return {
      baseOffset: source.baseOffset,
      endOffset,
      sizeBytes: writer.position,
      recordsRemoved: totals.recordsRemoved,
      earliestDeleteHorizonMs: totals.earliest,
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * Merges consecutive cleaned parts into segments of at most `segment.bytes` (by their actual,
 * cleaned sizes, so one pass already bounds the segment count; Kafka's groupSegmentsBySize),
 * appending later parts' bytes to the first part's file; then indexes each result from its
 * bytes and fdatasyncs log and indexes. Memory: one copy buffer and one segment's indexes.
 */
export function mergeCleanedParts(
  dir: string,
  parts: ReadonlyArray<CleanedPart>,
  config: LogConfig,
  files: LogFiles = nodeLogFiles,
): CleanedGroup[] {
  const groupSizes = groupSegmentsBySize(
    parts.map((part) => part.sizeBytes),
    parts.map((part) => part.baseOffset),
    parts.map((part) => part.endOffset),
    config.segmentBytes,
  );
  const groups: CleanedGroup[] = [];
  let at = 0;
  for (const count of groupSizes) {
    const members = parts.slice(at, at + count);
    at += count;
    const first = members[0]!;
    const paths = suffixedPaths(segmentPaths(dir, first.baseOffset), CLEANED_SUFFIX);
    const fd = openSync(paths.log, 'r+');
    try {
      let size = first.sizeBytes;
      for (const member of members.slice(1)) {
        const memberPath = segmentPaths(dir, member.baseOffset).log + CLEANED_SUFFIX;
        copyFileInto(memberPath, member.sizeBytes, fd, size);
        size += member.sizeBytes;
        files.remove(memberPath);
      }
      const indexer = new SegmentIndexer(first.baseOffset, config.indexIntervalBytes, config.segmentIndexBytes);
      const result = scanSegmentFile(fd, 0, size, false, (view) => {
        indexer.onBatch(view.baseOffset, view.maxTimestamp, view.position, view.sizeBytes);
        return null;
      });
      assert(result.problem === null, `cleaned segment ${paths.log} does not scan: ${result.problem?.reason}`);
      indexer.finish();
      files.sync(fd, paths.log);
      writeWholeFile(files, paths.offsetIndex, indexer.offsets.bytes(), true);
      writeWholeFile(files, paths.timeIndex, indexer.times.bytes(), true);
      let earliest: number | null = null;
      for (const member of members) {
        if (member.earliestDeleteHorizonMs !== null)
          earliest = Math.min(earliest ?? member.earliestDeleteHorizonMs, member.earliestDeleteHorizonMs);
      }
      groups.push({
        baseOffset: first.baseOffset,
        sourceBaseOffsets: members.map((member) => member.baseOffset),
        sizeBytes: size,
        recordsRemoved: members.reduce((sum, member) => sum + member.recordsRemoved, 0),
        earliestDeleteHorizonMs: earliest,
      });
    } finally {
      closeSync(fd);
    }
  }
  return groups;
}

function copyFileInto(path: string, length: number, targetFd: number, targetPosition: number): void {
  const chunk = Buffer.allocUnsafe(Math.min(length, 1024 * 1024));
  const fd = openSync(path, 'r');
  try {
    for (let done = 0; done < length;) {
      const got = readFully(fd, chunk, 0, Math.min(chunk.length, length - done), done);
      assert(got > 0, `${path} shorter than ${length} bytes`);
      writeFully(targetFd, chunk, 0, got, targetPosition + done);
      done += got;
    }
  } finally {
    closeSync(fd);
  }
}

/** `.cleaned` -> `.swap` for every group (indexes first, the log file last), then fsyncs the directory. */
export function markSwappable(dir: string, groups: ReadonlyArray<CleanedGroup>, files: LogFiles = nodeLogFiles): void {
  for (const group of groups) {
    const paths = segmentPaths(dir, group.baseOffset);
    for (const path of [paths.offsetIndex, paths.timeIndex, paths.log])
      files.rename(path + CLEANED_SUFFIX, path + SWAP_SUFFIX);
  }
  files.syncDirectory(dir);
}

/** The commit point: which sources each `.swap` segment replaces, written atomically. */
export function writeSwapManifest(
  dir: string,
  groups: ReadonlyArray<CleanedGroup>,
  files: LogFiles = nodeLogFiles,
): void {
  writeCheckpointFile(
    files,
    join(dir, CLEANER_SWAP_FILE),
    groups.flatMap((group) => group.sourceBaseOffsets.map((source) => [group.baseOffset, source])),
  );
}

/**
 * Completes a committed swap: for each group whose `.log.swap` is still there, deletes its source
 * segments' files and renames the `.swap` files into place (the log file last, so a present
 * `.log.swap` always means "not yet done"). Then removes the manifest. Idempotent, so the same
 * code finishes the swap live and after a crash.
 */
export function finishSwap(
  dir: string,
  manifest: ReadonlyArray<ReadonlyArray<number>>,
  files: LogFiles = nodeLogFiles,
): void {
  const groups = new Map<number, number[]>();
  for (const [groupBase, source] of manifest) {
    const list = groups.get(groupBase!) ?? [];
    list.push(source!);
    groups.set(groupBase!, list);
  }
  for (const [groupBase, sources] of groups) {
    const paths = segmentPaths(dir, groupBase);
    if (!existsSync(paths.log + SWAP_SUFFIX)) continue;
    for (const source of sources) {
      const sourcePaths = segmentPaths(dir, source);
      for (const path of [sourcePaths.offsetIndex, sourcePaths.timeIndex, sourcePaths.log])
        if (existsSync(path)) files.remove(path);
    }
    // A crash between these renames leaves the log file as .swap: the next open redoes them (an
    // index already renamed was deleted above as a source file and is rebuilt from the log).
    for (const path of [paths.offsetIndex, paths.timeIndex, paths.log])
      if (existsSync(path + SWAP_SUFFIX)) files.rename(path + SWAP_SUFFIX, path);
  }
  files.syncDirectory(dir);
  files.remove(join(dir, CLEANER_SWAP_FILE));
  files.syncDirectory(dir);
}

/**
 * On open, before segments are listed (Kafka's LogLoader swap handling): a swap manifest means
 * the cleaner committed, so the swap is finished; then any `.cleaned` or `.swap` file left is
 * output of a pass that did not commit, and is deleted (its sources are intact). Returns what
 * was done, for logging and tests.
 */
export function recoverCleanerSwap(
  dir: string,
  logger: LogLogger,
  files: LogFiles = nodeLogFiles,
): { completed: boolean; rolledBackFiles: number } {
  const manifestPath = join(dir, CLEANER_SWAP_FILE);
  let completed = false;
  if (existsSync(manifestPath)) {
    const manifest = readCheckpointFile(manifestPath, 2) ?? [];
    logger.warn('completing an interrupted compaction swap', {
      dir,
      groups: new Set(manifest.map((entry) => entry[0])).size,
    });
    finishSwap(dir, manifest, files);
    completed = true;
  }
  let rolledBackFiles = 0;
  for (const name of readdirSync(dir)) {
    if (name.endsWith(CLEANED_SUFFIX) || name.endsWith(SWAP_SUFFIX)) {
      logger.info('removing uncommitted compaction output', { file: join(dir, name) });
      files.remove(join(dir, name));
      rolledBackFiles++;
    }
  }
  if (rolledBackFiles > 0) files.syncDirectory(dir);
  return { completed, rolledBackFiles };
}

/** Deletes `.cleaned` output of a pass that failed before its swap (best effort). */
export function discardCleaned(
  dir: string,
  groups: ReadonlyArray<{ readonly baseOffset: number }>,
  files: LogFiles = nodeLogFiles,
): void {
  for (const group of groups) {
    const paths = suffixedPaths(segmentPaths(dir, group.baseOffset), CLEANED_SUFFIX);
    for (const path of [paths.offsetIndex, paths.timeIndex, paths.log]) {
      try {
        if (existsSync(path)) files.remove(path);
      } catch {
        // Left for the next open to remove.
      }
    }
  }
}

const MAP_FULL = 'offset map full';

/**
 * Fills `map` with key -> latest offset over `sources` from `firstDirtyOffset` on (Kafka's
 * buildOffsetMap). Control and transactional batches add nothing. Stops before the first batch
 * that would overflow the map; returns the offset the map covers up to (exclusive), `endOffset`
 * when it took everything.
 */
export function buildOffsetMap(
  sources: ReadonlyArray<CleanSource>,
  firstDirtyOffset: number,
  endOffset: number,
  map: OffsetMap,
): number {
  for (const source of sources) {
    const stop: { at: number | null } = { at: null };
    const fd = openSync(source.paths.log, 'r');
    try {
      const result = scanSegmentFile(fd, 0, source.sizeBytes, true, (view) => {
        if (view.lastOffset < firstDirtyOffset || view.isControl || view.isTransactional) return null;
        const records = decodeRecordBatch(view, { verifyCrc: false }).records;
        if (map.tryAddBatch(records)) return null;
        stop.at = view.baseOffset;
        return MAP_FULL;
      });
      if (stop.at !== null) return stop.at;
      if (result.problem !== null)
        throw new CorruptLogError(
          source.paths.log,
          result.problem.position,
          `${result.problem.reason} (while compacting)`,
        );
    } finally {
      closeSync(fd);
    }
  }
  return endOffset;
}

/** Base offset of each producer's last batch in `sources` (headers only). */
export function lastBatchesOfProducers(sources: ReadonlyArray<CleanSource>): Map<number, number> {
  const last = new Map<number, number>();
  for (const source of sources) {
    const fd = openSync(source.paths.log, 'r');
    try {
      scanSegmentFile(fd, 0, source.sizeBytes, false, (view) => {
        if (view.producerId >= 0) last.set(view.producerId, view.baseOffset);
        return null;
      });
    } finally {
      closeSync(fd);
    }
  }
  return last;
}
