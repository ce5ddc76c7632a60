import { membershipEquals } from './config';
import { invariant } from './errors';
import type { Ready } from './ready';
import type { RaftStorage } from './storage';
import { EMPTY_HARD_STATE, entrySizeBytes } from './types';
import type { Entry, HardState, Membership, Snapshot } from './types';

/**
 * In-memory RaftStorage, used by tests and the simulator as the node's "disk", and meant to sit
 * behind the real shell as the cache in front of the on-disk log.
 *
 * Besides the read side the core uses, it has the write side the shell uses: `persistReady`
 * applies one Ready in the order the contract requires.
 */
export class MemoryRaftStorage implements RaftStorage {
  private state: HardState = EMPTY_HARD_STATE;
  private latestSnapshot: Snapshot;
  /** entries[k] has index latestSnapshot.metadata.index + 1 + k. */
  private entryList: Entry[] = [];

  constructor(membership: Membership) {
    this.latestSnapshot = { metadata: { index: 0, term: 0, membership }, data: new Uint8Array(0) };
  }

  hardState(): HardState {
    return this.state;
  }

  firstIndex(): number {
    return this.latestSnapshot.metadata.index + 1;
  }

  lastIndex(): number {
    return this.latestSnapshot.metadata.index + this.entryList.length;
  }

  term(index: number): number {
    const snapshotIndex = this.latestSnapshot.metadata.index;
    if (index === snapshotIndex) return this.latestSnapshot.metadata.term;
    const entry = this.entryList[index - snapshotIndex - 1];
    invariant(
      entry !== undefined && index > snapshotIndex,
      () => `storage.term(${index}) outside [${snapshotIndex}, ${this.lastIndex()}]`,
    );
    return entry.term;
  }

  entries(lo: number, hi: number, maxBytes: number): readonly Entry[] {
    invariant(
      lo >= this.firstIndex() && lo <= hi && hi <= this.lastIndex() + 1,
      () => `storage.entries(${lo}, ${hi}) outside [${this.firstIndex()}, ${this.lastIndex() + 1})`,
    );
    const offset = this.firstIndex();
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = lo; index < hi; index++) {
      const entry = this.entryList[index - offset] as Entry;
      bytes += entrySizeBytes(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.latestSnapshot;
  }

  // ---- write side (the shell) ----

  setHardState(hardState: HardState): void {
    invariant(hardState.term >= this.state.term, 'persisted term must never decrease');
    this.state = hardState;
  }

  /** Appends entries, first discarding any persisted suffix they overwrite (a conflict). */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    invariant(
      first.index > this.latestSnapshot.metadata.index,
      () => `append at ${first.index} would overwrite snapshot ${this.latestSnapshot.metadata.index}`,
    );
    invariant(
      first.index <= this.lastIndex() + 1,
      () => `append at ${first.index} leaves a gap after ${this.lastIndex()}`,
    );
    entries.forEach((entry, k) => invariant(entry.index === first.index + k, 'appended entries must be contiguous'));
    this.entryList.length = first.index - this.firstIndex();
    this.entryList.push(...entries);
  }

  /** Installs a snapshot received from the leader: the whole log is replaced. */
  installSnapshot(snapshot: Snapshot): void {
    invariant(snapshot.metadata.index > this.latestSnapshot.metadata.index, 'installed snapshot must be newer');
    this.latestSnapshot = snapshot;
    this.entryList = [];
  }

  /** Records a snapshot the application took of its own state and drops the log it covers. */
  compact(snapshot: Snapshot): void {
    const index = snapshot.metadata.index;
    if (index <= this.latestSnapshot.metadata.index) return; // superseded by an installed snapshot
    invariant(index <= this.lastIndex(), () => `compaction to ${index} beyond last index ${this.lastIndex()}`);
    invariant(this.term(index) === snapshot.metadata.term, 'compaction snapshot term does not match the log');
    invariant(
      membershipEquals(snapshot.metadata.membership, this.latestSnapshot.metadata.membership),
      'membership is fixed',
    );
    this.entryList = this.entryList.slice(index - this.latestSnapshot.metadata.index);
    this.latestSnapshot = snapshot;
  }

  /**
   * Persists one Ready in the contract's order: snapshot, entries, compaction, then hard state
   * (a hard state's commit may point into the entries written just before it). A real shell
   * makes this one atomic, fsynced write batch; only after it returns may it send messages.
   */
  persistReady(ready: Ready): void {
    if (ready.snapshot !== null) this.installSnapshot(ready.snapshot);
    this.append(ready.entries);
    if (ready.compaction !== null) this.compact(ready.compaction);
    if (ready.hardState !== null) this.setHardState(ready.hardState);
  }
}
