/**
 * Small seeded PRNG (mulberry32): fast, 32-bit state, good enough to drive a scheduler. The
 * same seed always yields the same run, which is what makes a failing seed replayable.
 */
// Bound once: under jest every global lookup (Math.*) goes through the vm context's global
// interceptor, which made this hot loop ~50x slower than the arithmetic itself.
const imul = Math.imul;
const floor = Math.floor;

export class Prng {
  private state: number;

  constructor(seed: number) {
    // Scramble the seed so consecutive seeds do not start from correlated states.
    this.state = Prng.mix(seed >>> 0) ^ 0x9e3779b9;
  }

  private static mix(x: number): number {
    x = imul(x ^ (x >>> 16), 0x85ebca6b);
    x = imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, bound). */
  int(bound: number): number {
    return floor(this.next() * bound);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from empty list');
    return items[this.int(items.length)] as T;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** An independent stream derived from this one (e.g. one per node incarnation). */
  fork(salt: number): Prng {
    return new Prng(Prng.mix((this.int(0x7fffffff) ^ imul(salt, 0x27d4eb2d)) >>> 0));
  }
}
