import { existsSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpointFile, readOffsetCheckpoint } from './checkpoint-file';
import type { LogLogger } from './env';
import { CorruptLogError } from './errors';
import {
  CLEAN_SHUTDOWN_FILE,
  DELETED_SUFFIX,
  LEADER_EPOCH_FILE,
  LOG_START_OFFSET_FILE,
  parseSegmentFileName,
  RECOVERY_POINT_FILE,
  segmentPaths,
  TMP_SUFFIX,
} from './file-names';
import { recoverCleanerSwap } from './compaction';
import { LeaderEpochCache } from './leader-epoch-cache';
import type { LogFiles } from './log-files';
import { LogSegment, type SegmentContext } from './segment';
import type { SegmentIndexer } from './segment-indexer';
import { scanSegmentFile, type ScanProblem } from './segment-scan';

const INT32_MAX = 2 ** 31 - 1;

/** `unflushed`: scan from the segment holding the recovery point (Kafka). `all`: verify every batch. */
export type VerifyOnOpen = 'unflushed' | 'all';

export interface RecoveryOutcome {
  readonly segments: LogSegment[];
  readonly logStartOffset: number;
  readonly recoveryPoint: number;
  readonly logEndOffset: number;
  readonly epochCache: LeaderEpochCache;
  readonly epochCacheChanged: boolean;
  readonly cleanShutdown: boolean;
  readonly scannedBytes: number;
  readonly truncatedBytes: number;
  readonly truncations: number;
  readonly deletedSegments: number;
}

/**
 * Opens a partition directory and makes it consistent (Kafka's LogLoader):
 * - stray temp files and index files without a log file are removed;
 * - after a clean shutdown, the active segment's saved indexes are trusted and only the batches
 *   after its last index entry are re-read; otherwise every segment from the one holding the
 *   recovery point onward is scanned, CRCs verified, and indexes rebuilt;
 * - a bad batch at or after the recovery point (a torn or corrupt unflushed tail) is truncated
 *   along with everything after it; one before it throws `CorruptLogError`, as does a log that
 *   ends before the recovery point: flushed data is never dropped silently;
 * - likewise unflushed data that ends before the next segment's base offset (a power cut left
 *   a rolled segment short, or empty, and a later file behind it): the later segments go, so the
 *   log never has a hole below its end. (A follower of a compacted topic may have such a gap
 *   legitimately; losing its unflushed segments only makes it fetch them again.)
 */
