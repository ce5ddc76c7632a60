/**
 * What the leader knows of one follower replica, from its fetches (Kafka's Replica/ReplicaState).
 * `logEndOffset` is the follower's fetch offset: it has every offset below it. -1 until the first
 * fetch of this leadership. Times are the caller's `nowMs` at the fetch.
 */
export interface FollowerProgress {
  readonly replicaId: number;
  readonly logEndOffset: number;
  /**
   * What the follower last said it has fdatasynced (its log's recovery point, <= logEndOffset);
   * -1 until it says (a follower that never sends it never counts as having flushed anything).
   */
  readonly flushedOffset: number;
  readonly logStartOffset: number;
  /** The leader's log end offset at the previous fetch: reaching it means "was caught up then". */
  readonly lastFetchLeaderLogEndOffset: number;
  readonly lastFetchTimeMs: number | null;
  /** Last time the follower had everything the leader had; null = never in this leadership. */
  readonly lastCaughtUpTimeMs: number | null;
}

export const UNKNOWN_OFFSET = -1;

/**
 * Kafka's Replica.resetReplicaState on a new leadership: nothing known of the follower's log; an
 * ISR member counts as caught up now (it gets `replica.lag.time.max.ms` to show up), any other
 * replica as never caught up, so it cannot hold the high watermark back before it fetches.
 */
export function initialFollowerProgress(replicaId: number, inIsr: boolean, nowMs: number): FollowerProgress {
  return {
    replicaId,
    logEndOffset: UNKNOWN_OFFSET,
    flushedOffset: UNKNOWN_OFFSET,
    logStartOffset: UNKNOWN_OFFSET,
    lastFetchLeaderLogEndOffset: UNKNOWN_OFFSET,
    lastFetchTimeMs: null,
    lastCaughtUpTimeMs: inIsr ? nowMs : null,
  };
}

/**
 * Kafka's Replica.updateFetchState. Reaching the leader's current end offset means caught up now;
 * reaching the end offset the leader had at the previous fetch means caught up as of that fetch.
 * The second rule keeps a follower in the ISR under a steady stream of small produces, where its
 * fetch offset never quite equals the moving end offset.
 */
export function afterFetch(
  progress: FollowerProgress,
  fetch: {
    readonly fetchOffset: number;
    readonly logStartOffset: number;
    readonly leaderLogEndOffset: number;
    readonly nowMs: number;
    /** The follower's flushed offset as sent with the fetch; null when not sent. */
    readonly flushedOffset?: number | null;
  },
): FollowerProgress {
  const latest = (a: number | null, b: number | null): number | null =>
    a === null ? b : b === null ? a : Math.max(a, b);
  let lastCaughtUpTimeMs = progress.lastCaughtUpTimeMs;
  if (fetch.fetchOffset >= fetch.leaderLogEndOffset) {
    lastCaughtUpTimeMs = latest(lastCaughtUpTimeMs, fetch.nowMs);
  } else if (
    progress.lastFetchLeaderLogEndOffset !== UNKNOWN_OFFSET &&
    fetch.fetchOffset >= progress.lastFetchLeaderLogEndOffset
  ) {
    lastCaughtUpTimeMs = latest(lastCaughtUpTimeMs, progress.lastFetchTimeMs);
  }
  const flushed = fetch.flushedOffset;
  return {
    replicaId: progress.replicaId,
    logEndOffset: fetch.fetchOffset,
    // It cannot have flushed what it does not have (a truncation may also lower it).
    flushedOffset:
      flushed === undefined || flushed === null || !Number.isSafeInteger(flushed) || flushed < 0
        ? UNKNOWN_OFFSET
        : Math.min(flushed, fetch.fetchOffset),
    logStartOffset: fetch.logStartOffset,
    lastFetchLeaderLogEndOffset: Math.max(fetch.leaderLogEndOffset, progress.lastFetchLeaderLogEndOffset),
    lastFetchTimeMs: fetch.nowMs,
    lastCaughtUpTimeMs,
  };
}

/** Kafka's ReplicaState.isCaughtUp: has the leader's end offset, or had it within the lag bound. */
export function isCaughtUp(
  progress: FollowerProgress,
  leaderLogEndOffset: number,
  nowMs: number,
  replicaLagTimeMaxMs: number,
): boolean {
  if (progress.logEndOffset === leaderLogEndOffset) return true;
  return progress.lastCaughtUpTimeMs !== null && nowMs - progress.lastCaughtUpTimeMs <= replicaLagTimeMaxMs;
}
