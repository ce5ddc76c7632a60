/**
 * `pnpm bench:groups-grpc`: a KIP-848 consumer group of thousands of members converging the way
 * a user meets it: real clients over gRPC against real coordinator processes. `bench:groups`
 * measures the coordinator's logic in process; this one adds everything around it: the network,
 * FindCoordinator, one heartbeat RPC per member per interval, the coordinator's acks=all writes
 * to `__consumer_offsets` on the brokers, revocation before reassignment, OffsetFetch of new
 * partitions.
 *
 * Set-up: LocalCluster on loopback (1 controller, 3 brokers, 3 coordinators; data in a temp dir),
 * `--topics` topics holding `--ratio` partitions per member of the largest group (default 10
 * topics, 1 partition per member: 10,000 partitions for 10,000 members), replication factor 1
 * (convergence does not read the data, and 30,000 replicas would only load the 2-core machine).
 * Members are the SDK's `GroupMembership` (the protocol half of a group `Consumer`; see
 * group-grpc-worker.ts), spread over `--workers` processes, all subscribing to every topic at once.
 *
 * Measured, per assignor and group size (each scenario its own group): from the first join (the
 * workers' start) to the moment every member is stable on its target assignment, which is
 * checked, not assumed: every member has joined and holds the same member epoch, the members
 * together own every partition exactly once (their owned lists compared), and the coordinator's
 * DescribeGroups says STABLE with every member STABLE at the assignment epoch, assigned equal to
 * target. The time is the last change of any member's epoch or ownership (epochs sampled every
 * 100 ms, ownership exact). Also: how many heartbeat intervals that is, the heartbeats sent, and
 * the CPU seconds the coordinators, brokers and client workers spent meanwhile.
 *
 * Why the wall time is also counted in heartbeat intervals: a plain KIP-848 member learns of a new
 * assignment, and the coordinator of a revocation, only on a heartbeat
 * (`group.consumer.heartbeat.interval.ms`, Kafka's default 5000), except right after a change,
 * when the client heartbeats at once. So without more, a 10,000-member join needs at least: the
 * joins, a target assignment (at most one per `group.consumer.assignment.interval.ms`, 1000,
 * KIP-1263), revocations heard on the next heartbeat, the freed partitions handed out on the one
 * after. sluice's coordinator also wakes members (ConsumerGroupWakeups, on by default, `--wakeups
 * off` to measure without): a member hears at once that its next heartbeat has news, and a
 * deferred target assignment is computed when due rather than at the next heartbeat, so the
 * intervals drop out and what is left is the joins and the round trips.

 * Flags: --quick (1,000 members, the uniform assignor only), --members <n,n> (default 10000),
 * --assignors uniform,range, --ratio <partitions per member> (1), --topics <n> (10),
 * --workers <n> (4), --heartbeat-interval-ms <n> (5000), --timeout-ms <n> per scenario (300000),
 * --coordinator-workspace <dir> (the coordinators from another built checkout), --wakeups on|off
 * (whether members hold the coordinator's ConsumerGroupWakeups stream, default on; off: they hear
 * of changes on heartbeats only, as plain KIP-848 clients), --cpu-prof <dir> (the coordinators write
 * CPU.<pid>.cpuprofile there at exit, the brokers theirs in <dir>/brokers, the client workers
 * theirs in <dir>/workers, each covering its members' join to their leave: read them with `pnpm
 * bench:profile <dir>`, `<dir>/brokers` and `<dir>/workers`; the bench notes each scenario's span
 * on V8's clock for `--window`), --keep (keep the temp dir with the processes' logs), --json <path>.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LocalCluster, sleep, waitFor } from '@sluice/local-cluster';
import { ProcSampler } from './compare-procs';
import { cpuProfileEnv } from './cpu-profile-env';
import type { OwnedMessage, ProgressMessage, StartMessage } from './group-grpc-worker';
import { machineFacts } from './machine-facts';
import { flag, intFlag, intListFlag } from './flags';
import { formatNumber, markdownTable } from './table';

const quick = process.argv.includes('--quick');
const memberCounts = intListFlag('--members', quick ? [1_000] : [10_000]);
const ratio = intFlag('--ratio', 1);
const topicCount = intFlag('--topics', 10);
const workerCount = intFlag('--workers', 4);
const heartbeatIntervalMs = intFlag('--heartbeat-interval-ms', 5_000);
const scenarioTimeoutMs = intFlag('--timeout-ms', 300_000);
const keep = process.argv.includes('--keep');
const wakeupsFlag = flag('--wakeups') ?? 'on';
if (wakeupsFlag !== 'on' && wakeupsFlag !== 'off') throw new RangeError(`--wakeups: ${wakeupsFlag} is not on or off`);
const wakeups = wakeupsFlag === 'on';
/** Absolute: the coordinators run in their own working directory. */
const profileDir = flag('--cpu-prof') === undefined ? undefined : resolve(flag('--cpu-prof') as string);
const workerProfileDir = profileDir === undefined ? undefined : join(profileDir, 'workers');
const brokerProfileDir = profileDir === undefined ? undefined : join(profileDir, 'brokers');
if (workerProfileDir !== undefined) mkdirSync(workerProfileDir, { recursive: true });
if (brokerProfileDir !== undefined) mkdirSync(brokerProfileDir, { recursive: true });
/**
 * Run the coordinators from another built checkout (bench/peers/baseline-checkout.sh <rev>), e.g.
 * to measure a coordinator change against the revision before it on the same brokers and clients.
 */
