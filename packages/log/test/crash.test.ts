import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { iterateBatches, readInt64AsNumber } from '@sluice/protocol';
import { defaultLogConfig, LogResources, PartitionLog } from '@sluice/log';
import { makeBatch, tempDir } from './helpers';

const ROOT = resolve(__dirname, '../../..');
const FIXTURE = join(__dirname, 'fixtures', 'crash-writer.js');
const ROUNDS = 6;

interface ChildRun {
  maxFlushed: number;
  lines: number;
}

/** Starts the writer, waits for a few flushes plus a random delay, then SIGKILLs it. */
function runAndKill(dir: string, seed: number, delayMs: number, leaderEpoch: number): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [FIXTURE, dir, String(seed), String(leaderEpoch)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let maxFlushed = -1;
    let lines = 0;
    let pending = '';
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    const killLater = (): void => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    const safety = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        const match = /^flushed (\d+)$/.exec(line);
        if (match) {
          maxFlushed = Math.max(maxFlushed, Number(match[1]));
          lines++;
          if (lines >= 3) killLater();
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(safety);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}/${signal}: ${stderr}`));
      else resolvePromise({ maxFlushed, lines });
    });
  });
}

describe('crash recovery with real processes (SIGKILL)', () => {
  beforeAll(() => {
    // The fixture runs the compiled package; make sure dist matches the sources under test.
    const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    const built = spawnSync(process.execPath, [tsc, '-b', join(ROOT, 'packages/log')], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`tsc -b failed: ${built.stdout}${built.stderr}`);
  }, 120_000);

  it('keeps every flushed record, in order, and accepts appends after each crash', async () => {
    const { dir, cleanup } = tempDir('sluice-crash-');
    const resources = new LogResources();
    try {
      let seedState = 12345;
      const next = (): number => (seedState = (seedState * 1103515245 + 12345) % 2 ** 31);
      let previousEnd = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const run = await runAndKill(dir, next(), 20 + (next() % 400), 2 * round + 1);
        expect(run.maxFlushed).toBeGreaterThan(0);
        const log = PartitionLog.open({
          dir,
          config: { ...defaultLogConfig, segmentBytes: 64 * 1024, indexIntervalBytes: 512 },
          resources,
        });
        expect(log.stats.cleanShutdown).toBe(false);
        expect(log.logEndOffset).toBeGreaterThanOrEqual(run.maxFlushed);
        expect(log.logEndOffset).toBeGreaterThanOrEqual(previousEnd);
        // Every batch present, contiguous from 0, each carrying its own offset.
        let offset = 0;
        while (offset < log.logEndOffset) {
          const result = log.read(offset, 256 * 1024);
          expect(result.batchCount).toBeGreaterThan(0);
          for (const view of iterateBatches(result.records, { verifyCrc: true })) {
            expect(view.baseOffset).toBe(offset);
            if (view.recordsBytes().length >= 8 && view.partitionLeaderEpoch % 2 === 1) {
              expect(readInt64AsNumber(view.recordsBytes(), 0)).toBe(view.baseOffset);
            }
            offset = view.nextOffset;
          }
        }
        const info = log.append(makeBatch({ records: 1 }), { leaderEpoch: 2 * round + 2 });
        expect(info.firstOffset).toBe(offset);
        previousEnd = log.logEndOffset;
        if (round % 2 === 0) log.close();
        else {
          log.flush();
          log.abandon();
        }
      }
    } finally {
      resources.close();
      cleanup();
    }
  }, 120_000);
});
