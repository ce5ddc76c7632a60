import { invariant } from './errors';
import type { RaftStorage } from './storage';
import { entrySizeBytes } from './types';
import type { Entry, Snapshot } from './types';
import { UnstableLog } from './unstable';

/**
 * The log as the state machine sees it: durable storage below, the unstable tail above, plus
 * the commit and applied indexes. Invariant: firstIndex - 1 <= applied <= committed <= lastIndex.
 */
export class RaftLog {
  readonly unstable: UnstableLog;
  /** Highest index known to be stored on a quorum. */
  committed: number;
  /** Highest index handed to the application to apply and confirmed by advance(). */
  applied: number;

  constructor(
    readonly storage: RaftStorage,
    persistedCommit: number,
  ) {
    this.unstable = new UnstableLog(storage.lastIndex() + 1);
    const snapshotIndex = storage.firstIndex() - 1;
    this.applied = snapshotIndex;
    this.committed = Math.max(persistedCommit, snapshotIndex);
    invariant(
      this.committed <= this.lastIndex(),
      () => `persisted commit ${persistedCommit} beyond persisted last index ${this.lastIndex()}`,
    );
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** Term at `index`, or undefined when compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    const unstableTerm = this.unstable.maybeTerm(index);
    if (unstableTerm !== undefined) return unstableTerm;
    if (index === 0) return 0;
    return this.storage.term(index);
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    invariant(term !== undefined, 'the last index always has a term');
    return term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft §5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourLastTerm = this.lastTerm();
    return lastTerm > ourLastTerm || (lastTerm === ourLastTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Follower side of AppendEntries. Returns the last index the leader's message proves we share
   * with it, or undefined when (prevLogIndex, prevLogTerm) does not match our log.
   */
  maybeAppend(
    prevLogIndex: number,
    prevLogTerm: number,
    leaderCommit: number,
    entries: readonly Entry[],
  ): number | undefined {
    if (!this.matchTerm(prevLogIndex, prevLogTerm)) return undefined;
    const lastNewIndex = prevLogIndex + entries.length;
    const conflictIndex = this.findConflict(entries);
    if (conflictIndex !== 0) {
      invariant(
        conflictIndex > this.committed,
        () => `entry ${conflictIndex} conflicts with committed entry (commit ${this.committed})`,
      );
      this.append(entries.slice(conflictIndex - (prevLogIndex + 1)));
    }
    this.commitTo(Math.min(leaderCommit, lastNewIndex));
    return lastNewIndex;
  }

  /** First index whose term differs from ours (or that we lack); 0 when all already match. */
  private findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * Largest index <= `index` whose term is <= `term` (or whose term is unknown because it was
   * compacted). Used to skip a whole diverging term per probe.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (let i = index; i > 0; i--) {
      const ourTerm = this.term(i);
      if (ourTerm === undefined) return { index: i, term: 0 };
      if (ourTerm <= term) return { index: i, term: ourTerm };
    }
    return { index: 0, term: 0 };
  }

  append(entries: readonly Entry[]): number {
    const first = entries[0];
    if (first === undefined) return this.lastIndex();
    invariant(first.index > this.committed, () => `append at ${first.index} would overwrite commit ${this.committed}`);
    invariant(
      first.index <= this.lastIndex() + 1,
      () => `append at ${first.index} leaves a gap after ${this.lastIndex()}`,
    );
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** Entries [lo, hi) capped at maxBytes/maxCount (at least one if any). Caller checks lo >= firstIndex. */
  slice(lo: number, hi: number, maxBytes: number, maxCount: number): Entry[] {
    invariant(
      lo >= this.firstIndex() && hi <= this.lastIndex() + 1,
      () => `log.slice(${lo}, ${hi}) outside [${this.firstIndex()}, ${this.lastIndex() + 1})`,
    );
    hi = Math.min(hi, lo + maxCount);
    if (lo >= hi) return [];
    const out: Entry[] = [];
    const unstableOffset = this.unstable.offset;
    if (lo < unstableOffset) {
      out.push(...this.storage.entries(lo, Math.min(hi, unstableOffset), maxBytes));
      if (out.length < Math.min(hi, unstableOffset) - lo) return out; // storage hit the byte limit
    }
    if (hi > unstableOffset) {
      let bytes = out.reduce((sum, e) => sum + entrySizeBytes(e), 0);
      for (const entry of this.unstable.slice(Math.max(lo, unstableOffset), hi)) {
        bytes += entrySizeBytes(entry);
        if (out.length > 0 && bytes > maxBytes) break;
        out.push(entry);
      }
    }
    return out;
  }

  commitTo(index: number): void {
    if (index <= this.committed) return; // commit never moves backwards
    invariant(index <= this.lastIndex(), () => `commit ${index} beyond last index ${this.lastIndex()} (entries lost?)`);
    this.committed = index;
  }

  /** Leader: commit `index` only if it is from `term`, the current term (Raft §5.4.2). */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  hasNextCommittedEntries(): boolean {
    return this.unstable.snapshot === null && this.committed > this.applied;
  }

  nextCommittedEntries(maxBytes: number): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    return this.slice(this.applied + 1, this.committed + 1, maxBytes, Number.MAX_SAFE_INTEGER);
  }

  appliedTo(index: number): void {
    invariant(
      index >= this.applied && index <= this.committed,
      () => `applied ${index} outside [${this.applied}, ${this.committed}]`,
    );
    this.applied = index;
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Follower: replace the whole log with a leader's snapshot beyond our commit. */
  restore(snapshot: Snapshot): void {
    invariant(snapshot.metadata.index > this.committed, 'restoring a snapshot behind the commit index');
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }
}
