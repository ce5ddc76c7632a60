/**
 * Group commit of one share partition's state updates (KIP-932's share-state batching): while a
 * write is out, the updates of the steps decided meanwhile (acquisitions, acknowledgements, lock
 * releases of any member) are merged into one, written next as a single update. An idle queue
 * writes on the next macrotask (setImmediate), so the steps one request decides together (a
 * ShareFetch's acknowledgements and its acquisition) share one write, and a lone step waits for
 * one write as before; under load a share partition writes about once per round trip to the
 * share coordinator instead of once per step.
 *
 * Guarantees, the same as one write per step:
 * - each `enqueue` promise settles only when its update is durable (resolves) or cannot be
 *   (rejects), so nothing is answered before the state it depends on is written;
 * - writes of one share partition go one at a time, in enqueue order (the coordinator folds them
 *   in order);
 * - when a write fails, every update merged after it fails too (with the same error): those
 *   steps decided on top of state that was never written, and the caller drops and reloads it.
 *
 * Bounded: at most `maxPendingUpdates` updates wait behind the write out (beyond: `enqueue` throws
 * REQUEST_TIMED_OUT and enqueues nothing; the caller's core then holds a change that will not be
 * written, so it must drop that state); the merged update holds at most one range per offset of
 * the in-flight window.
 */
import { ApiError, mergeShareStateUpdates, type ShareStateUpdate } from '@sluice/protocol';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

interface Batch {
  update: ShareStateUpdate;
  /** Updates merged into `update`. */
  updates: number;
  readonly waiters: Waiter[];
  /** Settles with the batch: what `idle()` hands out while it is the newest. */
  readonly settled: Promise<void>;
}

export interface ShareStateWriteQueueStats {
  /** Updates enqueued (steps that changed durable state). */
  readonly updates: number;
  /** Writes sent (each covering one or more updates). */
  readonly writes: number;
}

export class ShareStateWriteQueue {
  private inFlight: Batch | null = null;
  private pending: Batch | null = null;
  private flushScheduled = false;
  private counters = { updates: 0, writes: 0 };

  /** `write` sends one (merged) update and settles when it is durable or failed. */
  constructor(
    private readonly write: (update: ShareStateUpdate) => Promise<void>,
    private readonly maxPendingUpdates: number,
  ) {
    if (!Number.isSafeInteger(maxPendingUpdates) || maxPendingUpdates <= 0)
      throw new RangeError(`maxPendingUpdates must be a positive integer, got ${maxPendingUpdates}`);
  }

  /**
   * Writes `update` after everything enqueued before it; settles when it is durable or failed.
   * Throws (synchronously) when the bound is reached or the update does not follow the ones before.
   */
  enqueue(update: ShareStateUpdate): Promise<void> {
    let batch = this.pending;
    if (batch !== null) {
      if (batch.updates >= this.maxPendingUpdates) {
        throw new ApiError(
          'REQUEST_TIMED_OUT',
          `${batch.updates} share state updates wait for the write out, the bound; retry later`,
        );
      }
      const merged = mergeShareStateUpdates(batch.update, update);
      // The core only moves its start offset up within one state epoch: a refusal is a bug.
      if (!merged.ok) throw new Error(`share state updates do not merge: ${merged.error.message}`);
      batch.update = merged.snapshot;
      batch.updates++;
    } else {
      batch = newBatch(update);
      this.pending = batch;
    }
    this.counters.updates++;
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (this.inFlight === null && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (this.inFlight === null) this.flush();
      });
    }
    return done;
  }

  /**
   * Settles once everything enqueued so far is written (resolves) or one of it failed (rejects):
   * for a step that changed nothing but answered from state that may not be durable yet.
   */
  idle(): Promise<void> {
    return (this.pending ?? this.inFlight)?.settled ?? Promise.resolve();
  }

  /** Nothing written or waiting. */
  get isIdle(): boolean {
    return this.inFlight === null && this.pending === null && !this.flushScheduled;
  }

  stats(): ShareStateWriteQueueStats {
    return { ...this.counters };
  }

  private flush(): void {
    const batch = this.pending;
    if (batch === null) return;
    this.pending = null;
    this.inFlight = batch;
    this.counters.writes++;
    this.write(batch.update).then(
      () => {
        this.inFlight = null;
        for (const waiter of batch.waiters) waiter.resolve();
        this.flush();
      },
      (error: unknown) => {
        this.inFlight = null;
        // Decided on top of the failed write's state: they cannot be written either.
        const behind = this.pending;
        this.pending = null;
        for (const waiter of [...batch.waiters, ...(behind?.waiters ?? [])]) waiter.reject(error);
      },
    );
  }
}

function newBatch(update: ShareStateUpdate): Batch {
  const waiters: Waiter[] = [];
  const settled = new Promise<void>((resolve, reject) => {
    waiters.push({ resolve, reject });
  });
  // `idle()` callers may come and go; an unobserved rejection here is not an error.
  settled.catch(() => undefined);
  return { update, updates: 1, waiters, settled };
}
