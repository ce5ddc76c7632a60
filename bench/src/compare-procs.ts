/**
 * Processes of the side-by-side bench: every child it spawns is tracked and stopped by pid (on
 * success, on errors, on Ctrl-C and when the runner exits), and the server processes of the
 * system under test are sampled from /proc: summed RSS (peak) and utime+stime.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcReading {
  readonly rssBytes: number;
  readonly cpuSeconds: number;
}

/** RSS and utime+stime of one process, or undefined once it is gone. */
export function readProc(pid: number): ProcReading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { rssBytes: rssKb * 1024, cpuSeconds: (utime + stime) / ticksPerSecond() };
  } catch {
    return undefined;
  }
}

export interface SampleResult {
  readonly peakRssMiB: number;
  readonly cpuSeconds: number;
}

/** Samples a fixed set of server pids every `intervalMs` until stop(). */
export class ProcSampler {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private peakRss = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: readonly number[],
    private readonly intervalMs = 200,
  ) {}

  private sample(): void {
    let rss = 0;
    for (const pid of this.pids) {
      const reading = readProc(pid);
      if (reading === undefined) continue;
      rss += reading.rssBytes;
      if (!this.first.has(pid)) this.first.set(pid, reading.cpuSeconds);
      this.last.set(pid, reading.cpuSeconds);
    }
    this.peakRss = Math.max(this.peakRss, rss);
  }

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): SampleResult {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.sample();
    let cpu = 0;
    for (const [pid, end] of this.last) cpu += end - (this.first.get(pid) ?? end);
    return { peakRssMiB: this.peakRss / (1024 * 1024), cpuSeconds: cpu };
  }
}

/** Every child the bench spawned; stopped by pid, never by name. */
const children = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
  });
}

/** Spawns a tracked child; output appended to `logFile` (or ignored when null). */
export function spawnTracked(
  command: string,
  args: readonly string[],
  logFile: string | null,
  options: SpawnOptions = {},
): ChildProcess {
  hookExit();
  const fd = logFile === null ? 'ignore' : openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], ...options });
  if (typeof fd === 'number') closeSync(fd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => children.delete(child));
  return child;
}

/** Signals the child by pid and waits for it to go; SIGKILL after `timeoutMs`. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 10_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, timeoutMs);
  await gone;
  clearTimeout(timer);
}

export async function stopAllChildren(timeoutMs = 10_000): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, 'SIGTERM', timeoutMs)));
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tracked child to its end, collecting output; SIGKILL after `timeoutMs`. */
export function runTracked(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  options: SpawnOptions = {},
): Promise<RunResult> {
  hookExit();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

export function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** How long a topic of `partitions` may take to be created and fully led: 60 s plus 30 ms a partition. */
export function createWaitMs(partitions: number): number {
  return 60_000 + partitions * 30;
}

/** A system under test, started by its driver module and stopped by the runner. */
export interface RunningSystem {
  /** `sluice 0.1.0`, `Apache Kafka 4.4.0`, ... */
  readonly name: string;
  /** The server processes whose RSS and CPU the table reports. */
  serverPids(): number[];
  /** Connection facts handed to the load process. */
  readonly connect: Readonly<Record<string, string>>;
  /**
   * Creates a topic (stream, set of keys) with `partitions` and waits until it is writable;
   * `durable`: its acknowledgements wait for fsync (only systems that have such a topic are asked).
   */
  createTopic(
    name: string,
    partitions: number,
    replication: number,
    options?: { readonly durable?: boolean },
  ): Promise<void>;
  /** Stops every process of the system by pid. */
  stop(): Promise<void>;
  /** How the system was set up, for the report. */
  readonly description: string;
  /** Extra environment for the load process's clients (the tracing rows' OTEL_* settings). */
  readonly clientEnv?: Readonly<Record<string, string>>;
}

/** bench/peers: the peers' fetch and install scripts, and the npm clients install-npm.sh puts there. */
export const PEERS_DIR = resolve(__dirname, '..', 'peers');

/**
 * An npm client from bench/peers/node_modules (nats, ioredis), typed by the caller's own narrow
 * interface; a clear message when bench/peers/install-npm.sh has not run.
 */
export function peerModule<T>(name: string): T {
  const load = createRequire(join(PEERS_DIR, 'package.json'));
  try {
    return load(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND')
      throw new Error(`the npm package ${name} is not installed for the bench: run bench/peers/install-npm.sh`);
    throw error;
  }
}

/** Runs bench/peers/install-npm.sh when nats.js or ioredis is missing there. */
export async function ensurePeerNpm(name: string): Promise<void> {
  try {
    peerModule(name);
    return;
  } catch {
    process.stderr.write(
      `${name}: installing the npm clients into bench/peers/node_modules (bench/peers/install-npm.sh)\n`,
    );
  }
  const installed = await runTracked('bash', [join(PEERS_DIR, 'install-npm.sh')], 300_000);
  if (installed.code !== 0)
    throw new Error(`bench/peers/install-npm.sh failed:\n${installed.stderr}${installed.stdout}`);
  peerModule(name);
}
