/**
 * bench:idle: what an idle cluster costs. Starts the bench's cluster (3 controllers, 3 brokers, no
 * coordinators, as bench:compare's), waits until it has settled, then reads every process's CPU
 * (utime + stime of /proc/<pid>/stat) over a window with no load at all, and prints each role's
 * CPU as a share of one core. With `--baseline DIR` the same is done alternately with another
 * built checkout's services (round by round, so both builds share the machine's noise).
 *
 *   node bench/dist/idle-cpu.js [--seconds 30] [--settle-seconds 5] [--rounds 1]
 *     [--baseline DIR] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR`: the controllers of this build profile themselves into DIR/<round>/ (the
 * bench's cpu-profile-hook; `bench:profile DIR/<round>` reads them).
 */
import { readFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalCluster } from '@sluice/local-cluster';
import { cpuProfileEnv } from './cpu-profile-env';
import { flag, intFlag } from './flags';

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every Linux this runs on). */
const CLOCK_TICKS_PER_SECOND = 100;

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
  return Number(fields[11]) + Number(fields[12]);
}

interface RoleCpu {
  readonly role: string;
  /** Per process, percent of one core over the window. */
  readonly percents: number[];
}

async function measureBuild(
  label: string,
  workspace: string | undefined,
  seconds: number,
  settleSeconds: number,
  profileDir: string | undefined,
): Promise<RoleCpu[]> {
  const baseDir = mkdtempSync(join(tmpdir(), 'sluice-idle-'));
  const fromWorkspace = workspace === undefined ? {} : { workspace };
  const cluster = await LocalCluster.start(
    {
      baseDir,
      roles: {
        controller: { count: 3, env: cpuProfileEnv(profileDir), ...fromWorkspace },
        broker: { config: { 'min.insync.replicas': 2 }, ...fromWorkspace },
        coordinator: { count: 0 },
      },
    },
    { brokersTimeoutMs: 60_000 },
  );
  try {
    await new Promise((done) => setTimeout(done, settleSeconds * 1_000));
    const processes = cluster.processes();
    const before = processes.map((running) => cpuTicks(running.pid));
    const startedNs = process.hrtime.bigint();
    await new Promise((done) => setTimeout(done, seconds * 1_000));
    const after = processes.map((running) => cpuTicks(running.pid));
    const elapsedS = Number(process.hrtime.bigint() - startedNs) / 1e9;
    const byRole = new Map<string, number[]>();
    processes.forEach((running, k) => {
      const percent = (((after[k] as number) - (before[k] as number)) / CLOCK_TICKS_PER_SECOND / elapsedS) * 100;
      byRole.set(running.role, [...(byRole.get(running.role) ?? []), percent]);
    });
    const result = [...byRole].map(([role, percents]) => ({ role, percents }));
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    for (const { role, percents } of result) {
      const total = percents.reduce((sum, value) => sum + value, 0);
      console.log(
        `${label.padEnd(10)} ${role.padEnd(11)} ${percents.map((value) => value.toFixed(2).padStart(6)).join(' ')}  ` +
          `total ${total.toFixed(2)}% of a core  (${elapsedS.toFixed(1)} s, load ${load})`,
      );
    }
    return result;
  } finally {
    await cluster.stop();
    rmSync(baseDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const seconds = intFlag('--seconds', 30);
  const settleSeconds = intFlag('--settle-seconds', 5, 0);
  const rounds = intFlag('--rounds', 1);
  const baselineFlag = flag('--baseline');
  const baseline = baselineFlag === undefined ? undefined : resolve(baselineFlag);
  const profileFlag = flag('--cpu-prof');
  const totals = new Map<string, Map<string, number[]>>();
  const record = (label: string, measured: RoleCpu[]): void => {
    const roles = totals.get(label) ?? new Map<string, number[]>();
    for (const { role, percents } of measured)
      roles.set(role, [...(roles.get(role) ?? []), percents.reduce((sum, value) => sum + value, 0)]);
    totals.set(label, roles);
  };
  for (let round = 1; round <= rounds; round++) {
    if (baseline !== undefined)
      record('baseline', await measureBuild('baseline', baseline, seconds, settleSeconds, undefined));
    let profileDir: string | undefined;
    if (profileFlag !== undefined) {
      profileDir = resolve(profileFlag, String(round));
      mkdirSync(profileDir, { recursive: true });
    }
    record('this', await measureBuild('this', undefined, seconds, settleSeconds, profileDir));
  }
  console.log('\nmean over rounds, each role summed over its processes (% of one core):');
  for (const [label, roles] of totals) {
    const cells = [...roles].map(([role, sums]) => {
      const mean = sums.reduce((sum, value) => sum + value, 0) / sums.length;
      return `${role} ${mean.toFixed(2)}%`;
    });
    console.log(`${label.padEnd(10)} ${cells.join(', ')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
