/**
 * End-to-end time per topic, from a record's creation (its CreateTime, stamped by the producer
 * when send() was called; the broker's append time on LogAppendTime topics) to the consumer
 * receiving it: the queue-time figure users ask for. A plain cumulative histogram the
 * application reads (`snapshot()`) and exports however it likes (prom-client, OTel metrics,
 * logs): the SDK stays free of prom-client and of an OTel metrics SDK, which an application using
 * the other would have to bridge; and observing a record costs a bucket search, with or without
 * any telemetry SDK installed.
 *
 * Bounded: at most `maxTopics` topics are kept (later topics are counted in `droppedTopics`), and
 * each has a fixed bucket array. Clock skew between producer and consumer hosts shows as
 * negative times; those are counted in the lowest bucket and in `negativeCount`.
 */

/** Upper bounds in seconds (Prometheus' `le`), from 1 ms to 5 minutes. */
export const DEFAULT_END_TO_END_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

export interface EndToEndLatencySnapshot {
  readonly topic: string;
  /** Upper bounds in seconds; the last bucket (+Inf) is implied by `count`. */
  readonly bucketsSeconds: readonly number[];
  /** Cumulative counts per bound, as Prometheus histograms are. */
  readonly cumulativeCounts: readonly number[];
  readonly count: number;
  readonly sumSeconds: number;
  /** Records whose creation time lay after their receipt (clock skew). */
  readonly negativeCount: number;
}

interface TopicHistogram {
  readonly counts: number[];
  count: number;
  sumSeconds: number;
  negativeCount: number;
}

export class EndToEndLatencyHistogram {
  private readonly topics = new Map<string, TopicHistogram>();
  private droppedTopicsValue = 0;

  constructor(
    readonly bucketsSeconds: readonly number[] = DEFAULT_END_TO_END_BUCKETS_SECONDS,
    readonly maxTopics = 1_000,
  ) {
    if (bucketsSeconds.length === 0) throw new RangeError('an end-to-end histogram needs at least one bucket');
    for (let i = 1; i < bucketsSeconds.length; i++)
      if (!(bucketsSeconds[i]! > bucketsSeconds[i - 1]!)) throw new RangeError('histogram buckets must increase');
    if (!Number.isInteger(maxTopics) || maxTopics < 1) throw new RangeError(`maxTopics ${maxTopics} must be >= 1`);
  }

  /** Topics seen after `maxTopics` were kept; their records are not counted. */
  get droppedTopics(): number {
    return this.droppedTopicsValue;
  }

  /** One record of `topic`, created at `createdMs` and received at `receivedMs`. */
  observe(topic: string, createdMs: number, receivedMs: number): void {
    let histogram = this.topics.get(topic);
    if (histogram === undefined) {
      if (this.topics.size >= this.maxTopics) {
        this.droppedTopicsValue++;
        return;
      }
      histogram = {
        counts: new Array<number>(this.bucketsSeconds.length).fill(0),
        count: 0,
        sumSeconds: 0,
        negativeCount: 0,
      };
      this.topics.set(topic, histogram);
    }
    const seconds = (receivedMs - createdMs) / 1_000;
    if (seconds < 0) histogram.negativeCount++;
    histogram.count++;
    histogram.sumSeconds += Math.max(0, seconds);
    const buckets = this.bucketsSeconds;
    for (let i = 0; i < buckets.length; i++)
      if (seconds <= buckets[i]!) {
        histogram.counts[i]!++;
        break;
      }
  }

  /** Every topic's histogram now (cumulative counts, as Prometheus exposes them). */
  snapshot(): EndToEndLatencySnapshot[] {
    return [...this.topics].map(([topic, histogram]) => {
      let running = 0;
      const cumulativeCounts = histogram.counts.map((count) => (running += count));
      return {
        topic,
        bucketsSeconds: this.bucketsSeconds,
        cumulativeCounts,
        count: histogram.count,
        sumSeconds: histogram.sumSeconds,
        negativeCount: histogram.negativeCount,
      };
    });
  }

  /** The time below which `quantile` (0..1) of `topic`'s records arrived, as a bucket bound; undefined without data. */
  quantileUpperBoundSeconds(topic: string, quantile: number): number | undefined {
    const histogram = this.topics.get(topic);
    if (histogram === undefined || histogram.count === 0) return undefined;
    const rank = Math.ceil(quantile * histogram.count);
    let running = 0;
    for (let i = 0; i < histogram.counts.length; i++) {
      running += histogram.counts[i]!;
      if (running >= rank) return this.bucketsSeconds[i];
    }
    return Number.POSITIVE_INFINITY;
  }
}
