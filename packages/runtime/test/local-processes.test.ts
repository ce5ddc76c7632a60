import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalProcesses, TIMED_OUT, within } from '@sluice/runtime';

const SCRIPT_EXIT_7_ON_TERM = 'process.on("SIGTERM", () => process.exit(7)); setInterval(() => {}, 1000);';
const SCRIPT_IGNORE_TERM = 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);';

describe('LocalProcesses', () => {
  const group = new LocalProcesses('worker');
  afterAll(async () => {
    for (const id of [1, 2, 3]) await group.kill(id, 'SIGKILL', 2_000);
  });

  it('starts by id, refuses a second start, stops by signal and reports the exit code', async () => {
    const child = group.start(1, '-e', [SCRIPT_EXIT_7_ON_TERM], null);
    expect(group.pid(1)).toBe(child.pid);
    expect(group.isRunning(1)).toBe(true);
    expect(() => group.start(1, '-e', [SCRIPT_EXIT_7_ON_TERM], null)).toThrow('worker 1 is already running');
    await new Promise((resolve) => setTimeout(resolve, 300)); // let it install its handler
    await group.kill(1, 'SIGTERM', 5_000);
    expect(group.isRunning(1)).toBe(false);
    expect(await group.exitCode(1, 1_000)).toBe(7);
  });

  it('escalates to SIGKILL when the signal is ignored, within the bound', async () => {
    group.start(2, '-e', [SCRIPT_IGNORE_TERM], null);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await group.kill(2, 'SIGTERM', 500);
    expect(group.isRunning(2)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await group.exitCode(2, 1_000)).toBeNull(); // killed by a signal
  });

  it('appends output to a file and lays extra environment over the parent environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-local-processes-'));
    const outputFile = join(dir, 'worker.out');
    try {
      const script = 'process.stdout.write(`${process.env.SLUICE_TEST_MARK}:${process.env.PATH === undefined}\\n`)';
      group.start(3, '-e', [script], outputFile, { SLUICE_TEST_MARK: 'first' });
      expect(await group.exitCode(3, 5_000)).toBe(0);
      group.start(3, '-e', [script], outputFile, { SLUICE_TEST_MARK: 'second' });
      expect(await group.exitCode(3, 5_000)).toBe(0);
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
