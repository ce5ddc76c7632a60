/**
 * The produce side of `bench:tiering`: SDK producer throughput (acks=all, RF 3, 1 KiB records)
 * into a topic with `remote.storage.enable=true` and `local.retention.bytes=0` (the brokers copy
 * and delete while it runs) against one without, on the same brokers, both rolling segments of
 * the same size (like with like: each roll flushes and opens files). After an unmeasured warm-up
 * of each topic (connections, JIT; the on topic's warm-up is then copied during the measured
 * runs, which only counts against it), three runs each, alternating off / on / on / off / off / on
 * (the machine is noisy: medians). Read from the brokers' /metrics: the on topic's copy lag
 * (Kafka's RemoteCopyLagBytes: rolled segments not yet copied) and remote size right after the
 * last run, so a row whose brokers did not really tier shows it; then, once the lag is copied
 * (a bounded wait), object-store PUTs per GiB copied over the whole row.
 */
import { Producer } from '@sluice/client';
import type { LocalCluster } from '@sluice/local-cluster';
import { readProc } from './compare-procs';
import { GiB, mbPerSecond } from './measure';

const RECORD_BYTES = 1024;
const PARTITIONS = 3;
/** Sends not yet acknowledged at most (the producer's own bound is on bytes). */
const IN_FLIGHT = 2000;
const METRICS_TIMEOUT_MS = 5_000;
/** The warm-up's share of a measured run's bytes. */
const WARM_UP_FRACTION = 1 / 16;
/** How long the copies of the last on run may take before PUTs per GiB are read anyway. */
const DRAIN_TIMEOUT_MS = 60_000;
const DRAIN_POLL_MS = 500;

export interface ProduceComparison {
  readonly segmentBytes: number;
  readonly bytesPerRun: number;
  readonly offMbps: readonly number[];
  readonly onMbps: readonly number[];
  readonly minioCpuSeconds: { readonly off: number; readonly on: number };
  /** The brokers' object-store PUTs over the row per GiB they copied (lag drained, or the wait ran out). */
  readonly putsPerGiB: number;
  readonly copiedBytes: number;
  /** Of the on topic, summed over its partitions' leaders, right after the last on run. */
  readonly copyLagBytesAtEnd: number;
  readonly remoteBytesAtEnd: number;
  /** Whether the copy lag reached 0 before PUTs per GiB were read. */
  readonly drained: boolean;
}

/** Produces `bytes` of 1 KiB records to `topic` (acks=all); MB/s. */
export async function produceMbps(bootstrap: readonly string[], topic: string, bytes: number): Promise<number> {
  const producer = new Producer({ bootstrap, lingerMs: 5, batchSizeBytes: 256 * 1024 });
  const value = Buffer.alloc(RECORD_BYTES, 0x61);
  const records = Math.floor(bytes / RECORD_BYTES);
  try {
    const start = process.hrtime.bigint();
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < records; i++) {
      inFlight.push(producer.send({ topic, partition: i % PARTITIONS, key: null, value }));
      if (inFlight.length >= IN_FLIGHT) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    return mbPerSecond(records * RECORD_BYTES, Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    await producer.close();
  }
}

export async function compareProduceWithTiering(
  cluster: LocalCluster,
  minioPid: () => number,
  options: { readonly segmentBytes: number; readonly bytesPerRun: number; readonly topicSuffix: string },
): Promise<ProduceComparison> {
  const { segmentBytes, bytesPerRun, topicSuffix } = options;
  const topics = { off: `bench-off-${topicSuffix}`, on: `bench-on-${topicSuffix}` };
  const segment = String(segmentBytes);
  await cluster.admin.createTopic({
    name: topics.off,
    numPartitions: PARTITIONS,
    replicationFactor: 3,
    configs: { 'segment.bytes': segment },
  });
  await cluster.admin.createTopic({
    name: topics.on,
    numPartitions: PARTITIONS,
    replicationFactor: 3,
    configs: { 'remote.storage.enable': 'true', 'segment.bytes': segment, 'local.retention.bytes': '0' },
  });
  const bootstrap = cluster.brokers.addresses();
  const start = await brokerTotals(cluster);
  const warmUpBytes = Math.max(RECORD_BYTES, Math.floor(bytesPerRun * WARM_UP_FRACTION));
  for (const topic of [topics.off, topics.on]) await produceMbps(bootstrap, topic, warmUpBytes);
  const produced = { off: [] as number[], on: [] as number[] };
  // On this machine the object store shares the brokers' two cores, which S3 would not.
  const minioCpuSeconds = { off: 0, on: 0 };
  for (const side of ['off', 'on', 'on', 'off', 'off', 'on'] as const) {
    const cpuBefore = readProc(minioPid())?.cpuSeconds ?? 0;
    produced[side].push(await produceMbps(bootstrap, topics[side], bytesPerRun));
    minioCpuSeconds[side] += (readProc(minioPid())?.cpuSeconds ?? 0) - cpuBefore;
  }
  const end = await brokerTotals(cluster, topics.on);
  // Only the on topic tiers, so every PUT and copied byte since the row started is its own; read
  // once the copies in flight are done, so PUTs are not counted for bytes not yet counted.
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let drainedTotals = end;
  while (drainedTotals.copyLagBytes > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    drainedTotals = await brokerTotals(cluster, topics.on);
  }
  const puts = drainedTotals.puts - start.puts;
  const copiedBytes = drainedTotals.copiedBytes - start.copiedBytes;
  return {
    segmentBytes,
    bytesPerRun,
    offMbps: produced.off,
    onMbps: produced.on,
    minioCpuSeconds,
    putsPerGiB: copiedBytes === 0 ? 0 : puts / (copiedBytes / GiB),
    copiedBytes,
    copyLagBytesAtEnd: end.copyLagBytes,
    remoteBytesAtEnd: end.remoteBytes,
    drained: drainedTotals.copyLagBytes === 0,
  };
}

/** Summed over every running broker's /metrics; per-topic gauges for `topic` when named. */
async function brokerTotals(
  cluster: LocalCluster,
  topic?: string,
): Promise<{ puts: number; copiedBytes: number; copyLagBytes: number; remoteBytes: number }> {
  const totals = { puts: 0, copiedBytes: 0, copyLagBytes: 0, remoteBytes: 0 };
  for (const nodeId of cluster.brokers.running()) {
    const response = await fetch(`http://${cluster.brokers.metricsAddress(nodeId)}/metrics`, {
      signal: AbortSignal.timeout(METRICS_TIMEOUT_MS),
    });
    const text = await response.text();
    totals.puts += metricValue(text, 'sluice_broker_remote_storage_requests_total', { operation: 'put' });
    totals.copiedBytes += metricValue(text, 'sluice_broker_remote_copy_bytes_total', {});
    if (topic !== undefined) {
      totals.copyLagBytes += metricValue(text, 'sluice_broker_remote_copy_lag_bytes', { topic });
      totals.remoteBytes += metricValue(text, 'sluice_broker_remote_log_size_bytes', { topic });
    }
  }
  return totals;
}

/** The sum of a Prometheus text exposition's samples of `name` carrying every label given. */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? ([^ ]+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`)))
      sum += Number(match[3]);
  }
  return sum;
}
