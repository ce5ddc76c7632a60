/**
 * How the broker's property tests run fast-check (every `fc.assert` under services/broker/test),
 * with the same environment variables as test-support/property.ts (the rest of the repository);
 * the broker's properties keep explicit default seeds.
 *
 * By default, in CI and in a plain `jest` run, each property runs its own fixed seed and number of
 * runs: the same cases every time, so a red run is a regression and not a roll of the dice (as
 * packages/raft's seeded simulator runs seeds 1..n in CI). To hunt for new counterexamples:
 *
 *   SLUICE_PROPERTY_SEED=random   a fresh random seed for every property (a failure prints it)
 *   SLUICE_PROPERTY_SEED=<int>    that seed instead of each property's own
 *   SLUICE_PROPERTY_PATH=<path>   with a seed: replay the shrunk case of a failure, as printed
 *   SLUICE_PROPERTY_RUNS=<n>      n runs per property instead of its default
 *
 * e.g. `SLUICE_PROPERTY_SEED=random SLUICE_PROPERTY_RUNS=20000 npx jest services/broker/test/replication-cluster.simulation.test.ts`
 * (a property test's jest timeout grows with the runs: see `propertyTimeoutMs`). A failure found
 * this way goes into the test as a replayed counterexample, next to the fix it needed.
 */

export interface PropertyRuns {
  readonly seed: number;
  readonly numRuns: number;
  readonly path?: string;
  readonly endOnFailure?: boolean;
}

/** fast-check parameters for one property: its defaults, or what the environment says. */
export function propertyRuns(defaults: { readonly seed: number; readonly numRuns: number }): PropertyRuns {
  const seedValue = process.env.SLUICE_PROPERTY_SEED ?? '';
  const path = process.env.SLUICE_PROPERTY_PATH ?? '';
  const numRuns = requestedRuns(defaults.numRuns);
  let seed = defaults.seed;
  if (seedValue === 'random') {
    seed = (Math.random() * 2 ** 32) | 0;
    // A hunt's record of what it covered; a failure prints its seed and path anyway.
    process.stderr.write(`property seed ${seed}, ${numRuns} runs\n`);
  } else if (seedValue !== '') seed = int32('SLUICE_PROPERTY_SEED', seedValue);
  if (path === '') return { seed, numRuns };
  if (seedValue === '' || seedValue === 'random')
    throw new Error('SLUICE_PROPERTY_PATH replays a failure: give its seed in SLUICE_PROPERTY_SEED too');
  return { seed, numRuns, path, endOnFailure: true };
}

/**
 * A jest timeout for a property whose default runs take about `defaultMs`: scaled by the runs the
 * environment asks for, so a long hunt is not cut off by the CI-sized timeout.
 */
export function propertyTimeoutMs(defaults: { readonly numRuns: number }, defaultMs: number): number {
  const numRuns = requestedRuns(defaults.numRuns);
  return Math.max(defaultMs, Math.ceil((defaultMs * numRuns) / defaults.numRuns));
}

function requestedRuns(defaultRuns: number): number {
  const value = process.env.SLUICE_PROPERTY_RUNS ?? '';
  if (value === '') return defaultRuns;
  // `Nx`: a multiple of the property's own count, as in test-support/property.ts.
  const factor = /^(\d+(?:\.\d+)?)x$/.exec(value);
  return factor !== null ? Math.ceil(defaultRuns * Number(factor[1])) : positiveInteger('SLUICE_PROPERTY_RUNS', value);
}

function positiveInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return n;
}

function int32(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 32)
    throw new Error(`${name} must be a 32-bit integer or "random", got ${value}`);
  return n | 0;
}