const coordinatorWorkspace = flag('--coordinator-workspace');
const assignors = (flag('--assignors') ?? (quick ? 'uniform' : 'uniform,range')).split(',');
for (const name of assignors)
  if (name !== 'uniform' && name !== 'range') throw new RangeError(`--assignors: ${name} is not uniform or range`);
/** How often workers report; the resolution of epoch changes in the measured time. */
const REPORT_INTERVAL_MS = 100;

const out = (text: string): boolean => process.stdout.write(text);
const note = (text: string): boolean => process.stderr.write(`${text}\n`);
const count = (value: number): string => formatNumber(value, 0);

interface ScenarioResult {
  readonly assignor: string;
  readonly members: number;
  readonly partitions: number;
  /** First join to every member stable on its target; null: not within the timeout. */
  readonly convergeMs: number | null;
  readonly groupEpoch: number;
  readonly heartbeats: number;
  readonly fenced: number;
  readonly wakeups: number;
  /** The members' failed calls to the coordinators by `method error` (retried; none is the norm). */
  readonly failedCalls: Readonly<Record<string, number>>;
  readonly coordinatorCpuSeconds: number;
  readonly brokerCpuSeconds: number;
  readonly clientCpuSeconds: number;
  readonly clientPeakRssMiB: number;
  readonly coordinatorPeakRssMiB: number;
  readonly failure?: string;
}

interface Worker {
  readonly child: ChildProcess;
  latest: ProgressMessage | null;
  startedAtMs: number;
}

