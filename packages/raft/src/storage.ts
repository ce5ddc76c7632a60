import type { Entry, HardState, Snapshot } from './types';

/**
 * The durable ("stable") part of a node's Raft state, as the core reads it. The core never
 * writes it: the shell writes what each Ready asks it to persist (see `Ready`), then calls
 * `advance()`. Everything returned here must already be durable, because the core treats it as
 * surviving a crash.
 *
 * Index conventions follow etcd: the log holds entries [firstIndex, lastIndex]; the snapshot
 * covers everything up to firstIndex - 1, whose term is still answerable (`term(firstIndex - 1)`)
 * so a follower can match the entry right after a snapshot. An empty log has
 * lastIndex = firstIndex - 1.
 */
export interface RaftStorage {
  /** Persisted term, vote and commit. A fresh node returns { term: 0, vote: null, commit: 0 }. */
  hardState(): HardState;
  /** Index of the first entry still in the log (snapshot index + 1). */
  firstIndex(): number;
  /** Index of the last entry, or the snapshot index when the log is empty. */
  lastIndex(): number;
  /** Term of the entry at `index`, for firstIndex - 1 <= index <= lastIndex; throws outside. */
  term(index: number): number;
  /**
   * Entries [lo, hi) with firstIndex <= lo <= hi <= lastIndex + 1; throws outside. Stops once the
   * total data size would exceed `maxBytes`, but always returns at least one entry when lo < hi.
   */
  entries(lo: number, hi: number, maxBytes: number): readonly Entry[];
  /** The latest snapshot (metadata.index 0 when none has been taken). */
  snapshot(): Snapshot;
}
