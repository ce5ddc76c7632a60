/**
 * The durable form of a share partition (shared by the partition leader and the share coordinator) (KIP-932), as the share coordinator keeps it in
 * `__share_group_state` (Kafka's ShareGroupState / WriteShareGroupState): a state epoch, the share
 * partition start offset, and state ranges at or above it. Pure: the leader builds these values,
 * the coordinator (or a test) folds updates into a stored snapshot with `applyShareStateUpdate`.
 *
 * Durable records are AVAILABLE, ACKNOWLEDGED or ARCHIVED, never ACQUIRED: a lock dies with the
 * leader, so an acquired record is written as what it becomes when its lock is lost (AVAILABLE with
 * the delivery it already counted, or ARCHIVED when that delivery reached the limit). A restarted
 * leader thus never redelivers an ACKNOWLEDGED record and never forgets a delivery.
 *
 * Fencing (Kafka's share coordinator): a write or an initialization with a state epoch older than
 * the stored one is FENCED_STATE_EPOCH. A new state epoch (the group's offsets were reset) starts
 * with a whole snapshot (`initializeShareState`); an update is a diff and applies only within its
 * own epoch.
 */
import { ApiError } from './api-errors';

/** A record's state in the in-flight window (Kafka's RecordState). */
export type RecordState = 'AVAILABLE' | 'ACQUIRED' | 'ACKNOWLEDGED' | 'ARCHIVED';
/** What is persisted: Kafka's deliveryState 0 (AVAILABLE), 2 (ACKNOWLEDGED), 4 (ARCHIVED). */
export type DurableRecordState = Exclude<RecordState, 'ACQUIRED'>;

const DURABLE_STATES: ReadonlySet<string> = new Set<DurableRecordState>(['AVAILABLE', 'ACKNOWLEDGED', 'ARCHIVED']);

/** Offsets `firstOffset..lastOffset` (inclusive) in one durable state (Kafka's StateBatch). */
export interface DurableRange {
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly state: DurableRecordState;
  readonly deliveryCount: number;
}

/**
 * The whole durable state of one share group x partition. `ranges` are sorted, disjoint, at or
 * above `startOffset` (everything below it is acknowledged or archived), maximal (adjacent ranges
 * differ in state or delivery count).
 */
export interface ShareStateSnapshot {
  readonly stateEpoch: number;
  readonly startOffset: number;
  readonly ranges: readonly DurableRange[];
}

/**
 * What one leader operation changed, to write before answering: the new start offset, and the
 * current durable state of every range whose durable state changed (at or above `startOffset`).
 */
export interface ShareStateUpdate {
  readonly stateEpoch: number;
  readonly startOffset: number;
  readonly ranges: readonly DurableRange[];
}

export type ShareStateResult =
  { readonly ok: true; readonly snapshot: ShareStateSnapshot } | { readonly ok: false; readonly error: ApiError };

/** INVALID_REQUEST for a malformed snapshot or update (it came over the wire), else null. */
export function validateShareState(state: ShareStateSnapshot | ShareStateUpdate, what: string): ApiError | null {
  const invalid = (message: string): ApiError => new ApiError('INVALID_REQUEST', `${what}: ${message}`);
  if (!Number.isInteger(state.stateEpoch) || state.stateEpoch < 0 || state.stateEpoch > 0x7fffffff)
    return invalid(`invalid state epoch ${state.stateEpoch}`);
  if (!Number.isSafeInteger(state.startOffset) || state.startOffset < 0)
    return invalid(`invalid start offset ${state.startOffset}`);
  let previousLast = state.startOffset - 1;
  for (const r of state.ranges) {
    const where = `range ${r.firstOffset}..${r.lastOffset}`;
    if (!Number.isSafeInteger(r.firstOffset) || !Number.isSafeInteger(r.lastOffset) || r.firstOffset > r.lastOffset)
      return invalid(`invalid ${where}`);
    if (r.firstOffset <= previousLast) {
      return invalid(
        r.firstOffset < state.startOffset
          ? `${where} is below the start offset ${state.startOffset}`
          : `${where} overlaps or precedes the range before it`,
      );
    }
    if (!DURABLE_STATES.has(r.state))
      return invalid(`${where} has state ${String(r.state)}, not AVAILABLE, ACKNOWLEDGED or ARCHIVED`);
    if (!Number.isInteger(r.deliveryCount) || r.deliveryCount < 0 || r.deliveryCount > 0x7fff)
      return invalid(`${where} has delivery count ${r.deliveryCount}`);
    previousLast = r.lastOffset;
  }
  return null;
}

