/**
 * One byte rate shared by many callers: `remote.log.manager.copy.max.bytes.per.second` (Kafka's
 * copy quota, KIP-956: all partitions' copies on a broker) and
 * `remote.log.manager.fetch.max.bytes.per.second` (all remote reads on a broker). Pure: given the
 * clock, it says how long a transfer of `bytes` must wait so that the transfers so far stay within
 * the rate. A transfer is never split, so one larger than a second's worth is admitted and the
 * ones after it wait longer.
 */
export class ByteRateLimiter {
  /** When the bytes admitted so far have been paid for at the rate. */
  private paidUntilMs = 0;

  constructor(readonly maxBytesPerSecond: number) {
    if (!(Number.isSafeInteger(maxBytesPerSecond) && maxBytesPerSecond >= 1)) {
      throw new RangeError(`byte rate ${maxBytesPerSecond} B/s must be >= 1`);
    }
  }

  /** Admits `bytes` and returns how long (ms) to wait before transferring them. */
  admit(bytes: number, nowMs: number): number {
    if (!(Number.isSafeInteger(bytes) && bytes >= 0)) throw new RangeError(`bytes ${bytes} must be >= 0`);
    const startMs = Math.max(nowMs, this.paidUntilMs);
    this.paidUntilMs = startMs + (bytes * 1000) / this.maxBytesPerSecond;
    return startMs - nowMs;
  }
}
