import type { RemoteSegmentMetadata } from './remote-log-metadata';

/** A local segment as the copy decision sees it. */
export interface LocalSegment {
  readonly baseOffset: number;
  /** The next segment's base offset (exclusive end of this one). */
  readonly nextOffset: number;
  /** The `.log` size when known; an empty segment (compaction removed all of it) is never copied. */
  readonly sizeBytes?: number;
}

/** What makes a segment of a compacted topic (`cleanup.policy` with compact) ready to copy. */
export interface CompactedCopyGate {
  /**
   * The cleaner checkpoint (offsets below it are deduplicated), null when the cleaner has not run:
   * only segments wholly below it are copied, so what goes remote has been cleaned once.
   */
  readonly cleanedBelowOffset: number | null;
}

/**
 * Which local segments to copy next, oldest first: rolled (the active segment is never a
 * candidate, its bytes still change), wholly below the high watermark (nothing a new leader could
 * truncate), and holding offsets above what is already remote. A segment that straddles the
 * highest copied offset is copied whole: replicas roll segments at their own offsets, so a new
 * leader's segment may begin inside one its predecessor copied, and skipping it would leave a
 * hole in the remote log. At most `maxSegments`, so one task run is bounded. `segments` are the
 * local segments in offset order, the active one last. With `compacted` (a compacted topic), a
 * segment waits until the cleaner has passed it, and empty segments (everything in them
 * superseded) are skipped: there is nothing to read in them, and reads step over the gap.
 */
export function selectSegmentsToCopy(
  segments: readonly LocalSegment[],
  highWatermark: number,
  highestCopiedOffset: number,
  maxSegments: number,
  compacted: CompactedCopyGate | null = null,
): LocalSegment[] {
  if (!(maxSegments >= 1)) throw new RangeError(`maxSegments ${maxSegments} must be >= 1`);
  const closed = segments.slice(0, -1);
  const copyBelow = compacted === null ? highWatermark : Math.min(highWatermark, compacted.cleanedBelowOffset ?? -1);
  return closed
    .filter(
      (segment) =>
        segment.nextOffset <= copyBelow &&
        segment.nextOffset - 1 > highestCopiedOffset &&
        (compacted === null || segment.sizeBytes !== 0),
    )
    .slice(0, maxSegments);
}

/**
 * Consecutive segments (in offset order) cut into the groups a copy uploads together: a group takes
 * segments while it holds fewer than `maxSegments` and its bytes stay within `maxBytes` (a segment
 * larger than that goes alone). Small segments then share their metadata round trips (each group
 * writes its COPY_SEGMENT_STARTED records together and its COPY_SEGMENT_FINISHED records together)
 * while the bytes a group has in flight stay bounded.
 */
export function groupForCopy<T extends { readonly sizeBytes: number }>(
  segments: readonly T[],
  maxSegments: number,
  maxBytes: number,
): T[][] {
  if (!(Number.isSafeInteger(maxSegments) && maxSegments >= 1))
    throw new RangeError(`maxSegments ${maxSegments} must be a positive integer`);
  if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 1))
    throw new RangeError(`maxBytes ${maxBytes} must be a positive integer`);
  return cutIntoRuns(
    segments,
    (_last, runLength, runBytes, next) => runLength >= maxSegments || runBytes + next.sizeBytes > maxBytes,
  );
}

/**
 * Segments in order cut into runs of consecutive ones: the next segment starts a new run when
 * `endsRun(last of the run, its length, its bytes, next)` says so.
 */
