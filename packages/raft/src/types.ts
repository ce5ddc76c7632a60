/**
 * Node ids are positive integers (Kafka's `node.id`). "No node" is `null`, never 0, so a
 * forgotten initialisation cannot silently look like a real id.
 */
export type NodeId = number;

/** One log entry. `data` is opaque to Raft; an empty `data` is the leader's no-op entry. */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly data: Uint8Array;
}

/**
 * The part of Raft's state that must be durable before any message that depends on it is sent:
 * a vote is only granted once `term` and `vote` are on disk, and `commit` survives restarts so a
 * node does not have to re-learn it (re-learning would be safe, just slower).
 */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
}

/**
 * Fixed membership: voters elect leaders and form quorums; observers (Raft learners: brokers
 * and coordinators following the metadata log) receive every entry but never vote and never
 * count toward a quorum. Dynamic reconfiguration is deliberately not supported.
 */
export interface Membership {
  readonly voters: readonly NodeId[];
  readonly observers: readonly NodeId[];
}

export interface SnapshotMetadata {
  /** Last log index covered by the snapshot. 0 means "no snapshot". */
  readonly index: number;
  /** Term of the entry at `index`; needed for the log-matching check on the next append. */
  readonly term: number;
  readonly membership: Membership;
}

/** A state-machine snapshot. `data` is opaque to Raft (the application's serialized state). */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: Uint8Array;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: null, commit: 0 });

export function hardStateEquals(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** Bytes an entry costs in flow-control accounting (message size and inflight limits). */
export function entrySizeBytes(entry: Entry): number {
  return entry.data.byteLength;
}
