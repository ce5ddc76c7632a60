/**
 * bench:idle: what an idle cluster costs, by role. Starts the bench's cluster (3 controllers, 3
 * brokers, no coordinators, as bench:compare's), waits until it has settled, then reads every
 * process's CPU (utime + stime of /proc/<pid>/stat) over a window with no load at all, and prints
 * each role's CPU as a share of one core. With `--produce-records N`, then a tuned produce
 * (acks=all, RF 3, 6 partitions, 1 KiB, batch.size 131072, linger.ms 5, after
 * `--warmup-records`) and each role's CPU seconds per GB produced in that window. With
 * `--baseline DIR` the same is done alternately with another built checkout's services (round
 * by round, so both builds share the machine's noise).
 *
 *   node bench/dist/idle-cpu.js [--seconds 30] [--settle-seconds 5] [--rounds 1]
 *     [--produce-records 0] [--warmup-records 200000] [--baseline DIR] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR`: one more round (after the measured ones, not in the means) in which every
 * controller and broker profiles itself into DIR/<build>/ and DIR/<build>/controller (the
 * bench's cpu-profile-hook; `bench:profile` reads them); the idle and produce windows are
 * printed on V8's clock (CLOCK_MONOTONIC microseconds, the profiles' timestamps).
 */
import { readFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Producer } from '@sluice/client';
import { LocalCluster, waitFor } from '@sluice/local-cluster';
import { cpuProfileEnv } from './cpu-profile-env';
import { flag, intFlag } from './flags';

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every Linux this runs on). */
const CLOCK_TICKS_PER_SECOND = 100;
const RECORD_BYTES = 1024;
const PARTITIONS = 6;
/** Sends awaited together: bounds the records in the load process's hands. */
const SEND_WINDOW = 4_096;

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
  return Number(fields[11]) + Number(fields[12]);
}

interface RoleCpu {
  readonly role: string;
  /** Per process, percent of one core over the idle window. */
  readonly percents: number[];
  /** The role's CPU seconds per GB produced (all its processes), when a produce window ran. */
  readonly secondsPerGb?: number;
}

interface MeasureOptions {
  readonly seconds: number;
  readonly settleSeconds: number;
  readonly produceRecords: number;
  readonly warmupRecords: number;
  readonly profileDir: string | undefined;
}

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1_000n);
}

