/**
 * `pnpm bench:produce`: the produce data path end to end, on real processes on loopback: one
 * controller and three brokers (LocalCluster; data in a temp dir),
 * a topic of 12 partitions per configuration, 1 KiB records (pseudo-random, uncompressed):
 *
 * - rf3: replication factor 3, min.insync.replicas 2, acks=all, idempotent (the SDK's defaults,
 *   max.in.flight.requests.per.connection 5);
 * - rf3-if1: the same with max.in.flight 1 (one Produce request per broker at a time): what
 *   pipelining several requests on the producer's ProduceStream buys;
 * - rf1: replication factor 1, acks=1, not idempotent.
 *
 * For each: (1) peak throughput, the SDK's Producer in child process(es) sending as fast as
 * back-pressure allows (at most --max-unacked records unacknowledged), acknowledged records
 * counted over the measured window after a warm-up; (2) latency at 50% of that peak
 * (--latency-fraction), a paced Producer stamping each record with its send time (header `t`)
 * and a Consumer (its own process, all 12 partitions, started at the end) measuring send ->
 * receive, and the producer send -> ack; the consumer also counts records of a partition that
 * arrive behind a later-sent one. The baseline, measured first in the same run, before the
 * cluster starts: a grpc-js client-streaming call between two processes carrying the same
 * record batches (--raw-message-bytes, default the producer's batch.size) to a server that only
 * counts them; ratio = our MB/s / raw MB/s. A second baseline isolates what gRPC itself costs
 * on our request shape: unary Produce calls of the Broker service's protobuf (--unary-batches
 * record batches per call, --max-in-flight calls in flight on each of 3 channels, as a producer
 * has one per broker) to a server that only counts and answers (no SDK, no log, no replication). CPU of every process over each measured window comes
 * from /proc/<pid>/stat, and the whole machine's from /proc/stat (Linux), so the busiest process
 * and what other processes took are printed with the figures.
 *
 * Every child (brokers, controller, workers) is stopped by pid at the end, also on errors and
 * Ctrl-C. MB/s counts record values (1 KiB = 1,024 bytes per record; 1 MB = 10^6 bytes).
 *
 * Flags: --quick (5 s peak, 4 s latency windows), --seconds <n> (peak window, default 15),
 * --latency-seconds <n> (10), --warmup-seconds <n> (2; 1 with --quick), --producers <n>
 * (producer processes for the peak, default 1), --configs rf3,rf3-if1,rf1, --max-in-flight <n>
 * (5; rf3 and rf1), --max-unacked <n> (8192), --linger-ms <n> (5), --batch-size <n> (16384),
 * --raw-message-bytes <n> (16384), --unary-batches <n> (3), --latency-fraction <x> (0.5), --cpu-prof (profile every
 * broker and worker; the busiest broker's and each peak producer's hottest code is printed, the
 * .cpuprofile files kept), --keep (keep the temp dir with the logs), --dir <path>.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster, sleep, waitFor } from '@sluice/local-cluster';
import { RECORD_VALUE_BYTES } from './batches';
import { cpuProfileEnv } from './cpu-profile-env';
import { formatNumber, markdownTable } from './table';
import {
  wallMs,
  type ConsumeResult,
  type GoMessage,
  type PacedResult,
  type PeakResult,
  type Percentiles,
  type ProducerSettings,
  type RawResult,
  type Window,
  type WorkerMessage,
  type WorkerTask,
} from './produce-bench-protocol';

// ------------------------------------------------------------------ flags

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function numberFlag(name: string, fallback: number): number {
  const text = flag(name);
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} ${text} is not a positive number`);
  return value;
}

const quick = process.argv.includes('--quick');
const peakSeconds = numberFlag('--seconds', quick ? 5 : 15);
const latencySeconds = numberFlag('--latency-seconds', quick ? 4 : 10);
const warmupSeconds = numberFlag('--warmup-seconds', quick ? 1 : 2);
const producerCount = Math.floor(numberFlag('--producers', 1));
const maxUnacked = Math.floor(numberFlag('--max-unacked', 8_192));
const lingerMs = Math.floor(numberFlag('--linger-ms', 5));
const batchSizeBytes = Math.floor(numberFlag('--batch-size', 16_384));
const maxInFlight = Math.floor(numberFlag('--max-in-flight', 5));
const rawMessageBytes = Math.floor(numberFlag('--raw-message-bytes', batchSizeBytes));
const latencyFraction = numberFlag('--latency-fraction', 0.5);
const unaryBatches = Math.floor(numberFlag('--unary-batches', 3));
const cpuProf = process.argv.includes('--cpu-prof');
const keep = process.argv.includes('--keep');
const PARTITIONS = 12;

interface BenchConfig {
  readonly name: string;
  readonly label: string;
  readonly topic: string;
  readonly replicationFactor: number;
  readonly producer: ProducerSettings;
}

const ALL_CONFIGS: readonly BenchConfig[] = [
  {
    name: 'rf3',
    label: `RF 3, acks=all, idempotent${maxInFlight === 5 ? '' : `, max.in.flight ${maxInFlight}`}`,
    topic: 'bench-produce-rf3',
    replicationFactor: 3,
    producer: {
      acks: 'all',
      enableIdempotence: true,
      lingerMs,
      batchSizeBytes,
      maxInFlightRequestsPerConnection: maxInFlight,
    },
  },
  {
    // Same as rf3 with one Produce request per broker at a time: no pipelining on the stream.
    name: 'rf3-if1',
    label: 'RF 3, acks=all, idempotent, max.in.flight 1',
    topic: 'bench-produce-rf3-if1',
    replicationFactor: 3,
    producer: { acks: 'all', enableIdempotence: true, lingerMs, batchSizeBytes, maxInFlightRequestsPerConnection: 1 },
  },
  {
    name: 'rf1',
    label: `RF 1, acks=1${maxInFlight === 5 ? '' : `, max.in.flight ${maxInFlight}`}`,
    topic: 'bench-produce-rf1',
    replicationFactor: 1,
    producer: {
      acks: 1,
      enableIdempotence: false,
      lingerMs,
      batchSizeBytes,
      maxInFlightRequestsPerConnection: maxInFlight,
    },
  },
];
const wanted = (flag('--configs') ?? 'rf3,rf3-if1,rf1').split(',');
const configs = ALL_CONFIGS.filter((config) => wanted.includes(config.name));
if (configs.length === 0)
  throw new RangeError(`--configs ${wanted.join(',')}: expected some of ${ALL_CONFIGS.map((c) => c.name).join(',')}`);

const out = (text: string): boolean => process.stdout.write(text);
const note = (text: string): boolean => process.stderr.write(`${text}\n`);
const mb = (records: number, seconds: number): number => (records * RECORD_VALUE_BYTES) / 1e6 / seconds;
const ms = (value: number): string => (Number.isNaN(value) ? 'n/a' : formatNumber(value, value < 10 ? 2 : 1));

// ------------------------------------------------------------------ worker processes

interface Worker<R> {
  readonly label: string;
  readonly pid: number;
  readonly ready: Promise<number | undefined>;
  readonly result: Promise<R>;
  go(window: Window): void;
}

class Workers {
  private readonly live = new Set<ChildProcess>();

  /** `execArgv`: Node flags for every worker (--cpu-prof). */
  constructor(private readonly execArgv: readonly string[] = []) {}

  start<R>(label: string, task: WorkerTask): Worker<R> {
    const child = fork(join(__dirname, 'produce-bench-worker.js'), [JSON.stringify(task)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...this.execArgv],
    });
    this.live.add(child);
    let readyResolve!: (port: number | undefined) => void;
    let fail!: (error: Error) => void;
    let resultResolve!: (result: R) => void;
    const ready = new Promise<number | undefined>((resolve, reject) => {
      readyResolve = resolve;
      fail = reject;
    });
    const result = new Promise<R>((resolve, reject) => {
      resultResolve = resolve;
      const previous = fail;
      fail = (error) => {
        previous(error);
        reject(error);
      };
    });
    ready.catch(() => undefined);
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') readyResolve(message.port);
      else if (message.type === 'result') resultResolve(message.result as R);
      else fail(new Error(`${label}: ${message.message}`));
    });
    child.once('exit', (code, signal) => {
      this.live.delete(child);
      fail(new Error(`${label} (pid ${child.pid}) exited with ${signal ?? code} before its result`));
    });
    return {
      label,
      pid: child.pid as number,
      ready,
      result,
      go: (window) => child.send({ type: 'go', window } satisfies GoMessage),
    };
  }

  /** SIGKILL (by pid) whatever is still running. */
  killAll(): void {
    for (const child of this.live) {
      try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** A window starting shortly after now: `warmup` seconds not counted, then `seconds` counted. */
function windowFromNow(warmup: number, seconds: number): Window {
  const startAt = wallMs() + 100;
  const measureFrom = startAt + warmup * 1000;
  return { startAt, measureFrom, measureTo: measureFrom + seconds * 1000 };
}

// ------------------------------------------------------------------ CPU per process

/** utime + stime of a process in clock ticks (Linux /proc; USER_HZ is 100 on every mainstream kernel). */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

const TICKS_PER_SECOND = 100;

/** Busy and total clock ticks of the whole machine (first line of /proc/stat). */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Key of the whole machine's busy % (of cores x 100) in cpuDuring's answer. */
const MACHINE = 'machine';

/** CPU % (100 = one core) of each process between `from` and `to` (wall ms). */
async function cpuDuring(pids: ReadonlyMap<string, number>, window: Window): Promise<Map<string, number>> {
  await sleep(window.measureFrom - wallMs());
  const before = new Map([...pids].map(([label, pid]) => [label, cpuTicks(pid)]));
  const selfBefore = process.cpuUsage();
  const machineBefore = machineTicks();
  const started = wallMs();
  await sleep(window.measureTo - wallMs());
  const seconds = (wallMs() - started) / 1000;
  const result = new Map<string, number>();
  for (const [label, pid] of pids) {
    const a = before.get(label);
    const b = cpuTicks(pid);
    if (a !== undefined && b !== undefined) result.set(label, ((b - a) / TICKS_PER_SECOND / seconds) * 100);
  }
  const self = process.cpuUsage(selfBefore);
  result.set('driver', ((self.user + self.system) / 1e6 / seconds) * 100);
  const machineAfter = machineTicks();
  if (machineBefore !== undefined && machineAfter !== undefined && machineAfter.total > machineBefore.total) {
    result.set(
      MACHINE,
      ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * cpus().length * 100,
    );
  }
  return result;
}

function cpuText(cpu: ReadonlyMap<string, number>): string {
  const ours = [...cpu].filter(([label]) => label !== MACHINE);
  const total = ours.reduce((sum, [, value]) => sum + value, 0);
  const machine = cpu.get(MACHINE);
  const others = machine === undefined ? '' : `, other processes ${formatNumber(Math.max(0, machine - total), 0)}%`;
  return `${ours.map(([label, value]) => `${label} ${formatNumber(value, 0)}%`).join(', ')}; ours ${formatNumber(total, 0)}%${others} of ${cpus().length * 100}%`;
}

// ------------------------------------------------------------------ phases

interface RawFigures {
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
  readonly wireMbPerSecond: number;
  readonly messageBytes: number;
  readonly cpu: Map<string, number>;
}

async function runRaw(workers: Workers): Promise<RawFigures> {
  const server = workers.start<RawResult>('raw grpc server', { role: 'raw-server' });
  const port = await server.ready;
  const client = workers.start<RawResult>('raw grpc client', {
    role: 'raw-client',
    address: `127.0.0.1:${port}`,
    messageBytes: rawMessageBytes,
  });
  await client.ready;
  const window = windowFromNow(warmupSeconds, peakSeconds);
  server.go(window);
  client.go(window);
  const [cpu, counted, sent] = await Promise.all([
    cpuDuring(
      new Map([
        ['raw server', server.pid],
        ['raw client', client.pid],
      ]),
      window,
    ),
    server.result,
    client.result,
  ]);
  const recordsPerMessage = Math.max(1, Math.floor((rawMessageBytes - 61) / (RECORD_VALUE_BYTES + 11)));
  const records = counted.messages * recordsPerMessage;
  return {
    recordsPerSecond: records / counted.seconds,
    mbPerSecond: mb(records, counted.seconds),
    wireMbPerSecond: counted.bytes / 1e6 / counted.seconds,
    messageBytes: sent.bytes / Math.max(1, sent.messages),
    cpu,
  };
}

async function runUnary(workers: Workers): Promise<RawFigures> {
  const server = workers.start<RawResult>('unary grpc server', { role: 'unary-server' });
  const port = await server.ready;
  const client = workers.start<RawResult>('unary grpc client', {
    role: 'unary-client',
    address: `127.0.0.1:${port}`,
    batchBytes: rawMessageBytes,
    batchesPerRequest: unaryBatches,
    inFlight: maxInFlight,
    channels: 3,
  });
  await client.ready;
  const window = windowFromNow(warmupSeconds, peakSeconds);
  server.go(window);
  client.go(window);
  const [cpu, counted] = await Promise.all([
    cpuDuring(
      new Map([
        ['unary server', server.pid],
        ['unary client', client.pid],
      ]),
      window,
    ),
    server.result,
    client.result,
  ]);
  const records = counted.messages * Math.max(1, Math.floor((rawMessageBytes - 61) / (RECORD_VALUE_BYTES + 11)));
  return {
    recordsPerSecond: records / counted.seconds,
    mbPerSecond: mb(records, counted.seconds),
    wireMbPerSecond: counted.bytes / 1e6 / counted.seconds,
    messageBytes: counted.bytes / Math.max(1, counted.messages),
    cpu,
  };
}

interface PeakFigures {
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
  readonly recordsPerRequest: number;
  readonly retries: number;
  readonly epochBumps: number;
  readonly errors: Record<string, number>;
  readonly firstError: string;
  readonly cpu: Map<string, number>;
  readonly producerPids: readonly number[];
}

function addCounts(into: Record<string, number>, counts: Readonly<Record<string, number>>): Record<string, number> {
  for (const [name, n] of Object.entries(counts)) into[name] = (into[name] ?? 0) + n;
  return into;
}

function countsText(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '0' : entries.map(([name, n]) => `${n} ${name}`).join(', ');
}

async function runPeak(
  workers: Workers,
  config: BenchConfig,
  bootstrap: string,
  cluster: ReadonlyMap<string, number>,
): Promise<PeakFigures> {
  const producers = Array.from({ length: producerCount }, (_, i) =>
    workers.start<PeakResult>(`producer ${i + 1}`, {
      role: 'peak',
      bootstrap,
      topic: config.topic,
      producer: config.producer,
      maxUnacked,
    }),
  );
  await Promise.all(producers.map((p) => p.ready));
  const window = windowFromNow(warmupSeconds, peakSeconds);
  for (const p of producers) p.go(window);
  const pids = new Map([
    ...cluster,
    ...producers.map((p, i) => [producerCount === 1 ? 'producer' : `producer ${i + 1}`, p.pid] as const),
  ]);
  const [cpu, results] = await Promise.all([cpuDuring(pids, window), Promise.all(producers.map((p) => p.result))]);
  const records = results.reduce((sum, r) => sum + r.records, 0);
  const seconds = results[0]?.seconds ?? peakSeconds;
  return {
    recordsPerSecond: records / seconds,
    mbPerSecond: mb(records, seconds),
    recordsPerRequest: results.reduce((sum, r) => sum + r.recordsPerRequest, 0) / results.length,
    retries: results.reduce((sum, r) => sum + r.retries, 0),
    epochBumps: results.reduce((sum, r) => sum + r.epochBumps, 0),
    errors: results.reduce((sum, r) => addCounts(sum, r.errors), {} as Record<string, number>),
    firstError: results.find((r) => r.firstError !== '')?.firstError ?? '',
    cpu,
    producerPids: producers.map((p) => p.pid),
  };
}

interface LatencyFigures {
  readonly recordsPerSecond: number;
  readonly e2e: Percentiles;
  readonly ack: Percentiles;
  readonly received: number;
  readonly reordered: number;
  readonly sent: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly firstError: string;
  readonly maxUnacked: number;
  readonly cpu: Map<string, number>;
}

async function runLatency(
  workers: Workers,
  config: BenchConfig,
  bootstrap: string,
  cluster: ReadonlyMap<string, number>,
  recordsPerSecond: number,
): Promise<LatencyFigures> {
  const consumer = workers.start<ConsumeResult>('consumer', {
    role: 'consume',
    bootstrap,
    topic: config.topic,
    graceMs: 5_000,
  });
  const producer = workers.start<PacedResult>('paced producer', {
    role: 'paced',
    bootstrap,
    topic: config.topic,
    producer: config.producer,
    recordsPerSecond,
  });
  await Promise.all([consumer.ready, producer.ready]);
  const window = windowFromNow(1, latencySeconds);
  consumer.go(window);
  producer.go(window);
  const pids = new Map([...cluster, ['producer', producer.pid], ['consumer', consumer.pid]]);
  const [cpu, sent, received] = await Promise.all([cpuDuring(pids, window), producer.result, consumer.result]);
  return {
    recordsPerSecond: sent.sent / sent.seconds,
    e2e: received.e2e,
    ack: sent.ack,
    received: received.e2e.count,
    reordered: received.reordered,
    sent: sent.sent,
    errors: sent.errors,
    firstError: sent.firstError,
    maxUnacked: sent.maxUnacked,
    cpu,
  };
}

// ------------------------------------------------------------------ cluster

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

/** Where a profile node's code lives: a workspace package, a dependency, Node's internals, or V8's pseudo-nodes. */
function codeArea(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const workspace = /\/(packages|services|bench)\/([^/]+)\//.exec(url);
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url.slice(url.lastIndexOf('node_modules/.pnpm/') + 1));
  if (dependency !== null) return dependency[1] as string;
  if (workspace !== null) return workspace[1] === 'bench' ? 'bench' : `@sluice/${workspace[2]}`;
  // Node's own code by module: node:internal/http2/core -> node:http2, node:internal/streams/writable -> node:streams.
  const internal = /^node:(?:internal\/)?([^/:]+)/.exec(url);
  if (internal !== null) return `node:${(internal[1] as string).replace(/\.js$/, '')}`;
  return url;
}

/** Self time of one .cpuprofile, as % of the non-idle samples: by code area, and the top functions. */
function hottest(file: string): { areas: string[][]; functions: string[][] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const hits = node.hitCount ?? 0;
    if (functionName === '(idle)') continue;
    busy += hits;
    const where =
      url === '' ? '' : `${url.replace(/^.*\/(packages|services|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName === '' ? '(anonymous)' : functionName} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    const area = codeArea(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  const top = (map: Map<string, number>, n: number): string[][] =>
    [...map.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([name, hits]) => [name, formatNumber((100 * hits) / Math.max(1, busy), 1)]);
  return { areas: top(byArea, 10), functions: top(byFunction, 12) };
}

// ------------------------------------------------------------------ main

interface ConfigFigures {
  readonly config: BenchConfig;
  readonly peak: PeakFigures;
  readonly latency: LatencyFigures;
  readonly leaders: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg();
  const baseDir = mkdtempSync(join(flag('--dir') ?? tmpdir(), 'sluice-bench-produce-'));
  const profileDir = cpuProf ? mkdtempSync(join(tmpdir(), 'sluice-bench-produce-cpuprof-')) : undefined;
  const workers = new Workers(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  let cluster: LocalCluster | undefined;
  const cleanup = async (): Promise<void> => {
    workers.killAll();
    // SIGTERM first, so profiled brokers write their profiles.
    await cluster?.stop();
    if (!keep) rmSync(baseDir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const figures: ConfigFigures[] = [];
  let raw: RawFigures;
  let unary: RawFigures;
  const brokerPids = new Map<number, number>();
  try {
    note(`raw grpc-js baseline: ${warmupSeconds} s warm-up + ${peakSeconds} s`);
    raw = await runRaw(workers);
    note(`  ${formatNumber(raw.mbPerSecond, 1)} MB/s (${cpuText(raw.cpu)})`);
    note(`raw grpc-js unary Produce baseline: ${warmupSeconds} s warm-up + ${peakSeconds} s`);
    unary = await runUnary(workers);
    note(`  ${formatNumber(unary.mbPerSecond, 1)} MB/s (${cpuText(unary.cpu)})`);

    cluster = await LocalCluster.start(
      {
        baseDir,
        roles: {
          controller: { count: 1 },
          broker: {
            config: { 'broker.heartbeat.interval.ms': 200, 'min.insync.replicas': 2 },
            env: cpuProfileEnv(profileDir),
          },
          coordinator: { count: 0 },
        },
      },
      { brokersTimeoutMs: 30_000 },
    );
    const admin = cluster.admin;
    const bootstrap = cluster.brokers.addresses().join(',');
    const processes = new Map<string, number>();
    for (const running of cluster.processes()) {
      processes.set(running.role === 'controller' ? 'controller' : `${running.role} ${running.nodeId}`, running.pid);
      if (running.role === 'broker') brokerPids.set(running.nodeId, running.pid);
    }
    for (const config of configs) {
      const created = await admin.createTopic({
        name: config.topic,
        numPartitions: PARTITIONS,
        replicationFactor: config.replicationFactor,
      });
      if (created.error !== undefined) throw created.error;
    }
    for (const config of configs) {
      await waitFor(
        `${config.topic}: every partition led, full ISR`,
        async () => {
          const topic = await admin.describeTopic(config.topic);
          return (
            topic.partitions.length === PARTITIONS &&
            topic.partitions.every((p) => p.leader >= 0 && p.isr.length === config.replicationFactor)
          );
        },
        30_000,
      );
    }

    for (const config of configs) {
      const topic = await admin.describeTopic(config.topic);
      const perBroker = new Map<number, number>();
      for (const p of topic.partitions) perBroker.set(p.leader, (perBroker.get(p.leader) ?? 0) + 1);
      const leaders = [...perBroker]
        .sort((a, b) => a[0] - b[0])
        .map(([id, n]) => `b${id}:${n}`)
        .join(' ');
      note(
        `${config.label}: peak with ${producerCount} producer process(es), ${warmupSeconds} s warm-up + ${peakSeconds} s`,
      );
      const peak = await runPeak(workers, config, bootstrap, processes);
      note(
        `  ${formatNumber(peak.recordsPerSecond, 0)} records/s, ${formatNumber(peak.mbPerSecond, 1)} MB/s (${cpuText(peak.cpu)})`,
      );
      note(
        `  retries ${peak.retries}, epoch bumps ${peak.epochBumps}, failed sends: ${countsText(peak.errors)}${peak.firstError === '' ? '' : ` (first: ${peak.firstError})`}`,
      );
      const rate = Math.max(1, Math.round(peak.recordsPerSecond * latencyFraction));
      note(`${config.label}: latency at ${formatNumber(rate, 0)} records/s, 1 s warm-up + ${latencySeconds} s`);
      const latency = await runLatency(workers, config, bootstrap, processes, rate);
      note(`  e2e p50 ${ms(latency.e2e.p50)} p99 ${ms(latency.e2e.p99)} ms (${cpuText(latency.cpu)})`);
      figures.push({ config, peak, latency, leaders });
    }
  } finally {
    await cleanup();
  }

  // ------------------------------------------------------------------ report
  const loadAfter = loadavg();
  const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(' ');
  out(
    `\n## Produce throughput and latency${quick ? ' (--quick)' : ''}: 1 controller + 3 brokers (real processes, loopback), ${PARTITIONS} partitions, 1 KiB records, ${cpus().length} cores\n\n`,
  );
  out(
    `Peak: ${producerCount} producer process(es), ${warmupSeconds} s warm-up + ${peakSeconds} s measured, at most ${maxUnacked} records unacknowledged, linger.ms ${lingerMs}, batch.size ${batchSizeBytes}, no compression. Latency: ${latencySeconds} s at ${formatNumber(latencyFraction * 100, 0)}% of the peak, paced producer and consumer in their own processes. Raw: grpc-js client stream of ${formatNumber(raw.messageBytes, 0)}-byte record batches (${Math.floor((rawMessageBytes - 61) / (RECORD_VALUE_BYTES + 11))} records each) between two processes, ${peakSeconds} s. MB/s = record values (10^6 bytes). Load average before / after: ${load(loadBefore)} / ${load(loadAfter)}.\n\n`,
  );
  const rows = figures.map(({ config, peak, latency }) => [
    config.label,
    formatNumber(peak.recordsPerSecond, 0),
    formatNumber(peak.mbPerSecond, 1),
    formatNumber(peak.mbPerSecond / raw.mbPerSecond, 2),
    `${ms(latency.e2e.p50)} / ${ms(latency.e2e.p99)} / ${ms(latency.e2e.p999)}`,
    `${ms(latency.ack.p50)} / ${ms(latency.ack.p99)}`,
  ]);
  rows.push([
    'raw grpc-js stream (baseline)',
    formatNumber(raw.recordsPerSecond, 0),
    formatNumber(raw.mbPerSecond, 1),
    '1.00',
    '',
    '',
  ]);
  rows.push([
    `raw grpc-js unary Produce (${unaryBatches} batches/call, 3 channels x ${maxInFlight} in flight)`,
    formatNumber(unary.recordsPerSecond, 0),
    formatNumber(unary.mbPerSecond, 1),
    formatNumber(unary.mbPerSecond / raw.mbPerSecond, 2),
    '',
    '',
  ]);
  out(
    `${markdownTable(['config', 'records/s', 'MB/s', 'ratio to raw grpc', `e2e p50 / p99 / p99.9 ms at ${formatNumber(latencyFraction * 100, 0)}%`, 'ack p50 / p99 ms'], rows)}\n\n`,
  );

  const details = figures.map(({ config, peak, latency, leaders }) => [
    config.label,
    formatNumber(peak.mbPerSecond / unary.mbPerSecond, 2),
    leaders,
    formatNumber(peak.recordsPerRequest, 1),
    `${peak.retries} / ${peak.epochBumps} / ${countsText(peak.errors)}`,
    `${formatNumber(latency.recordsPerSecond, 0)} (${formatNumber(latency.sent, 0)} sent, ${formatNumber(latency.received, 0)} received)`,
    `${ms(latency.e2e.max)} / ${ms(latency.ack.max)}`,
    `${latency.maxUnacked} / ${countsText(latency.errors)} / ${formatNumber(latency.reordered, 0)}`,
  ]);
  out(
    `${markdownTable(['config', 'ratio to raw unary Produce', 'leaders', 'records per Produce request', 'peak: batch retries / epoch bumps / failed sends', 'paced records/s', 'max e2e / ack ms', 'paced: max unacked / failed sends / records out of send order'], details)}\n\n`,
  );
  const firstErrors = figures.flatMap(({ config, peak, latency }) =>
    [peak.firstError, latency.firstError].filter((e) => e !== '').map((e) => `- ${config.label}: ${e}`),
  );
  if (firstErrors.length > 0) out(`First failed send per phase:\n${[...new Set(firstErrors)].join('\n')}\n\n`);

  out(`### CPU per process over each measured window (100% = one core)\n\n`);
  const cpuRows: string[][] = [
    ['raw grpc-js stream', cpuText(raw.cpu)],
    ['raw grpc-js unary Produce', cpuText(unary.cpu)],
  ];
  for (const { config, peak, latency } of figures) {
    cpuRows.push([`${config.name} peak`, cpuText(peak.cpu)]);
    cpuRows.push([`${config.name} latency at ${formatNumber(latencyFraction * 100, 0)}%`, cpuText(latency.cpu)]);
  }
  out(`${markdownTable(['phase', 'CPU'], cpuRows)}\n`);

  if (profileDir !== undefined) {
    // The broker busiest over the last peak phase.
    const lastPeak = figures.at(-1)?.peak.cpu;
    let busiest: [number, number] | undefined;
    for (const [id, pid] of brokerPids) {
      const cpu = lastPeak?.get(`broker ${id}`) ?? 0;
      if (busiest === undefined || cpu > busiest[1]) busiest = [pid, cpu];
    }
    const profileOf = (pid: number | undefined): string => {
      const file = readdirSync(profileDir).find(
        (name) => pid !== undefined && name.endsWith('.cpuprofile') && name.includes(`.${pid}.`),
      );
      if (file === undefined) return '(no profile written)\n';
      const { areas, functions } = hottest(join(profileDir, file));
      return `${markdownTable(['code', '% of busy samples'], areas)}\n\n${markdownTable(['function', '% of busy samples'], functions)}\n`;
    };
    out(`\n### CPU profiles (self time; files kept in ${profileDir})\n\n`);
    out(`Busiest broker of the last peak phase (whole run):\n\n${profileOf(busiest?.[0])}\n`);
    for (const { config, peak } of figures)
      out(`Peak producer, ${config.label} (its whole life):\n\n${profileOf(peak.producerPids[0])}\n`);
  }
  note(`\ndone in ${formatNumber((Date.now() - started) / 1000, 0)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `produce bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
