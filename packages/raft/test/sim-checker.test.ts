import { RaftNode } from '@sluice/raft';
import { Simulation, SimulationFailure, DEFAULT_SIMULATION } from './sim/simulator';
import type { SimulationOptions } from './sim/simulator';

/**
 * The simulator must be able to fail. Each case breaks Raft on purpose and expects the
 * checkers to report a violation within a bounded number of seeds; if they did not, the
 * safety checks would be asserting nothing.
 */

/** Grants votes without the election restriction (§5.4.1): a stale log can win. */
class VoteWithoutLogCheck extends RaftNode {
  protected override isCandidateLogUpToDate(): boolean {
    return true;
  }
}

function firstFailure(overrides: Partial<SimulationOptions>, maxSeeds: number): { seed: number; message: string } | null {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    try {
      new Simulation({ ...DEFAULT_SIMULATION, seed, voterCount: 3, ...overrides }).run();
    } catch (error) {
      if (error instanceof SimulationFailure) return { seed, message: error.message };
      throw error;
    }
  }
  return null;
}

describe('simulator sanity: injected bugs are caught', () => {
  it('catches a node that grants votes without checking the candidate log', () => {
    const failure = firstFailure({ nodeFactory: (config, storage) => new VoteWithoutLogCheck(config, storage) }, 500);
    if (process.env.RAFT_SIM_VERBOSE) console.log(failure);
    expect(failure).not.toBeNull();
    expect(failure?.message).toMatch(/leader completeness|state-machine safety|log matching|RaftInvariantError/);
  }, 120_000);

  it('catches a shell that sends messages before persisting (then crashes)', () => {
    const failure = firstFailure({ sendBeforePersist: true }, 500);
    if (process.env.RAFT_SIM_VERBOSE) console.log(failure);
    expect(failure).not.toBeNull();
  }, 120_000);
});
