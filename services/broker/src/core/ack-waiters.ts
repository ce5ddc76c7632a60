import { ApiError } from '@sluice/protocol';
import { assert, assertOffset } from './assert';

/**
 * The answer to one acks=all produce: `error` null means every ISR member has the records.
 * `context` is what the shell handed in with the wait (its reply handle), given back untouched,
 * like etcd-raft's ReadIndex context: the core never looks inside it, and the shell keeps no table
 * of its own, so acks=all bookkeeping lives here and nowhere else.
 */
export interface AckCompletion<C = undefined> {
  readonly waiterId: number;
  /** The produce is complete once the high watermark passes this offset (its last offset + 1). */
  readonly requiredOffset: number;
  readonly error: ApiError | null;
  readonly context: C;
}

/**
 * The context argument of a wait: optional only when the context type admits undefined (the
 * pure tests), required when the shell waits with a reply handle.
 */
export type AckContextArgs<C> = undefined extends C ? [context?: C] : [context: C];

interface Waiter<C> {
  readonly waiterId: number;
  readonly requiredOffset: number;
  readonly deadlineMs: number;
  readonly context: C;
}

/**
 * acks=all produces waiting for the high watermark (Kafka's DelayedProduce purgatory, per
 * partition), bounded and kept sorted by required offset, so completion takes a prefix. Every
 * waiter leaves exactly once: completed by the high watermark, failed, or expired.
 */
export class AckWaiters<C = undefined> {
  private waiters: Waiter<C>[] = [];
  private nextWaiterId = 1;

  constructor(private readonly maxWaiters: number) {
    assert(Number.isSafeInteger(maxWaiters) && maxWaiters > 0, `maxWaiters ${maxWaiters} must be positive`);
  }

  get size(): number {
    return this.waiters.length;
  }

  isFull(): boolean {
    return this.waiters.length >= this.maxWaiters;
  }

  /** Registers a produce whose last offset is `requiredOffset - 1`; the caller checked `isFull`. */
  add(requiredOffset: number, deadlineMs: number, context: C): number {
    assertOffset(requiredOffset, 'required offset');
    assert(!this.isFull(), `more than ${this.maxWaiters} acks=all produces waiting`);
    const waiter: Waiter<C> = { waiterId: this.nextWaiterId++, requiredOffset, deadlineMs, context };
    // Appends come in offset order, but a deduplicated retry waits on an older batch's offsets.
    let at = this.waiters.length;
    while (at > 0 && this.waiters[at - 1]!.requiredOffset > requiredOffset) at--;
    this.waiters.splice(at, 0, waiter);
    return waiter.waiterId;
  }

  /** Completes, successfully, every waiter the high watermark now covers. */
  completeUpTo(highWatermark: number): AckCompletion<C>[] {
    let count = 0;
    while (count < this.waiters.length && this.waiters[count]!.requiredOffset <= highWatermark) count++;
    if (count === 0) return [];
    return this.waiters.splice(0, count).map((w) => completion(w, null));
  }

  /** Fails every waiter with `error` (ISR below min.insync.replicas, lost leadership). */
  failAll(error: ApiError): AckCompletion<C>[] {
    const failed = this.waiters.map((w) => completion(w, error));
    this.waiters = [];
    return failed;
  }

  /** Fails waiters whose deadline has passed with REQUEST_TIMED_OUT. */
  expire(nowMs: number): AckCompletion<C>[] {
    const expired: AckCompletion<C>[] = [];
    this.waiters = this.waiters.filter((w) => {
      if (w.deadlineMs > nowMs) return true;
      expired.push(
        completion(
          w,
          new ApiError(
            'REQUEST_TIMED_OUT',
            `offset ${w.requiredOffset - 1} did not reach every in-sync replica in time`,
          ),
        ),
      );
      return false;
    });
    return expired;
  }
}

function completion<C>(waiter: Waiter<C>, error: ApiError | null): AckCompletion<C> {
  return { waiterId: waiter.waiterId, requiredOffset: waiter.requiredOffset, error, context: waiter.context };
}
