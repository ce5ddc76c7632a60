/**
 * The produce side of `bench:tiering`: SDK producer throughput (acks=all, RF 3, 1 KiB records)
 * into a topic with `remote.storage.enable=true` and `local.retention.bytes=0` (the brokers copy
 * and delete while it runs) against one without, on the same brokers, both rolling segments of
 * the same size (like with like: each roll flushes and opens files).
 *
 * Steady state, not deferred work: an on run's clock stops once its records are acknowledged AND
 * its leaders hold no rolled segment any more (local.retention.bytes=0: a segment leaves the
 * leader's disk right after its copy is finished), so every segment a run rolls is copied and
 * deleted inside that run's measured time and no run's copying spills into the next. An off run
 * stops at its last acknowledgement (its segments stay: there is nothing to wait for).
 * Both topics get the same unmeasured warm-up (connections, JIT), and the on topic's warm-up is
 * copied before the first measured run. Three runs each, alternating off / on / on / off / off /
 * on (the machine is noisy: medians). Also per side: the acknowledged-only MB/s, the brokers' and
 * MinIO's CPU seconds per GB produced (the broker's own cost, isolated from MinIO sharing its
 * cores here), and after the last run the on topic's remote size and PUTs per GiB copied.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Producer } from '@sluice/client';
import type { LocalCluster } from '@sluice/local-cluster';
import { readProc } from './compare-procs';
import { GiB, mbPerSecond } from './measure';

const RECORD_BYTES = 1024;
/** Partitions of each produce topic by default: one led by each of the three brokers. */
export const DEFAULT_PRODUCE_PARTITIONS = 3;
/** Sends not yet acknowledged at most (the producer's own bound is on bytes). */
const IN_FLIGHT = 2000;
const METRICS_TIMEOUT_MS = 5_000;
/** The warm-up's share of a measured run's bytes. */
const WARM_UP_FRACTION = 1 / 16;
/** How long a run's copy lag may take to reach 0 after its last acknowledgement (then it ends anyway, flagged). */
const DRAIN_TIMEOUT_MS = 60_000;
/** Directory listings while waiting for the copies: short against a run's seconds. */
const DRAIN_POLL_MS = 50;

export interface ProduceSide {
  /** Per run: bytes over the time until acknowledged and copied (copy lag 0), the row's ratio. */
  readonly mbps: readonly number[];
  /** Per run: bytes over the time until the last acknowledgement only. */
  readonly ackedMbps: readonly number[];
  /** Per on run: rolled segments still on the leaders' disks when its last record was acknowledged. */
  readonly lagAtAckBytes: readonly number[];
  /** Per on run: seconds from its last acknowledgement until those segments were copied and gone. */
  readonly drainSeconds: readonly number[];
  /** Summed over the side's runs. */
  readonly brokerCpuSeconds: number;
  /**
   * The brokers' CPU by thread, summed over the side's runs: the event loop (MainThread), V8's
   * helper threads (V8Worker: concurrent marking and sweeping of the garbage collector, and
   * compilation), libuv's pool (libuv-worker: file reads, fsyncs, unlinks) and the rest. A CPU
   * profile sees only the event loop; this says where the rest of the on side's extra went.
   */
  readonly brokerThreadCpuSeconds: Readonly<Record<BrokerThreadGroup, number>>;
  readonly minioCpuSeconds: number;
  /** This process (the producer) over the side's runs: the same work on both sides. */
  readonly producerCpuSeconds: number;
  /** Per run: this process's CPU seconds per GB produced (does it follow the run's MB/s?). */
  readonly producerCpuPerGBRuns: readonly number[];
  /** The producer's Produce requests and retries over the side's runs. */
  readonly producerRequests: number;
  readonly producerRetries: number;
  readonly producedBytes: number;
  /** Runs whose lag did not reach 0 within DRAIN_TIMEOUT_MS (their time includes the whole wait). */
  readonly undrainedRuns: number;
  /**
   * Per run: its span on V8's clock (CLOCK_MONOTONIC microseconds, as the brokers' and this
   * process's CPU profiles stamp their samples), from the first send to the end of its clock:
   * `bench:profile DIR --window FROM_US..TO_US` then reads one run's samples, on or off.
   */
  readonly windowsUs: readonly (readonly [number, number])[];
}

export interface ProduceComparison {
  readonly segmentBytes: number;
  readonly bytesPerRun: number;
  readonly partitions: number;
  readonly off: ProduceSide;
  readonly on: ProduceSide;
  /** The brokers' object-store PUTs over the row per GiB they copied. */
  readonly putsPerGiB: number;
  readonly copiedBytes: number;
  /** Of the on topic, summed over its partitions' leaders, after the last on run. */
  readonly copyLagBytesAtEnd: number;
  readonly remoteBytesAtEnd: number;
}

