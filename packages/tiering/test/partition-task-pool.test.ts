import fc from 'fast-check';
import { runPartitionTasks } from '../src';

/** Resolves after the given number of macrotask turns (tasks of different lengths interleave). */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('runPartitionTasks (the copier pool)', () => {
  it('runs every partition once, at most poolSize at once, all of them at the peak', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }),
        async (poolSize, lengths) => {
          const partitions = new Map(lengths.map((length, i) => [`orders-${i}`, length]));
          const runs = new Map<string, number>();
          const inFlight = new Set<string>();
          let peak = 0;
          await runPartitionTasks(partitions, poolSize, async (key, length) => {
            expect(inFlight.has(key)).toBe(false);
            inFlight.add(key);
            peak = Math.max(peak, inFlight.size);
            expect(inFlight.size).toBeLessThanOrEqual(poolSize);
            runs.set(key, (runs.get(key) ?? 0) + 1);
            await turns(length);
            inFlight.delete(key);
          });
          expect([...runs.keys()].sort()).toEqual([...partitions.keys()].sort());
          expect([...runs.values()].every((count) => count === 1)).toBe(true);
          expect(peak).toBe(Math.min(poolSize, partitions.size));
          expect(inFlight.size).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps poolSize tasks in flight while partitions wait: a slow one does not hold back the others', async () => {
    const partitions = new Map(['slow', 'a', 'b', 'c', 'd'].map((key) => [key, key]));
    let releaseSlow!: () => void;
    const slowDone = new Promise<void>((resolve) => (releaseSlow = resolve));
    const finished: string[] = [];
    const pool = runPartitionTasks(partitions, 2, async (key) => {
      if (key === 'slow') await slowDone;
      else await turns(1);
      finished.push(key);
    });
    // Every other partition runs through the second worker while the slow one is still copying.
    for (let i = 0; i < 50 && finished.length < 4; i++) await turns(1);
    expect(finished).toEqual(['a', 'b', 'c', 'd']);
    releaseSlow();
    await pool;
    expect(finished).toEqual(['a', 'b', 'c', 'd', 'slow']);
  });

  it('starts no task once stopped, and lets the ones in flight end', async () => {
    const partitions = new Map(Array.from({ length: 8 }, (_, i) => [`p${i}`, i]));
    let stopped = false;
    const ran: string[] = [];
    await runPartitionTasks(
      partitions,
      3,
      async (key) => {
        ran.push(key);
        await turns(1);
        stopped = true;
        await turns(2);
      },
      () => stopped,
    );
    expect(ran).toEqual(['p0', 'p1', 'p2']);
  });

  it('throws a task failure that escaped after every other task ended; the other workers go on', async () => {
    const partitions = new Map(Array.from({ length: 6 }, (_, i) => [`p${i}`, i]));
    const ended: string[] = [];
    await expect(
      runPartitionTasks(partitions, 2, async (key) => {
        await turns(1);
        if (key === 'p0') throw new Error('escaped');
        ended.push(key);
      }),
    ).rejects.toThrow('escaped');
    expect(ended.sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('refuses a pool size that is not a positive integer, by name', async () => {
    for (const poolSize of [0, -1, 1.5, Number.NaN]) {
      await expect(runPartitionTasks(new Map([['p0', 0]]), poolSize, async () => {})).rejects.toThrow(
        /copier pool size .* must be an integer >= 1/,
      );
    }
  });
});
