import { invariant } from './errors';
import { Inflights } from './inflights';
import type { NodeId } from './types';

/**
 * How the leader replicates to one follower (etcd's three states):
 * - probe: we do not know where the follower's log ends; send one append, wait for the answer;
 * - replicate: the follower is in sync; pipeline appends up to the inflight limit;
 * - snapshot: the follower needs entries we compacted; a snapshot is in flight, send nothing.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  /** Highest index known to be durably stored on the follower. */
  match = 0;
  /** Next index to send. */
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append is outstanding, wait for a reply (or a heartbeat reply). */
  probeSent = false;
  /** In snapshot state: the index of the snapshot sent, and ticks spent waiting on it. */
  pendingSnapshotIndex = 0;
  pendingSnapshotTicks = 0;
  /** Heard from within the current check-quorum window. */
  recentActive = false;
  readonly inflights: Inflights;

  constructor(
    readonly id: NodeId,
    readonly isVoter: boolean,
    next: number,
    maxInflightAppends: number,
    maxInflightBytes: number,
  ) {
    this.next = next;
    this.inflights = new Inflights(maxInflightAppends, maxInflightBytes);
  }

  becomeProbe(): void {
    // After a snapshot the follower most likely has it; start probing just past it.
    if (this.state === 'snapshot') {
      this.next = Math.max(this.match + 1, this.pendingSnapshotIndex + 1);
    } else {
      this.next = this.match + 1;
    }
    this.resetState('probe');
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.resetState('replicate');
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshotIndex = snapshotIndex;
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshotIndex = 0;
    this.pendingSnapshotTicks = 0;
    this.inflights.reset();
  }

  /** Follower acknowledged `index`. Returns whether match advanced. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * Follower rejected an append at prevLogIndex `rejected` and hinted `matchHint`. Returns false
   * for a stale rejection (an older message), which must not move `next` backwards again.
   */
  maybeDecreaseTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Record that an append carrying entries up to `lastIndex` (`sizeBytes` of data) was sent. */
  sentEntries(entryCount: number, lastIndex: number, sizeBytes: number): void {
    if (this.state === 'replicate') {
      if (entryCount > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, sizeBytes);
      }
    } else {
      invariant(this.state === 'probe', 'appends are never sent while a snapshot is pending');
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}

/** Per-peer progress (voters and observers) plus the quorum arithmetic, which counts voters only. */
export class ProgressTracker {
  readonly progress = new Map<NodeId, Progress>();
  private readonly quorumSize: number;

  constructor(
    private readonly voters: readonly NodeId[],
    private readonly observers: readonly NodeId[],
    private readonly maxInflightAppends: number,
    private readonly maxInflightBytes: number,
  ) {
    this.quorumSize = Math.floor(voters.length / 2) + 1;
    this.reset(1);
  }

  reset(nextIndex: number): void {
    this.progress.clear();
    for (const id of this.voters) {
      this.progress.set(id, new Progress(id, true, nextIndex, this.maxInflightAppends, this.maxInflightBytes));
    }
    for (const id of this.observers) {
      this.progress.set(id, new Progress(id, false, nextIndex, this.maxInflightAppends, this.maxInflightBytes));
    }
  }

  get(id: NodeId): Progress {
    const progress = this.progress.get(id);
    invariant(progress !== undefined, () => `no progress for node ${id}`);
    return progress;
  }

  /** The largest index stored on a quorum of voters. Observers never count. */
  quorumMatchIndex(): number {
    const matches = this.voters.map((id) => this.get(id).match).sort((a, b) => b - a);
    return matches[this.quorumSize - 1] as number;
  }

  /** Check-quorum: has a quorum of voters (the leader counts itself) been heard from recently? */
  quorumActive(selfId: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) {
      if (id === selfId || this.get(id).recentActive) active++;
    }
    return active >= this.quorumSize;
  }

  /** Election outcome from the votes recorded so far (voters only). */
  tallyVotes(votes: ReadonlyMap<NodeId, boolean>): 'won' | 'lost' | 'pending' {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const vote = votes.get(id);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    if (granted >= this.quorumSize) return 'won';
    if (rejected >= this.quorumSize || this.voters.length - rejected < this.quorumSize) return 'lost';
    return 'pending';
  }
}
