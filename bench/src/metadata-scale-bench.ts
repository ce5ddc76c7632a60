/**
 * `pnpm bench:metadata`: how far the metadata plane scales.
 *
 * Part 1, through a real quorum: three controller processes on loopback (OS-chosen ports, data
 * in a temp dir, every process stopped by pid at the end, also on error). The bench process
 * plays the brokers: it registers them (RegisterBroker, with racks) and keeps them alive and
 * caught up with BrokerHeartbeat, reporting the leader's applied metadata offset as its own.
 * Once they are unfenced it creates topics through CreateTopics in batches (several topics
 * per request, within the controller's 10,000-records-per-operation limit) until the target
 * partition count (3 replicas each) exists, and reports time, rate, controller resident memory
 * before and after, the metadata log on disk, and the cost of DescribeCluster/DescribeTopics.
 *
 * Part 2, in-process: builds images of 1M and 2M partitions (3 replicas each), writes each as
 * a snapshot, and loads it in a fresh child process (clean RSS): write/load time, file size,
 * heap and RSS after load, bytes per partition, and how that compares with Kafka KRaft's
 * stated ~2 million partitions on a 3-node controller quorum.
 *
 * Part 3, through a real quorum started from a seeded snapshot (metadata-seed.ts): the
 * unavailability window after a broker dies, from its kill to the last of its partitions with a
 * live leader and an ISR without it (unavailability-window.ts), at 10k, 100k and 1M partitions;
 * with --baseline, the same against another build's controllers in the same run.
 *
 * Part 4: a controller that lags behind a 2M-partition snapshot catches up (the snapshot is
 * streamed to it in chunks; snapshot-catch-up.ts).
 *
 * Flags: --quick (10k partitions, 100k-partition snapshot, windows at 10k and 100k, catch-up at
 * 100k), --partitions <n>, --partitions-per-topic <n> (100), --topics-per-request <n> (50),
 * --brokers <n> (6), --racks <n> (3), --heartbeat-ms <n> (2000, Kafka's
 * broker.heartbeat.interval.ms), --snapshot-partitions <n,n> (1000000,2000000),
 * --window-partitions <n,n> (10000,100000,1000000), --catch-up-partitions <n> (2000000),
 * --baseline <dir> (a built checkout, e.g. from bench/peers/baseline-checkout.sh: parts 3 and 4
 * also run its controllers), --skip-cluster, --skip-snapshot, --skip-window, --skip-catch-up,
 * --keep (keep the temp dir with the controllers' logs and data), --cpu-prof (profile every
 * controller of part 1; the leader's hottest functions are printed and the .cpuprofile files
 * kept), --dir <path>, --set key=value (controller configuration).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerClient } from '@sluice/controller';
import { LocalCluster, sleep } from '@sluice/local-cluster';
import { MAX_RESPONSE_PARTITION_LIMIT, writeSnapshot } from '@sluice/metadata';
import type { DescribeTopicsResponse__Output, TopicPartitionCursor } from '@sluice/proto';
import { buildSeedImage, SEED_BROKERS } from './metadata-seed';
import { measureCatchUp, type CatchUpResult } from './snapshot-catch-up';
import { measureWindow, VICTIM, windowDir, type WindowResult } from './unavailability-window';
import { cpuProfileEnv } from './cpu-profile-env';
import { MiB } from './measure';
import { formatNumber, markdownTable, median } from './table';

// ------------------------------------------------------------------ flags

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function has(name: string): boolean {
  return process.argv.includes(name);
}

function intFlag(name: string, fallback: number): number {
  const text = flag(name);
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} ${text} is not a positive integer`);
  return value;
}

/** Extra controller configuration from --set key=value. */
function settings(): Record<string, string> {
  const out: Record<string, string> = {};
  process.argv.forEach((arg, i) => {
    const value = process.argv[i + 1];
    if (arg === '--set' && value !== undefined && value.includes('='))
      out[value.slice(0, value.indexOf('='))] = value.slice(value.indexOf('=') + 1);
  });
  return out;
}

const quick = has('--quick');
const targetPartitions = intFlag('--partitions', quick ? 10_000 : 100_000);
const partitionsPerTopic = intFlag('--partitions-per-topic', 100);
const topicsPerRequest = intFlag('--topics-per-request', 50);
const brokerCount = intFlag('--brokers', 6);
const rackCount = intFlag('--racks', 3);
const heartbeatMs = intFlag('--heartbeat-ms', 2_000);
function listFlag(name: string, fallback: string): number[] {
  return (flag(name) ?? fallback).split(',').map((text) => {
    const value = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`${name} ${text} is not a list of positive integers`);
    return value;
  });
}

const snapshotSizes = listFlag('--snapshot-partitions', quick ? '100000' : '1000000,2000000');
const windowSizes = listFlag('--window-partitions', quick ? '10000,100000' : '10000,100000,1000000');
const catchUpPartitions = intFlag('--catch-up-partitions', quick ? 100_000 : 2_000_000);
const baseline = flag('--baseline');
const REPLICATION_FACTOR = 3;
/** Kafka KRaft's stated scale (KIP-500 and Confluent's KRaft material): about 2 million partitions on a 3-node controller quorum. */
const KRAFT_CLAIM_PARTITIONS = 2_000_000;
/** grpc.max_send/receive_message_length in @sluice/runtime's grpc.ts. */
const GRPC_MAX_MESSAGE_BYTES = 64 * MiB;

