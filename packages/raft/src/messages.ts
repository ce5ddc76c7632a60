import type { Entry, NodeId, Snapshot } from './types';

/**
 * Every message carries the sender's term. Receivers fence on it: a lower term is stale and is
 * dropped (or answered with the higher term so the sender steps down); a higher term makes the
 * receiver step down to follower first.
 */
interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Leader -> follower: entries after (prevLogIndex, prevLogTerm), plus the leader's commit. */
export interface AppendRequest extends MessageBase {
  readonly type: 'append';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * Follower -> leader. On success `index` is the highest index the follower now knows matches
 * the leader. On rejection `index` echoes the rejected prevLogIndex and (`rejectHint`,
 * `hintTerm`) point at where the leader should probe next, so a diverged follower is found in
 * one round trip per term rather than one per entry.
 */
export interface AppendResponse extends MessageBase {
  readonly type: 'appendResponse';
  readonly reject: boolean;
  readonly index: number;
  readonly rejectHint: number;
  readonly hintTerm: number;
}

/**
 * Candidate -> voter. For a pre-vote, `term` is the term the candidate *would* use; the receiver
 * does not adopt it. `leadershipTransfer` marks a campaign started by TimeoutNow, which may
 * bypass the receivers' leader lease.
 */
export interface VoteRequest extends MessageBase {
  readonly type: 'vote' | 'preVote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  readonly leadershipTransfer: boolean;
}

export interface VoteResponse extends MessageBase {
  readonly type: 'voteResponse' | 'preVoteResponse';
  readonly reject: boolean;
}

/** `commit` is min(follower's match, leader's commit): a follower never commits past what it holds. */
export interface Heartbeat extends MessageBase {
  readonly type: 'heartbeat';
  readonly commit: number;
}

export interface HeartbeatResponse extends MessageBase {
  readonly type: 'heartbeatResponse';
}

export interface InstallSnapshot extends MessageBase {
  readonly type: 'snapshot';
  readonly snapshot: Snapshot;
}

/** Leader -> transfer target: "campaign now", skipping pre-vote and the election timeout. */
export interface TimeoutNow extends MessageBase {
  readonly type: 'timeoutNow';
}

export type Message =
  | AppendRequest
  | AppendResponse
  | VoteRequest
  | VoteResponse
  | Heartbeat
  | HeartbeatResponse
  | InstallSnapshot
  | TimeoutNow;

export type MessageType = Message['type'];
