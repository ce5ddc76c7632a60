import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalProcesses, TIMED_OUT, within } from '@sluice/runtime';

// Each script says "ready" once its SIGTERM handler is installed. A signal sent before that meets
// Node's default action (death by SIGTERM) and the test would check nothing it means to: a fixed
// pause is not enough, a child Node.js can take seconds to start on a loaded 2-core machine.
const SCRIPT_EXIT_7_ON_TERM =
  'process.on("SIGTERM", () => process.exit(7)); process.stdout.write("ready\\n"); setInterval(() => {}, 1000);';
const SCRIPT_IGNORE_TERM =
  'process.on("SIGTERM", () => {}); process.stdout.write("ready\\n"); setInterval(() => {}, 1000);';
/** Bound on a child Node.js starting and installing its handler (seconds under load, 50 ms idle). */
const READY_TIMEOUT_MS = 20_000;

jest.setTimeout(60_000);

/** Waits (bounded) until the child wrote its "ready" line to `outputFile`. */
async function waitForReady(outputFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(existsSync(outputFile) && readFileSync(outputFile, 'utf8').includes('ready\n'))) {
    if (Date.now() > deadline) throw new Error(`no "ready" in ${outputFile} within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('LocalProcesses', () => {
  const group = new LocalProcesses('worker');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-local-processes-'));
  });
  afterAll(async () => {
    for (const id of [1, 2, 3]) await group.kill(id, 'SIGKILL', 2_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts by id, refuses a second start, stops by signal and reports the exit code', async () => {
    const outputFile = join(dir, 'worker-1.out');
    const child = group.start(1, '-e', [SCRIPT_EXIT_7_ON_TERM], outputFile);
    expect(group.pid(1)).toBe(child.pid);
    expect(group.isRunning(1)).toBe(true);
    expect(() => group.start(1, '-e', [SCRIPT_EXIT_7_ON_TERM], null)).toThrow('worker 1 is already running');
    await waitForReady(outputFile);
    await group.kill(1, 'SIGTERM', 5_000);
    expect(group.isRunning(1)).toBe(false);
    expect(await group.exitCode(1, 1_000)).toBe(7);
  });

  it('escalates to SIGKILL when the signal is ignored, within the bound', async () => {
    const outputFile = join(dir, 'worker-2.out');
    const child = group.start(2, '-e', [SCRIPT_IGNORE_TERM], outputFile);
    await waitForReady(outputFile);
    const started = Date.now();
    await group.kill(2, 'SIGTERM', 500);
    expect(group.isRunning(2)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await group.exitCode(2, 1_000)).toBeNull(); // killed by a signal
    // It survived the SIGTERM: the escalation, not the first signal, ended it.
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('appends output to a file and lays extra environment over the parent environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-local-processes-'));
    const outputFile = join(dir, 'worker.out');
    try {
      const script = 'process.stdout.write(`${process.env.SLUICE_TEST_MARK}:${process.env.PATH === undefined}\\n`)';
      group.start(3, '-e', [script], outputFile, { SLUICE_TEST_MARK: 'first' });
      expect(await group.exitCode(3, READY_TIMEOUT_MS)).toBe(0);
      group.start(3, '-e', [script], outputFile, { SLUICE_TEST_MARK: 'second' });
      expect(await group.exitCode(3, READY_TIMEOUT_MS)).toBe(0);
      expect(readFileSync(outputFile, 'utf8')).toBe('first:false\nsecond:false\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('within() resolves to TIMED_OUT after the bound and clears its timer', async () => {
    expect(await within(new Promise(() => undefined), 20)).toBe(TIMED_OUT);
    expect(await within(Promise.resolve(5), 1_000)).toBe(5);
    expect(await within(undefined, 1_000)).toBe(TIMED_OUT);
  });
});
