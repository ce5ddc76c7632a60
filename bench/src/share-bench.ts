/**
 * `pnpm bench:share`: share group (KIP-932) throughput on real processes on loopback: one
 * controller, three brokers and three coordinators (LocalCluster; data in a temp dir), a topic of
 * 3 partitions, replication factor 3,
 * min.insync.replicas 2, per record size (default 1 KiB and 100 B).
 *
 * Per record size: every share group of the run first gets its share partitions initialized (a
 * member polls until the share coordinator holds a state for each partition:
 * share.auto.offset.reset=latest, so only records produced after that are delivered), then N
 * records are produced (acks=all, spread evenly over the partitions), then each scenario reads
 * all N of them, one after another:
 *
 * - share, 12 / 3 / 1 members: ShareConsumers (implicit acknowledgement, commitSync after every
 *   poll) in one share group. A record counts once its ACCEPT was confirmed (commitSync answered
 *   null for its partition); a record seen again (deliveryCount > 1) is a redelivery. "durable s"
 *   is when CoordinatorShareStatePersister.read(key, -1) (polled every 50 ms) shows the share
 *   start offset at the partition end on every partition.
 * - share12-fetch: 12 members, no commitSync: implicit mode's ACCEPTs ride on the next ShareFetch;
 *   the records count when the durable start offset is at every partition's end ("s" = "durable s").
 * - baselines (consumer group, 12 / 3 / 1 members): Consumers with a group.id (KIP-848,
 *   auto.offset.reset earliest, no auto commit) committing after every poll (commitSync); a record
 *   counts once the commit covering it returned. Each share row's ratio is over the consumer group
 *   with the same number of members (with 3 partitions, 9 of a consumer group's 12 members idle:
 *   that is what a user gets from 12 consumers of either kind).
 * - plain consumer: one Consumer, all partitions assigned, no commits (what reading costs alone).
 *
 * "s" runs from the first record delivered to the last one confirmed (the group joins before it
 * are not counted; "join s" shows them; the plain consumer is timed from its creation, and at
 * small record sizes its first fetch may bring everything, so its row is an upper bound);
 * records/s = N / s. Every scenario runs --repeat times (each run its own group, all reading the
 * same records; the runs interleave the scenarios so a slow spell of the shared machine hits all
 * of them); every run is printed as it ends, the table shows the run with the median records/s
 * and lists every run's; ratio = median records/s over the median of the consumer group with as
 * many members, same record size. An unmeasured warm-up pass (share1, share3, group3 on 20,000
 * records of 1 KiB: JIT, connections, the state topics' first writes) comes first. The default
 * 300,000 records make a run last several seconds (at 0.3-0.5 s, as 20,000 did, the group joins
 * and the first fetches weighed on the figure). "state writes" are the brokers' share state
 * writes through the share coordinator during the run, with their mean latency (the brokers'
 * sluice_broker_share_state_write_seconds histogram): every acquisition and acknowledgement is
 * written before the answer, one write at a time per share partition, the steps decided while a
 * write is out merged into the next one (group commit). The consumers run in this
 * bench process (one event loop for all of them); its CPU is printed with the brokers' and
 * coordinators' (from /proc/<pid>/stat) over each run, as the machine has 2 cores. MB/s counts
 * record values (1 MB = 10^6 bytes).
 *
 * A second table says where the rounds' time went (a round: one poll() and its commitSync()): the
 * consumers' mean time in poll() (polls that brought records) and in commitSync() per round, and
 * from the processes' own histograms over the run, per RPC, the requests and their mean queue /
 * local / remote ms: the brokers' ShareFetch, ShareAcknowledge, share state writes, Fetch, and
 * Produce (the coordinators' appends to their topics), the coordinators' WriteShareGroupState and
 * OffsetCommit. Each run's JSON also holds its window on the monotonic clock (`monotonicUs`, the
 * clock of V8's .cpuprofile timestamps) to cut --cpu-prof samples to one scenario.
 *
 * Flags: --quick (20,000 records per size, 1 run), --records <n> (default 300,000 per size),
 * --repeat <n> (3; 1 with --quick), --sizes <bytes,bytes> (1024,100), --max-poll-records <n>
 * (500), --scenarios share12,share3,share1,share12-fetch,group12,group3,group1,plain (all), --cpu-prof (profile brokers and
 * coordinators from start-up; the hottest functions of the busiest broker and coordinator are
 * printed, .cpuprofile files and logs kept), --keep (keep the temp dir with logs), --json <path>
 * (default bench/results/share-<time>.json).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type Admin,
  Consumer,
  CoordinatorShareStatePersister,
  Producer,
  ShareConsumer,
  type ShareConsumerRecord,
} from '@sluice/client';
import { LocalCluster, sleep, waitFor, type LocalRole } from '@sluice/local-cluster';
import { ProcSampler } from './compare-procs';
import { cpuProfileEnv } from './cpu-profile-env';
import { flag, intListFlag } from './flags';
import { formatNumber, markdownTable } from './table';

// ------------------------------------------------------------------ flags

const quick = process.argv.includes('--quick');
const [recordCount] = intListFlag('--records', [quick ? 20_000 : 300_000]) as [number];
const [repeats] = intListFlag('--repeat', [quick ? 1 : 3]) as [number];
/** Records of the unmeasured warm-up pass (JIT, connections, the state topic's first writes). */
const WARMUP_RECORDS = 20_000;
const recordSizes = intListFlag('--sizes', [1_024, 100]);
const [maxPollRecords] = intListFlag('--max-poll-records', [500]) as [number];
const cpuProf = process.argv.includes('--cpu-prof');
const keep = process.argv.includes('--keep') || cpuProf;
const PARTITIONS = 3;
/** How long one scenario may take before the bench gives up on it (its row says so). */
const SCENARIO_TIMEOUT_MS = 180_000;