const out = (text: string): boolean => process.stdout.write(text);
const note = (text: string): boolean => process.stderr.write(`${text}\n`);
const mib = (bytes: number): string => formatNumber(bytes / MiB, 1);
const count = (value: number): string => formatNumber(value, 0);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

// ------------------------------------------------------------------ process memory and disk

interface ProcMemory {
  readonly rssBytes: number;
  /** Peak resident size over the process's life (VmHWM). */
  readonly peakRssBytes: number;
}

/** VmRSS and VmHWM of a process from /proc/<pid>/status; undefined if it is gone or not Linux. */
function procMemory(pid: number | undefined): ProcMemory | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string): number =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface DiskUsage {
  raftLogBytes: number;
  snapshotBytes: number;
  auditBytes: number;
  otherBytes: number;
  segments: number;
}

/** Bytes under a controller's metadata directory, by kind (Raft log segments, snapshots, audit log). */
function diskUsage(
  dir: string,
  into: DiskUsage = { raftLogBytes: 0, snapshotBytes: 0, auditBytes: 0, otherBytes: 0, segments: 0 },
): DiskUsage {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      diskUsage(path, into);
      continue;
    }
    const size = statSync(path).size;
    if (entry.name.endsWith('.log') && /^\d+\.log$/.test(entry.name)) {
      into.raftLogBytes += size;
      into.segments++;
    } else if (entry.name.endsWith('.snapshot')) into.snapshotBytes += size;
    else if (entry.name.startsWith('audit')) into.auditBytes += size;
    else into.otherBytes += size;
  }
  return into;
}

// ------------------------------------------------------------------ the bench plays the brokers

function kafkaUuid(): string {
  return randomBytes(16).toString('base64url');
}

interface BrokerSlot {
  readonly brokerId: number;
  readonly rack: string;
  brokerEpoch: string;
  fenced: boolean;
}

/**
 * Brokers played by this process: registered once, then heartbeating every `intervalMs` with
 * the leader's applied metadata offset as their own (a broker that is never behind).
 */
