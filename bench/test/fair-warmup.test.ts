import { relativeDifference, warmupVerdict, type WarmupRun } from '../src/fair-warmup';

const rule = { tolerance: 0.05, minRecords: 0, maxRuns: 10 };
const runs = (...throughputs: number[]): WarmupRun[] =>
  throughputs.map((throughput) => ({ records: 300_000, throughput }));

describe('warm-up rule', () => {
  it('is not done after one run: two consecutive runs are compared', () => {
    expect(warmupVerdict(runs(40), rule).done).toBe(false);
  });

  it('goes on while throughput still rises by more than the tolerance (a warming JVM)', () => {
    // Issue 19's Kafka: 27, 35, 44, 50, then 65-74 MB/s.
    const history = [27, 35, 44, 50, 65];
    for (let n = 1; n <= history.length; n++)
      expect(warmupVerdict(runs(...history.slice(0, n)), rule).done).toBe(false);
  });

  it('is done on a plateau: the last two runs within 5% of each other', () => {
    const verdict = warmupVerdict(runs(27, 35, 44, 50, 65, 67.5), rule);
    expect(verdict).toMatchObject({ done: true, reason: 'plateau' });
    expect(verdict.why).toContain('runs 5 and 6');
  });

  it('counts the difference against the larger run, so a drop counts like a rise', () => {
    expect(relativeDifference(100, 95)).toBeCloseTo(0.05);
    expect(relativeDifference(95, 100)).toBeCloseTo(0.05);
    expect(warmupVerdict(runs(100, 95), rule).done).toBe(true);
    expect(warmupVerdict(runs(100, 94), rule).done).toBe(false);
    expect(relativeDifference(0, 0)).toBe(0);
  });

  it('waits for the minimum records even when two runs already agree', () => {
    const withMinimum = { ...rule, minRecords: 1_500_000 };
    expect(warmupVerdict(runs(37, 37.5), withMinimum)).toMatchObject({ done: false });
    expect(warmupVerdict(runs(37, 37.5), withMinimum).why).toContain('600000 of at least 1500000 records');
    expect(warmupVerdict(runs(37, 37.5, 38, 37.7, 37.9), withMinimum)).toMatchObject({
      done: true,
      reason: 'plateau',
    });
  });

  it('stops at the cap without a plateau, and says so', () => {
    const capped = { ...rule, maxRuns: 4 };
    expect(warmupVerdict(runs(10, 20, 30), capped).done).toBe(false);
    const verdict = warmupVerdict(runs(10, 20, 30, 40), capped);
    expect(verdict).toMatchObject({ done: true, reason: 'cap' });
    expect(verdict.why).toContain('cap of 4 runs');
  });

  it('prefers the plateau over the cap when the last run both reaches the cap and agrees', () => {
    expect(warmupVerdict(runs(10, 40, 41), { ...rule, maxRuns: 3 })).toMatchObject({ reason: 'plateau' });
  });

  it('refuses a rule or a throughput that cannot be meant', () => {
    expect(() => warmupVerdict(runs(1, 1), { ...rule, tolerance: 0 })).toThrow(RangeError);
    expect(() => warmupVerdict(runs(1, 1), { ...rule, tolerance: 1 })).toThrow(RangeError);
    expect(() => warmupVerdict(runs(1, 1), { ...rule, maxRuns: 1 })).toThrow(/at least 2 runs/);
    expect(() => warmupVerdict(runs(1, 1), { ...rule, minRecords: -1 })).toThrow(RangeError);
    expect(() => warmupVerdict(runs(1, NaN), rule)).toThrow(/finite/);
    expect(() => warmupVerdict(runs(1, -3), rule)).toThrow(/finite/);
  });
});
