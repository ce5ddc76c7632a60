import { BrokerInvariantError } from '../src/core/assert';
import { TickSchedule } from '../src/core/tick-schedule';

const T0 = 1_700_000_000_000;

/** The times each job ran over `durationMs` of ticks every `tickMs` (+ `jitterMs` on odd ticks). */
function runs(schedule: TickSchedule<string>, durationMs: number, jitterMs = 0): Map<string, number[]> {
  const ran = new Map<string, number[]>();
  for (let tick = 1; tick * schedule.tickIntervalMs <= durationMs; tick++) {
    const nowMs = T0 + tick * schedule.tickIntervalMs + (tick % 2 === 1 ? jitterMs : 0);
    for (const job of schedule.due(nowMs)) ran.set(job, [...(ran.get(job) ?? []), nowMs - T0]);
  }
  return ran;
}

describe('TickSchedule', () => {
  it('ticks at the shortest cadence, between 10 and 100 ms', () => {
    expect(new TickSchedule({ a: 100, b: 300_000 }, T0).tickIntervalMs).toBe(100);
    expect(new TickSchedule({ a: 50, b: 5_000 }, T0).tickIntervalMs).toBe(50);
    expect(new TickSchedule({ a: 1 }, T0).tickIntervalMs).toBe(10);
    expect(new TickSchedule({ a: 15_000 }, T0).tickIntervalMs).toBe(100);
  });

  it('runs every job at its own cadence, never before a full interval, whatever the timer jitter', () => {
    for (const jitterMs of [0, -1, 1]) {
      const ran = runs(new TickSchedule({ acks: 100, isr: 300, checkpoint: 5_000 }, T0), 10_000, jitterMs);
      expect(ran.get('acks')).toHaveLength(100);
      expect(ran.get('isr')).toHaveLength(33);
      expect(ran.get('checkpoint')?.map((ms) => Math.round(ms / 100) * 100)).toEqual([5_000, 10_000]);
      expect(ran.get('isr')![0]).toBeGreaterThanOrEqual(299);
    }
  });

  it('runs a job once after a stall, not once per missed interval', () => {
    const schedule = new TickSchedule({ acks: 100, isr: 300 }, T0);
    expect([...schedule.due(T0 + 100)]).toEqual(['acks']);
    expect([...schedule.due(T0 + 10_000)]).toEqual(['acks', 'isr']);
    expect([...schedule.due(T0 + 10_100)]).toEqual(['acks']);
  });

  it('counts again from a clock that stepped back', () => {
    const schedule = new TickSchedule({ isr: 300 }, T0);
    expect([...schedule.due(T0 - 60_000)]).toEqual([]);
    expect([...schedule.due(T0 - 59_800)]).toEqual([]);
    expect([...schedule.due(T0 - 59_700)]).toEqual(['isr']);
  });

  it('refuses an interval that is not a positive integer', () => {
    expect(() => new TickSchedule({ a: 0 }, T0)).toThrow(BrokerInvariantError);
    expect(() => new TickSchedule({ a: 1.5 }, T0)).toThrow(BrokerInvariantError);
  });
});
