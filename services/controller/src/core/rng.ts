/**
 * Injected randomness (architecture principle 8). The core never calls Math.random or crypto:
 * placement shuffles and topic ids come from an `Rng`, so a seeded run replays exactly.
 */
import { UUID_BYTES, uuidFromRandom, ZERO_UUID } from '@sluice/metadata';
import { assert } from './assert';

/** A uniform float in [0, 1), like Math.random. The shell may back it with crypto. */
export type Rng = () => number;

/** A small, fast seeded generator (mulberry32) for tests and simulations. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A uniform integer in [0, boundExclusive). */
export function randomInt(rng: Rng, boundExclusive: number): number {
  assert(
    Number.isSafeInteger(boundExclusive) && boundExclusive > 0,
    `random bound ${boundExclusive} must be a positive integer`,
  );
  const value = rng();
  assert(value >= 0 && value < 1, `rng returned ${value}, outside [0, 1)`);
  return Math.floor(value * boundExclusive);
}

/** Fisher-Yates on a copy. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const held = out[i] as T;
    out[i] = out[j] as T;
    out[j] = held;
  }
  return out;
}

/** Attempts at drawing a fresh topic id before giving up (a collision needs a broken rng). */
const MAX_UUID_ATTEMPTS = 16;

/** A random Kafka-style UUID not ZERO_UUID and not rejected by `taken`. */
export function randomUuid(rng: Rng, taken: (uuid: string) => boolean = () => false): string {
  for (let attempt = 0; attempt < MAX_UUID_ATTEMPTS; attempt++) {
    const uuid = uuidFromRandom((count) => {
      assert(count === UUID_BYTES, `uuid wants ${count} bytes`);
      const bytes = new Uint8Array(count);
      for (let i = 0; i < count; i++) bytes[i] = randomInt(rng, 256);
      return bytes;
    });
    if (uuid !== ZERO_UUID && !taken(uuid)) return uuid;
  }
  throw new Error(`assertion: rng produced ${MAX_UUID_ATTEMPTS} unusable UUIDs in a row`);
}
