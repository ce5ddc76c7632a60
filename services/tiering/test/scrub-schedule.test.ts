import fc from 'fast-check';
import { DEFAULT_SCRUB_RETRY, nextScrubDelayMs, type ScrubScheduleConfig } from '../src/core/scrub-schedule';

const HOURLY: ScrubScheduleConfig = { intervalMs: 3_600_000, ...DEFAULT_SCRUB_RETRY };

describe('nextScrubDelayMs', () => {
  it('waits the interval after a success, and never schedules with interval 0', () => {
    expect(nextScrubDelayMs(HOURLY, 0, 0.5)).toBe(3_600_000);
    expect(nextScrubDelayMs({ ...HOURLY, intervalMs: 0 }, 0, 0.5)).toBeNull();
    expect(nextScrubDelayMs({ ...HOURLY, intervalMs: 0 }, 3, 0.5)).toBeNull();
  });

  it('backs off exponentially with jitter after failures, capped by maxRetryMs and the interval', () => {
    expect(nextScrubDelayMs(HOURLY, 1, 0)).toBe(500);
    expect(nextScrubDelayMs(HOURLY, 1, 0.999_999)).toBe(1_000);
    expect(nextScrubDelayMs(HOURLY, 2, 0)).toBe(1_000);
    expect(nextScrubDelayMs(HOURLY, 7, 0)).toBe(30_000);
    expect(nextScrubDelayMs(HOURLY, 50, 0.999_999)).toBe(60_000);
    expect(nextScrubDelayMs({ ...HOURLY, intervalMs: 5_000 }, 50, 0.999_999)).toBe(5_000);
  });

  it('stays within [cap/2, cap] and never below 1 ms for any failure count and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (intervalMs, failures, random) => {
          const config = { intervalMs, ...DEFAULT_SCRUB_RETRY };
          const delay = nextScrubDelayMs(config, failures, random)!;
          const cap =
            failures === 0 ? intervalMs : Math.min(intervalMs, 60_000, 1_000 * 2 ** Math.min(failures - 1, 30));
          expect(delay).toBeGreaterThanOrEqual(Math.max(1, Math.floor(cap / 2)));
          expect(delay).toBeLessThanOrEqual(Math.max(1, cap));
        },
      ),
    );
  });

  it('refuses a negative failure count or a draw outside [0, 1)', () => {
    expect(() => nextScrubDelayMs(HOURLY, -1, 0)).toThrow(RangeError);
    expect(() => nextScrubDelayMs(HOURLY, 0, 1)).toThrow(RangeError);
  });
});
