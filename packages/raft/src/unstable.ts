import { invariant } from './errors';
import type { Entry, Snapshot } from './types';

/**
 * The tail of the log (and possibly an incoming snapshot) that exists only in memory: handed to
 * the shell in a Ready, and forgotten here once `advance()` confirms it is durable. Entries hold
 * indexes [offset, offset + entries.length). A crash loses exactly this part.
 */
export class UnstableLog {
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];

  constructor(public offset: number) {}

  /** First index known here, only when a snapshot is pending (otherwise storage knows). */
  maybeFirstIndex(): number | undefined {
    return this.snapshot === null ? undefined : this.snapshot.metadata.index + 1;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot === null ? undefined : this.snapshot.metadata.index;
  }

  maybeTerm(index: number): number | undefined {
    if (index < this.offset) {
      return this.snapshot !== null && this.snapshot.metadata.index === index ? this.snapshot.metadata.term : undefined;
    }
    return this.entries[index - this.offset]?.term;
  }

  /** The shell persisted entries up to `index`; drop them unless they were replaced meanwhile. */
  stableTo(index: number, term: number): void {
    if (index < this.offset || this.maybeTerm(index) !== term) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapshotTo(index: number): void {
    if (this.snapshot !== null && this.snapshot.metadata.index === index) this.snapshot = null;
  }

  restore(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.offset = snapshot.metadata.index + 1;
    this.entries = [];
  }

  /** Appends, truncating any unstable suffix the new entries conflict with. */
  truncateAndAppend(newEntries: readonly Entry[]): void {
    const first = newEntries[0];
    if (first === undefined) return;
    const after = first.index;
    if (after === this.offset + this.entries.length) {
      this.entries.push(...newEntries);
    } else if (after <= this.offset) {
      // Replaces everything unstable (and, once persisted, overwrites storage from `after`).
      this.offset = after;
      this.entries = [...newEntries];
    } else {
      this.entries = [...this.entries.slice(0, after - this.offset), ...newEntries];
    }
  }

  /** Entries [lo, hi), which must lie within the unstable range. */
  slice(lo: number, hi: number): Entry[] {
    invariant(
      lo >= this.offset && hi <= this.offset + this.entries.length && lo <= hi,
      () => `unstable.slice(${lo}, ${hi}) outside [${this.offset}, ${this.offset + this.entries.length})`,
    );
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
