import { ApiError } from '@sluice/protocol';
import { assert, assertOffset } from './assert';

/** The answer to one acks=all produce: `error` null means every ISR member has the records. */
export interface AckCompletion {
  readonly waiterId: number;
  /** The produce is complete once the high watermark passes this offset (its last offset + 1). */
  readonly requiredOffset: number;
  readonly error: ApiError | null;
}

interface Waiter {
  readonly waiterId: number;
  readonly requiredOffset: number;
  readonly deadlineMs: number;
}

/**
 * acks=all produces waiting for the high watermark (Kafka's DelayedProduce purgatory, per
 * partition), bounded and kept sorted by required offset, so completion takes a prefix.
 */
export class AckWaiters {
  private waiters: Waiter[] = [];
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
  add(requiredOffset: number, deadlineMs: number): number {
    assertOffset(requiredOffset, 'required offset');
    assert(!this.isFull(), `more than ${this.maxWaiters} acks=all produces waiting`);
    const waiter: Waiter = { waiterId: this.nextWaiterId++, requiredOffset, deadlineMs };
    // Appends come in offset order, but a deduplicated retry waits on an older batch's offsets.
    let at = this.waiters.length;
    while (at > 0 && this.waiters[at - 1]!.requiredOffset > requiredOffset) at--;
    this.waiters.splice(at, 0, waiter);
    return waiter.waiterId;
  }

  /** Completes, successfully, every waiter the high watermark now covers. */
  completeUpTo(highWatermark: number): AckCompletion[] {
    let count = 0;
    while (count < this.waiters.length && this.waiters[count]!.requiredOffset <= highWatermark) count++;
    if (count === 0) return [];
    return this.waiters
      .splice(0, count)
      .map((w) => ({ waiterId: w.waiterId, requiredOffset: w.requiredOffset, error: null }));
  }

  /** Fails every waiter with `error` (ISR below min.insync.replicas, lost leadership). */
  failAll(error: ApiError): AckCompletion[] {
    const failed = this.waiters.map((w) => ({ waiterId: w.waiterId, requiredOffset: w.requiredOffset, error }));
    this.waiters = [];
    return failed;
  }

  /** Fails waiters whose deadline has passed with REQUEST_TIMED_OUT. */
  expire(nowMs: number): AckCompletion[] {
    const expired: AckCompletion[] = [];
    this.waiters = this.waiters.filter((w) => {
      if (w.deadlineMs > nowMs) return true;
      expired.push({
        waiterId: w.waiterId,
        requiredOffset: w.requiredOffset,
        error: new ApiError(
          'REQUEST_TIMED_OUT',
          `offset ${w.requiredOffset - 1} did not reach every in-sync replica in time`,
        ),
      });
      return false;
    });
    return expired;
  }
}
