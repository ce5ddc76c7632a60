import fc from 'fast-check';
import { ByteRateLimiter } from '../src';

describe('ByteRateLimiter (remote.log.manager.copy|fetch.max.bytes.per.second)', () => {
  it('spaces copies so the bytes stay within the rate, shared by every caller', () => {
    const limiter = new ByteRateLimiter(1_000_000); // 1 MB/s
    expect(limiter.admit(500_000, 0)).toBe(0); // paid until 500 ms
    expect(limiter.admit(1_000_000, 100)).toBe(400); // starts at 500, paid until 1500
    expect(limiter.admit(10, 1_400)).toBe(100);
    // Idle time is not banked: after a pause, copies start at once again, at the rate.
    expect(limiter.admit(1_000_000, 10_000)).toBe(0);
    expect(limiter.admit(1, 10_500)).toBe(500);
  });

  it('refuses a quota or size that is not a positive integer', () => {
    expect(() => new ByteRateLimiter(0)).toThrow(RangeError);
    expect(() => new ByteRateLimiter(-1)).toThrow(RangeError);
    expect(() => new ByteRateLimiter(1).admit(-5, 0)).toThrow(RangeError);
  });

  it('says how long until the bytes so far are paid, and a new rate re-prices what is still owed', () => {
    const limiter = new ByteRateLimiter(1_000); // 1 kB/s
    expect(limiter.waitMs(0)).toBe(0);
    limiter.admit(2_000, 0); // paid until 2000 ms
    expect(limiter.waitMs(500)).toBe(1_500);
    limiter.setRate(3_000, 500); // 1500 B still owed, now at 3 kB/s: 500 ms
    expect(limiter.maxBytesPerSecond).toBe(3_000);
    expect(limiter.waitMs(500)).toBe(500);
    limiter.setRate(10, 5_000); // nothing owed: no wait appears
    expect(limiter.waitMs(5_000)).toBe(0);
    expect(() => limiter.setRate(0, 5_000)).toThrow(RangeError);
    expect(limiter.maxBytesPerSecond).toBe(10);
  });

  it("read-then-admit (the replication throttle's use) keeps the bytes sent before any moment within the rate", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.array(
          fc.record({ bytes: fc.integer({ min: 0, max: 2_000_000 }), gapMs: fc.integer({ min: 0, max: 500 }) }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        (rate, transfers) => {
          const limiter = new ByteRateLimiter(rate);
          let nowMs = 0;
          const admitted: { atMs: number; bytes: number }[] = [];
          for (const { bytes, gapMs } of transfers) {
            nowMs += gapMs;
            // A transfer goes only when nothing is owed: like a throttled fetch that is held back.
            nowMs += limiter.waitMs(nowMs);
            expect(limiter.waitMs(nowMs)).toBe(0);
            limiter.admit(bytes, nowMs);
            admitted.push({ atMs: nowMs, bytes });
          }
          // From any admission to any later one, the bytes before the later one were paid by then.
          for (let i = 0; i < admitted.length; i++) {
            let bytes = 0;
            for (let j = i; j < admitted.length; j++) {
              const elapsedMs = admitted[j]!.atMs - admitted[i]!.atMs;
              expect(bytes).toBeLessThanOrEqual((rate * elapsedMs) / 1000 + 1e-6 * Math.max(1, bytes));
              bytes += admitted[j]!.bytes;
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
