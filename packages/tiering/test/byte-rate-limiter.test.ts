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
});
