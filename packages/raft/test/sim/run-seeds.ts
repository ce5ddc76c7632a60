import { DEFAULT_SIMULATION, runSeed } from './simulator';
import type { SimulationOptions, SimulationResult } from './simulator';

/**
 * Seeds to run, from the environment:
 * - RAFT_SEED=n       replay exactly seed n (what a failure message tells you to do);
 * - RAFT_SEEDS=n      run n seeds per cluster shape (default 5000: 10,000 over the two shapes);
 * - RAFT_SEED_START=s first seed of the range (default 1), to explore beyond the CI range.
 */
export function seedsFromEnvironment(defaultCount: number): number[] {
  const single = process.env.RAFT_SEED;
  if (single !== undefined && single !== '') return [parseSeed('RAFT_SEED', single)];
  const count = process.env.RAFT_SEEDS ? parseSeed('RAFT_SEEDS', process.env.RAFT_SEEDS) : defaultCount;
  const start = process.env.RAFT_SEED_START ? parseSeed('RAFT_SEED_START', process.env.RAFT_SEED_START) : 1;
  return Array.from({ length: count }, (_, k) => start + k);
}

function parseSeed(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return n;
}

export interface SeedSummary {
  readonly seeds: number;
  readonly maxTicksToLeader: number;
  readonly maxTicksToCommit: number;
  readonly totalElections: number;
  readonly totalSnapshotsInstalled: number;
  readonly totalCrashes: number;
  readonly totalCommitted: number;
}

export function runSeeds(
  voterCount: number,
  testFile: string,
  seeds: readonly number[],
  overrides: Partial<SimulationOptions> = {},
): SeedSummary {
  const results: SimulationResult[] = [];
  for (const seed of seeds) {
    results.push(
      runSeed(
        { ...DEFAULT_SIMULATION, ...overrides, seed, voterCount },
        `RAFT_SEED=${seed} npx -y pnpm@12 exec jest ${testFile}`,
      ),
    );
  }
  return {
    seeds: results.length,
    maxTicksToLeader: Math.max(0, ...results.map((r) => r.ticksToLeader)),
    maxTicksToCommit: Math.max(0, ...results.map((r) => r.ticksToCommit)),
    totalElections: results.reduce((sum, r) => sum + r.elections, 0),
    totalSnapshotsInstalled: results.reduce((sum, r) => sum + r.snapshotsInstalled, 0),
    totalCrashes: results.reduce((sum, r) => sum + r.crashes, 0),
    totalCommitted: results.reduce((sum, r) => sum + r.committed, 0),
  };
}
