import { ApiError } from '@sluice/protocol';
import type { QuorumPort } from '../../src/quorum/quorum-port';
import type { MetadataStateMachine } from '../../src/state/metadata-state-machine';

/** A one-node "quorum" that commits every proposal on the next turn of the event loop. */
export class FakeQuorum implements QuorumPort {
  private leader: number | null;
  private currentTerm = 1;
  private nextIndex = 1;
  private readonly listeners = new Set<(leaderId: number | null, term: number) => void>();
  /** When set, proposals fail with NOT_CONTROLLER instead of committing. */
  failProposals = false;
  /** When set, proposals wait for `releaseCommits` instead of committing on the next turn. */
  holdCommits = false;
  readonly proposed: Buffer[] = [];
  private held: { entry: Buffer; resolve: (committed: { index: number }) => void }[] = [];
  /** > 0: each proposal commits this long after it was made (a slow quorum), in order. */
  commitDelayMs = 0;
  /** Proposals not committed yet, and the most there ever were at once. */
  uncommitted = 0;
  maxUncommitted = 0;

  constructor(
    readonly nodeId: number,
    private readonly stateMachine: MetadataStateMachine,
    leader: number | null = nodeId,
  ) {
    this.leader = leader;
  }

  leaderId(): number | null {
    return this.leader;
  }

  term(): number {
    return this.currentTerm;
  }

  setLeader(leaderId: number | null): void {
    this.leader = leaderId;
    this.currentTerm++;
    for (const listener of [...this.listeners]) listener(leaderId, this.currentTerm);
  }

  propose(entry: Buffer): Promise<{ index: number }> {
    if (this.leader !== this.nodeId || this.failProposals) {
      return Promise.reject(new ApiError('NOT_CONTROLLER', 'fake: not leader'));
    }
    this.proposed.push(entry);
    if (this.holdCommits) return new Promise((resolve) => this.held.push({ entry, resolve }));
    const index = this.nextIndex++;
    const term = this.currentTerm;
    this.uncommitted++;
    this.maxUncommitted = Math.max(this.maxUncommitted, this.uncommitted);
    return new Promise((resolve) => {
      const commit = (): void => {
        this.uncommitted--;
        this.stateMachine.apply([{ index, term, data: entry }]);
        resolve({ index });
      };
      if (this.commitDelayMs > 0) setTimeout(commit, this.commitDelayMs);
      else setImmediate(commit);
    });
  }

  /**
   * Commits the held proposals, after `earlierEntries`: entries an earlier term committed that
   * this node learns are committed only now (as a new Raft leader does with its first commit).
   */
  releaseCommits(earlierEntries: readonly Buffer[] = []): void {
    const held = this.held;
    this.held = [];
    const term = this.currentTerm;
    const entries = [...earlierEntries, ...held.map((proposal) => proposal.entry)].map((data) => ({
      index: this.nextIndex++,
      term,
      data,
    }));
    this.stateMachine.apply(entries);
    held.forEach((proposal, i) => proposal.resolve({ index: entries[earlierEntries.length + i]!.index }));
  }

  onLeaderChange(listener: (leaderId: number | null, term: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
