import type { NodeId } from './types';

/**
 * Thrown when an internal Raft invariant is violated. This is never a recoverable condition:
 * it means either a bug in the core or a shell that broke the persistence contract (for example
 * lost entries it had already acknowledged). Continuing would risk diverging replicas.
 */
export class RaftInvariantError extends Error {
  override readonly name = 'RaftInvariantError';
}

export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new RaftInvariantError(typeof message === 'string' ? message : message());
  }
}

/** This node is not the leader; `leaderId` is the leader it currently knows of, if any. */
export interface NotLeaderError {
  readonly code: 'NOT_LEADER';
  readonly leaderId: NodeId | null;
  readonly term: number;
  readonly retriable: true;
}

/** The leader already holds `maxUncommittedEntries` uncommitted entries; retry after backoff. */
export interface ProposalQueueFullError {
  readonly code: 'PROPOSAL_QUEUE_FULL';
  readonly retriable: true;
}

/** The leader is handing over to `transfereeId`; proposals are refused until that settles. */
export interface LeadershipTransferInProgressError {
  readonly code: 'LEADERSHIP_TRANSFER_IN_PROGRESS';
  readonly transfereeId: NodeId;
  readonly retriable: true;
}

/** The request can never succeed as given (empty batch, unknown node, bad index, ...). */
export interface InvalidRequestError {
  readonly code: 'INVALID_REQUEST';
  readonly reason: string;
  readonly retriable: false;
}

export type RaftError =
  NotLeaderError | ProposalQueueFullError | LeadershipTransferInProgressError | InvalidRequestError;

export type RaftResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RaftError };

export function notLeader(leaderId: NodeId | null, term: number): RaftResult<never> {
  return { ok: false, error: { code: 'NOT_LEADER', leaderId, term, retriable: true } };
}

export function invalidRequest(reason: string): RaftResult<never> {
  return { ok: false, error: { code: 'INVALID_REQUEST', reason, retriable: false } };
}