type ScenarioKind = 'share' | 'group' | 'plain';
interface Scenario {
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly consumers: number;
  /**
   * Share only: how acknowledgements go out. commit: commitSync after every poll (a record counts
   * when its answer is null); fetch: they ride on the next ShareFetch (implicit mode's own path),
   * and all records count once the durable share start offset is at every partition's end.
   */
  readonly ackPath?: 'commit' | 'fetch';
}
const ALL_SCENARIOS: readonly Scenario[] = [
  { name: 'share12', kind: 'share', consumers: 12 },
  { name: 'share3', kind: 'share', consumers: 3 },
  { name: 'share1', kind: 'share', consumers: 1 },
  { name: 'share12-fetch', kind: 'share', consumers: 12, ackPath: 'fetch' },
  { name: 'group12', kind: 'group', consumers: 12 },
  { name: 'group3', kind: 'group', consumers: 3 },
  { name: 'group1', kind: 'group', consumers: 1 },
  { name: 'plain', kind: 'plain', consumers: 1 },
];
const wantedScenarios = (flag('--scenarios') ?? ALL_SCENARIOS.map((s) => s.name).join(',')).split(',');
const scenarios = ALL_SCENARIOS.filter((s) => wantedScenarios.includes(s.name));
if (scenarios.length === 0)
  throw new RangeError(`--scenarios: expected some of ${ALL_SCENARIOS.map((s) => s.name).join(',')}`);
/** The consumer group a share scenario is compared with: as many members. */
const baselineName = (consumers: number): string => `group${consumers}`;

const out = (text: string): boolean => process.stdout.write(text);
const note = (text: string): boolean => process.stderr.write(`${text}\n`);
const seconds = (ms: number): number => ms / 1000;

// ------------------------------------------------------------------ cluster

interface Cluster {
  readonly local: LocalCluster;
  readonly brokers: LocalRole;
  readonly coordinators: LocalRole;
  readonly admin: Admin;
  readonly bootstrap: string;
}

async function startCluster(baseDir: string): Promise<Cluster> {
  const profileDir = join(baseDir, 'profiles');
  if (cpuProf) mkdirSync(profileDir, { recursive: true });
  // Every process profiles itself from start-up with --cpu-prof.
  const profiled = cpuProfileEnv(cpuProf ? profileDir : undefined);
  // Brokers keep share state through the coordinators: LocalCluster puts their addresses in the brokers' configs.
  const local = await LocalCluster.start(
    {
      baseDir,
      roles: {
        controller: { count: 1, config: { 'broker.session.timeout.ms': 6_000 }, env: profiled },
        broker: { config: { 'broker.heartbeat.interval.ms': 500, 'min.insync.replicas': 2 }, env: profiled },
        coordinator: {
          config: {
            'offsets.topic.num.partitions': 3,
            'share.coordinator.state.topic.num.partitions': 3,
            'group.share.heartbeat.interval.ms': 250,
            'group.consumer.heartbeat.interval.ms': 250,
          },
          env: profiled,
        },
      },
    },
    { brokersTimeoutMs: 60_000 },
  );
  return {
    local,
    brokers: local.brokers,
    coordinators: local.coordinators,
    admin: local.admin,
    bootstrap: local.brokers.addresses().join(','),
  };
}

async function stopCluster(cluster: Cluster): Promise<void> {
  await cluster.local.stop();
}

/**
 * What a run's rounds spent where, from the processes' own histograms (sums and counts, summed
 * over the role's processes): per RPC and request phase (`sluice_rpc_request_phase_seconds`), and
 * the brokers' share state writes (`sluice_broker_share_state_write_seconds`). Keys:
 * `<role>|<api>|<phase>` and `broker|stateWrite|-`; values are [count, seconds].
 */
type Timings = Map<string, readonly [number, number]>;

/** RPCs whose time the round breakdown shows: brokers' share and fetch path, coordinators' writes, the coordinators' appends. */
const TIMED_APIS: Readonly<Record<'broker' | 'coordinator', readonly string[]>> = {
  broker: ['ShareFetch', 'ShareAcknowledge', 'Fetch', 'Produce'],
  coordinator: ['WriteShareGroupState', 'OffsetCommit'],
};

