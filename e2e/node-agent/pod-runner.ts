/**
 * One pod on the node agent, as the kubelet would run it: volumes as directories, init
 * containers in order (each retried until it succeeds), then every container as a local process
 * restarted when it exits (restartPolicy Always) or fails its liveness probe, with startup,
 * readiness and liveness probes; stop() runs preStop, sends SIGTERM and SIGKILLs after the grace
 * period. The agent reads snapshot() to report the pod's status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { V1EnvVar, V1Pod } from '@kubernetes/client-node';
import {
  expandArg,
  fieldValue,
  mountScript,
  type ContainerPlan,
  type PodPlan,
  type ProbePlan,
  type VolumePlan,
} from './pod-plan.ts';
import { probeOnce } from './probes.ts';

/** The checkout the pods run from (the chart's image.appDir in the e2e): it must stay visible in each pod. */
const WORKSPACE_ROOT = resolve(import.meta.dirname, '..', '..');

/** What a runner needs from the agent: places on disk and answers from the API. */
export interface PodHost {
  readonly podDir: string;
  /** Where a container's output goes (outlives the pod, for post-mortems). */
  logFile(container: string): string;
  /** The directory that backs a claim: outlives the pod, like a PersistentVolume. */
  claimDir(claimName: string): string;
  readonly hostsFile: string;
  readonly podIp: string;
  /** The agent's own environment for every process (PATH: where `node` is). */
  readonly baseEnv: Readonly<Record<string, string>>;
  secretValue(name: string, key: string): Promise<string>;
  configMapValue(name: string, key: string): Promise<string>;
  volumeFiles(volume: VolumePlan): Promise<Record<string, Buffer>>;
  log(line: string): void;
}

export interface ContainerSnapshot {
  readonly name: string;
  readonly state: 'waiting' | 'running' | 'terminated';
  readonly reason?: string;
  readonly exitCode?: number;
  readonly startedAt?: Date;
  readonly started: boolean;
  readonly ready: boolean;
  readonly restartCount: number;
}

export interface PodSnapshot {
  /** Running while any container may still run; Succeeded / Failed once none will (restartPolicy). */
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  readonly initialized: boolean;
  readonly init: readonly ContainerSnapshot[];
  readonly containers: readonly ContainerSnapshot[];
}

const RESTART_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000];

class ContainerRun {
  state: ContainerSnapshot['state'] = 'waiting';
  reason: string | undefined = 'PodInitializing';
  exitCode: number | undefined;
  startedAt: Date | undefined;
  started = false;
  ready = false;
  restartCount = 0;
  child: ChildProcess | undefined;
  /** Exited and will not be restarted (restartPolicy). */
  done = false;
  readonly plan: ContainerPlan;

  constructor(plan: ContainerPlan) {
    this.plan = plan;
  }

  snapshot(): ContainerSnapshot {
    return {
      name: this.plan.name,
      state: this.state,
      reason: this.reason,
      exitCode: this.exitCode,
      startedAt: this.startedAt,
      started: this.started,
      ready: this.ready,
      restartCount: this.restartCount,
    };
  }
}

export class PodRunner {
  private readonly init: ContainerRun[];
  private readonly containers: ContainerRun[];
  private initialized = false;
  /** An init container failed under restartPolicy Never: the pod ends Failed. */
  private failed = false;
  private stopping = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  private readonly pod: V1Pod;
  private readonly plan: PodPlan;
  private readonly host: PodHost;
  private readonly onChange: () => void;

  constructor(pod: V1Pod, plan: PodPlan, host: PodHost, onChange: () => void) {
    this.pod = pod;
    this.plan = plan;
    this.host = host;
    this.onChange = onChange;
    this.init = plan.init.map((c) => new ContainerRun(c));
    this.containers = plan.containers.map((c) => new ContainerRun(c));
  }

