/**
 * Tiered storage's series, read from the RemoteLogManager at scrape time (nothing on the copy or
 * fetch path but the latency histogram's observe): bytes and segments copied, failed task runs,
 * remote segments deleted, remote fetches, remote size and copy lag per topic, and per partition
 * (as Kafka's RemoteLogSizeBytes / RemoteCopyLagBytes carry topic and partition) for at most
 * `maxPartitionSeries` partitions per broker: those lagging most, then the largest, so the
 * cardinality stays bounded however many partitions a broker leads and the ones worth looking at
 * are the ones shown (the per-topic series still sum every partition). Object-store requests by
 * operation (what the bill is made of), chunk cache hits and misses. Registered whether tiering is
 * on or not (all zero when off), so a dashboard's query never points at a missing series.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PartitionTieringGauges, TieringSnapshot, TopicTieringCounts } from './remote-log-manager';

/** Per-partition series a broker exports at most (docs/metrics.md). */
export const DEFAULT_MAX_PARTITION_SERIES = 500;

/**
 * The partitions that get their own series: most copy lag (bytes, then segments) first, then
 * the most remote bytes, then by name (a stable choice between scrapes); at most `max`.
 */
export function partitionsToExport(
  partitions: readonly PartitionTieringGauges[],
  max: number,
): PartitionTieringGauges[] {
  return [...partitions]
    .sort(
      (a, b) =>
        b.copyLagBytes - a.copyLagBytes ||
        b.copyLagSegments - a.copyLagSegments ||
        b.remoteSizeBytes - a.remoteSizeBytes ||
        a.topic.localeCompare(b.topic) ||
        a.partition - b.partition,
    )
    .slice(0, max);
}

export interface TieringMetricsSource {
  /** Null when remote.log.storage.system.enable=false. */
  tieringSnapshot(): TieringSnapshot | null;
}