class PlayedBrokers {
  readonly slots: BrokerSlot[];
  readonly heartbeatMs: number[] = [];
  /** Heartbeats answered isFenced after the broker had been unfenced (a lease that expired). */
  fencedAgain = 0;
  heartbeatErrors = 0;
  /** Brokers that stopped heartbeating (a broker failure, as the controller sees it). */
  readonly silenced = new Set<number>();
  /** When each broker's last heartbeat was answered (performance.now()). */
  readonly lastAnsweredAt = new Map<number, number>();
  private metadataOffset = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly client: ControllerClient,
    brokers: number,
    racks: number,
  ) {
    this.slots = Array.from({ length: brokers }, (_, i) => ({
      brokerId: i + 1,
      rack: `rack-${i % racks}`,
      brokerEpoch: '-1',
      fenced: true,
    }));
  }

  async register(): Promise<void> {
    for (const slot of this.slots) {
      const response = await this.client.call('RegisterBroker', {
        brokerId: slot.brokerId,
        clusterId: this.cluster.clusterId,
        incarnationId: kafkaUuid(),
        listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19_092 + slot.brokerId }],
        rack: slot.rack,
      });
      slot.brokerEpoch = String(response.brokerEpoch);
    }
  }

  /** The leader's applied offset, from DescribeCluster on whichever node the client prefers. */
  private async refreshOffset(): Promise<void> {
    const answer = await this.client.call('DescribeCluster', {});
    if (answer.controllerId === answer.nodeId)
      this.metadataOffset = Math.max(this.metadataOffset, Number(answer.metadataOffset));
  }

  /** One heartbeat from every broker, concurrently. */
  async round(): Promise<void> {
    await this.refreshOffset();
    await Promise.all(
      this.slots
        .filter((slot) => !this.silenced.has(slot.brokerId))
        .map(async (slot) => {
          const started = performance.now();
          try {
            const response = await this.client.call('BrokerHeartbeat', {
              brokerId: slot.brokerId,
              brokerEpoch: slot.brokerEpoch,
              currentMetadataOffset: String(this.metadataOffset),
              wantFence: false,
              wantShutdown: false,
            });
            this.lastAnsweredAt.set(slot.brokerId, performance.now());
            if (response.isFenced && !slot.fenced) this.fencedAgain++;
            slot.fenced = response.isFenced;
            if (this.running) this.heartbeatMs.push(performance.now() - started);
          } catch (error) {
            this.heartbeatErrors++;
            note(
              `heartbeat of broker ${slot.brokerId} failed: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }),
    );
  }

  async untilUnfenced(timeoutMs: number): Promise<number> {
    const started = performance.now();
    while (this.slots.some((slot) => slot.fenced)) {
      if (performance.now() - started > timeoutMs)
        throw new Error(
          `brokers still fenced after ${timeoutMs} ms: ${this.slots
            .filter((s) => s.fenced)
            .map((s) => s.brokerId)
            .join(', ')}`,
        );
      await this.round();
      await sleep(50);
    }
    return performance.now() - started;
  }

  start(intervalMs: number): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const started = performance.now();
        await this.round().catch((error: unknown) => {
          this.heartbeatErrors++;
          note(`heartbeat round failed: ${error instanceof Error ? error.message : String(error)}`);
        });
        await sleep(Math.max(0, intervalMs - (performance.now() - started)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

// ------------------------------------------------------------------ part 1: a real quorum

interface ClusterResult {
  readonly partitions: number;
  readonly topics: number;
  readonly requests: number;
  readonly seconds: number;
  readonly requestMs: number[];
  readonly unfenceMs: number;
  readonly before: Map<number, ProcMemory | undefined>;
  readonly after: Map<number, ProcMemory | undefined>;
  readonly leaderId: number;
  /** Leadership moved during the run (an election mid-bench). */
  readonly leaderChanged: boolean;
  readonly disk: Map<number, DiskUsage>;
  readonly metadataOffset: number;
  readonly catchUpMs: number;
  readonly describeClusterMs: number;
  readonly describeTopicsMs: number | string;
  readonly describePages: number;
  /** The leader process was still running after DescribeTopics. */
  readonly leaderAlive: boolean;
  /** The broker that stopped heartbeating, and how long after its last answered heartbeat it was fenced. */
  readonly victim: number;
  readonly fenceMs: number | string;
  /** Partitions whose ISR still names the fenced broker (DescribeTopics). */
  readonly isrWithVictim: number;
  readonly leaderAfterFence: number;
  readonly leaderAfterDescribe: number;
  readonly describedPartitions: number;
  readonly describedReplicas: number;
  readonly leadersPerBroker: Map<number, number>;
  readonly brokers: PlayedBrokers;
  readonly clientRetries: number;
  readonly clientRedirects: number;
  readonly profile: { dir: string; top: string[][] } | undefined;
  readonly stoppedPids: { pid: number; alive: boolean }[];
}

async function runCluster(baseDir: string): Promise<ClusterResult> {
  const profileDir = has('--cpu-prof') ? mkdtempSync(join(tmpdir(), 'sluice-metadata-scale-cpuprof-')) : undefined;
  const cluster = await LocalCluster.create({
    baseDir,
    roles: {
      controller: {
        count: 3,
        config: settings(),
        env: cpuProfileEnv(profileDir),
      },
      broker: { count: 0 },
    },
  });
  const controllers = cluster.controllers;
  const releaseSignals = cluster.stopOnSignals(2_000);
  controllers.startAll();
  const pids = cluster.processes().map((running) => running.pid);
  // Long attempts: one CreateTopics of thousands of records may take more than a second, and
  // a retried attempt would only find its own topics already created.
  const admin = new ControllerClient(controllers.addresses(), {
    timeoutMs: 120_000,
    attemptTimeoutMs: 60_000,
    retryBackoffMs: 20,
  });
  const brokerClient = new ControllerClient(controllers.addresses(), {
    timeoutMs: 30_000,
    attemptTimeoutMs: 10_000,
    retryBackoffMs: 20,
  });
  const brokers = new PlayedBrokers(cluster, brokerClient, brokerCount, rackCount);
  const stoppedPids: { pid: number; alive: boolean }[] = [];
  try {
    const leaderId = await cluster.waitForControllerLeader(30_000);
    await brokers.register();
    const unfenceMs = await brokers.untilUnfenced(30_000);
    brokers.start(heartbeatMs);
    // Let the leader settle after start-up (bootstrap, registrations) before the baseline.
    await sleep(1_000);
    const memoryOf = (): Map<number, ProcMemory | undefined> =>
      new Map(controllers.nodeIds.map((id) => [id, procMemory(controllers.pid(id))]));
    const before = memoryOf();

    const topics = Math.ceil(targetPartitions / partitionsPerTopic);
    const requestMs: number[] = [];
    let created = 0;
    let partitions = 0;
    const started = performance.now();
    let lastReport = started;
    for (let first = 0; first < topics; first += topicsPerRequest) {
      const batch = [];
      for (let t = first; t < Math.min(topics, first + topicsPerRequest); t++) {
        const numPartitions = Math.min(partitionsPerTopic, targetPartitions - t * partitionsPerTopic);
        batch.push({
          name: `scale-${String(t).padStart(6, '0')}`,
          numPartitions,
          replicationFactor: REPLICATION_FACTOR,
          assignments: [],
          configs: {},
        });
      }
      const requestStarted = performance.now();
      const response = await admin.call('CreateTopics', { topics: batch, validateOnly: false });
      requestMs.push(performance.now() - requestStarted);
      for (const result of response.topics) {
        if (result.errorName !== '')
          throw new Error(`CreateTopics ${result.name}: ${result.errorName} ${result.errorMessage}`);
        created++;
        partitions += result.numPartitions;
      }
      if (performance.now() - lastReport > 2_000) {
        lastReport = performance.now();
        note(
          `${count(partitions)} partitions in ${((lastReport - started) / 1000).toFixed(1)} s; last request ${requestMs.at(-1)?.toFixed(0)} ms`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;

    // Followers catch up: every node reports the leader's offset.
    const catchUpStarted = performance.now();
    const leaderNow = await cluster.waitForControllerLeader(10_000);
    let metadataOffset = 0;
    for (;;) {
      const answers = await Promise.all(controllers.nodeIds.map((id) => cluster.describeController(id, 5_000)));
      const leaderAnswer = answers.find((answer) => answer?.nodeId === leaderNow);
      metadataOffset = Number(leaderAnswer?.metadataOffset ?? 0);
      if (answers.every((answer) => answer !== undefined && Number(answer.metadataOffset) >= metadataOffset)) break;
      if (performance.now() - catchUpStarted > 60_000) throw new Error('followers did not catch up within 60 s');
      await sleep(50);
    }
    const catchUpMs = performance.now() - catchUpStarted;
    // A moment for the processes to settle (GC after the last applies), then measure.
    await sleep(2_000);
    const after = memoryOf();

    // One broker fails (stops heartbeating): how long until the controller has fenced it and
    // moved leadership and ISR membership off its partitions, all in one committed entry.
    const victim = brokers.slots.at(-1)?.brokerId ?? 1;
    brokers.silenced.add(victim);
    const silencedAt = performance.now();
    let fenceMs: number | string = `not fenced within 60 s`;
    for (;;) {
      const answer = await admin.call('DescribeCluster', {}).catch(() => undefined);
      if (answer?.brokers?.find((broker) => broker.brokerId === victim)?.fenced === true) {
        fenceMs = performance.now() - (brokers.lastAnsweredAt.get(victim) ?? silencedAt);
        break;
      }
      if (performance.now() - silencedAt > 60_000) break;
      await sleep(50);
    }
    const leaderAfterFence = await cluster.waitForControllerLeader(10_000);

    const leaderAddress = controllers.address(leaderAfterFence);
    let describeStarted = performance.now();
    await admin.callNode(leaderAddress, 'DescribeCluster', {}, 30_000);
    const describeClusterMs = performance.now() - describeStarted;
    describeStarted = performance.now();
    let describeTopicsMs: number | string;
    let describePages = 0;
    let describedPartitions = 0;
    let describedReplicas = 0;
    const leadersPerBroker = new Map<number, number>();
    let isrWithVictim = 0;
    try {
      // Every page (the most partitions an answer may hold), as Admin.describeTopics would.
      const described: { topics: DescribeTopicsResponse__Output['topics'] } = { topics: [] };
      let cursor: TopicPartitionCursor | null = null;
      do {
        const page: DescribeTopicsResponse__Output = await admin.callNode(
          leaderAddress,
          'DescribeTopics',
          { names: [], cursor, responsePartitionLimit: MAX_RESPONSE_PARTITION_LIMIT },
          120_000,
        );
        described.topics.push(...page.topics);
        describePages++;
        cursor = page.nextCursor;
      } while (cursor !== null);
      describeTopicsMs = performance.now() - describeStarted;
      for (const topic of described.topics) {
        if (!topic.name.startsWith('scale-')) continue;
        for (const partition of topic.partitions ?? []) {
          describedPartitions++;
          describedReplicas += partition.replicas?.length ?? 0;
          leadersPerBroker.set(partition.leader, (leadersPerBroker.get(partition.leader) ?? 0) + 1);
          if (partition.isr?.includes(victim) === true) isrWithVictim++;
        }
      }
    } catch (error) {
      // One answer for every topic grows with the cluster; report its failure rather than lose the run.
      describeTopicsMs = `failed after ${formatNumber(performance.now() - describeStarted, 0)} ms: ${error instanceof Error ? error.message : String(error)}`;
      note(`DescribeTopics (all topics) failed: ${String(describeTopicsMs)}`);
    }
    const leaderAlive = controllers.isRunning(leaderAfterFence);
    // A long synchronous answer blocks the leader's event loop, Raft heartbeats included.
    const leaderAfterDescribe = await cluster.waitForControllerLeader(10_000).catch(() => -1);
    await brokers.stop();
    const disk = new Map(controllers.nodeIds.map((id) => [id, diskUsage(controllers.dataDir(id))]));
    const leaderPid = controllers.pid(leaderNow);
    admin.close();
    brokerClient.close();
    // A clean stop (SIGTERM) so that --cpu-prof writes its profiles.
    await controllers.stopAll(10_000);
    for (const pid of pids) stoppedPids.push({ pid, alive: isAlive(pid) });
    return {
      partitions,
      topics: created,
      requests: requestMs.length,
      seconds,
      requestMs,
      unfenceMs,
      before,
      after,
      leaderId: leaderNow,
      leaderChanged: leaderNow !== leaderId,
      disk,
      metadataOffset,
      catchUpMs,
      describeClusterMs,
      describeTopicsMs,
      describePages,
      leaderAlive,
      victim,
      fenceMs,
      isrWithVictim,
      leaderAfterFence,
      leaderAfterDescribe,
      describedPartitions,
      describedReplicas,
      leadersPerBroker,
      brokers,
      clientRetries: admin.retries,
      clientRedirects: admin.redirects,
      profile: profileDir === undefined ? undefined : { dir: profileDir, top: hottest(profileDir, leaderPid) },
      stoppedPids,
    };
  } finally {
    await brokers.stop();
    admin.close();
    brokerClient.close();
    await cluster.stop();
    releaseSignals();
  }
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

/** Self time by function from the leader's .cpuprofile (file names carry the pid). */
function hottest(dir: string, leaderPid: number | undefined): string[][] {
  const file = readdirSync(dir).find(
    (name) => name.endsWith('.cpuprofile') && leaderPid !== undefined && name.includes(`.${leaderPid}.`),
  );
  if (file === undefined) return [['(no profile of the leader was written)', '', '']];
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
  };
  const totalSamples = profile.samples.length;
  const microsPerSample = (profile.endTime - profile.startTime) / Math.max(1, totalSamples);
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where =
      url === '' ? '' : `${url.replace(/^.*\/(packages|services|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName === '' ? '(anonymous)' : functionName} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([name, hits]) => [
      name,
      formatNumber((hits * microsPerSample) / 1000, 0),
      formatNumber((100 * hits) / Math.max(1, totalSamples), 1),
    ]);
}

function printCluster(result: ClusterResult): void {
  const leaderBefore = result.before.get(result.leaderId);
  const leaderAfter = result.after.get(result.leaderId);
  out(
    `\n## Metadata scale: ${count(result.partitions)} partitions x ${REPLICATION_FACTOR} replicas through a 3-controller quorum (real processes, loopback, ${cpus().length} cores)\n\n`,
  );
  out(
    `The bench process plays ${brokerCount} brokers in ${rackCount} racks: it registers them (RegisterBroker) and heartbeats every ${heartbeatMs} ms (BrokerHeartbeat) reporting the leader's applied metadata offset as its own, so they are unfenced and never behind. No broker process runs. Topics: ${count(result.topics)} x ${partitionsPerTopic} partitions, ${topicsPerRequest} topics (${count(topicsPerRequest * (partitionsPerTopic + 1))} records) per CreateTopics request, requests sent one after another.\n\n`,
  );
  const decile = Math.max(1, Math.floor(result.requestMs.length / 10));
  out(
    `${markdownTable(
      ['measure', 'value'],
      [
        [
          'partitions created (CreateTopics answers; DescribeTopics saw)',
          `${count(result.partitions)} (${count(result.describedPartitions)} with ${count(result.describedReplicas)} replicas)`,
        ],
        ['CreateTopics requests', count(result.requests)],
        ['total time', `${formatNumber(result.seconds, 2)} s`],
        ['partitions/s', count(result.partitions / result.seconds)],
        [
          'request latency p50 / p99 / max',
          `${formatNumber(median(result.requestMs), 0)} / ${formatNumber(percentile(result.requestMs, 99), 0)} / ${formatNumber(Math.max(...result.requestMs), 0)} ms`,
        ],
        [
          'request latency, first 10% vs last 10% (mean)',
          `${formatNumber(mean(result.requestMs.slice(0, decile)), 0)} ms vs ${formatNumber(mean(result.requestMs.slice(-decile)), 0)} ms`,
        ],
        ['brokers unfenced after registration', `${formatNumber(result.unfenceMs, 0)} ms`],
        [
          'heartbeat latency p50 / max during creation',
          result.brokers.heartbeatMs.length === 0
            ? 'n/a'
            : `${formatNumber(median(result.brokers.heartbeatMs), 0)} / ${formatNumber(Math.max(...result.brokers.heartbeatMs), 0)} ms`,
        ],
        [
          'brokers fenced again / heartbeat errors',
          `${result.brokers.fencedAgain} / ${result.brokers.heartbeatErrors}`,
        ],
        ['admin client NOT_CONTROLLER redirects / retries', `${result.clientRedirects} / ${result.clientRetries}`],
        ['controller leader changed during creation', result.leaderChanged ? 'yes' : 'no'],
        [
          `broker ${result.victim} stops heartbeating: its FenceBroker (with the first chunk of moves) committed after (the whole window: part 3)`,
          typeof result.fenceMs === 'number'
            ? `${formatNumber(result.fenceMs, 0)} ms since its last answered heartbeat (broker.session.timeout.ms: ${settings()['broker.session.timeout.ms'] ?? '9000 default'})`
            : result.fenceMs,
        ],
        [
          `partitions led by / ISR naming broker ${result.victim} afterwards`,
          typeof result.describeTopicsMs === 'number'
            ? `${count(result.leadersPerBroker.get(result.victim) ?? 0)} / ${count(result.isrWithVictim)}`
            : 'n/a (DescribeTopics failed)',
        ],
        [
          'controller leader: after creation / after the fence / after DescribeTopics',
          `${result.leaderId} / ${result.leaderAfterFence} / ${result.leaderAfterDescribe}`,
        ],
        ['followers caught up after the last commit', `${formatNumber(result.catchUpMs, 0)} ms`],
        ['metadata offset (Raft index) at the end', count(result.metadataOffset)],
        ['DescribeCluster on the leader', `${formatNumber(result.describeClusterMs, 1)} ms`],
        [
          `DescribeTopics (all ${count(result.topics)} topics, ${count(result.describePages)} pages of <= ${count(MAX_RESPONSE_PARTITION_LIMIT)} partitions) on the leader`,
          typeof result.describeTopicsMs === 'number'
            ? `${formatNumber(result.describeTopicsMs, 0)} ms`
            : result.describeTopicsMs,
        ],
        ['leader process still running after the describes', result.leaderAlive ? 'yes' : 'NO'],
        [
          'partition leaders per broker',
          [...result.leadersPerBroker.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([id, n]) => `${id}:${count(n)}`)
            .join(' '),
        ],
      ],
    )}\n\n`,
  );
  const memoryRows = [...result.after.keys()].map((id) => {
    const before = result.before.get(id);
    const after = result.after.get(id);
    const growth = before !== undefined && after !== undefined ? after.rssBytes - before.rssBytes : NaN;
    return [
      `${id}${id === result.leaderId ? ' (leader)' : ''}`,
      before === undefined ? 'n/a' : mib(before.rssBytes),
      after === undefined ? 'n/a' : mib(after.rssBytes),
      after === undefined ? 'n/a' : mib(after.peakRssBytes),
      Number.isNaN(growth) ? 'n/a' : formatNumber(growth / result.partitions, 0),
    ];
  });
  out(`### Controller resident memory (/proc/<pid>/status)\n\n`);
  out(
    `${markdownTable(['controller', 'VmRSS before MiB', 'VmRSS after MiB', 'VmHWM (peak) MiB', 'RSS growth bytes/partition'], memoryRows)}\n\n`,
  );
  const diskRows = [...result.disk.entries()].map(([id, usage]) => [
    `${id}${id === result.leaderId ? ' (leader)' : ''}`,
    `${mib(usage.raftLogBytes)} (${usage.segments} segment${usage.segments === 1 ? '' : 's'})`,
    mib(usage.snapshotBytes),
    mib(usage.auditBytes),
    formatNumber(usage.raftLogBytes / result.partitions, 0),
  ]);
  out(`### Metadata directory on disk\n\n`);
  out(
    `${markdownTable(['controller', 'Raft log MiB', 'snapshots MiB', 'audit log MiB', 'log bytes/partition'], diskRows)}\n\n`,
  );
  const dead = result.stoppedPids.filter((p) => !p.alive).length;
  out(
    `Controller processes stopped by pid (SIGTERM, then SIGKILL if needed): ${dead}/${result.stoppedPids.length} gone (${result.stoppedPids.map((p) => p.pid).join(', ')}).\n`,
  );
  if (leaderBefore !== undefined && leaderAfter !== undefined) {
    const perPartition = (leaderAfter.rssBytes - leaderBefore.rssBytes) / result.partitions;
    out(
      `Leader RSS extrapolated linearly to ${count(KRAFT_CLAIM_PARTITIONS)} partitions: ~${mib(leaderBefore.rssBytes + perPartition * KRAFT_CLAIM_PARTITIONS)} MiB; creating them at this rate: ~${formatNumber(KRAFT_CLAIM_PARTITIONS / (result.partitions / result.seconds) / 60, 1)} min.\n`,
    );
  }
  if (result.profile !== undefined) {
    out(`\n### Leader CPU profile (self time, --cpu-prof; files kept in ${result.profile.dir})\n\n`);
    out(`${markdownTable(['function', 'self ms', '% of samples'], result.profile.top)}\n`);
  }
}

// ------------------------------------------------------------------ part 2: snapshots

interface SnapshotResult {
  readonly partitions: number;
  readonly topics: number;
  readonly buildSeconds: number;
  readonly writeSeconds: number;
  readonly fileBytes: number;
  readonly loadSeconds: number;
  readonly loadedPartitions: number;
  readonly baseRssBytes: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  /** V8 heap plus external memory (ArrayBuffers: the partition tables), after a full GC. */
  readonly baseHeapBytes: number;
  readonly heapBytes: number;
  readonly partitionTableBytes: number;
}

interface ProbeOutput {
  loadSeconds: number;
  topics: number;
  partitions: number;
  partitionTableBytes: number;
  before: { rssBytes: number; heapUsedBytes: number; externalBytes: number };
  after: { rssBytes: number; heapUsedBytes: number; externalBytes: number };
  peakRssBytes: number;
}

async function runSnapshot(baseDir: string, partitions: number): Promise<SnapshotResult> {
  const path = join(baseDir, `image-${partitions}.snapshot`);
  let started = performance.now();
  let built: ReturnType<typeof buildSeedImage> | undefined = buildSeedImage(partitions);
  const buildSeconds = (performance.now() - started) / 1000;
  const topics = built.topics;
  started = performance.now();
  const summary = await writeSnapshot(built.image, path);
  const writeSeconds = (performance.now() - started) / 1000;
  built = undefined;
  // The child loads from a file the parent no longer holds; env without NODE_OPTIONS (no profiling).
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawnSync(process.execPath, ['--expose-gc', join(__dirname, 'snapshot-load-probe.js'), path], {
    encoding: 'utf8',
    env,
    maxBuffer: 16 * MiB,
  });
  rmSync(path, { force: true });
  if (child.status !== 0) throw new Error(`snapshot-load-probe exited ${child.status}: ${child.stderr}`);
  const probe = JSON.parse(child.stdout.trim()) as ProbeOutput;
  if (probe.partitions !== partitions) throw new Error(`loaded ${probe.partitions} partitions, expected ${partitions}`);
  return {
    partitions,
    topics,
    buildSeconds,
    writeSeconds,
    fileBytes: summary.sizeBytes,
    loadSeconds: probe.loadSeconds,
    loadedPartitions: probe.partitions,
    baseRssBytes: probe.before.rssBytes,
    rssBytes: probe.after.rssBytes,
    peakRssBytes: probe.peakRssBytes,
    baseHeapBytes: probe.before.heapUsedBytes + probe.before.externalBytes,
    heapBytes: probe.after.heapUsedBytes + probe.after.externalBytes,
    partitionTableBytes: probe.partitionTableBytes,
  };
}

function printSnapshots(results: readonly SnapshotResult[], cluster: ClusterResult | undefined): void {
  out(
    `\n## Metadata snapshot (in-process image, ${REPLICATION_FACTOR} replicas per partition, 100 partitions per topic; load in a fresh child process)\n\n`,
  );
  out(
    `${markdownTable(
      [
        'partitions',
        'topics',
        'build s',
        'write s',
        'file MiB',
        'file bytes/partition',
        'load s',
        'heap+external after load MiB',
        'heap+external bytes/partition',
        'RSS after load MiB',
        'peak RSS MiB',
        'RSS bytes/partition',
      ],
      results.map((r) => [
        count(r.partitions),
        count(r.topics),
        formatNumber(r.buildSeconds, 2),
        formatNumber(r.writeSeconds, 2),
        mib(r.fileBytes),
        formatNumber(r.fileBytes / r.partitions, 1),
        formatNumber(r.loadSeconds, 2),
        mib(r.heapBytes),
        formatNumber((r.heapBytes - r.baseHeapBytes) / r.partitions, 1),
        mib(r.rssBytes),
        mib(r.peakRssBytes),
        formatNumber((r.rssBytes - r.baseRssBytes) / r.partitions, 1),
      ]),
    )}\n\n`,
  );
  const tooBig = results.filter((r) => r.fileBytes > GRPC_MAX_MESSAGE_BYTES);
  out(
    `Raft ships a snapshot to a lagging controller as one message, and @sluice/runtime caps gRPC messages at ${mib(GRPC_MAX_MESSAGE_BYTES)} MiB: ${
      tooBig.length === 0
        ? 'every snapshot above fits.'
        : `the snapshot of ${tooBig.map((r) => count(r.partitions)).join(' and ')} partitions does not (not exercised here; arithmetic on the file size).`
    }\n`,
  );
  out(
    `Heap (V8 heap plus external memory: the partition tables are ArrayBuffers) and RSS are after a full GC; bytes/partition subtract the child's baseline before loading (heap+external ${mib(results[0]?.baseHeapBytes ?? 0)} MiB, RSS ${mib(results[0]?.baseRssBytes ?? 0)} MiB).\n`,
  );

  // How far from Kafka KRaft's ~2M partitions on 3 controllers.
  const base = results.find((r) => r.partitions === 1_000_000) ?? results[0];
  if (base === undefined) return;
  const measured = results.find((r) => r.partitions === KRAFT_CLAIM_PARTITIONS);
  const scale = KRAFT_CLAIM_PARTITIONS / base.partitions;
  const rows: string[][] = [
    [
      'snapshot file',
      `${mib(base.fileBytes * scale)} MiB`,
      measured === undefined ? 'not run' : `${mib(measured.fileBytes)} MiB`,
    ],
    [
      'snapshot write',
      `${formatNumber(base.writeSeconds * scale, 1)} s`,
      measured === undefined ? 'not run' : `${formatNumber(measured.writeSeconds, 1)} s`,
    ],
    [
      'snapshot load (fresh process)',
      `${formatNumber(base.loadSeconds * scale, 1)} s`,
      measured === undefined ? 'not run' : `${formatNumber(measured.loadSeconds, 1)} s`,
    ],
    [
      'image heap+external after load',
      `${mib(base.baseHeapBytes + (base.heapBytes - base.baseHeapBytes) * scale)} MiB`,
      measured === undefined ? 'not run' : `${mib(measured.heapBytes)} MiB`,
    ],
    [
      'RSS after load (image only)',
      `${mib(base.baseRssBytes + (base.rssBytes - base.baseRssBytes) * scale)} MiB`,
      measured === undefined ? 'not run' : `${mib(measured.rssBytes)} MiB`,
    ],
  ];
  if (cluster !== undefined) {
    const before = cluster.before.get(cluster.leaderId);
    const after = cluster.after.get(cluster.leaderId);
    if (before !== undefined && after !== undefined) {
      rows.push([
        `controller leader RSS (linear from ${count(cluster.partitions)} created)`,
        `${mib(before.rssBytes + ((after.rssBytes - before.rssBytes) / cluster.partitions) * KRAFT_CLAIM_PARTITIONS)} MiB`,
        'not run',
      ]);
    }
    rows.push([
      'creating them through CreateTopics (linear)',
      `${formatNumber(KRAFT_CLAIM_PARTITIONS / (cluster.partitions / cluster.seconds) / 60, 1)} min`,
      'not run',
    ]);
  }
  out(`\n### Against Kafka KRaft's stated ~${count(KRAFT_CLAIM_PARTITIONS)} partitions on 3 controllers\n\n`);
  out(
    `${markdownTable([`at ${count(KRAFT_CLAIM_PARTITIONS)} partitions`, `extrapolated from ${count(base.partitions)}`, 'measured'], rows)}\n\n`,
  );
}

// ------------------------------------------------------------------ parts 3 and 4

/** The builds parts 3 and 4 run: this one, and the baseline's controllers with --baseline. */
function builds(): { readonly name: string; readonly workspace?: string }[] {
  return baseline === undefined
    ? [{ name: 'this build' }]
    : [{ name: 'baseline', workspace: baseline }, { name: 'this build' }];
}

const msOrText = (value: number | string): string =>
  typeof value === 'number' ? `${formatNumber(value, 0)} ms` : value;

function printWindows(results: readonly { build: string; result: WindowResult }[]): void {
  out(
    `\n## Unavailability window after a broker dies (3 controllers from a seeded snapshot, ${SEED_BROKERS} played brokers heartbeating every ${heartbeatMs} ms, broker ${VICTIM} killed right after a heartbeat; broker.session.timeout.ms ${settings()['broker.session.timeout.ms'] ?? '9000'})\n\n`,
  );
  out(
    `Times from the kill, as the leader's committed metadata feed delivers them (what brokers see). The window ends when the last of the dead broker's partitions has a live leader and an ISR without it.\n\n`,
  );
  out(
    `${markdownTable(
      [
        'partitions',
        'led by it / ISRs naming it',
        'build',
        'FenceBroker committed',
        'last leadership moved',
        'last ISR cleaned',
        'window (kill -> last move)',
        'after the fence',
        'entries with moves',
      ],
      results.map(({ build, result }) => [
        count(result.partitions),
        `${count(result.ledByVictim)} / ${count(result.isrWithVictim)}`,
        build,
        msOrText(result.fenceMs),
        msOrText(result.lastLeaderMs),
        msOrText(result.lastIsrMs),
        msOrText(result.windowMs),
        typeof result.windowMs === 'number' && typeof result.fenceMs === 'number'
          ? `${formatNumber(result.windowMs - result.fenceMs, 0)} ms`
          : 'n/a',
        count(result.moveEntries),
      ]),
    )}\n\n`,
  );
}

function printCatchUps(results: readonly { build: string; result: CatchUpResult }[]): void {
  out(
    `\n## A controller lagging behind a snapshot catches up (two controllers start from a seeded snapshot, the third with an empty log)\n\n`,
  );
  out(
    `${markdownTable(
      [
        'partitions',
        'snapshot MiB',
        'build',
        'catch-up (start -> snapshot applied)',
        'transfer (leader log)',
        'transfers started',
      ],
      results.map(({ build, result }) => [
        count(result.partitions),
        mib(result.snapshotBytes),
        build,
        msOrText(result.catchUpMs),
        result.transferMs === undefined ? 'n/a' : `${formatNumber(result.transferMs, 0)} ms`,
        count(result.transfers),
      ]),
    )}\n\n`,
  );
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const baseDir = mkdtempSync(join(flag('--dir') ?? tmpdir(), 'sluice-bench-metadata-'));
  let cluster: ClusterResult | undefined;
  const snapshots: SnapshotResult[] = [];
  try {
    if (!has('--skip-cluster')) {
      const clusterDir = join(baseDir, 'cluster');
      mkdirSync(clusterDir);
      cluster = await runCluster(clusterDir);
      printCluster(cluster);
    }
    if (!has('--skip-snapshot')) {
      for (const partitions of snapshotSizes) {
        note(`snapshot: building and writing an image of ${count(partitions)} partitions`);
        snapshots.push(await runSnapshot(baseDir, partitions));
      }
      printSnapshots(snapshots, cluster);
    }
    if (!has('--skip-window')) {
      const windows: { build: string; result: WindowResult }[] = [];
      for (const partitions of windowSizes) {
        for (const build of builds()) {
          const result = await measureWindow({
            baseDir: windowDir(baseDir, build.workspace === undefined ? 'this' : 'baseline', partitions),
            partitions,
            ...(build.workspace === undefined ? {} : { workspace: build.workspace }),
            heartbeatMs,
            timeoutMs: 600_000,
            controllerConfig: settings(),
            note,
          });
          note(`window at ${count(partitions)} partitions (${build.name}): ${msOrText(result.windowMs)}`);
          windows.push({ build: build.name, result });
        }
      }
      printWindows(windows);
    }
    if (!has('--skip-catch-up')) {
      const catchUps: { build: string; result: CatchUpResult }[] = [];
      for (const build of builds()) {
        const dir = join(baseDir, `catch-up-${build.workspace === undefined ? 'this' : 'baseline'}`);
        mkdirSync(dir, { recursive: true });
        const result = await measureCatchUp({
          baseDir: dir,
          partitions: catchUpPartitions,
          ...(build.workspace === undefined ? {} : { workspace: build.workspace }),
          timeoutMs: build.workspace === undefined ? 600_000 : 120_000,
          controllerConfig: settings(),
          note,
        });
        note(`catch-up of ${count(catchUpPartitions)} partitions (${build.name}): ${msOrText(result.catchUpMs)}`);
        catchUps.push({ build: build.name, result });
      }
      printCatchUps(catchUps);
    }
  } finally {
    if (has('--keep')) note(`kept ${baseDir} (controller logs: cluster/controller-N.out)`);
    else rmSync(baseDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `metadata scale bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
