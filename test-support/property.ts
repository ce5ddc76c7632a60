import type { Parameters } from 'fast-check';

/**
 * The one place that decides how fast-check properties run (every property outside
 * services/broker passes its options through here).
 *
 * By default a property is deterministic: its seed is fixed, derived from the jest test's full
 * name, so CI sees the same inputs on every run and a random input never turns CI red. Two
 * environment variables run it otherwise (README, "Property tests"):
 * - `SLUICE_PROPERTY_SEED`: `random` gives each property a fresh seed (fast-check prints it
 *   with any counterexample); an integer replays that seed (with `-t` to pick the test).
 * - `SLUICE_PROPERTY_RUNS`: `N` runs every property N times; `Nx` multiplies each property's own
 *   count (a property's count is sized to its cost, so `Nx` is the one to use for a whole suite).
 * - `SLUICE_PROPERTY_PATH`: with a seed, replays the shrunk case of a failure as fast-check prints it.
 * services/broker/test/support/property-runs.ts reads the same variables.
 */
export function propertyOptions<T>(options: Parameters<T> & { numRuns: number }): Parameters<T> {
  const path = process.env.SLUICE_PROPERTY_PATH?.trim() ?? '';
  const replay = path === '' ? {} : { path, endOnFailure: true };
  return { ...options, seed: propertySeed(), numRuns: propertyRuns(options.numRuns), ...replay };
}

function propertySeed(): number | undefined {
  const value = process.env.SLUICE_PROPERTY_SEED?.trim();
  if (value === 'random') return undefined;
  if (value !== undefined && value !== '') {
    const seed = Number(value);
    if (!Number.isInteger(seed)) throw new Error(`SLUICE_PROPERTY_SEED must be an integer or 'random', not '${value}'`);
    return seed | 0;
  }
  const testName = expect.getState().currentTestName;
  if (testName === undefined) throw new Error('propertyOptions() must be called inside a jest test');
  return fnv1a32(testName);
}

function propertyRuns(ownRuns: number): number {
  const value = process.env.SLUICE_PROPERTY_RUNS?.trim();
  if (value === undefined || value === '') return ownRuns;
  const factor = /^(\d+(?:\.\d+)?)x$/.exec(value);
  const runs = factor !== null ? Math.ceil(ownRuns * Number(factor[1])) : Number(value);
  if (!Number.isSafeInteger(runs) || runs < 1)
    throw new Error(`SLUICE_PROPERTY_RUNS must be a positive count N or a factor Nx, not '${value}'`);
  return runs;
}

/** FNV-1a over the UTF-16 code units: a stable 32-bit seed from a name. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