/** Merges adjacent ranges with the same state and delivery count (input sorted and disjoint). */
export function coalesceRanges(ranges: readonly DurableRange[]): DurableRange[] {
  const out: DurableRange[] = [];
  for (const r of ranges) {
    const last = out.at(-1);
    if (
      last !== undefined &&
      last.lastOffset + 1 === r.firstOffset &&
      last.state === r.state &&
      last.deliveryCount === r.deliveryCount
    ) {
      out[out.length - 1] = { ...last, lastOffset: r.lastOffset };
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/**
 * A new state epoch's state (Kafka's InitializeShareGroupState): replaces what is stored, unless
 * the stored state has a newer epoch.
 */
export function initializeShareState(
  stored: ShareStateSnapshot | null,
  snapshot: ShareStateSnapshot,
): ShareStateResult {
  const invalid = validateShareState(snapshot, 'share state snapshot');
  if (invalid !== null) return { ok: false, error: invalid };
  if (stored !== null && snapshot.stateEpoch < stored.stateEpoch) {
    return {
      ok: false,
      error: new ApiError(
        'FENCED_STATE_EPOCH',
        `state epoch ${snapshot.stateEpoch} is older than the stored ${stored.stateEpoch}`,
      ),
    };
  }
  return {
    ok: true,
    snapshot: {
      stateEpoch: snapshot.stateEpoch,
      startOffset: snapshot.startOffset,
      ranges: coalesceRanges(snapshot.ranges),
    },
  };
}

/**
 * Folds a leader's update into the stored state (Kafka's share coordinator on WriteShareGroupState):
 * drops ranges below the new start offset, then the update's ranges replace the stored state of
 * their offsets. Updates of one share partition must be written one at a time, in order.
 */
export function applyShareStateUpdate(stored: ShareStateSnapshot, update: ShareStateUpdate): ShareStateResult {
  const invalid = validateShareState(update, 'share state update');
  if (invalid !== null) return { ok: false, error: invalid };
  if (update.stateEpoch < stored.stateEpoch) {
    return {
      ok: false,
      error: new ApiError(
        'FENCED_STATE_EPOCH',
        `state epoch ${update.stateEpoch} is older than the stored ${stored.stateEpoch}`,
      ),
    };
  }
  if (update.stateEpoch > stored.stateEpoch) {
    return {
      ok: false,
      error: new ApiError(
        'INVALID_REQUEST',
        `state epoch ${update.stateEpoch} is newer than the stored ${stored.stateEpoch}: initialize the new epoch first`,
      ),
    };
  }
  if (update.startOffset < stored.startOffset) {
    return {
      ok: false,
      error: new ApiError(
        'INVALID_REQUEST',
        `start offset ${update.startOffset} is below the stored ${stored.startOffset}`,
      ),
    };
  }
  // Stored ranges minus the offsets the update covers (both lists are sorted and disjoint).
  const updates = update.ranges;
  const kept: DurableRange[] = [];
  let u = 0;
  for (const r of stored.ranges) {
    let first = Math.max(r.firstOffset, update.startOffset);
    while (u < updates.length && updates[u]!.lastOffset < first) u++;
    for (let k = u; first <= r.lastOffset; k++) {
      const covering = updates[k];
      if (covering === undefined || covering.firstOffset > r.lastOffset) {
        kept.push({ ...r, firstOffset: first });
        break;
      }
      if (covering.firstOffset > first) kept.push({ ...r, firstOffset: first, lastOffset: covering.firstOffset - 1 });
      first = covering.lastOffset + 1;
    }
  }
  const disjoint = [...kept, ...updates].sort((a, b) => a.firstOffset - b.firstOffset);
  return {
    ok: true,
    snapshot: { stateEpoch: stored.stateEpoch, startOffset: update.startOffset, ranges: coalesceRanges(disjoint) },
  };
}

/**
 * One update with the effect of writing `earlier` and then `later` (Kafka's share-state batching:
 * a leader folds the updates of many acquisitions and acknowledgements of one share partition
 * into one WriteShareGroupState). For every stored state s of the same epoch,
 * `applyShareStateUpdate(s, merged)` equals applying `earlier` then `later`. Both must be of one
 * state epoch, and `later` may not move the start offset back.
 */
export function mergeShareStateUpdates(earlier: ShareStateUpdate, later: ShareStateUpdate): ShareStateResult {
  if (later.stateEpoch !== earlier.stateEpoch) {
    return {
      ok: false,
      error: new ApiError(
        'INVALID_REQUEST',
        `cannot merge share state updates of state epochs ${earlier.stateEpoch} and ${later.stateEpoch}`,
      ),
    };
  }
  // `earlier` read as a stored state is exactly "what earlier says", and folding `later` into it
  // keeps earlier's ranges that later does not cover and drops those below later's start offset.
  return applyShareStateUpdate(earlier, later);
}