/**
 * Produces `bytes` of 1 KiB records to `topic` (acks=all); resolves when all are acknowledged, with
 * the bytes and the producer's Produce requests and retries (whether its batches got smaller or it
 * retried when the brokers were busier).
 */
async function produce(
  bootstrap: readonly string[],
  topic: string,
  bytes: number,
  partitions: number,
): Promise<{ producedBytes: number; requests: number; retries: number }> {
  const producer = new Producer({ bootstrap, lingerMs: 5, batchSizeBytes: 256 * 1024 });
  const value = Buffer.alloc(RECORD_BYTES, 0x61);
  const records = Math.floor(bytes / RECORD_BYTES);
  try {
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < records; i++) {
      inFlight.push(producer.send({ topic, partition: i % partitions, key: null, value }));
      if (inFlight.length >= IN_FLIGHT) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    const { requests, retries } = producer.stats();
    return { producedBytes: records * RECORD_BYTES, requests, retries };
  } finally {
    await producer.close();
  }
}

/** A partition's leader's data directory for `topic`, per partition. */
type LeaderDirs = readonly string[];

async function leaderDirs(cluster: LocalCluster, topic: string): Promise<LeaderDirs> {
  const info = await cluster.admin.describeTopic(topic);
  return [...info.partitions]
    .sort((a, b) => a.partition - b.partition)
    .map((p) => {
      if (p.leader < 0) throw new Error(`${topic}-${p.partition} has no leader`);
      return join(cluster.brokers.dataDir(p.leader), `${topic}-${p.partition}`);
    });
}

/**
 * Bytes of rolled (not active) segments still on the leaders' disks. The on topic has
 * local.retention.bytes=0, so a rolled segment leaves its leader's disk right after its copy is
 * finished (the same task run): this is the copy lag, plus what is copied but not yet deleted.
 * Read from the disk by this process, not from the brokers' /metrics, whose scrape (every metric
 * family rendered) would be broker CPU charged to the side that polls it.
 */
function rolledBytesOnLeaders(dirs: LeaderDirs): number {
  let bytes = 0;
  for (const dir of dirs) {
    const logs = readdirSync(dir)
      .filter((name) => name.endsWith('.log'))
      .sort();
    // The last (highest base offset) is the active segment; zero-padded names sort by offset.
    for (const name of logs.slice(0, -1)) {
      try {
        bytes += statSync(join(dir, name)).size;
      } catch {
        // Deleted since the listing: not lagging.
      }
    }
  }
  return bytes;
}

/** Polls until the leaders hold only their active segments, or the wait runs out; whether they do. */
async function waitUntilCopied(dirs: LeaderDirs): Promise<boolean> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    if (rolledBytesOnLeaders(dirs) === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
}

function cpuSecondsOf(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readProc(pid)?.cpuSeconds ?? 0), 0);
}

export const BROKER_THREAD_GROUPS = ['MainThread', 'V8Worker', 'libuv-worker', 'other'] as const;
export type BrokerThreadGroup = (typeof BROKER_THREAD_GROUPS)[number];

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** utime+stime of every thread of `pids` (/proc/<pid>/task), by thread name group. */
function threadCpuSecondsOf(pids: readonly number[]): Record<BrokerThreadGroup, number> {
  const out: Record<BrokerThreadGroup, number> = { MainThread: 0, V8Worker: 0, 'libuv-worker': 0, other: 0 };
  for (const pid of pids) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone
    }
    for (const tid of tasks) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const seconds = (Number(fields[11]) + Number(fields[12])) / USER_HZ;
        const group = (BROKER_THREAD_GROUPS as readonly string[]).includes(name)
          ? (name as BrokerThreadGroup)
          : 'other';
        out[group] += seconds;
      } catch {
        // A thread that ended meanwhile: its time is in no later reading either.
      }
    }
  }
  return out;
}

