/**
 * Child processes of one kind (controllers, brokers) run on this machine by @sluice/local-cluster
 * (`sluice cluster up`, the e2e suite and the benchmarks): spawn `node <main> <args>`, output to a file, stop by pid with
 * a signal and a bounded wait, SIGKILL after it. Every child still running when this process exits
 * is killed, so a failed test or Ctrl-C never leaves servers behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export const TIMED_OUT: unique symbol = Symbol('timed out');

/** Bound on a SIGKILLed child's exit reaching this process (milliseconds idle; seconds under heavy load). */
export const SIGKILL_EXIT_TIMEOUT_MS = 30_000;

/** `promise`, or TIMED_OUT after `ms`; the timer is cleared either way (no dangling handles). */
export async function within<T>(promise: Promise<T> | undefined, ms: number): Promise<T | typeof TIMED_OUT> {
  if (promise === undefined) return TIMED_OUT;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<typeof TIMED_OUT>((resolveTimeout) => (timer = setTimeout(() => resolveTimeout(TIMED_OUT), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class LocalProcesses {
  private readonly processes = new Map<number, Running>();

  /** `kind` names the processes in errors ("controller 2 is already running"). */
  constructor(private readonly kind: string) {}

  /**
   * Spawns `node ...nodeFlags mainPath ...args` with this process's environment and `env` over it;
   * output appended to `outputFile`, or inherited when null.
   */
  start(
    id: number,
    mainPath: string,
    args: readonly string[],
    outputFile: string | null,
    env: Readonly<Record<string, string>> = {},
    nodeFlags: readonly string[] = [],
  ): ChildProcess {
    installExitHook();
    if (this.isRunning(id)) throw new Error(`${this.kind} ${id} is already running`);
    const fd = outputFile === null ? undefined : openSync(outputFile, 'a');
    const child = spawn(process.execPath, [...nodeFlags, mainPath, ...args], {
      stdio: fd !== undefined ? ['ignore', fd, fd] : ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
    });
    if (fd !== undefined) closeSync(fd);
    liveChildren.add(child);
    const exited = new Promise<number | null>((resolveExit) => {
      child.once('exit', (code) => {
        liveChildren.delete(child);
        resolveExit(code);
      });
    });
    this.processes.set(id, { child, exited });
    return child;
  }

  pid(id: number): number | undefined {
    return this.processes.get(id)?.child.pid;
  }

  isRunning(id: number): boolean {
    const child = this.processes.get(id)?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /**
   * Sends `signal` by pid; resolves once the process is gone, SIGKILLing it after `timeoutMs`.
   * The wait after SIGKILL is not `timeoutMs` (the grace for `signal`, as short as the caller
   * likes): SIGKILL cannot be refused, but on a loaded machine its exit can take longer than a
   * short grace to reach this process, and returning then would break the promise above.
   * Rejects if the process is still there SIGKILL_EXIT_TIMEOUT_MS after SIGKILL.
   */
  async kill(id: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
    const running = this.processes.get(id);
    const pid = running?.child.pid;
    if (running === undefined || pid === undefined || !this.isRunning(id)) return;
    process.kill(pid, signal);
    await within(running.exited, timeoutMs);
    if (this.isRunning(id)) {
      process.kill(pid, 'SIGKILL');
      if ((await within(running.exited, SIGKILL_EXIT_TIMEOUT_MS)) === TIMED_OUT)
        throw new Error(`${this.kind} ${id} (pid ${pid}) still running ${SIGKILL_EXIT_TIMEOUT_MS} ms after SIGKILL`);
    }
  }

  /** The exit code of the last run once it exits, 'running' if it does not within `timeoutMs`. */
  async exitCode(id: number, timeoutMs: number): Promise<number | null | 'running'> {
    const result = await within(this.processes.get(id)?.exited, timeoutMs);
    return result === TIMED_OUT ? 'running' : (result ?? null);
  }
}