export function recoverLog(
  dir: string,
  context: SegmentContext,
  options: { verifyOnOpen: VerifyOnOpen; logger: LogLogger; nowMs: number },
): RecoveryOutcome {
  mkdirSync(dir, { recursive: true });
  // A compaction swap cut short: finish it if it committed, else drop its output.
  recoverCleanerSwap(dir, options.logger, context.files);
  const bases = listSegmentsAndClean(dir, options.logger, context.files);
  const checkpointedStart = readOffsetCheckpoint(join(dir, LOG_START_OFFSET_FILE));
  const checkpointedRecoveryPoint = readOffsetCheckpoint(join(dir, RECOVERY_POINT_FILE));
  const epochEntries = readCheckpointFile(join(dir, LEADER_EPOCH_FILE), 2) ?? [];
  let epochCache: LeaderEpochCache;
  try {
    epochCache = new LeaderEpochCache(
      epochEntries.map(([epoch, startOffset]) => ({ epoch: epoch!, startOffset: startOffset! })),
    );
  } catch (error) {
    throw new CorruptLogError(join(dir, LEADER_EPOCH_FILE), 0, (error as Error).message);
  }
  const cleanShutdown = existsSync(join(dir, CLEAN_SHUTDOWN_FILE));
  const stats = { scannedBytes: 0, truncatedBytes: 0, truncations: 0, deletedSegments: 0 };
  let epochCacheChanged = false;

  if (bases.length === 0) {
    const base = Math.max(checkpointedStart ?? 0, 0);
    const segment = LogSegment.create(dir, base, context, options.nowMs);
    epochCacheChanged = epochCache.clear();
    return {
      segments: [segment],
      logStartOffset: base,
      recoveryPoint: base,
      logEndOffset: base,
      epochCache,
      epochCacheChanged,
      cleanShutdown,
      ...stats,
    };
  }

  const segments = bases.map((base) =>
    LogSegment.closed(dir, base, statSync(segmentPaths(dir, base).log).size, context),
  );
  const firstBase = segments[0]!.baseOffset;
  const recoveryPoint = Math.max(checkpointedRecoveryPoint ?? firstBase, firstBase);

  let active: LogSegment | null = null;
  if (cleanShutdown && options.verifyOnOpen === 'unflushed')
    active = tryResumeClean(segments.at(-1)!, context, options.nowMs, recoveryPoint);

  if (options.verifyOnOpen === 'all') {
    let expected = firstBase;
    const holder = holderIndex(segments, recoveryPoint);
    for (let i = 0; i < holder; i++)
      expected = verifySegment(segments[i]!, Math.max(expected, segments[i]!.baseOffset), stats);
  }

  if (active === null) {
    const start = holderIndex(segments, recoveryPoint);
    let expected = segments[start]!.baseOffset;
    for (let i = start; i < segments.length; i++) {
      const segment = segments[i]!;
      expected = Math.max(expected, segment.baseOffset);
      const indexer = segment.newIndexer();
      const fd = openSync(segment.paths.log, 'r+');
      let problem: ScanProblem | null;
      try {
        const result = scanSegmentFile(fd, 0, segment.sizeBytes, true, (view) => {
          if (view.baseOffset < expected) return `batch base offset ${view.baseOffset} below expected ${expected}`;
          if (view.lastOffset - segment.baseOffset > INT32_MAX)
            return `offset ${view.lastOffset} does not fit relative to ${segment.baseOffset}`;
          const epoch = view.partitionLeaderEpoch;
          if (epoch >= 0 && epoch > (epochCache.latestEpoch() ?? -1))
            epochCacheChanged = epochCache.assign(epoch, view.baseOffset) || epochCacheChanged;
          indexer.onBatch(view.baseOffset, view.maxTimestamp, view.position, view.sizeBytes);
          expected = view.nextOffset;
          return null;
        });
        stats.scannedBytes += result.validEndPosition;
        problem = result.problem;
        if (problem !== null) {
          if (expected < recoveryPoint) {
            throw new CorruptLogError(
              segment.paths.log,
              problem.position,
              `${problem.reason} (data before the recovery point ${recoveryPoint} is damaged)`,
            );
          }
          const cut = segment.sizeBytes - problem.batchPosition;
          context.files.truncate(fd, segment.paths.log, problem.batchPosition);
          context.files.sync(fd, segment.paths.log);
          segment.sizeBytes = problem.batchPosition;
          stats.truncatedBytes += cut;
          stats.truncations++;
          options.logger.warn('truncated unflushed log tail during recovery', {
            file: segment.paths.log,
            position: problem.position,
            batchPosition: problem.batchPosition,
            reason: problem.reason,
            truncatedBytes: cut,
          });
        }
      } finally {
        closeSync(fd);
      }
      // Unflushed data that stops short of the next segment lost its end (a power cut keeps each
      // file's synced prefix, and the next file may exist with less): the later segments would
      // leave a hole below the log end, which a follower never fetches again and a new leader
      // would not have. Cut there, as after a corrupt tail. Below the recovery point a gap is
      // compaction's (or a compacted leader's) and stays.
      const next = segments[i + 1];
      const stopsShort = problem === null && next !== undefined && expected < next.baseOffset;
      if (stopsShort && expected >= recoveryPoint) {
        options.logger.warn('unflushed segment ends before the next one begins; cutting the log there', {
          file: segment.paths.log,
          endOffset: expected,
          nextBaseOffset: next.baseOffset,
        });
        stats.truncations++;
      }
      if (problem !== null || (stopsShort && expected >= recoveryPoint)) {
        for (const later of segments.splice(i + 1)) {
          stats.truncatedBytes += later.sizeBytes;
          stats.deletedSegments++;
          options.logger.warn('deleted segment after a corrupt tail during recovery', { file: later.paths.log });
          later.delete();
        }
      }
      if (i === segments.length - 1) {
        active = LogSegment.activeFromRecovery(
          dir,
          segment.baseOffset,
          segment.sizeBytes,
          indexer,
          expected,
          context,
          options.nowMs,
        );
        segments[i] = active;
      } else {
        finishScannedClosedSegment(segment, indexer);
      }
    }
    const end = active!.nextOffset;
    if (end < recoveryPoint) {
      throw new CorruptLogError(
        active!.paths.log,
        active!.sizeBytes,
        `log ends at offset ${end}, before the recovery point ${recoveryPoint}: flushed data is missing`,
      );
    }
  } else {
    segments[segments.length - 1] = active;
  }

  const logEndOffset = active!.nextOffset;
  const logStartOffset = Math.min(Math.max(checkpointedStart ?? firstBase, firstBase), logEndOffset);
  epochCacheChanged = epochCache.truncateFromEnd(logEndOffset) || epochCacheChanged;
  epochCacheChanged = epochCache.truncateFromStart(logStartOffset) || epochCacheChanged;
  return {
    segments,
    logStartOffset,
    recoveryPoint: Math.min(recoveryPoint, logEndOffset),
    logEndOffset,
    epochCache,
    epochCacheChanged,
    cleanShutdown,
    ...stats,
  };
}