export async function compareProduceWithTiering(
  cluster: LocalCluster,
  minioPid: () => number,
  options: {
    readonly segmentBytes: number;
    readonly bytesPerRun: number;
    readonly topicSuffix: string;
    /** Of each topic (default DEFAULT_PRODUCE_PARTITIONS); more than the brokers: each leads several. */
    readonly partitions?: number;
  },
): Promise<ProduceComparison> {
  const { segmentBytes, bytesPerRun, topicSuffix } = options;
  const partitions = options.partitions ?? DEFAULT_PRODUCE_PARTITIONS;
  const topics = { off: `bench-off-${topicSuffix}`, on: `bench-on-${topicSuffix}` };
  const segment = String(segmentBytes);
  await cluster.admin.createTopic({
    name: topics.off,
    numPartitions: partitions,
    replicationFactor: 3,
    configs: { 'segment.bytes': segment },
  });
  await cluster.admin.createTopic({
    name: topics.on,
    numPartitions: partitions,
    replicationFactor: 3,
    configs: { 'remote.storage.enable': 'true', 'segment.bytes': segment, 'local.retention.bytes': '0' },
  });
  const bootstrap = cluster.brokers.addresses();
  const brokerPids = cluster
    .processes()
    .filter((found) => found.role === 'broker')
    .map((found) => found.pid);
  const start = await brokerTotals(cluster);
  const onLeaderDirs = await leaderDirs(cluster, topics.on);
  const warmUpBytes = Math.max(RECORD_BYTES, Math.floor(bytesPerRun * WARM_UP_FRACTION));
  // The same warm-up for both; the on topic's copies of it finish before anything is measured.
  for (const topic of [topics.off, topics.on]) await produce(bootstrap, topic, warmUpBytes, partitions);
  await waitUntilCopied(onLeaderDirs);
  const sides = {
    off: emptySide(),
    on: emptySide(),
  };
  for (const side of ['off', 'on', 'on', 'off', 'off', 'on'] as const) {
    const run = sides[side];
    // On this machine the object store shares the brokers' two cores, which S3 would not.
    const minioBefore = readProc(minioPid())?.cpuSeconds ?? 0;
    const brokersBefore = cpuSecondsOf(brokerPids);
    const threadsBefore = threadCpuSecondsOf(brokerPids);
    const producerBefore = process.cpuUsage();
    const startNs = process.hrtime.bigint();
    const {
      producedBytes: produced,
      requests,
      retries,
    } = await produce(bootstrap, topics[side], bytesPerRun, partitions);
    const ackedSeconds = Number(process.hrtime.bigint() - startNs) / 1e9;
    // The off topic keeps its segments (nothing to wait for); the on topic's must leave the disk.
    if (side === 'on') {
      run.lagAtAckBytes.push(rolledBytesOnLeaders(onLeaderDirs));
      if (!(await waitUntilCopied(onLeaderDirs))) run.undrainedRuns++;
    }
    const endNs = process.hrtime.bigint();
    if (side === 'on') run.drainSeconds.push(Number(endNs - startNs) / 1e9 - ackedSeconds);
    const seconds = Number(endNs - startNs) / 1e9;
    run.windowsUs.push([Number(startNs / 1_000n), Number(endNs / 1_000n)]);
    run.mbps.push(mbPerSecond(produced, seconds));
    run.ackedMbps.push(mbPerSecond(produced, ackedSeconds));
    run.brokerCpuSeconds += cpuSecondsOf(brokerPids) - brokersBefore;
    const threadsAfter = threadCpuSecondsOf(brokerPids);
    for (const group of BROKER_THREAD_GROUPS)
      run.brokerThreadCpuSeconds[group] += threadsAfter[group] - threadsBefore[group];
    run.minioCpuSeconds += (readProc(minioPid())?.cpuSeconds ?? 0) - minioBefore;
    const producerUsage = process.cpuUsage(producerBefore);
    const producerSeconds = (producerUsage.user + producerUsage.system) / 1e6;
    run.producerCpuSeconds += producerSeconds;
    run.producerCpuPerGBRuns.push(producerSeconds / (produced / 1e9));
    run.producerRequests += requests;
    run.producerRetries += retries;
    run.producedBytes += produced;
  }
  // Only the on topic tiers, so every PUT and copied byte since the row started is its own.
  const end = await brokerTotals(cluster, topics.on);
  const copiedBytes = end.copiedBytes - start.copiedBytes;
  return {
    segmentBytes,
    bytesPerRun,
    partitions,
    off: sides.off,
    on: sides.on,
    putsPerGiB: copiedBytes === 0 ? 0 : (end.puts - start.puts) / (copiedBytes / GiB),
    copiedBytes,
    copyLagBytesAtEnd: end.copyLagBytes,
    remoteBytesAtEnd: end.remoteBytes,
  };
}

function emptySide(): {
  mbps: number[];
  ackedMbps: number[];
  lagAtAckBytes: number[];
  drainSeconds: number[];
  brokerCpuSeconds: number;
  brokerThreadCpuSeconds: Record<BrokerThreadGroup, number>;
  minioCpuSeconds: number;
  producerCpuSeconds: number;
  producerCpuPerGBRuns: number[];
  producerRequests: number;
  producerRetries: number;
  producedBytes: number;
  undrainedRuns: number;
  windowsUs: (readonly [number, number])[];
} {
  return {
    mbps: [],
    ackedMbps: [],
    lagAtAckBytes: [],
    drainSeconds: [],
    brokerCpuSeconds: 0,
    brokerThreadCpuSeconds: { MainThread: 0, V8Worker: 0, 'libuv-worker': 0, other: 0 },
    minioCpuSeconds: 0,
    producerCpuSeconds: 0,
    producerCpuPerGBRuns: [],
    producerRequests: 0,
    producerRetries: 0,
    producedBytes: 0,
    undrainedRuns: 0,
    windowsUs: [],
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
