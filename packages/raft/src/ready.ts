import type { Message } from './messages';
import type { Entry, HardState, NodeId, Role, Snapshot } from './types';

/**
 * Everything the shell must do after the core changed state, in this order (the
 * persist-before-send contract):
 *
 * 1. Persist, durably (fsync), as one atomic write: `snapshot` (install), `entries` (append,
 *    overwriting any conflicting suffix from entries[0].index), `compaction` (record the
 *    snapshot and drop the log it covers), then `hardState`. `MemoryRaftStorage.persistReady`
 *    shows the order.
 * 2. Only then send `messages`. A vote grant must not leave before the term and vote it
 *    depends on are durable, and an append acknowledgement must not leave before the entries
 *    it acknowledges are durable; otherwise a crash could make a node vote twice in one term or
 *    lose an entry the leader already counted toward a commit.
 * 3. Restore the state machine from `snapshot` if present, then apply `committedEntries` in
 *    order.
 * 4. Call `advance()`. No other `ready()` is handed out until then; `step`, `tick` and
 *    `propose` may still be called in between (their effects go into the next Ready).
 *
 * A crash at any point is fine: the node restarts from what step 1 made durable.
 */
export interface Ready {
  /** Role and known leader; informational, never persisted. */
  readonly softState: SoftState;
  /** New term/vote/commit to persist, or null when unchanged since the previous Ready. */
  readonly hardState: HardState | null;
  /** Entries to append to stable storage. */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: persist it, then restore the state machine from it. */
  readonly snapshot: Snapshot | null;
  /**
   * A snapshot the application asked for via `compact()`: persist it and discard the log up to
   * its index. The state machine already holds this state; nothing to restore.
   */
  readonly compaction: Snapshot | null;
  /** Send only after step 1 completed. Delivery may be lossy, delayed, duplicated, reordered. */
  readonly messages: readonly Message[];
  /** Committed entries to apply, in index order, contiguous with the previous Ready's. */
  readonly committedEntries: readonly Entry[];
  /** True when step 1 has anything to write (the shell may skip fsync otherwise). */
  readonly mustSync: boolean;
}

export interface SoftState {
  readonly role: Role;
  readonly leaderId: NodeId | null;
}
