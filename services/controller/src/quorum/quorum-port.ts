/**
 * What the controller's event queue needs from the Raft shell. A thin adapter over RaftDriver
 * implements it (see raft-quorum-port.ts), so the queue is testable against a fake quorum.
 */
export interface QuorumPort {
  readonly nodeId: number;
  /** The current leader as this node knows it, or null during an election. */
  leaderId(): number | null;
  term(): number;
  /** Appends one entry; resolves once it is committed and applied locally. */
  propose(entry: Buffer): Promise<{ index: number }>;
  /** Called on every change of leader or term. Returns an unsubscribe function. */
  onLeaderChange(listener: (leaderId: number | null, term: number) => void): () => void;
}