/** Each process's metrics port, from its "ready" log line (metrics.port=0 lets the OS choose). */
function metricsPorts(role: LocalRole): number[] {
  const ports: number[] = [];
  for (const id of role.nodeIds) {
    let text: string;
    try {
      text = readFileSync(role.logFile(id), 'utf8');
    } catch {
      continue;
    }
    const found = [...text.matchAll(/"metricsPort":(\d+)/g)].at(-1);
    if (found !== undefined) ports.push(Number(found[1]));
  }
  return ports;
}

const SERIES_LINE = /^(\w+)_(sum|count)\{([^}]*)\} (\S+)$/;
const LABEL = /(\w+)="([^"]*)"/g;

async function scrapeTimings(ports: {
  broker: readonly number[];
  coordinator: readonly number[];
}): Promise<Timings | null> {
  const totals = new Map<string, [number, number]>();
  const add = (key: string, kind: string, value: number): void => {
    const entry = totals.get(key) ?? [0, 0];
    if (kind === 'count') entry[0] += value;
    else entry[1] += value;
    totals.set(key, entry);
  };
  try {
    for (const role of ['broker', 'coordinator'] as const) {
      for (const port of ports[role]) {
        const text = await (
          await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })
        ).text();
        for (const line of text.split('\n')) {
          const match = SERIES_LINE.exec(line);
          if (match === null) continue;
          const [, name, kind, labelText, value] = match as unknown as [string, string, string, string, string];
          const labels = new Map([...labelText.matchAll(LABEL)].map((l) => [l[1]!, l[2]!]));
          if (name === 'sluice_rpc_request_phase_seconds') {
            const api = labels.get('api') ?? '';
            if (TIMED_APIS[role].includes(api)) add(`${role}|${api}|${labels.get('phase') ?? ''}`, kind, Number(value));
          } else if (name === 'sluice_broker_share_state_write_seconds' && role === 'broker') {
            add('broker|stateWrite|-', kind, Number(value));
          }
        }
      }
    }
  } catch {
    return null;
  }
  return totals;
}

function timingsBetween(before: Timings | null, after: Timings | null): Timings | null {
  if (before === null || after === null) return null;
  const out = new Map<string, readonly [number, number]>();
  for (const [key, [count, seconds]] of after) {
    const [count0, seconds0] = before.get(key) ?? [0, 0];
    if (count - count0 > 0) out.set(key, [count - count0, seconds - seconds0]);
  }
  return out;
}

function serverPids(cluster: Cluster): { brokers: number[]; coordinators: number[] } {
  const defined = (pids: (number | undefined)[]): number[] => pids.filter((pid): pid is number => pid !== undefined);
  return {
    brokers: defined(cluster.brokers.nodeIds.map((id) => cluster.brokers.pid(id))),
    coordinators: defined(cluster.coordinators.nodeIds.map((id) => cluster.coordinators.pid(id))),
  };
}

// ------------------------------------------------------------------ setup per record size

function shareConsumer(cluster: Cluster, groupId: string): ShareConsumer {
  return new ShareConsumer({
    bootstrap: cluster.bootstrap,
    coordinators: cluster.coordinators.addresses(),
    groupId,
    acknowledgementMode: 'implicit',
    maxPollRecords,
    fetchMaxWaitMs: 200,
    requestTimeoutMs: 10_000,
    retryBackoffMs: 50,
  });
}

/** The durable share start offset of every partition (null: no state yet). */
async function durableStarts(
  persister: CoordinatorShareStatePersister,
  groupId: string,
  topic: string,
): Promise<(number | null)[]> {
  return Promise.all(
    Array.from(
      { length: PARTITIONS },
      async (_, partition) => (await persister.read({ groupId, topic, partition }, -1))?.startOffset ?? null,
    ),
  );
}

/** A member of `groupId` polls until the share coordinator holds a state for every partition of `topic`. */
async function initializeShareGroup(
  cluster: Cluster,
  persister: CoordinatorShareStatePersister,
  groupId: string,
  topic: string,
): Promise<void> {
  const consumer = shareConsumer(cluster, groupId);
  consumer.subscribe([topic]);
  try {
    await waitFor(
      `share state of ${groupId} on every partition of ${topic}`,
      async () => {
        const polled = await consumer.poll(200);
        if (polled.length > 0) throw new Error(`${groupId}: records delivered before any were produced`);
        return (await durableStarts(persister, groupId, topic)).every((start) => start !== null);
      },
      60_000,
      50,
    );
  } finally {
    await consumer.close();
  }
}

async function produce(cluster: Cluster, topic: string, count: number, sizeBytes: number): Promise<number[]> {
  const producer = new Producer({
    bootstrap: cluster.bootstrap,
    acks: 'all',
    lingerMs: 5,
    requestTimeoutMs: 10_000,
    deliveryTimeoutMs: 120_000,
  });
  const ends = new Array<number>(PARTITIONS).fill(0);
  try {
    const value = Buffer.alloc(sizeBytes);
    for (let i = 0; i < sizeBytes; i++) value[i] = (i * 31 + 7) & 0xff;
    const window = 2_000;
    for (let from = 0; from < count; from += window) {
      const sends: Promise<unknown>[] = [];
      for (let i = from; i < Math.min(count, from + window); i++) {
        sends.push(
          producer.send({ topic, partition: i % PARTITIONS, value }).then((meta) => {
            ends[meta.partition] = Math.max(ends[meta.partition]!, meta.offset + 1);
          }),
        );
      }
      await Promise.all(sends);
    }
    await producer.flush();
  } finally {
    await producer.close();
  }
  return ends;
}

