import { join } from 'node:path';

/** Kafka's on-disk names, so operators' habits and tools carry over. */
export const LOG_SUFFIX = '.log';
export const OFFSET_INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
/** Left behind by an interrupted atomic write; deleted on open. */
export const TMP_SUFFIX = '.tmp';
/**
 * A segment file retention has deleted (Kafka's `.deleted`): renamed on the event loop, unlinked
 * off it (freeing a large file's pages costs the unlink call milliseconds); deleted on open when
 * the unlink did not happen.
 */
export const DELETED_SUFFIX = '.deleted';

/** Compaction output being written (Kafka's `.cleaned`); deleted on open: the swap never began. */
export const CLEANED_SUFFIX = '.cleaned';
/** Compaction output ready to replace its source segments (Kafka's `.swap`). */
export const SWAP_SUFFIX = '.swap';
/**
 * Commit point of a compaction swap: which source segments each `.swap` segment replaces. Present
 * on open: the swap is finished; absent: `.swap` files are rolled back (the sources are intact).
 */
export const CLEANER_SWAP_FILE = 'cleaner-swap-checkpoint';
/** Compaction progress: the first dirty offset and the earliest tombstone delete horizon. */
export const CLEANER_OFFSET_FILE = 'cleaner-offset-checkpoint';

export const RECOVERY_POINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_FILE = 'log-start-offset-checkpoint';
export const LEADER_EPOCH_FILE = 'leader-epoch-checkpoint';
/**
 * The producer state as of some offset, restored from remote storage when a replica started
 * below the leader's local log start (opaque to the log; sluice's name, Kafka keeps `.snapshot`s).
 */
export const PRODUCER_SNAPSHOT_FILE = 'producer-snapshot-checkpoint';
/** Written by a clean close; its presence lets open trust the active segment's index files. */
export const CLEAN_SHUTDOWN_FILE = '.sluice-clean-shutdown';

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;

/** Base offset as 20 zero-padded digits, as Kafka names segment files. */
export function formatBaseOffset(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

export interface SegmentPaths {
  readonly log: string;
  readonly offsetIndex: string;
  readonly timeIndex: string;
}

export function segmentPaths(dir: string, baseOffset: number): SegmentPaths {
  const stem = join(dir, formatBaseOffset(baseOffset));
  return { log: stem + LOG_SUFFIX, offsetIndex: stem + OFFSET_INDEX_SUFFIX, timeIndex: stem + TIME_INDEX_SUFFIX };
}

/** Parses a segment-family file name; null for anything else. */
export function parseSegmentFileName(name: string): { baseOffset: number; kind: 'log' | 'index' | 'timeindex' } | null {
  const match = SEGMENT_FILE.exec(name);
  if (!match) return null;
  const baseOffset = Number(match[1]);
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, kind: match[2] as 'log' | 'index' | 'timeindex' };
}

/** A partition directory is named `<topic>-<partition>`, as in Kafka. */
export function isPartitionDirName(name: string): boolean {
  return /^.+-\d+$/.test(name);
}
