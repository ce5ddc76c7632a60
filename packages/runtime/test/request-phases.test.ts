import { PhaseClock, untimedRequest } from '../src';

/** A clock the test moves by hand (seconds). */
function manualClock(): { now: () => number; advance: (seconds: number) => void } {
  let t = 100;
  return { now: () => t, advance: (seconds) => void (t += seconds) };
}

describe('PhaseClock', () => {
  it('splits a request into queue, local and remote time that add up to the whole', async () => {
    const clock = manualClock();
    const phases = new PhaseClock(clock.now, 'queue', 99.5);
    clock.advance(0.25);
    phases.enter('local');
    clock.advance(1);
    let settle!: (value: string) => void;
    const waited = phases.remote(new Promise<string>((resolve) => (settle = resolve)));
    expect(phases.phase).toBe('remote');
    clock.advance(2);
    settle('answer');
    await expect(waited).resolves.toBe('answer');
    expect(phases.phase).toBe('local');
    clock.advance(0.5);
    expect(phases.finish()).toEqual({ queue: 0.75, local: 1.5, remote: 2 });
  });

  it('treats concurrent remote waits as one phase that ends with the last, also on failure', async () => {
    const clock = manualClock();
    const phases = new PhaseClock(clock.now, 'local');
    let first!: () => void;
    let second!: (error: Error) => void;
    const a = phases.remote(new Promise<void>((resolve) => (first = resolve)));
    const b = phases.remote(new Promise<void>((_, reject) => (second = reject)));
    clock.advance(1);
    first();
    await a;
    expect(phases.phase).toBe('remote');
    clock.advance(1);
    second(new Error('write failed'));
    await expect(b).rejects.toThrow('write failed');
    expect(phases.phase).toBe('local');
    expect(phases.finish()).toEqual({ queue: 0, local: 0, remote: 2 });
  });

  it('ignores marks after finish, and untimedRequest passes waits through', async () => {
    const clock = manualClock();
    const phases = new PhaseClock(clock.now, 'local');
    clock.advance(1);
    const spent = phases.finish();
    phases.enter('remote');
    clock.advance(5);
    expect(phases.finish()).toEqual(spent);
    await expect(untimedRequest.remote(Promise.resolve(7))).resolves.toBe(7);
  });
});