// ------------------------------------------------------------------ scenarios

interface ScenarioResult {
  readonly scenario: string;
  readonly kind: ScenarioKind;
  readonly ackPath: 'commit' | 'fetch' | null;
  readonly consumers: number;
  readonly partitions: number;
  readonly records: number;
  /** Which repetition (0-based). */
  readonly run: number;
  readonly recordBytes: number;
  /** First record delivered -> last record confirmed; NaN when the scenario did not finish. */
  readonly seconds: number;
  /** Consumers created -> first record delivered (group join, assignment, first fetch). */
  readonly joinSeconds: number;
  /** First record -> durable share start offset at the end of every partition (share only). */
  readonly durableSeconds: number | null;
  readonly confirmed: number;
  readonly delivered: number;
  readonly redeliveries: number;
  /** Records each consumer was handed (share: how the work spread). */
  readonly perConsumer: readonly number[];
  readonly errors: number;
  readonly benchCpuSeconds: number;
  readonly brokerCpuSeconds: number;
  readonly coordinatorCpuSeconds: number;
  readonly timedOut: boolean;
  /** Share state writes the brokers made during the run and their mean latency (null: metrics not readable). */
  readonly stateWrites: number | null;
  readonly meanStateWriteMs: number | null;
  /** commitSync calls (share with commitSync, consumer groups), summed over the consumers. */
  readonly rounds: number;
  /** Time the consumers spent in poll() and in commitSync(), summed over them (ms). */
  readonly pollMs: number;
  readonly commitMs: number;
  /**
   * The run on the monotonic clock (CLOCK_MONOTONIC, microseconds; V8's .cpuprofile timestamps are
   * on the same clock), to cut --cpu-prof samples to one scenario's run.
   */
  readonly monotonicUs: readonly [number, number];
  /** Per `<role>|<api>|<phase>`: [requests, seconds] during the run (null: metrics not readable). */
  readonly timings: Record<string, readonly [number, number]> | null;
}

interface Counters {
  /** Records to confirm. */
  readonly target: number;
  firstAtMs: number | null;
  confirmedAtMs: number | null;
  confirmed: number;
  delivered: number;
  redeliveries: number;
  errors: number;
  rounds: number;
  pollMs: number;
  commitMs: number;
}

async function runShare(
  cluster: Cluster,
  persister: CoordinatorShareStatePersister,
  scenario: Scenario,
  topic: string,
  groupId: string,
  ends: readonly number[],
  counters: Counters,
  perConsumer: number[],
  deadlineMs: number,
): Promise<number | null> {
  const consumers = Array.from({ length: scenario.consumers }, () => shareConsumer(cluster, groupId));
  for (const consumer of consumers) consumer.subscribe([topic]);
  let running = true;
  const loops = consumers.map(async (consumer, index) => {
    while (running) {
      let records: ShareConsumerRecord[];
      const polledAtMs = performance.now();
      try {
        records = await consumer.poll(500);
      } catch {
        counters.errors++;
        await sleep(50);
        continue;
      }
      if (records.length === 0) continue;
      // Polls that brought records only: the empty ones at the end wait out their timeout.
      if (counters.firstAtMs !== null) counters.pollMs += performance.now() - polledAtMs;
      counters.firstAtMs ??= Date.now();
      counters.delivered += records.length;
      perConsumer[index]! += records.length;
      for (const record of records) if (record.deliveryCount > 1) counters.redeliveries++;
      // The next poll ACCEPTs these (implicit mode) on its ShareFetch.
      if (scenario.ackPath === 'fetch') continue;
      const committedAtMs = performance.now();
      const results = await consumer.commitSync().catch(() => null);
      counters.commitMs += performance.now() - committedAtMs;
      counters.rounds++;
      if (results === null) {
        counters.errors++;
        continue;
      }
      // Per partition, not per record: a poll's records come a partition at a time.
      let topic: string | null = null;
      let partition = -1;
      let confirmed = false;
      for (const record of records) {
        if (record.topic !== topic || record.partition !== partition) {
          topic = record.topic;
          partition = record.partition;
          confirmed = results.get(`${topic}-${partition}`) === null;
        }
        if (confirmed) counters.confirmed++;
        else counters.errors++;
      }
      if (counters.confirmed >= counters.target) counters.confirmedAtMs ??= Date.now();
    }
  });
  let durableAtMs: number | null = null;
  try {
    while (Date.now() < deadlineMs) {
      const starts = await durableStarts(persister, groupId, topic).catch(() => null);
      if (starts !== null && starts.every((start, partition) => start !== null && start >= ends[partition]!)) {
        durableAtMs = Date.now();
        if (scenario.ackPath === 'fetch') {
          counters.confirmed = counters.target;
          counters.confirmedAtMs = durableAtMs;
        }
        break;
      }
      await sleep(50);
    }
    // Every record confirmed is the figure; the durable end usually comes with the last commit.
    while (counters.confirmed < counters.target && Date.now() < deadlineMs) await sleep(20);
  } finally {
    running = false;
    await Promise.all(loops);
    await Promise.all(consumers.map((consumer) => consumer.close().catch(() => undefined)));
  }
  return durableAtMs;
}