function cutIntoRuns<T extends { readonly sizeBytes: number }>(
  segments: readonly T[],
  endsRun: (last: T, runLength: number, runBytes: number, next: T) => boolean,
): T[][] {
  const runs: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const segment of segments) {
    const last = current.at(-1);
    if (last !== undefined && endsRun(last, current.length, currentBytes, segment)) {
      runs.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(segment);
    currentBytes += segment.sizeBytes;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/** A merged remote segment's bytes at most: 1 GiB, far within an offset index's int32 positions. */
export const MAX_COPY_MERGE_BYTES = 1024 * 1024 * 1024;

/**
 * Consecutive segments (in offset order) cut into runs that are each copied as ONE remote segment:
 * a run takes the next segment while it starts where the run ends (no gap: a compacted topic's
 * skipped empty segment ends a run) and the run's bytes stay within `maxBytes`; a segment of
 * `maxBytes` or more goes alone, and `maxBytes` 0 makes every segment its own run (one remote
 * segment per local one, as Kafka). Small segments then cost one PUT, one COPY_SEGMENT_STARTED
 * and one COPY_SEGMENT_FINISHED per run instead of per segment. Only segments already eligible
 * are merged: nothing waits for more to arrive.
 */
export function mergeForCopy<T extends LocalSegment & { readonly sizeBytes: number }>(
  segments: readonly T[],
  maxBytes: number,
): T[][] {
  if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 0))
    throw new RangeError(`maxBytes ${maxBytes} must be a non-negative integer`);
  return cutIntoRuns(
    segments,
    (last, _runLength, runBytes, next) =>
      !(last.nextOffset === next.baseOffset && runBytes + next.sizeBytes <= maxBytes),
  );
}

/**
 * The bound for local retention: local segments may go only when they are wholly copied, i.e. the
 * next segment's base offset is at most this. (PartitionLog.deleteOldSegments' `maxOffset`.) With
 * nothing copied, nothing local is deleted whatever local retention says.
 */
export function localDeletionBound(highestCopiedOffset: number, highWatermark: number): number {
  return Math.min(highestCopiedOffset + 1, highWatermark);
}

export interface TotalRetention {
  /** `retention.ms`, -1 = forever. */
  readonly retentionMs: number;
  /** `retention.bytes` over local + remote, -1 = unlimited. */
  readonly retentionBytes: number;
}

export interface RemoteDeletionPlan {
  readonly segments: RemoteSegmentMetadata[];
  /** The log start offset once they are gone (moved before any object is deleted); null: unchanged. */
  readonly newLogStartOffset: number | null;
  readonly reason: 'time' | 'size' | 'log-start-offset' | null;
}

/**
 * Total retention over local + remote (Kafka's RemoteLogManager cleanup): the oldest remote
 * segments whose largest timestamp is older than `retention.ms`, or as many oldest remote
 * segments as fit in the excess of local + remote bytes over `retention.bytes`, or those wholly
 * below the log start offset. Only a prefix is ever deleted, so the remote log stays contiguous.
 * `onlyRemoteBytes` is the size of remote data not also still local (counting it once).
 */
export function selectRemoteDeletions(
  copied: readonly RemoteSegmentMetadata[],
  localSizeBytes: number,
  onlyRemoteBytes: number,
  logStartOffset: number,
  retention: TotalRetention,
  nowMs: number,
): RemoteDeletionPlan {
  let byStart = 0;
  while (byStart < copied.length && copied[byStart]!.endOffset < logStartOffset) byStart++;
  let byTime = 0;
  if (retention.retentionMs >= 0) {
    while (byTime < copied.length && nowMs - copied[byTime]!.maxTimestampMs > retention.retentionMs) byTime++;
  }
  let bySize = 0;
  if (retention.retentionBytes >= 0) {
    let excess = localSizeBytes + onlyRemoteBytes - retention.retentionBytes;
    while (bySize < copied.length && excess - copied[bySize]!.segmentSizeBytes >= 0) {
      excess -= copied[bySize]!.segmentSizeBytes;
      bySize++;
    }
  }
  const count = Math.max(byStart, byTime, bySize);
  if (count === 0) return { segments: [], newLogStartOffset: null, reason: null };
  const reason = count === byTime ? 'time' : count === bySize ? 'size' : 'log-start-offset';
  const segments = copied.slice(0, count);
  const newLogStartOffset = Math.max(logStartOffset, segments[segments.length - 1]!.endOffset + 1);
  return { segments, newLogStartOffset, reason };
}