  get name(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  snapshot(): PodSnapshot {
    const ended = this.failed || (this.initialized && this.containers.every((c) => c.done));
    const succeeded = !this.failed && this.containers.every((c) => c.exitCode === 0);
    return {
      phase: ended ? (succeeded ? 'Succeeded' : 'Failed') : this.initialized ? 'Running' : 'Pending',
      initialized: this.initialized,
      init: this.init.map((c) => c.snapshot()),
      containers: this.containers.map((c) => c.snapshot()),
    };
  }

  /** The pid of a running container's process (the e2e kills it -9). */
  pid(container: string): number | undefined {
    return this.containers.find((c) => c.plan.name === container)?.child?.pid;
  }

  async start(): Promise<void> {
    mkdirSync(this.host.podDir, { recursive: true });
    const binds = await this.prepareVolumes();
    for (const run of this.init) {
      for (let attempt = 0; !this.stopping; attempt++) {
        const exitCode = await this.runToExit(run, binds);
        if (exitCode === 0) break;
        if (this.plan.restartPolicy === 'Never') {
          this.failed = true;
          this.onChange();
          return;
        }
        run.restartCount++;
        await this.sleep(RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)] as number);
      }
      if (this.stopping) return;
    }
    this.initialized = true;
    this.onChange();
    for (const run of this.containers) void this.keepRunning(run, binds);
  }

  /** preStop, SIGTERM, then SIGKILL once `gracePeriodMs` has passed; resolves when every process is gone. */
  async stop(gracePeriodMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    const deadline = Date.now() + gracePeriodMs;
    const everyRun = [...this.init, ...this.containers];
    await Promise.all(
      this.containers.map(async (run) => {
        if (run.child === undefined || run.plan.preStop === undefined || gracePeriodMs === 0) return;
        await this.runHook(run.plan.preStop, deadline - Date.now());
      }),
    );
    for (const run of everyRun) signal(run.child, 'SIGTERM');
    const exits = everyRun.map((run) => exited(run.child));
    const force = setTimeout(
      () => everyRun.forEach((run) => signal(run.child, 'SIGKILL')),
      Math.max(0, deadline - Date.now()),
    );
    await Promise.all(exits);
    clearTimeout(force);
    rmSync(this.host.podDir, { recursive: true, force: true });
  }

  private async prepareVolumes(): Promise<Map<string, string>> {
    const dirs = new Map<string, string>();
    for (const volume of this.plan.volumes) {
      const dir =
        volume.kind === 'claim' ? this.host.claimDir(volume.source) : join(this.host.podDir, 'volumes', volume.name);
      mkdirSync(dir, { recursive: true });
      if (volume.kind === 'configMap' || volume.kind === 'secret') {
        for (const [file, content] of Object.entries(await this.host.volumeFiles(volume)))
          writeFileSync(join(dir, file), content);
      }
      dirs.set(volume.name, dir);
    }
    return dirs;
  }

  private async environment(plan: ContainerPlan): Promise<Map<string, string>> {
    const env = new Map<string, string>(Object.entries(this.host.baseEnv));
    env.set('HOSTNAME', this.pod.metadata?.name ?? '');
    for (const variable of plan.env) env.set(variable.name, await this.value(variable, env));
    return env;
  }

  private async value(variable: V1EnvVar, env: ReadonlyMap<string, string>): Promise<string> {
    if (variable.value !== undefined) return expandArg(variable.value, env);
    const from = variable.valueFrom;
    if (from?.fieldRef !== undefined) return fieldValue(this.pod, this.host.podIp, from.fieldRef.fieldPath);
    if (from?.secretKeyRef !== undefined)
      return this.host.secretValue(from.secretKeyRef.name ?? '', from.secretKeyRef.key);
    if (from?.configMapKeyRef !== undefined)
      return this.host.configMapValue(from.configMapKeyRef.name ?? '', from.configMapKeyRef.key);
    return '';
  }

  private async spawnContainer(run: ContainerRun, binds: ReadonlyMap<string, string>): Promise<ChildProcess> {
    const env = await this.environment(run.plan);
    const argv = run.plan.argv.map((arg) => expandArg(arg, env));
    const script = mountScript(
      run.plan.mounts.map((m) => ({ from: binds.get(m.volume) as string, to: m.path })),
      this.host.hostsFile,
      [WORKSPACE_ROOT],
    );
    const log = openSync(this.host.logFile(run.plan.name), 'a');
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...argv], {
      env: Object.fromEntries(env),
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    run.child = child;
    run.state = 'running';
    run.reason = undefined;
    run.exitCode = undefined;
    run.startedAt = new Date();
    writeFileSync(join(this.host.podDir, `${run.plan.name}.pid`), `${child.pid}\n`);
    this.host.log(`${this.name} ${run.plan.name}: started pid ${child.pid}: ${argv.join(' ')}`);
    this.onChange();
    return child;
  }

  private async runToExit(run: ContainerRun, binds: ReadonlyMap<string, string>): Promise<number> {
    const child = await this.spawnContainer(run, binds);
    const code = await exitCode(child);
    run.child = undefined;
    run.state = 'terminated';
    run.exitCode = code;
    run.reason = code === 0 ? 'Completed' : 'Error';
    this.host.log(`${this.name} ${run.plan.name}: exited ${code}`);
    this.onChange();
    return code;
  }

  /** Runs a container, restarting it with backoff whenever it exits, until the pod stops. */
  private async keepRunning(run: ContainerRun, binds: ReadonlyMap<string, string>): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      const child = await this.spawnContainer(run, binds);
      const probing = this.probe(run, child);
      const code = await exitCode(child);
      run.child = undefined;
      run.ready = false;
      run.started = false;
      run.state = 'terminated';
      run.exitCode = code;
      run.reason = code === 0 ? 'Completed' : 'Error';
      this.host.log(`${this.name} ${run.plan.name}: exited ${code}`);
      this.onChange();
      await probing;
      if (this.stopping) return;
      if (this.plan.restartPolicy === 'Never' || (this.plan.restartPolicy === 'OnFailure' && code === 0)) {
        run.done = true;
        this.onChange();
        return;
      }
      run.restartCount++;
      await this.sleep(RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)] as number);
    }
  }

  /** The probes of one process's life: startup, then readiness and liveness until it exits. */
  private async probe(run: ContainerRun, child: ChildProcess): Promise<void> {
    const alive = (): boolean => !this.stopping && run.child === child;
    const check = (probe: ProbePlan): Promise<boolean> => probeOnce(probe, this.host.podIp);
    const { startup, readiness, liveness } = run.plan;
    if (startup !== undefined) {
      for (let failures = 0; alive();) {
        if (await check(startup)) break;
        if (++failures >= startup.plan.failureThreshold) return void signal(child, 'SIGKILL');
        await this.sleep(startup.plan.periodMs);
      }
    }
    if (!alive()) return;
    run.started = true;
    run.ready = readiness === undefined;
    this.onChange();
    let readinessFailures = 0;
    let livenessFailures = 0;
    const periodMs = Math.min(readiness?.plan.periodMs ?? Infinity, liveness?.plan.periodMs ?? Infinity);
    while (alive() && Number.isFinite(periodMs)) {
      if (readiness !== undefined) {
        const ok = await check(readiness);
        readinessFailures = ok ? 0 : readinessFailures + 1;
        const ready = ok ? true : readinessFailures >= readiness.plan.failureThreshold ? false : run.ready;
        if (ready !== run.ready && alive()) {
          run.ready = ready;
          this.onChange();
        }
      }
      if (liveness !== undefined) {
        livenessFailures = (await check(liveness)) ? 0 : livenessFailures + 1;
        if (livenessFailures >= liveness.plan.failureThreshold) return void signal(child, 'SIGKILL');
      }
      await this.sleep(periodMs);
    }
  }

  private runHook(argv: readonly string[], timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0) return Promise.resolve();
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore', env: { ...this.host.baseEnv } });
    const kill = setTimeout(() => signal(child, 'SIGKILL'), timeoutMs);
    return exitCode(child).then(() => clearTimeout(kill));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolveSleep) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolveSleep();
      }, ms);
      this.timers.add(timer);
      if (this.stopping) {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolveSleep();
      }
    });
  }
}

function signal(child: ChildProcess | undefined, name: NodeJS.Signals): void {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill(name);
}

function exitCode(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(128 + 9);
  return new Promise((resolveExit) => {
    child.once('exit', (code, sig) => resolveExit(code ?? (sig === 'SIGKILL' ? 137 : 143)));
    child.once('error', () => resolveExit(127));
  });
}

function exited(child: ChildProcess | undefined): Promise<void> {
  return child === undefined ? Promise.resolve() : exitCode(child).then(() => undefined);
}