async function runGroup(
  cluster: Cluster,
  topic: string,
  groupId: string,
  consumerCount: number,
  counters: Counters,
  perConsumer: number[],
  deadlineMs: number,
): Promise<void> {
  const consumers = Array.from(
    { length: consumerCount },
    () =>
      new Consumer({
        bootstrap: cluster.bootstrap,
        coordinators: cluster.coordinators.addresses(),
        groupId,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
        maxPollRecords,
        fetchMaxWaitMs: 200,
        requestTimeoutMs: 10_000,
        retryBackoffMs: 50,
      }),
  );
  for (const consumer of consumers) consumer.subscribe([topic]);
  await consumeLoops(consumers, true, counters, perConsumer, deadlineMs);
}

async function runPlain(
  cluster: Cluster,
  topic: string,
  counters: Counters,
  perConsumer: number[],
  deadlineMs: number,
): Promise<void> {
  const consumer = new Consumer({
    bootstrap: cluster.bootstrap,
    autoOffsetReset: 'earliest',
    maxPollRecords,
    fetchMaxWaitMs: 200,
    requestTimeoutMs: 10_000,
    retryBackoffMs: 50,
  });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  await consumeLoops([consumer], false, counters, perConsumer, deadlineMs);
}

async function consumeLoops(
  consumers: readonly Consumer[],
  commit: boolean,
  counters: Counters,
  perConsumer: number[],
  deadlineMs: number,
): Promise<void> {
  let running = true;
  const loops = consumers.map(async (consumer, index) => {
    while (running) {
      let records;
      const polledAtMs = performance.now();
      try {
        records = await consumer.poll(500);
      } catch {
        counters.errors++;
        await sleep(50);
        continue;
      }
      if (records.length === 0) continue;
      // Polls that brought records only: the empty ones at the end wait out their timeout.
      if (counters.firstAtMs !== null) counters.pollMs += performance.now() - polledAtMs;
      counters.firstAtMs ??= Date.now();
      counters.delivered += records.length;
      perConsumer[index]! += records.length;
      if (commit) {
        const committedAtMs = performance.now();
        try {
          await consumer.commitSync();
        } catch {
          // The next commit covers these records too; they count then.
          counters.errors++;
          continue;
        } finally {
          counters.commitMs += performance.now() - committedAtMs;
          counters.rounds++;
        }
      }
      counters.confirmed = counters.delivered;
      if (counters.confirmed >= counters.target) counters.confirmedAtMs ??= Date.now();
    }
  });
  try {
    while (counters.confirmed < counters.target && Date.now() < deadlineMs) await sleep(20);
  } finally {
    running = false;
    await Promise.all(loops);
    await Promise.all(consumers.map((consumer) => consumer.close().catch(() => undefined)));
  }
}

