/**
 * At most `maxInFlight` tasks running at once, at most `maxPending` waiting for a turn (first come,
 * first served); a task arriving when both are full is refused at once with
 * `ConcurrencyLimitError`, not queued without bound. The broker's remote reads go through one
 * (Kafka's `remote.log.reader.threads` and `remote.log.reader.max.pending.tasks`): many parallel
 * fetches of cold data cannot put more GETs in flight to the object store than that, and a
 * flood of them is turned away instead of holding memory and connections.
 */
export class ConcurrencyLimitError extends Error {
  override readonly name = 'ConcurrencyLimitError';
  /** Retriable for a fetcher: it asks again. */
  readonly code = 'KAFKA_STORAGE_ERROR';
}

export interface ConcurrencyLimiterCounters {
  readonly inFlight: number;
  readonly pending: number;
  /** The most tasks that ran at once so far. */
  readonly peakInFlight: number;
  /** Tasks refused because `maxPending` were already waiting. */
  readonly rejected: number;
}

export class ConcurrencyLimiter {
  private running = 0;
  private peak = 0;
  private rejectedCount = 0;
  /** Turns waiting, oldest first; bounded by `maxPending`. */
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly maxInFlight: number,
    readonly maxPending: number,
  ) {
    if (!(Number.isSafeInteger(maxInFlight) && maxInFlight >= 1))
      throw new RangeError(`maxInFlight ${maxInFlight} must be an integer >= 1`);
    if (!(Number.isSafeInteger(maxPending) && maxPending >= 0))
      throw new RangeError(`maxPending ${maxPending} must be an integer >= 0`);
  }

  counters(): ConcurrencyLimiterCounters {
    return {
      inFlight: this.running,
      pending: this.waiting.length,
      peakInFlight: this.peak,
      rejected: this.rejectedCount,
    };
  }

  /** Runs `task` when a turn is free; its result or error is passed on. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxInFlight) {
      if (this.waiting.length >= this.maxPending) {
        this.rejectedCount++;
        throw new ConcurrencyLimitError(
          `${this.running} tasks in flight and ${this.waiting.length} waiting: at the bound (${this.maxInFlight} + ${this.maxPending})`,
        );
      }
      // The finishing task hands its turn over directly: `running` stays counted for this one.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    this.peak = Math.max(this.peak, this.running);
    if (this.running > this.maxInFlight)
      throw new Error(`concurrency limiter out of bounds: ${this.running} in flight`);
    try {
      return await task();
    } finally {
      // Hand the turn to the oldest waiter (it stays counted), else give it back.
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.running--;
    }
  }
}