const REMOTE_FETCH_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Registers the series; returns what to call with each remote read's latency. */
export function registerTieringMetrics(
  registry: Registry,
  source: TieringMetricsSource,
  maxPartitionSeries = DEFAULT_MAX_PARTITION_SERIES,
): { readonly remoteFetched: (seconds: number) => void } {
  if (!Number.isSafeInteger(maxPartitionSeries) || maxPartitionSeries < 0)
    throw new Error(`maxPartitionSeries ${maxPartitionSeries} must be >= 0`);
  const registers = [registry];
  // One snapshot per scrape, shared by the series below (each collect() asks in turn).
  let snapshot: TieringSnapshot | null = null;
  let snapshotAt = -1;
  const current = (): TieringSnapshot | null => {
    const now = performance.now();
    if (now - snapshotAt > 100) {
      snapshot = source.tieringSnapshot();
      snapshotAt = now;
    }
    return snapshot;
  };

  const perTopicCounter = (name: string, help: string, field: keyof TopicTieringCounts): void => {
    const reported = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: ['topic'],
      registers,
      collect() {
        for (const [topic, counts] of current()?.counts ?? []) {
          const total = counts[field];
          const delta = total - (reported.get(topic) ?? 0);
          if (delta > 0) this.inc({ topic }, delta);
          reported.set(topic, total);
        }
      },
    });
  };
  perTopicCounter(
    'sluice_broker_remote_copy_bytes_total',
    'Segment bytes copied to remote storage by the partitions led here (Kafka RemoteCopyBytesPerSec).',
    'copiedBytes',
  );
  perTopicCounter(
    'sluice_broker_remote_copy_segments_total',
    'Local segments copied to remote storage (COPY_SEGMENT_FINISHED written; consecutive small ones may share one remote segment).',
    'copiedSegments',
  );
  perTopicCounter(
    'sluice_broker_remote_task_failures_total',
    'Tiering task runs that failed (object store or metadata topic unavailable); each backs off and retries (Kafka RemoteCopyErrorsPerSec).',
    'failedRuns',
  );
  perTopicCounter(
    'sluice_broker_remote_delete_segments_total',
    'Remote segments deleted: total retention, interrupted copies cleaned up.',
    'deletedRemoteSegments',
  );
  perTopicCounter(
    'sluice_broker_remote_compaction_runs_total',
    "Remote compaction passes over a tiered compacted topic's remote segments (remote.log.manager.compaction.interval.ms).",
    'remoteCompactionRuns',
  );
  perTopicCounter(
    'sluice_broker_remote_compaction_bytes_in_total',
    'Remote segment bytes that remote compaction replaced.',
    'remoteCompactionBytesIn',
  );
  perTopicCounter(
    'sluice_broker_remote_compaction_bytes_out_total',
    'Bytes of the compacted remote segments written in their place.',
    'remoteCompactionBytesOut',
  );
  perTopicCounter(
    'sluice_broker_remote_compaction_records_dropped_total',
    'Records remote compaction dropped: superseded by a later record of the key (remote or local), or tombstones past delete.retention.ms.',
    'remoteCompactionRecordsDropped',
  );
  perTopicCounter(
    'sluice_broker_remote_fetch_bytes_total',
    'Record bytes served to consumers from remote storage (Kafka RemoteFetchBytesPerSec).',
    'remoteFetchBytes',
  );
  perTopicCounter(
    'sluice_broker_remote_fetch_requests_total',
    'Partition reads served from remote storage (Kafka RemoteFetchRequestsPerSec).',
    'remoteFetchRequests',
  );
  perTopicCounter(
    'sluice_broker_remote_fetch_failures_total',
    'Partition reads from remote storage that failed (the consumer got the error and retries).',
    'remoteFetchFailures',
  );

  const perTopicGauge = (
    name: string,
    help: string,
    read: (s: TieringSnapshot) => ReadonlyMap<string, number>,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames: ['topic'],
      registers,
      collect() {
        this.reset();
        const s = current();
        if (s === null) return;
        for (const [topic, value] of read(s)) this.set({ topic }, value);
      },
    });
  };
  perTopicGauge(
    'sluice_broker_remote_log_size_bytes',
    'Bytes of copied segments in remote storage, for the partitions led here (Kafka RemoteLogSizeBytes).',
    (s) => s.remoteSizeBytes,
  );
  perTopicGauge(
    'sluice_broker_remote_copy_lag_bytes',
    'Bytes of rolled segments below the high watermark not yet copied (Kafka RemoteCopyLagBytes).',
    (s) => s.copyLagBytes,
  );
  perTopicGauge(
    'sluice_broker_remote_copy_lag_segments',
    'Rolled segments below the high watermark not yet copied (Kafka RemoteCopyLagSegments).',
    (s) => s.copyLagSegments,
  );

  const perPartitionGauge = (name: string, help: string, read: (partition: PartitionTieringGauges) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        this.reset();
        const s = current();
        if (s === null) return;
        for (const p of partitionsToExport(s.partitions, maxPartitionSeries))
          this.set({ topic: p.topic, partition: String(p.partition) }, read(p));
      },
    });
  };
  perPartitionGauge(
    'sluice_broker_remote_partition_log_size_bytes',
    'Bytes of copied segments in remote storage, per partition led here (Kafka RemoteLogSizeBytes with its partition tag); at most 500 partitions per broker, the most lagging then the largest.',
    (p) => p.remoteSizeBytes,
  );
  perPartitionGauge(
    'sluice_broker_remote_partition_copy_lag_bytes',
    'Bytes of rolled segments below the high watermark not yet copied, per partition led here (Kafka RemoteCopyLagBytes); bounded as above.',
    (p) => p.copyLagBytes,
  );
  perPartitionGauge(
    'sluice_broker_remote_partition_copy_lag_segments',
    'Rolled segments below the high watermark not yet copied, per partition led here (Kafka RemoteCopyLagSegments); bounded as above.',
    (p) => p.copyLagSegments,
  );

  const operations = ['put', 'get', 'delete', 'list'] as const;
  const reportedRequests = new Map<string, number>();
  new Counter({
    name: 'sluice_broker_remote_storage_requests_total',
    help: 'Object-store requests by operation (PUT, GET, DELETE, LIST: what the bill is made of).',
    labelNames: ['operation'],
    registers,
    collect() {
      const store = current()?.store;
      if (store === undefined) return;
      const totals = {
        put: store.putRequests,
        get: store.getRequests,
        delete: store.deleteRequests,
        list: store.listRequests,
      };
      for (const operation of operations) {
        const delta = totals[operation] - (reportedRequests.get(operation) ?? 0);
        if (delta > 0) this.inc({ operation }, delta);
        reportedRequests.set(operation, totals[operation]);
      }
    },
  });
  const cumulative = (name: string, help: string, read: (s: TieringSnapshot) => number): void => {
    let reported = 0;
    new Counter({
      name,
      help,
      registers,
      collect() {
        const s = current();
        if (s === null) return;
        const total = read(s);
        if (total > reported) this.inc(total - reported);
        reported = total;
      },
    });
  };
  cumulative(
    'sluice_broker_remote_storage_failures_total',
    'Object-store requests that failed (errors and unreachable store).',
    (s) => s.store.failures,
  );
  cumulative(
    'sluice_broker_remote_chunk_cache_hits_total',
    'Remote read chunks served from the chunk cache (or a GET already in flight).',
    (s) => s.chunkCache.hits,
  );
  cumulative(
    'sluice_broker_remote_chunk_cache_misses_total',
    'Remote read chunks fetched with a ranged GET.',
    (s) => s.chunkCache.misses,
  );
  cumulative(
    'sluice_broker_remote_reads_rejected_total',
    'Remote reads refused because remote.log.reader.max.pending.tasks were already waiting (answered KAFKA_STORAGE_ERROR).',
    (s) => s.remoteReads.rejected,
  );
  for (const [name, help, read] of [
    [
      'sluice_broker_remote_reads_in_flight',
      'Remote reads (GETs) in flight to the object store now, at most remote.log.reader.threads.',
      (s: TieringSnapshot) => s.remoteReads.inFlight,
    ],
    [
      'sluice_broker_remote_reads_pending',
      'Remote reads waiting for one of remote.log.reader.threads now, at most remote.log.reader.max.pending.tasks.',
      (s: TieringSnapshot) => s.remoteReads.pending,
    ],
  ] as const) {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const s = current();
        if (s !== null) this.set(read(s));
      },
    });
  }
  const latency = new Histogram({
    name: 'sluice_broker_remote_fetch_seconds',
    help: 'Time of one partition read served from remote storage (index lookup and ranged GETs).',
    buckets: REMOTE_FETCH_BUCKETS_SECONDS,
    registers,
  });
  return { remoteFetched: (seconds) => latency.observe(seconds) };
}