function forkWorker(): Worker {
  const child = fork(join(__dirname, 'group-grpc-worker.js'), [], {
    execPath: process.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const worker: Worker = { child, latest: null, startedAtMs: 0 };
  child.on('message', (message: ProgressMessage | OwnedMessage | { type: 'left' }) => {
    if (message.type === 'progress') worker.latest = message;
  });
  return worker;
}

function request<T>(worker: Worker, message: object, replyType: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.child.off('message', onMessage);
      reject(new Error(`worker ${worker.child.pid}: no ${replyType} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (reply: { type: string }): void => {
      if (reply.type !== replyType) return;
      clearTimeout(timer);
      worker.child.off('message', onMessage);
      resolve(reply as T);
    };
    worker.child.on('message', onMessage);
    worker.child.send(message);
  });
}

async function stopWorkers(workers: readonly Worker[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      await request(worker, { type: 'leave' }, 'left', 120_000).catch((error: Error) => note(error.message));
      const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
      worker.child.disconnect();
      await Promise.race([exited, sleep(10_000)]);
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }),
  );
}

/** Why the group is not converged yet, or null when every check passes. */
async function notConvergedBecause(
  cluster: LocalCluster,
  workers: readonly Worker[],
  groupId: string,
  members: number,
  partitions: number,
): Promise<string | null> {
  const reports = workers.map((w) => w.latest);
  if (reports.some((r) => r === null)) return 'a worker has not reported yet';
  const all = reports as ProgressMessage[];
  const joined = all.reduce((sum, r) => sum + r.joined, 0);
  const owned = all.reduce((sum, r) => sum + r.ownedPartitions, 0);
  const minEpoch = Math.min(...all.map((r) => r.minEpoch));
  const maxEpoch = Math.max(...all.map((r) => r.maxEpoch));
  if (joined < members) return `${joined} of ${members} members joined`;
  if (owned !== partitions) return `members own ${owned} of ${partitions} partitions`;
  if (minEpoch !== maxEpoch) return `member epochs ${minEpoch}..${maxEpoch}`;
  // Every cheap signal says converged: check it for real.
  const ownedLists = await Promise.all(
    workers.map((w) => request<OwnedMessage>(w, { type: 'owned' }, 'owned', 30_000)),
  );
  const owner = new Map<string, string>();
  for (const { ownedByMember } of ownedLists)
    for (const [memberId, list] of Object.entries(ownedByMember))
      for (const tp of list) {
        const previous = owner.get(tp);
        if (previous !== undefined) return `${tp} owned by ${previous} and ${memberId}`;
        owner.set(tp, memberId);
      }
  if (owner.size !== partitions) return `${owner.size} distinct partitions owned of ${partitions}`;
  const [group] = await cluster.admin.describeGroups([groupId]);
  if (group === undefined || group.error !== undefined) return `describe: ${group?.error?.message ?? 'no answer'}`;
  if (group.state !== 'STABLE') return `group ${group.state} at epoch ${group.groupEpoch}`;
  if (group.members.length !== members) return `the coordinator lists ${group.members.length} members`;
  for (const member of group.members) {
    if (member.state !== 'STABLE' || member.memberEpoch !== group.assignmentEpoch)
      return `member ${member.memberId} ${member.state} at epoch ${member.memberEpoch} (assignment epoch ${group.assignmentEpoch})`;
    const assigned = member.assigned.map((tp) => `${tp.topic}:${tp.partition}`).sort();
    const target = member.target.map((tp) => `${tp.topic}:${tp.partition}`).sort();
    if (assigned.join() !== target.join()) return `member ${member.memberId} assigned differs from its target`;
    for (const tp of assigned)
      if (owner.get(tp) !== member.memberId) return `${tp}: the coordinator and the clients disagree on its owner`;
  }
  return null;
}

function sumFailedCalls(reports: readonly ProgressMessage[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const report of reports)
    for (const [failed, times] of Object.entries(report.failedCalls)) total[failed] = (total[failed] ?? 0) + times;
  return total;
}

async function runScenario(
  cluster: LocalCluster,
  assignor: string,
  members: number,
  topics: readonly string[],
  partitions: number,
): Promise<ScenarioResult> {
  const groupId = `bench-${assignor}-${members}-${Date.now()}`;
  const coordinatorPids = cluster.coordinators.nodeIds.map((id) => cluster.coordinators.pid(id)) as number[];
  const brokerPids = cluster.brokers.nodeIds.map((id) => cluster.brokers.pid(id)) as number[];
  const workers = Array.from({ length: Math.min(workerCount, members) }, () => forkWorker());
  const coordinatorSampler = new ProcSampler(coordinatorPids).start();
  const brokerSampler = new ProcSampler(brokerPids).start();
  const clientSampler = new ProcSampler(workers.map((w) => w.child.pid as number)).start();
  let convergeMs: number | null = null;
  let failure: string | undefined;
  /** The scenario's span on V8's clock (CLOCK_MONOTONIC, as the profiles' timestamps), for `bench:profile --window`. */
  const spanFromUs = process.hrtime.bigint() / 1000n;
  {
    const startedAt = Date.now();
    workers.forEach((worker, index) => {
      const memberCount = Math.floor(members / workers.length) + (index < members % workers.length ? 1 : 0);
      const start: StartMessage = {
        type: 'start',
        coordinators: cluster.coordinators.addresses(),
        groupId,
        assignor,
        memberCount,
        topics,
        reportIntervalMs: REPORT_INTERVAL_MS,
        clientIdPrefix: `w${index}`,
        wakeups,
        ...(workerProfileDir === undefined ? {} : { cpuProfileDir: workerProfileDir }),
      };
      worker.child.send(start);
    });
    const deadline = startedAt + scenarioTimeoutMs;
    let lastReason = '';
    for (;;) {
      await sleep(REPORT_INTERVAL_MS * 2);
      const reason = await notConvergedBecause(cluster, workers, groupId, members, partitions).catch(
        (error: Error) => `check failed: ${error.message}`,
      );
      if (reason === null) {
        const reports = workers.map((w) => w.latest as ProgressMessage);
        // From the first join, not from the fork: a worker process takes a while to load.
        const firstJoinAtMs = Math.min(...reports.map((r) => r.subscribedAtMs));
        convergeMs = Math.max(...reports.map((r) => r.lastChangeAtMs)) - firstJoinAtMs;
        break;
      }
      if (reason !== lastReason && !reason.startsWith('a worker')) {
        note(`  ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${reason}`);
        lastReason = reason;
      }
      if (Date.now() > deadline) {
        failure = `not converged within ${scenarioTimeoutMs} ms: ${reason}`;
        break;
      }
    }
  }
  const coordinatorSample = coordinatorSampler.stop();
  if (profileDir !== undefined)
    note(
      `  profiles' window for this scenario: bench:profile DIR --window ${spanFromUs}..${process.hrtime.bigint() / 1000n}`,
    );
  const brokerSample = brokerSampler.stop();
  const clientSample = clientSampler.stop();
  const reports = workers.map((w) => w.latest).filter((r): r is ProgressMessage => r !== null);
  const [group] = await cluster.admin.describeGroups([groupId]).catch(() => []);
  await stopWorkers(workers);
  // The group empties before the next scenario, so its leavers' assignments do not weigh on it.
  await waitFor(
    `group ${groupId} empty after the members left`,
    async () => {
      const [after] = await cluster.admin.describeGroups([groupId]);
      return after !== undefined && after.members.length === 0;
    },
    120_000,
    500,
  ).catch((error: Error) => note(error.message));
  return {
    assignor,
    members,
    partitions,
    convergeMs,
    groupEpoch: group?.groupEpoch ?? 0,
    heartbeats: reports.reduce((sum, r) => sum + r.heartbeats, 0),
    fenced: reports.reduce((sum, r) => sum + r.fenced, 0),
    wakeups: reports.reduce((sum, r) => sum + r.wakeups, 0),
    failedCalls: sumFailedCalls(reports),
    coordinatorCpuSeconds: coordinatorSample.cpuSeconds,
    brokerCpuSeconds: brokerSample.cpuSeconds,
    clientCpuSeconds: clientSample.cpuSeconds,
    clientPeakRssMiB: clientSample.peakRssMiB,
    coordinatorPeakRssMiB: coordinatorSample.peakRssMiB,
    ...(failure === undefined ? {} : { failure }),
  };
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const startedAt = new Date().toISOString();
  const baseDir = mkdtempSync(join(tmpdir(), 'sluice-groups-grpc-'));
  const largest = Math.max(...memberCounts);
  const partitionsPerTopic = Math.max(1, Math.ceil((largest * ratio) / topicCount));
  note(`cluster in ${baseDir}: ${topicCount} topics x ${partitionsPerTopic} partitions, RF 1`);
  const cluster = await LocalCluster.start(
    {
      baseDir,
      roles: {
        controller: { count: 1 },
        // The brokers too, into <dir>/brokers: their share of a member is the __consumer_offsets appends.
        broker: { env: cpuProfileEnv(brokerProfileDir) },
        coordinator: {
          config: {
            'offsets.topic.num.partitions': 3,
            'group.consumer.heartbeat.interval.ms': heartbeatIntervalMs,
          },
          ...(coordinatorWorkspace === undefined ? {} : { workspace: coordinatorWorkspace }),
          env: cpuProfileEnv(profileDir),
        },
      },
    },
    { brokersTimeoutMs: 60_000 },
  );
  const results: ScenarioResult[] = [];
  try {
    const topics = Array.from({ length: topicCount }, (_, i) => `members-${i}`);
    // One topic per request: the controller refuses a batch of more than 10,000 metadata records.
    for (const name of topics) {
      const [created] = await cluster.admin.createTopics([
        { name, numPartitions: partitionsPerTopic, replicationFactor: 1 },
      ]);
      if (created?.error !== undefined) throw created.error;
    }
    // Every partition led before anyone joins: the coordinators assign what the metadata image holds.
    await waitFor(
      'every partition of the member topics led',
      async () => {
        const described = await cluster.admin.describeTopics(topics);
        return described.every(
          (t) => t.partitions.length === partitionsPerTopic && t.partitions.every((p) => p.leader >= 0),
        );
      },
      300_000,
      1_000,
    );
    await sleep(2_000);
    // Every group subscribes to every topic: a smaller group than the largest gets more partitions per member.
    const partitions = topicCount * partitionsPerTopic;
    for (const members of memberCounts) {
      for (const assignor of assignors) {
        note(`${assignor}: ${count(members)} members over ${workerCount} worker processes`);
        const result = await runScenario(cluster, assignor, members, topics, partitions);
        results.push(result);
        note(
          `  -> ${result.convergeMs === null ? result.failure : `${(result.convergeMs / 1000).toFixed(2)} s`}, coordinators ${result.coordinatorCpuSeconds.toFixed(2)} CPU s`,
        );
        const failed = Object.entries(result.failedCalls);
        if (failed.length > 0)
          note(`  members' failed calls (retried): ${failed.map(([what, times]) => `${what} x${times}`).join(', ')}`);
      }
    }
  } finally {
    await cluster.stop();
    if (!keep) rmSync(baseDir, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  out(
    `\n## KIP-848 group convergence over gRPC (${startedAt})\n\n` +
      `Real clients (the SDK's GroupMembership) in ${workerCount} processes, 1 controller, 3 brokers, 3 coordinators on loopback; ` +
      `${topicCount} topics, ${ratio} partition(s) per member of the largest group, RF 1; ` +
      `group.consumer.heartbeat.interval.ms ${heartbeatIntervalMs}, assignment interval 1000 ms (default); ` +
      `wake-up streams ${wakeups ? 'on' : 'off'}` +
      `${coordinatorWorkspace === undefined ? '' : `; coordinators from ${coordinatorWorkspace}`}.\n` +
      `${machineFacts().join('; ')}; load ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after.\n\n`,
  );
  out(
    markdownTable(
      [
        'assignor',
        'members',
        'partitions',
        'converged s',
        'heartbeat intervals',
        'group epoch',
        'heartbeats',
        'wake-ups',
        'fenced',
        'coordinators CPU s',
        'brokers CPU s',
        'clients CPU s',
        'coordinator peak RSS MiB',
      ],
      results.map((r) => [
        r.assignor,
        count(r.members),
        count(r.partitions),
        r.convergeMs === null ? `no: ${r.failure ?? ''}` : (r.convergeMs / 1000).toFixed(2),
        r.convergeMs === null ? '-' : (r.convergeMs / heartbeatIntervalMs).toFixed(1),
        count(r.groupEpoch),
        count(r.heartbeats),
        count(r.wakeups),
        count(r.fenced),
        r.coordinatorCpuSeconds.toFixed(2),
        r.brokerCpuSeconds.toFixed(2),
        r.clientCpuSeconds.toFixed(2),
        count(r.coordinatorPeakRssMiB),
      ]),
    ),
  );
  out(
    '\n"converged s": first join to every member stable on its target assignment (checked against the clients\' owned ' +
      'partitions and the coordinator\'s DescribeGroups); "heartbeat intervals": that time over the heartbeat interval, ' +
      "the protocol's clock; CPU seconds over the same span (all three coordinators, all three brokers, all workers).\n",
  );
  const jsonPath =
    flag('--json') ?? join(__dirname, '..', 'results', `groups-grpc-${startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, JSON.stringify({ startedAt, heartbeatIntervalMs, workerCount, wakeups, results }, null, 2));
  note(`results in ${jsonPath}`);
}

main().catch((error: unknown) => {
  note(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