function loadNow(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function produce(bootstrap: string, topic: string, records: number): Promise<void> {
  const producer = new Producer({ bootstrap, acks: 'all', batchSizeBytes: 131_072, lingerMs: 5 });
  const value = Buffer.alloc(RECORD_BYTES, 7);
  try {
    for (let sent = 0; sent < records;) {
      const window: Promise<unknown>[] = [];
      for (; window.length < SEND_WINDOW && sent < records; sent++)
        window.push(producer.send({ topic, partition: sent % PARTITIONS, value }));
      await Promise.all(window);
    }
  } finally {
    await producer.close();
  }
}

async function measureBuild(label: string, workspace: string | undefined, options: MeasureOptions): Promise<RoleCpu[]> {
  const baseDir = mkdtempSync(join(tmpdir(), 'sluice-idle-'));
  const fromWorkspace = workspace === undefined ? {} : { workspace };
  const profileDir = options.profileDir;
  const cluster = await LocalCluster.start(
    {
      baseDir,
      roles: {
        controller: {
          count: 3,
          env: cpuProfileEnv(profileDir === undefined ? undefined : join(profileDir, 'controller')),
          ...fromWorkspace,
        },
        broker: { config: { 'min.insync.replicas': 2 }, env: cpuProfileEnv(profileDir), ...fromWorkspace },
        coordinator: { count: 0 },
      },
    },
    { brokersTimeoutMs: 60_000 },
  );
  try {
    await new Promise((done) => setTimeout(done, options.settleSeconds * 1_000));
    const processes = cluster.processes();
    const ticks = (): number[] => processes.map((running) => cpuTicks(running.pid));
    const byRole = (before: number[], after: number[]): Map<string, number[]> => {
      const roles = new Map<string, number[]>();
      processes.forEach((running, k) => {
        const seconds = ((after[k] as number) - (before[k] as number)) / CLOCK_TICKS_PER_SECOND;
        roles.set(running.role, [...(roles.get(running.role) ?? []), seconds]);
      });
      return roles;
    };
    const idleBefore = ticks();
    const idleStartUs = monotonicUs();
    await new Promise((done) => setTimeout(done, options.seconds * 1_000));
    const idleEndUs = monotonicUs();
    const idle = byRole(idleBefore, ticks());
    const elapsedS = (idleEndUs - idleStartUs) / 1e6;
    const load = loadNow();
    const result: RoleCpu[] = [];
    let produced: Map<string, number[]> | undefined;
    let producedGb = 0;
    if (options.produceRecords > 0) {
      const topic = `idle-cpu-${Date.now()}`;
      const created = await cluster.admin.createTopic({ name: topic, numPartitions: PARTITIONS, replicationFactor: 3 });
      if (created.error !== undefined) throw created.error;
      await waitFor(
        `${topic}: every partition led with a full ISR`,
        async () => {
          const described = await cluster.admin.describeTopic(topic);
          return (
            described.partitions.length === PARTITIONS &&
            described.partitions.every((p) => p.leader >= 0 && p.isr.length === 3)
          );
        },
        30_000,
        200,
      );
      const bootstrap = cluster.brokers.addresses().join(',');
      await produce(bootstrap, topic, options.warmupRecords);
      const before = ticks();
      const startUs = monotonicUs();
      await produce(bootstrap, topic, options.produceRecords);
      const endUs = monotonicUs();
      produced = byRole(before, ticks());
      producedGb = (options.produceRecords * RECORD_BYTES) / 1e9;
      const mbPerS = (producedGb * 1e3) / ((endUs - startUs) / 1e6);
      console.log(
        `${label.padEnd(10)} produce    ${options.produceRecords} records in ${((endUs - startUs) / 1e6).toFixed(1)} s ` +
          `(${mbPerS.toFixed(1)} MB/s, load ${loadNow()})` +
          (profileDir === undefined ? '' : `; window on V8's clock ${startUs}..${endUs} us`),
      );
    }
    if (profileDir !== undefined)
      console.log(`${label.padEnd(10)} idle window on V8's clock ${idleStartUs}..${idleEndUs} us`);
    for (const [role, seconds] of idle) {
      const percents = seconds.map((value) => (value / elapsedS) * 100);
      const total = percents.reduce((sum, value) => sum + value, 0);
      const producedSeconds = produced?.get(role)?.reduce((sum, value) => sum + value, 0);
      const secondsPerGb = producedSeconds === undefined ? undefined : producedSeconds / producedGb;
      console.log(
        `${label.padEnd(10)} ${role.padEnd(11)} idle ${percents.map((value) => value.toFixed(2).padStart(6)).join(' ')}  ` +
          `total ${total.toFixed(2)}% of a core (${elapsedS.toFixed(1)} s, load ${load})` +
          (secondsPerGb === undefined ? '' : `; produce ${secondsPerGb.toFixed(2)} CPU s/GB`),
      );
      result.push({ role, percents, ...(secondsPerGb === undefined ? {} : { secondsPerGb }) });
    }
    return result;
  } finally {
    await cluster.stop();
    rmSync(baseDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options: MeasureOptions = {
    seconds: intFlag('--seconds', 30),
    settleSeconds: intFlag('--settle-seconds', 5, 0),
    produceRecords: intFlag('--produce-records', 0, 0),
    warmupRecords: intFlag('--warmup-records', 200_000, 0),
    profileDir: undefined,
  };
  const rounds = intFlag('--rounds', 1);
  const baselineFlag = flag('--baseline');
  const baseline = baselineFlag === undefined ? undefined : resolve(baselineFlag);
  const profileFlag = flag('--cpu-prof');
  const builds: [string, string | undefined][] = [
    ...(baseline === undefined ? [] : [['baseline', baseline] as [string, string]]),
    ['this', undefined],
  ];
  const totals = new Map<string, Map<string, { idle: number[]; perGb: number[] }>>();
  for (let round = 1; round <= rounds; round++) {
    // Alternating order (A B, B A, ...): drift of the machine falls on both builds.
    const order = round % 2 === 1 ? builds : [...builds].reverse();
    for (const [label, workspace] of order) {
      const measured = await measureBuild(label, workspace, options);
      const roles = totals.get(label) ?? new Map<string, { idle: number[]; perGb: number[] }>();
      for (const { role, percents, secondsPerGb } of measured) {
        const entry = roles.get(role) ?? { idle: [], perGb: [] };
        entry.idle.push(percents.reduce((sum, value) => sum + value, 0));
        if (secondsPerGb !== undefined) entry.perGb.push(secondsPerGb);
        roles.set(role, entry);
      }
      totals.set(label, roles);
    }
  }
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  console.log('\nmean over rounds, each role summed over its processes:');
  for (const [label, roles] of totals) {
    const cells = [...roles].map(
      ([role, { idle, perGb }]) =>
        `${role} idle ${mean(idle).toFixed(2)}% of a core` +
        (perGb.length === 0 ? '' : `, produce ${mean(perGb).toFixed(2)} CPU s/GB`),
    );
    console.log(`${label.padEnd(10)} ${cells.join('; ')}`);
  }
  if (profileFlag !== undefined) {
    console.log('\nprofiled round (not in the means above):');
    for (const [label, workspace] of builds) {
      const profileDir = resolve(profileFlag, label);
      mkdirSync(join(profileDir, 'controller'), { recursive: true });
      await measureBuild(label, workspace, { ...options, profileDir });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
