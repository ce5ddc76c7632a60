/**
 * `remote.log.manager.copy.max.bytes.per.second` (Kafka's copy quota, KIP-956): all partitions'
 * copies on one broker share one byte rate. Pure: given the clock, it says how long a copy of
 * `bytes` must wait so that the copies so far stay within the rate. A copy is not split, so a
 * segment larger than one second's worth is admitted and the ones after it wait longer.
 */
export class CopyRateLimiter {
  /** When the bytes admitted so far have been paid for at the rate. */
  private paidUntilMs = 0;

  constructor(readonly maxBytesPerSecond: number) {
    if (!(Number.isSafeInteger(maxBytesPerSecond) && maxBytesPerSecond >= 1)) {
      throw new RangeError(`copy quota ${maxBytesPerSecond} B/s must be >= 1`);
    }
  }

  /** Admits `bytes` and returns how long (ms) to wait before copying them. */
  admit(bytes: number, nowMs: number): number {
    if (!(Number.isSafeInteger(bytes) && bytes >= 0)) throw new RangeError(`bytes ${bytes} must be >= 0`);
    const startMs = Math.max(nowMs, this.paidUntilMs);
    this.paidUntilMs = startMs + (bytes * 1000) / this.maxBytesPerSecond;
    return startMs - nowMs;
  }
}