async function runScenario(
  cluster: Cluster,
  persister: CoordinatorShareStatePersister,
  scenario: Scenario,
  run: number,
  topic: string,
  recordBytes: number,
  ends: readonly number[],
): Promise<ScenarioResult> {
  const groupId = groupIdOf(topic, scenario, run);
  const records = ends.reduce((sum, end) => sum + end, 0);
  const counters: Counters = {
    target: records,
    firstAtMs: null,
    confirmedAtMs: null,
    confirmed: 0,
    delivered: 0,
    redeliveries: 0,
    errors: 0,
    rounds: 0,
    pollMs: 0,
    commitMs: 0,
  };
  const perConsumer = new Array<number>(scenario.consumers).fill(0);
  const pids = serverPids(cluster);
  const brokerSampler = new ProcSampler(pids.brokers).start();
  const coordinatorSampler = new ProcSampler(pids.coordinators).start();
  const ports = { broker: metricsPorts(cluster.brokers), coordinator: metricsPorts(cluster.coordinators) };
  const timingsBefore = await scrapeTimings(ports);
  const cpuBefore = process.cpuUsage();
  const startedAtUs = Number(process.hrtime.bigint() / 1000n);
  const startedAtMs = Date.now();
  const deadlineMs = startedAtMs + SCENARIO_TIMEOUT_MS;
  let durableAtMs: number | null = null;
  if (scenario.kind === 'share')
    durableAtMs = await runShare(cluster, persister, scenario, topic, groupId, ends, counters, perConsumer, deadlineMs);
  else if (scenario.kind === 'group')
    await runGroup(cluster, topic, groupId, scenario.consumers, counters, perConsumer, deadlineMs);
  else await runPlain(cluster, topic, counters, perConsumer, deadlineMs);
  const cpu = process.cpuUsage(cpuBefore);
  const endedAtUs = Number(process.hrtime.bigint() / 1000n);
  const timings = timingsBetween(timingsBefore, await scrapeTimings(ports));
  const [writeCount, writeSeconds] = timings?.get('broker|stateWrite|-') ?? [0, 0];
  const writes = timings === null ? null : { count: writeCount, seconds: writeSeconds };
  // A plain consumer joins nothing: its time runs from its creation (its first fetch may bring everything).
  const firstAtMs = scenario.kind === 'plain' ? startedAtMs : (counters.firstAtMs ?? Number.NaN);
  return {
    scenario: scenario.name,
    kind: scenario.kind,
    ackPath: scenario.kind === 'share' ? (scenario.ackPath ?? 'commit') : null,
    consumers: scenario.consumers,
    partitions: PARTITIONS,
    records,
    run,
    recordBytes,
    seconds: counters.confirmedAtMs === null ? Number.NaN : seconds(counters.confirmedAtMs - firstAtMs),
    joinSeconds: seconds(firstAtMs - startedAtMs),
    durableSeconds: durableAtMs === null ? null : seconds(durableAtMs - firstAtMs),
    confirmed: counters.confirmed,
    delivered: counters.delivered,
    redeliveries: counters.redeliveries,
    perConsumer,
    errors: counters.errors,
    benchCpuSeconds: (cpu.user + cpu.system) / 1e6,
    brokerCpuSeconds: brokerSampler.stop().cpuSeconds,
    coordinatorCpuSeconds: coordinatorSampler.stop().cpuSeconds,
    timedOut: counters.confirmedAtMs === null,
    stateWrites: writes?.count ?? null,
    meanStateWriteMs: writes === null || writes.count === 0 ? null : (1000 * writes.seconds) / writes.count,
    rounds: counters.rounds,
    pollMs: counters.pollMs,
    commitMs: counters.commitMs,
    monotonicUs: [startedAtUs, endedAtUs],
    timings: timings === null ? null : Object.fromEntries(timings),
  };
}

// ------------------------------------------------------------------ profiles

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

/** The hottest functions (self time) of one .cpuprofile. */
function hottest(file: string, top = 12): { total: number; lines: string[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const self = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const url = node.callFrame.url.replace(/^.*\/(services|packages|node_modules)\//, '$1/');
    const name = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + hits);
  }
  const lines = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, hits]) => `  ${formatNumber((100 * hits) / Math.max(1, total), 1)}% ${name}`);
  return { total, lines };
}

function reportProfiles(dir: string, pids: { brokers: number[]; coordinators: number[] }): void {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return;
  }
  for (const [role, rolePids] of [
    ['broker', pids.brokers],
    ['coordinator', pids.coordinators],
  ] as const) {
    const mine = files
      .filter((f) => rolePids.some((pid) => f === `CPU.${pid}.cpuprofile`))
      .map((f) => ({ file: join(dir, f), ...hottest(join(dir, f)) }));
    const busiest = mine.sort((a, b) => b.total - a.total)[0];
    if (busiest === undefined) continue;
    out(`\nBusiest ${role} (${busiest.file}), self time:\n${busiest.lines.join('\n')}\n`);
  }
}

// ------------------------------------------------------------------ round breakdown

const BREAKDOWN_HEADERS = [
  'scenario',
  'consumers',
  'rounds',
  'client ms per round: poll / commitSync',
  'broker ShareFetch',
  'broker ShareAcknowledge',
  'share state writes (mean ms)',
  'coordinator WriteShareGroupState',
  'coordinator OffsetCommit',
  'broker Produce (coordinators)',
  'broker Fetch',
];

/** `requests: queue / local / remote` mean ms of one RPC in a run, or '-'. */
function phasesCell(timings: Record<string, readonly [number, number]>, role: string, api: string): string {
  const phase = (name: string): readonly [number, number] | undefined => timings[`${role}|${api}|${name}`];
  const local = phase('local');
  if (local === undefined || local[0] === 0) return '-';
  const meanMs = (p: readonly [number, number] | undefined): string =>
    formatNumber(p === undefined ? 0 : (1000 * p[1]) / local[0], 2);
  return `${formatNumber(local[0], 0)}: ${meanMs(phase('queue'))} / ${meanMs(local)} / ${meanMs(phase('remote'))}`;
}

function breakdownRow(r: ScenarioResult, label: string): string[] {
  const timings = r.timings;
  const cell = (role: string, api: string): string => (timings === null ? 'n/a' : phasesCell(timings, role, api));
  const write = timings?.['broker|stateWrite|-'];
  return [
    `${r.scenario} (${label})`,
    String(r.consumers),
    formatNumber(r.rounds, 0),
    r.rounds === 0 ? '-' : `${formatNumber(r.pollMs / r.rounds, 2)} / ${formatNumber(r.commitMs / r.rounds, 2)}`,
    cell('broker', 'ShareFetch'),
    cell('broker', 'ShareAcknowledge'),
    write === undefined ? '-' : `${formatNumber(write[0], 0)} (${formatNumber((1000 * write[1]) / write[0], 2)})`,
    cell('coordinator', 'WriteShareGroupState'),
    cell('coordinator', 'OffsetCommit'),
    cell('broker', 'Produce'),
    cell('broker', 'Fetch'),
  ];
}

