/**
 * Share sessions (KIP-932) on one broker: per (group, member), the epoch the next request must
 * carry and the share partitions the member used here, so closing the session (epoch -1) can
 * release every lock the member holds on this broker. Epoch 0 opens (or reopens) a session; each
 * request then carries the previous one's epoch plus one. Bounded: past `maxSessions` the least
 * recently used session is forgotten (its member gets SHARE_SESSION_NOT_FOUND and reopens; its
 * locks run out on their own).
 */
import { ApiError } from '@sluice/protocol';

export const FINAL_SHARE_SESSION_EPOCH = -1;

interface Session {
  /** The epoch the next request must carry. */
  nextEpoch: number;
  readonly partitions: Set<string>;
}

export class ShareSessions {
  /** Insertion order is recency order: a used session is moved to the end. */
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly maxSessions: number) {
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1)
      throw new RangeError(`max share sessions ${maxSessions} must be a positive integer`);
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Checks a request's epoch and advances the session; returns the session's partition set (the
   * caller adds what it touches). `opensSession`: ShareFetch may open with 0, ShareAcknowledge not.
   */
  begin(groupId: string, memberId: string, epoch: number, opensSession: boolean): Set<string> {
    const key = sessionKey(groupId, memberId);
    const existing = this.sessions.get(key);
    if (!Number.isInteger(epoch) || epoch < FINAL_SHARE_SESSION_EPOCH)
      throw new ApiError('INVALID_SHARE_SESSION_EPOCH', `share session epoch ${epoch} is invalid`);
    if (epoch === 0) {
      if (!opensSession)
        throw new ApiError(
          'INVALID_SHARE_SESSION_EPOCH',
          'ShareAcknowledge cannot open a share session (epoch 0); send ShareFetch first',
        );
      // A reopened session keeps the partitions of the old one, so a later close still releases them.
      const session: Session = { nextEpoch: 1, partitions: existing?.partitions ?? new Set() };
      this.touch(key, session);
      return session.partitions;
    }
    // Closing what is not open (forgotten, or never opened) still releases the member's locks.
    if (epoch === FINAL_SHARE_SESSION_EPOCH) return existing?.partitions ?? new Set();
    if (existing === undefined)
      throw new ApiError(
        'SHARE_SESSION_NOT_FOUND',
        `member ${memberId} of share group ${groupId} has no share session on this broker`,
      );
    if (epoch !== existing.nextEpoch)
      throw new ApiError('INVALID_SHARE_SESSION_EPOCH', `share session epoch ${epoch}, expected ${existing.nextEpoch}`);
    existing.nextEpoch = epoch === 0x7fffffff ? 1 : epoch + 1;
    this.touch(key, existing);
    return existing.partitions;
  }

  /** Forgets the session; returns the partitions it used. */
  close(groupId: string, memberId: string): ReadonlySet<string> {
    const key = sessionKey(groupId, memberId);
    const session = this.sessions.get(key);
    this.sessions.delete(key);
    return session?.partitions ?? new Set();
  }

  private touch(key: string, session: Session): void {
    this.sessions.delete(key);
    this.sessions.set(key, session);
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
  }
}

function sessionKey(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}
