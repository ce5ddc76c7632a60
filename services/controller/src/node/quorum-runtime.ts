import type { QuorumPort } from '../quorum/quorum-port';
import type { RaftPeerHandler } from '../raft/raft-peer-service';

/**
 * A running quorum member as the node sees it: the port the event queue uses, the handler of
 * the envelopes peers send (served as RaftPeer/Send), and its life cycle. RaftQuorumRuntime wraps RaftDriver; tests
 * may use a single-node fake.
 */
export interface QuorumRuntime extends QuorumPort {
  /** Null for a quorum without peers (a single-node test quorum). */
  readonly raftPeer: RaftPeerHandler | null;
  /** While leading: the last Raft index and each other voter's match index (metrics); absent for a fake quorum. */
  voterProgress?(): { readonly lastIndex: number; readonly matchByVoter: ReadonlyMap<number, number> } | null;
  /**
   * Readiness inputs (core/controller-readiness.ts): the leader's commit as last told to this
   * node, this node's applied index and when the leader last reached it; absent for a fake quorum.
   */
  readinessState?(): {
    readonly leaderId: number | null;
    readonly leaderCommitIndex: number;
    readonly appliedIndex: number;
    readonly lastLeaderContactMs: number | null;
  };
  /** Raft index covered by the newest local snapshot (0: none). */
  snapshotIndex(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
}