// ------------------------------------------------------------------ main

function groupIdOf(topic: string, scenario: Scenario, run: number): string {
  return `${topic}-${scenario.name}-${run}`;
}

/** Creates the topic and initializes the share partitions of every share scenario's group, per run (before any record exists). */
async function prepareTopic(
  cluster: Cluster,
  persister: CoordinatorShareStatePersister,
  topic: string,
  runs: readonly number[],
  wanted: readonly Scenario[],
): Promise<void> {
  await cluster.admin.createTopic({
    name: topic,
    numPartitions: PARTITIONS,
    replicationFactor: 3,
    configs: { 'min.insync.replicas': '2' },
  });
  for (const run of runs) {
    for (const scenario of wanted.filter((s) => s.kind === 'share')) {
      const groupId = groupIdOf(topic, scenario, run);
      note(`${topic}: initializing the share partitions of ${groupId}`);
      await initializeShareGroup(cluster, persister, groupId, topic);
    }
  }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg();
  const baseDir = mkdtempSync(join(tmpdir(), 'sluice-share-bench-'));
  note(
    `share bench: ${recordCount} records per size (${recordSizes.join(', ')} B), scenarios ${scenarios.map((s) => s.name).join(', ')}; data and logs in ${baseDir}`,
  );
  let cluster: Cluster | null = null;
  const results: ScenarioResult[] = [];
  let pids = { brokers: [] as number[], coordinators: [] as number[] };
  const persisterFor = (c: Cluster): CoordinatorShareStatePersister =>
    new CoordinatorShareStatePersister({ coordinators: c.coordinators.addresses(), requestTimeoutMs: 10_000 });
  try {
    cluster = await startCluster(baseDir);
    pids = serverPids(cluster);
    const persister = persisterFor(cluster);
    try {
      // Unmeasured: one share group and one consumer group read a small topic first.
      const warmup = 'share-bench-warmup';
      note(`${warmup}: warm-up pass (${WARMUP_RECORDS} records, not measured)`);
      const warmupScenarios = ALL_SCENARIOS.filter((s) => ['share1', 'share3', 'group3'].includes(s.name));
      await prepareTopic(cluster, persister, warmup, [0], warmupScenarios);
      const warmupEnds = await produce(cluster, warmup, WARMUP_RECORDS, 1_024);
      for (const scenario of warmupScenarios)
        await runScenario(cluster, persister, scenario, 0, warmup, 1_024, warmupEnds);
      for (const recordBytes of recordSizes) {
        const topic = `share-bench-${recordBytes}b`;
        const runs = Array.from({ length: repeats }, (_, run) => run);
        await prepareTopic(cluster, persister, topic, runs, scenarios);
        note(`${topic}: producing ${recordCount} records of ${recordBytes} B`);
        const ends = await produce(cluster, topic, recordCount, recordBytes);
        // Runs interleave the scenarios, so a slow spell of the shared machine hits all of them.
        for (const run of runs) {
          for (const scenario of scenarios) {
            note(
              `${topic}: ${scenario.name} (${scenario.consumers} consumer${scenario.consumers === 1 ? '' : 's'}), run ${run + 1}/${repeats}`,
            );
            const result = await runScenario(cluster, persister, scenario, run, topic, recordBytes, ends);
            note(
              `  ${result.timedOut ? 'TIMED OUT' : `${formatNumber(result.seconds, 2)} s, ${formatNumber(result.timedOut ? 0 : result.records / result.seconds, 0)} records/s`}, ${result.confirmed}/${result.records} confirmed, per consumer ${result.perConsumer.join('/')}, ${result.errors} errors`,
            );
            results.push(result);
          }
        }
      }
    } finally {
      persister.close();
    }
  } finally {
    if (cluster !== null) await stopCluster(cluster);
    if (cpuProf) reportProfiles(join(baseDir, 'profiles'), pids);
    if (!keep) rmSync(baseDir, { recursive: true, force: true });
  }
  const loadAfter = loadavg();

  const rate = (r: ScenarioResult): number => (r.timedOut ? 0 : r.records / r.seconds);
  /** Per record size and scenario, the run with the median records/s (the lower middle one for an even count). */
  const medians: { row: ScenarioResult; runs: ScenarioResult[] }[] = [];
  for (const recordBytes of recordSizes) {
    for (const scenario of scenarios) {
      const runs = results.filter((r) => r.recordBytes === recordBytes && r.scenario === scenario.name);
      const sorted = [...runs].sort((x, y) => rate(x) - rate(y));
      const row = sorted[Math.floor((sorted.length - 1) / 2)];
      if (row !== undefined) medians.push({ row, runs });
    }
  }
  const baselineOf = (r: ScenarioResult): ScenarioResult | undefined =>
    medians.find(
      (m) =>
        m.row.scenario === baselineName(r.consumers) &&
        m.row.kind === 'group' &&
        m.row.recordBytes === r.recordBytes &&
        !m.row.timedOut,
    )?.row;
  const label = (r: ScenarioResult): string =>
    r.kind === 'share'
      ? `share group${r.ackPath === 'fetch' ? ', acks on ShareFetch' : ''}`
      : r.kind === 'group'
        ? 'consumer group (baseline)'
        : 'plain consumer';
  const fixed = (value: number, digits: number): string =>
    Number.isFinite(value) ? formatNumber(value, digits) : 'n/a';
  const rows = medians.map(({ row: r, runs }) => {
    const baseline = baselineOf(r);
    return [
      label(r),
      String(r.consumers),
      String(r.partitions),
      formatNumber(r.records, 0),
      `${r.recordBytes} B`,
      r.timedOut ? `timed out (${r.confirmed} confirmed)` : fixed(r.seconds, 2),
      r.kind === 'plain' ? '-' : fixed(r.joinSeconds, 2),
      r.durableSeconds === null ? (r.kind === 'share' ? 'not reached' : '-') : fixed(r.durableSeconds, 2),
      r.timedOut ? 'n/a' : formatNumber(rate(r), 0),
      runs.map((run) => (run.timedOut ? 'timeout' : formatNumber(rate(run), 0))).join(', '),
      r.timedOut ? 'n/a' : fixed((r.records * r.recordBytes) / 1e6 / r.seconds, 2),
      r.kind === 'share' ? String(r.redeliveries) : '-',
      r.perConsumer.join('/'),
      r.stateWrites === null
        ? 'n/a'
        : `${formatNumber(r.stateWrites, 0)}${r.meanStateWriteMs === null ? '' : ` (${fixed(r.meanStateWriteMs, 1)} ms)`}`,
      `${fixed(r.brokerCpuSeconds, 1)} / ${fixed(r.coordinatorCpuSeconds, 1)} / ${fixed(r.benchCpuSeconds, 1)}`,
      baseline === undefined || r.timedOut ? 'n/a' : `${formatNumber(rate(r) / rate(baseline), 2)}x`,
    ];
  });
  out(`\n## Share group throughput (sluice, ${cpus().length} cores: ${cpus()[0]?.model ?? 'unknown CPU'})\n\n`);
  out(
    `${markdownTable(
      [
        'scenario',
        'consumers',
        'partitions',
        'records',
        'record size',
        's',
        'join s',
        'durable s',
        'records/s acknowledged',
        'records/s of each run',
        'MB/s',
        'redeliveries',
        'records per consumer',
        'state writes (mean)',
        'CPU s brokers / coordinators / bench',
        'ratio to baseline',
      ],
      rows,
    )}\n\n`,
  );
  out(
    '1 controller, 3 brokers, 3 coordinators on loopback; topic of 3 partitions, RF 3, min.insync.replicas 2; ' +
      `max.poll.records ${maxPollRecords}. Share rows: implicit acknowledgement, commitSync after every poll; a record counts once its ACCEPT was confirmed ("acks on ShareFetch": no commitSync, all count when the durable start offset is at every partition's end). ` +
      'Baselines: consumer groups of 12, 3 and 1 members committing after every poll; each row\'s ratio is over the consumer group with as many members (the plain consumer\'s over group1). "s": first record delivered -> last record confirmed; "join s": consumers created -> first record; ' +
      '"durable s": first record -> the share coordinator\'s start offset at the end of every partition. Plain consumer: no group, no commits, timed from its creation. ' +
      `Each row is the median of ${repeats} run(s) by records/s (runs interleave the scenarios; an unmeasured warm-up pass comes first); ratio = its records/s over that consumer group's median. ` +
      'All consumers run in the bench process; CPU s = utime+stime over the run.\n',
  );
  out(
    `\n### Where the rounds' time went (the same median runs)\n\n${markdownTable(
      BREAKDOWN_HEADERS,
      medians.map(({ row }) => breakdownRow(row, label(row))),
    )}\n\n`,
  );
  out(
    'A round is one poll() and its commitSync() (per consumer; "client ms" are their means per round, summed over ' +
      "the consumers, so with several consumers they overlap in wall time). The other columns are the processes' own " +
      'histograms over the run (`sluice_rpc_request_phase_seconds`, `sluice_broker_share_state_write_seconds`), summed ' +
      "over the role: requests, then mean ms per request as queue / local / remote. Broker Produce is the coordinators' " +
      'acks=all appends to `__share_group_state` and `__consumer_offsets` (nothing else produces during a run); broker ' +
      "Fetch is the consumer groups' fetches.\n",
  );
  const fmt = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' ');
  out(
    `Load average before ${fmt(loadBefore)}, after ${fmt(loadAfter)} (the machine is shared; figures move with it).\n`,
  );

  const jsonPath = flag('--json') ?? join(__dirname, '..', 'results', `share-${startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(
    jsonPath,
    `${JSON.stringify({ bench: 'share', startedAt, quick, recordCount, repeats, recordSizes, maxPollRecords, loadBefore, loadAfter, cpus: cpus().length, results }, null, 2)}\n`,
  );
  note(`results written to ${jsonPath}${keep ? `; logs kept in ${baseDir}` : ''}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `share bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
