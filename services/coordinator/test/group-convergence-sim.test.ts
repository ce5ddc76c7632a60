/**
 * The group convergence bench's simulation (bench/src/group-convergence-sim.ts) at a small size:
 * members joining an empty group and one joining a stable group converge, every member ends
 * STABLE with its target, the partitions are spread evenly and nobody is refused. The simulation
 * itself throws on any partition owned by two members (checked at every response). No timing.
 */
import { runScenario, type ScenarioResult } from '../../../bench/src/group-convergence-sim';

const layout = { topics: 5, partitionsPerTopic: 20 };

function expectConverged(result: ScenarioResult, members: number): void {
  const phase = result.phase;
  expect(phase.converged).toBe(true);
  expect(phase.refused).toBe(0);
  expect(phase.members).toBe(members);
  expect(phase.heartbeats).toBe(phase.rounds * members);
  expect(phase.records).toBeGreaterThan(0);
  expect(phase.batchBytes).toBeGreaterThan(0);
}

describe('group convergence simulation', () => {
  it.each([0, 1_000])(
    '50 members joining converge to an even uniform assignment (assignment interval %i ms)',
    (assignmentIntervalMs) => {
      const result = runScenario('50 join', {
        layout,
        assignor: 'uniform',
        assignmentIntervalMs,
        seed: 7,
        stableMembers: 0,
        joiningMembers: 50,
        maxRounds: 20,
      });
      expectConverged(result, 50);
      expect(result.phase.minOwned).toBe(2);
      expect(result.phase.maxOwned).toBe(2);
      expect(result.phase.rounds).toBeLessThanOrEqual(6);
      // Batching runs the assignor a handful of times instead of once per join.
      if (assignmentIntervalMs === 0) expect(result.phase.assignorRuns).toBe(50);
      else expect(result.phase.assignorRuns).toBeLessThan(10);
    },
  );

  it('one member joining a stable group of 50 takes one assignor run and a few rounds', () => {
    const result = runScenario('1 joins', {
      layout,
      assignor: 'uniform',
      assignmentIntervalMs: 1_000,
      seed: 3,
      stableMembers: 50,
      joiningMembers: 1,
      maxRounds: 20,
    });
    expect(result.setup?.converged).toBe(true);
    expectConverged(result, 51);
    expect(result.phase.assignorRuns).toBe(1);
    expect(result.phase.maxOwned - result.phase.minOwned).toBeLessThanOrEqual(1);
  });

  it('range: 50 members over 5 topics of 20 partitions converge (the first 20 by id get one partition of each topic)', () => {
    const result = runScenario('50 join', {
      layout,
      assignor: 'range',
      assignmentIntervalMs: 1_000,
      seed: 11,
      stableMembers: 0,
      joiningMembers: 50,
      maxRounds: 20,
    });
    expectConverged(result, 50);
    expect(result.phase.minOwned).toBe(0);
    expect(result.phase.maxOwned).toBe(5);
  });

  it('is deterministic for a seed', () => {
    const run = (): ScenarioResult =>
      runScenario('20 join', {
        layout,
        assignor: 'uniform',
        assignmentIntervalMs: 1_000,
        seed: 5,
        stableMembers: 0,
        joiningMembers: 20,
        maxRounds: 20,
      });
    const [first, second] = [run().phase, run().phase];
    expect({
      rounds: second.rounds,
      records: second.records,
      bytes: second.batchBytes,
      runs: second.assignorRuns,
    }).toEqual({ rounds: first.rounds, records: first.records, bytes: first.batchBytes, runs: first.assignorRuns });
  });
});
