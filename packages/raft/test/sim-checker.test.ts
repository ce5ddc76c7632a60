import { RaftNode } from '@sluice/raft';
import type { RaftConfig, RaftStorage } from '@sluice/raft';
import { Simulation, SimulationFailure, DEFAULT_SIMULATION, runSeed } from './sim/simulator';
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

/**
 * Commits whatever a quorum stores, ignoring Raft §5.4.2 (only entries of the current term may
 * be committed by counting replicas): the Figure 8 bug. The core keeps that rule private, so
 * this test reaches in through a cast; nothing outside this file does.
 */
class CommitsOldTermsByCounting extends RaftNode {
  constructor(config: RaftConfig, storage: RaftStorage) {
    super(config, storage);
    const internals = this as unknown as {
      log: { committed: number; commitTo(index: number): void };
      tracker: { quorumMatchIndex(): number };
      maybeCommit: () => boolean;
    };
    internals.maybeCommit = () => {
      const index = internals.tracker.quorumMatchIndex();
      if (index <= internals.log.committed) return false;
      internals.log.commitTo(index);
      return true;
    };
  }
}

function firstFailure(
  overrides: Partial<SimulationOptions>,
  maxSeeds: number,
): { seed: number; message: string } | null {
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

  it('catches a leader that commits earlier-term entries by counting replicas (Figure 8)', () => {
    // Figure 8 needs several leader changes with partial replication in between: longer chaos
    // runs reach it within a few hundred seeds (seed 310 today) instead of thousands.
    const failure = firstFailure(
      {
        voterCount: 5,
        chaosSteps: 600,
        nodeFactory: (config, storage) => new CommitsOldTermsByCounting(config, storage),
      },
      1000,
    );
    if (process.env.RAFT_SIM_VERBOSE) console.log(failure);
    expect(failure).not.toBeNull();
    expect(failure?.message).toMatch(/leader completeness|state-machine safety|log matching|RaftInvariantError/);
  }, 120_000);

  it('catches a shell that sends messages before persisting (then crashes)', () => {
    const failure = firstFailure({ sendBeforePersist: true }, 500);
    if (process.env.RAFT_SIM_VERBOSE) console.log(failure);
    expect(failure).not.toBeNull();
  }, 120_000);

  it('reports the seed, how to replay it, and the events leading up to the failure', () => {
    const nodeFactory = (config: RaftConfig, storage: RaftStorage): RaftNode =>
      new VoteWithoutLogCheck(config, storage);
    const failure = firstFailure({ nodeFactory }, 500);
    if (failure === null) throw new Error('no failing seed to report');
    const options = { ...DEFAULT_SIMULATION, seed: failure.seed, voterCount: 3, nodeFactory };
    const replay = `RAFT_SEED=${failure.seed} npx -y pnpm@12 exec jest some.test.ts`;
    expect(() => runSeed(options, replay)).toThrow(
      new RegExp(
        `failed for seed ${failure.seed} at step \\d+: [\\s\\S]*Replay: ${replay}[\\s\\S]*Last events:\\n {2}t=\\d+`,
      ),
    );
  }, 120_000);
});
