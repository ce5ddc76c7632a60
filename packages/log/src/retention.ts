import { deletesByRetention, type LogConfig } from './log-config';

export interface RetentionSegment {
  readonly baseOffset: number;
  readonly sizeBytes: number;
  /** Largest record timestamp in the segment (or the file's mtime when it has none). */
  readonly largestTimestampMs: number;
}

export interface RetentionDecision {
  /** How many of the oldest closed segments to delete. */
  readonly deleteCount: number;
  readonly reason: 'time' | 'size' | 'log-start-offset' | null;
}

/**
 * Which leading closed segments retention deletes (Kafka's deleteOldSegments): a prefix whose
 * segments are all older than `retention.ms`, or as many oldest segments as fit within the
 * excess over `retention.bytes`, or segments wholly below the log start offset. Time and size
 * apply only when `cleanup.policy` includes `delete` (a compact-only log keeps its history,
 * compaction bounds it instead), as Kafka's UnifiedLog.deleteOldSegments. The active
 * segment is never a candidate: `closed` excludes it, `totalSizeBytes` includes it.
 */
export function selectRetention(
  closed: ReadonlyArray<RetentionSegment>,
  nextBaseOffsets: ReadonlyArray<number>,
  totalSizeBytes: number,
  logStartOffset: number,
  config: LogConfig,
  nowMs: number,
): RetentionDecision {
  let byStart = 0;
  while (byStart < closed.length && (nextBaseOffsets[byStart] ?? Infinity) <= logStartOffset) byStart++;

  const byRetention = deletesByRetention(config);
  let byTime = 0;
  if (byRetention && config.retentionMs >= 0) {
    while (byTime < closed.length && nowMs - closed[byTime]!.largestTimestampMs > config.retentionMs) byTime++;
  }

  let bySize = 0;
  if (byRetention && config.retentionBytes >= 0) {
    let excess = totalSizeBytes - config.retentionBytes;
    while (bySize < closed.length && excess - closed[bySize]!.sizeBytes >= 0) {
      excess -= closed[bySize]!.sizeBytes;
      bySize++;
    }
  }

  const deleteCount = Math.max(byStart, byTime, bySize);
  const reason =
    deleteCount === 0 ? null : deleteCount === byTime ? 'time' : deleteCount === bySize ? 'size' : 'log-start-offset';
  return { deleteCount, reason };
}
