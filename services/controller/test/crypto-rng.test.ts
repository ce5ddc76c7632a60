import { randomUuid, type Rng } from '../src/core';
import { cryptoRng } from '../src/node/crypto-rng';

describe('cryptoRng (pooled crypto randomness for the core)', () => {
  it('returns floats in [0, 1) across many pool refills', () => {
    const rng = cryptoRng(16); // 4 numbers per refill
    const values = Array.from({ length: 10_000 }, () => rng());
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
    // 32 random bits per value: repeats among 10,000 are vanishingly unlikely.
    expect(new Set(values).size).toBeGreaterThan(9_990);
  });

  it('is roughly uniform (each tenth of [0, 1) gets 10% +- 2%)', () => {
    const rng = cryptoRng();
    const buckets = new Array<number>(10).fill(0);
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const bucket = Math.floor(rng() * 10);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const count of buckets) expect(Math.abs(count / n - 0.1)).toBeLessThan(0.02);
  });

  it('two generators do not share a sequence, and topic ids stay distinct', () => {
    const a: Rng = cryptoRng();
    const b: Rng = cryptoRng();
    expect(Array.from({ length: 8 }, () => a())).not.toEqual(Array.from({ length: 8 }, () => b()));
    const ids = new Set(Array.from({ length: 2_000 }, () => randomUuid(a)));
    expect(ids.size).toBe(2_000);
  });

  it('refuses a pool that is not a positive multiple of 4 bytes', () => {
    expect(() => cryptoRng(0)).toThrow(RangeError);
    expect(() => cryptoRng(6)).toThrow(RangeError);
  });
});
