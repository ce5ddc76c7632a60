import { runSeeds, seedsFromEnvironment } from './sim/run-seeds';

// Three voters plus 0-2 observers. Runs in parallel with sim-5voters.test.ts (one jest worker each).
describe('raft simulation, 3 voters', () => {
  it('keeps every safety property under faults and recovers liveness after healing', () => {
    const seeds = seedsFromEnvironment(5000);
    const started = Date.now();
    const summary = runSeeds(3, 'packages/raft/test/sim-3voters.test.ts', seeds);
    if (process.env.RAFT_SIM_VERBOSE) console.log({ ...summary, elapsedMs: Date.now() - started });
    expect(summary.seeds).toBe(seeds.length);
  }, 600_000);
});
