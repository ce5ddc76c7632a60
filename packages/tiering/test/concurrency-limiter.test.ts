import { ConcurrencyLimiter, ConcurrencyLimitError } from '../src';

/** A task that finishes when the test says so. */
function gate(): { promise: Promise<void>; open: () => void; fail: (error: Error) => void } {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('ConcurrencyLimiter', () => {
  it('runs at most maxInFlight at once, the waiting ones first come first served', async () => {
    const limiter = new ConcurrencyLimiter(2, 10);
    const gates = Array.from({ length: 5 }, () => gate());
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.counters()).toEqual({ inFlight: 2, pending: 3, peakInFlight: 2, rejected: 0 });
    gates[1]!.open();
    await runs[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.counters()).toEqual({ inFlight: 0, pending: 0, peakInFlight: 2, rejected: 0 });
  });

  it('refuses a task at once when maxPending are waiting, and a failed task frees its turn', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const first = gate();
    const running = limiter.run(() => first.promise);
    const waiting = limiter.run(async () => 'second');
    await expect(limiter.run(async () => 'third')).rejects.toThrow(ConcurrencyLimitError);
    expect(limiter.counters()).toMatchObject({ inFlight: 1, pending: 1, rejected: 1 });
    first.fail(new Error('GET failed'));
    await expect(running).rejects.toThrow('GET failed');
    expect(await waiting).toBe('second');
    expect(await limiter.run(async () => 'after')).toBe('after');
    expect(limiter.counters()).toEqual({ inFlight: 0, pending: 0, peakInFlight: 1, rejected: 1 });
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => new ConcurrencyLimiter(0, 1)).toThrow(RangeError);
    expect(() => new ConcurrencyLimiter(1.5, 1)).toThrow(RangeError);
    expect(() => new ConcurrencyLimiter(1, -1)).toThrow(RangeError);
  });
});
