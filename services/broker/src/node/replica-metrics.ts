/**
 * The replicas' gauges and counters Kafka operators alert on, read from the replication core and
 * the open logs at scrape time (nothing on the request path): under-replicated, under-min-ISR and
 * at-min-ISR partitions, leaders and local partitions, acks=all produces waiting (Kafka's produce
 * purgatory), ISR shrinks and expands, local log size per topic, and log flush time.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ReplicaHealth } from '../core/replication';

export interface ReplicaMetricsSource {
  replicaHealth(): ReplicaHealth;
  readonly isrShrinks: number;
  readonly isrExpands: number;
  /** Bytes of local logs (every role), summed per topic. */
  logSizeBytesByTopic(): ReadonlyMap<string, number>;
  /** Log directories an I/O error took offline. */
  offlineLogDirs(): readonly string[];
}

const FLUSH_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** Registers the series; returns what to call after each log flush. */
export function registerReplicaMetrics(
  registry: Registry,
  source: ReplicaMetricsSource,
): { readonly flushed: (durationSeconds: number) => void } {
  const registers = [registry];
  // One health count per scrape, shared by the gauges below (each collect() asks in turn).
  let health: ReplicaHealth | null = null;
  let healthAt = -1;
  const current = (): ReplicaHealth => {
    const now = performance.now();
    if (health === null || now - healthAt > 100) {
      health = source.replicaHealth();
      healthAt = now;
    }
    return health;
  };
  const gauge = (name: string, help: string, read: (h: ReplicaHealth) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(current()));
      },
    });
  };
  new Gauge({
    name: 'sluice_broker_offline_log_dirs',
    help: 'Log directories an I/O error (a full disk, a failed fsync) took offline: their replicas are not served (Kafka OfflineLogDirectoryCount).',
    registers,
    collect() {
      this.set(source.offlineLogDirs().length);
    },
  });
  gauge(
    'sluice_broker_under_replicated_partitions',
    'Partitions led here whose ISR is smaller than their replica set (Kafka UnderReplicatedPartitions).',
    (h) => h.underReplicated,
  );
  gauge(
    'sluice_broker_under_min_isr_partitions',
    'Partitions led here whose ISR is below min.insync.replicas: acks=all produces are refused (Kafka UnderMinIsrPartitionCount).',
    (h) => h.underMinIsr,
  );
  gauge(
    'sluice_broker_at_min_isr_partitions',
    'Partitions led here whose ISR is exactly min.insync.replicas: one more loss refuses acks=all (Kafka AtMinIsrPartitionCount).',
    (h) => h.atMinIsr,
  );
  gauge('sluice_broker_leader_partitions', 'Partitions this broker leads (Kafka LeaderCount).', (h) => h.leaders);
  gauge(
    'sluice_broker_partitions',
    'Partition replicas on this broker, any role (Kafka PartitionCount).',
    (h) => h.partitions,
  );
  gauge(
    'sluice_broker_offline_replicas',
    'Local replicas with neither a leader nor a follower role (no leader in the metadata, or the broker is stopping).',
    (h) => h.offline,
  );
  gauge(
    'sluice_broker_pending_acks',
    'acks=all produce requests waiting for followers, over every partition led here (Kafka produce purgatory size).',
    (h) => h.pendingAcks,
  );
  const cumulative = (name: string, help: string, read: () => number): void => {
    let reported = 0;
    new Counter({
      name,
      help,
      registers,
      collect() {
        const total = read();
        if (total > reported) this.inc(total - reported);
        reported = total;
      },
    });
  };
  cumulative(
    'sluice_broker_isr_shrinks_total',
    'Committed ISR changes that dropped a member, on partitions led here (Kafka IsrShrinksPerSec).',
    () => source.isrShrinks,
  );
  cumulative(
    'sluice_broker_isr_expands_total',
    'Committed ISR changes that added a member, on partitions led here (Kafka IsrExpandsPerSec).',
    () => source.isrExpands,
  );
  new Gauge({
    name: 'sluice_broker_log_size_bytes',
    help: 'Bytes of the local partition logs (every role), by topic (Kafka Log Size, summed per topic).',
    labelNames: ['topic'],
    registers,
    collect() {
      // Deleted topics' series go away with them.
      this.reset();
      for (const [topic, bytes] of source.logSizeBytesByTopic()) this.set({ topic }, bytes);
    },
  });
  const flushSeconds = new Histogram({
    name: 'sluice_broker_log_flush_seconds',
    help: 'Time of one log flush (fdatasync of the segments and indexes past the recovery point) (Kafka LogFlushRateAndTimeMs).',
    buckets: FLUSH_BUCKETS_SECONDS,
    registers,
  });
  return { flushed: (durationSeconds) => flushSeconds.observe(durationSeconds) };
}
