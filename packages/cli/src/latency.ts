/**
 * A fixed-memory latency histogram: log-spaced buckets 1% wide from 1 µs up, so a percentile is
 * within 1% of the exact one however many samples were recorded (a million sends, ~2 k buckets).
 */
const MIN_MS = 0.001;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

export class LatencyHistogram {
  private readonly counts: number[] = [];
  private total = 0;
  private maxMs = 0;

  record(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.maxMs;
  }

  /** Nearest-rank percentile (0 < p <= 100) in ms, the bucket's upper bound capped at the max seen; 0 when empty. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let index = 0; index < this.counts.length; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, MIN_MS * GROWTH ** index);
    }
    return this.maxMs;
  }
}