/** Index of the last segment whose base offset is <= `offset` (0 when none). */
function holderIndex(segments: ReadonlyArray<LogSegment>, offset: number): number {
  let found = 0;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= offset) found = i;
  return found;
}

function listSegmentsAndClean(dir: string, logger: LogLogger, files: LogFiles): number[] {
  const names = readdirSync(dir);
  const logs = new Set<number>();
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (parsed?.kind === 'log') logs.add(parsed.baseOffset);
  }
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    const orphanIndex = parsed !== null && parsed.kind !== 'log' && !logs.has(parsed.baseOffset);
    if (name.endsWith(TMP_SUFFIX) || name.endsWith(DELETED_SUFFIX) || orphanIndex) {
      logger.info('removing stray file', { file: join(dir, name) });
      files.remove(join(dir, name));
    }
  }
  return [...logs].sort((a, b) => a - b);
}

/**
 * Clean-shutdown fast path: trust the last segment's saved indexes and re-read only the batches
 * after its last index entry. Gives up (null) unless that yields exactly the recovery point.
 */
function tryResumeClean(
  last: LogSegment,
  context: SegmentContext,
  nowMs: number,
  recoveryPoint: number,
): LogSegment | null {
  const files = last.readIndexFiles();
  if (typeof files === 'string') return null;
  const indexer = last.newIndexer(files.offsets, files.times);
  const active = LogSegment.activeFromRecovery(
    last.dir,
    last.baseOffset,
    last.sizeBytes,
    indexer,
    last.baseOffset,
    context,
    nowMs,
  );
  if (active.resumeIndexer(last.sizeBytes) && active.nextOffset === recoveryPoint) return active;
  active.release();
  return null;
}

/** `verifyOnOpen: 'all'` for segments before the recovery point: any problem is fatal. */
function verifySegment(segment: LogSegment, expectedStart: number, stats: { scannedBytes: number }): number {
  let expected = expectedStart;
  const fd = openSync(segment.paths.log, 'r');
  try {
    const result = scanSegmentFile(fd, 0, segment.sizeBytes, true, (view) => {
      if (view.baseOffset < expected) return `batch base offset ${view.baseOffset} below expected ${expected}`;
      expected = view.nextOffset;
      return null;
    });
    stats.scannedBytes += result.validEndPosition;
    if (result.problem !== null) {
      throw new CorruptLogError(
        segment.paths.log,
        result.problem.position,
        `${result.problem.reason} (before the recovery point)`,
      );
    }
  } finally {
    closeSync(fd);
  }
  return expected;
}

function finishScannedClosedSegment(segment: LogSegment, indexer: SegmentIndexer): void {
  indexer.finish();
  segment.writeIndexesFrom(indexer);
}
