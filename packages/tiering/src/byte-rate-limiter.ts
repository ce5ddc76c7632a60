/**
 * One byte rate shared by many callers: `remote.log.manager.copy.max.bytes.per.second` (Kafka's
 * copy quota, KIP-956: all partitions' copies on a broker),
 * `remote.log.manager.fetch.max.bytes.per.second` (all remote reads on a broker) and the
 * replication throttle (`leader|follower.replication.throttled.rate`: the bytes of every throttled
 * replica on a broker). Pure: given the clock, it says how long a transfer of `bytes` must wait so
 * that the transfers so far stay within the rate. A transfer is never split, so one larger than a
 * second's worth is admitted and the ones after it wait longer. Idle time is not banked: a pause
 * earns no burst.
 */
export class ByteRateLimiter {
  /** When the bytes admitted so far have been paid for at the rate. */
  private paidUntilMs = 0;
  private rateBytesPerSecond: number;

  constructor(maxBytesPerSecond: number) {
    this.rateBytesPerSecond = checkedRate(maxBytesPerSecond);
  }

  get maxBytesPerSecond(): number {
    return this.rateBytesPerSecond;
  }

  /** Admits `bytes` and returns how long (ms) to wait before transferring them. */
  admit(bytes: number, nowMs: number): number {
    if (!(Number.isSafeInteger(bytes) && bytes >= 0)) throw new RangeError(`bytes ${bytes} must be >= 0`);
    const startMs = Math.max(nowMs, this.paidUntilMs);
    this.paidUntilMs = startMs + (bytes * 1000) / this.rateBytesPerSecond;
    return startMs - nowMs;
  }

  /**
   * How long (ms) until the bytes admitted so far are paid for: 0 when a transfer may start now.
   * Kafka's replication quota asks this before a read ("is the quota exceeded?") and admits the
   * bytes after it, when their number is known.
   */
  waitMs(nowMs: number): number {
    return Math.max(0, this.paidUntilMs - nowMs);
  }

  /** A new rate (a dynamic config change): the bytes still owed are paid at the new rate from now. */
  setRate(maxBytesPerSecond: number, nowMs: number): void {
    const rate = checkedRate(maxBytesPerSecond);
    const owedBytes = (this.waitMs(nowMs) * this.rateBytesPerSecond) / 1000;
    this.rateBytesPerSecond = rate;
    if (owedBytes > 0) this.paidUntilMs = nowMs + (owedBytes * 1000) / rate;
  }
}

function checkedRate(maxBytesPerSecond: number): number {
  if (!(Number.isSafeInteger(maxBytesPerSecond) && maxBytesPerSecond >= 1)) {
    throw new RangeError(`byte rate ${maxBytesPerSecond} B/s must be >= 1`);
  }
  return maxBytesPerSecond;
}
