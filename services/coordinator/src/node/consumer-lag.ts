/**
 * Consumer lag per group, topic and partition (what kafka-consumer-groups and Kafka exporters
 * show): the partition's high watermark minus the group's committed offset. The committed offsets
 * are in the coordinator's memory; the high watermarks are not, so a timer reads them for the
 * partitions its groups committed (ListOffsets latest, per topic, at the partition leaders) every
 * `refreshIntervalMs`, and a scrape computes the lag from both without any I/O. A lag is as fresh
 * as the last refresh; a partition whose high watermark was never read has no series yet.
 *
 * Bounds: at most `maxPartitions` partitions are tracked and as many series given (the rest get
 * none, and `sluice_coordinator_consumer_lag_untracked_partitions` says how many partitions were
 * left out); one refresh at a time.
 */
export interface CommittedOffset {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface ConsumerLagSample {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

export interface ConsumerLagOptions {
  /** The committed offsets of every group this coordinator serves now. */
  readonly committed: () => Iterable<CommittedOffset>;
  /** High watermarks of `partitions` of `topic`, by partition; throws when none could be read. */
  readonly highWatermarks: (topic: string, partitions: readonly number[]) => Promise<ReadonlyMap<number, number>>;
  readonly maxPartitions: number;
  readonly onRefreshError?: (topic: string, error: unknown) => void;
}

export class ConsumerLag {
  /** topic -> partition -> high watermark, from the last refresh that read it. */
  private readonly highWatermarks = new Map<string, Map<number, number>>();
  private refreshing = false;
  private untracked = 0;

  constructor(private readonly options: ConsumerLagOptions) {
    if (!Number.isSafeInteger(options.maxPartitions) || options.maxPartitions < 1)
      throw new RangeError(`maxPartitions must be a positive integer, got ${options.maxPartitions}`);
  }

  /** Partitions with committed offsets beyond `maxPartitions`, at the last refresh. */
  get untrackedPartitions(): number {
    return this.untracked;
  }

  /** Reads the high watermarks of the committed partitions (skipped while one is running). */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const wanted = new Map<string, Set<number>>();
      let tracked = 0;
      let untracked = 0;
      for (const { topic, partition } of this.options.committed()) {
        let partitions = wanted.get(topic);
        if (partitions?.has(partition) === true) continue;
        if (tracked >= this.options.maxPartitions) {
          untracked++;
          continue;
        }
        if (partitions === undefined) wanted.set(topic, (partitions = new Set()));
        partitions.add(partition);
        tracked++;
      }
      this.untracked = untracked;
      for (const topic of [...this.highWatermarks.keys()]) if (!wanted.has(topic)) this.highWatermarks.delete(topic);
      // One topic at a time: a deleted topic or an unreachable leader costs that topic its refresh only.
      for (const [topic, partitions] of wanted) {
        try {
          const read = await this.options.highWatermarks(topic, [...partitions]);
          this.highWatermarks.set(topic, new Map(read));
        } catch (error) {
          this.options.onRefreshError?.(topic, error);
        }
      }
    } finally {
      this.refreshing = false;
    }
  }

  /** The lag of committed partitions whose high watermark is known (never negative), at most `maxPartitions`. */
  *samples(): IterableIterator<ConsumerLagSample> {
    let count = 0;
    for (const { groupId, topic, partition, offset } of this.options.committed()) {
      const highWatermark = this.highWatermarks.get(topic)?.get(partition);
      if (highWatermark === undefined) continue;
      if (count++ >= this.options.maxPartitions) return;
      yield { groupId, topic, partition, lag: Math.max(0, highWatermark - offset) };
    }
  }
}
