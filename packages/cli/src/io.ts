/** Where a command writes; injected so tests can capture output without spawning processes. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Standard input, for commands that read it (`produce`); none means empty input. */
  readonly stdin?: AsyncIterable<Buffer | string>;
  /** Whether stderr is a terminal: `produce` then shows a progress line by itself. */
  readonly errIsTTY?: boolean;
  /** Whether stdin is a terminal (someone typing records): no progress line then. */
  readonly stdinIsTTY?: boolean;
  /** Resolves when more out() text will not pile up unwritten (stdout back-pressure). */
  outDrained?(): Promise<void>;
  /** Aborting it stops a long-running command as Ctrl-C (SIGINT) or SIGTERM does. */
  readonly signal?: AbortSignal;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  get stdin() {
    return process.stdin;
  },
  get errIsTTY() {
    return process.stderr.isTTY === true;
  },
  get stdinIsTTY() {
    return process.stdin.isTTY === true;
  },
  outDrained: () =>
    process.stdout.writableNeedDrain
      ? new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()))
      : Promise.resolve(),
};

/**
 * Resolves on the first SIGINT or SIGTERM (or when `signal` aborts); `dispose()` removes the
 * listeners, so a second Ctrl-C after the first one kills the process as usual.
 */
export function onInterrupt(signal: AbortSignal | undefined, handler: () => void): { dispose(): void } {
  let fired = false;
  const fire = (): void => {
    if (fired) return;
    fired = true;
    dispose();
    handler();
  };
  const dispose = (): void => {
    process.off('SIGINT', fire);
    process.off('SIGTERM', fire);
    signal?.removeEventListener('abort', fire);
  };
  process.once('SIGINT', fire);
  process.once('SIGTERM', fire);
  if (signal?.aborted === true) queueMicrotask(fire);
  else signal?.addEventListener('abort', fire, { once: true });
  return { dispose };
}

export const STOPPED = Symbol('stopped');

/**
 * A stop flag that waits can race against. Unlike `Promise.race([work, stopPromise])`, which
 * leaves a reaction (and the work's result) on the long-lived stop promise for every race until
 * it settles, each wait here unregisters itself once its work settles: a million stdin lines do
 * not pile up.
 */
export class Interruption {
  private stoppedValue = false;
  private readonly waiters = new Set<() => void>();

  get stopped(): boolean {
    return this.stoppedValue;
  }

  stop(): void {
    if (this.stoppedValue) return;
    this.stoppedValue = true;
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  /** `work`'s outcome, or STOPPED as soon as stop() is called (the work then goes on unobserved). */
  race<T>(work: Promise<T>): Promise<T | typeof STOPPED> {
    if (this.stoppedValue) {
      work.catch(() => undefined);
      return Promise.resolve(STOPPED);
    }
    return new Promise<T | typeof STOPPED>((resolve, reject) => {
      const onStop = (): void => resolve(STOPPED);
      this.waiters.add(onStop);
      work.then(
        (value) => {
          this.waiters.delete(onStop);
          resolve(value);
        },
        (error: unknown) => {
          this.waiters.delete(onStop);
          reject(error);
        },
      );
    });
  }
}
