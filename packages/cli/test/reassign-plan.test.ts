import { balancedPlan, drainPlan, parseBrokerList, parsePlan, type CurrentPartition } from '../src/reassign-plan';

function partitions(assignments: number[][]): CurrentPartition[] {
  return assignments.map((replicas, partition) => ({ topic: 't', partition, replicas }));
}

/** Replicas per broker once the plan is applied. */
function loads(current: CurrentPartition[], planned: readonly { partition: number; replicas: readonly number[] }[]) {
  const count = new Map<number, number>();
  for (const p of current) {
    const replicas = planned.find((q) => q.partition === p.partition)?.replicas ?? p.replicas;
    for (const id of replicas) count.set(id, (count.get(id) ?? 0) + 1);
  }
  return count;
}

describe('balancedPlan', () => {
  it('gives a new broker its share, moving as few replicas as it can, keeping replication factors', () => {
    const current = partitions([
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
      [1, 3, 2],
    ]);
    const plan = balancedPlan(current, [1, 2, 3, 4]);
    expect(plan.version).toBe(1);
    const after = loads(current, plan.partitions);
    // 12 replicas on 4 brokers: 3 each.
    expect([...after.entries()].sort()).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
      [4, 3],
    ]);
    for (const p of plan.partitions) {
      expect(p.replicas).toHaveLength(3);
      expect(new Set(p.replicas).size).toBe(3);
      // One replica moved per changed partition.
      const before = current[p.partition]?.replicas ?? [];
      expect(p.replicas.filter((id) => !before.includes(id))).toHaveLength(1);
    }
    // Balanced already: nothing to do.
    expect(balancedPlan(current, [1, 2, 3]).partitions).toEqual([]);
  });

  it('moves everything off brokers left out of the list (scale-in), and refuses impossible lists', () => {
    const current = partitions([
      [1, 4],
      [4, 2],
      [3, 4],
    ]);
    const plan = balancedPlan(current, [1, 2, 3]);
    expect(plan.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of plan.partitions) expect(p.replicas).not.toContain(4);
    // The kept replica keeps its place at the front: the preferred leader stays when it can.
    expect(plan.partitions[0]?.replicas[0]).toBe(1);
    expect(() => balancedPlan(current, [1])).toThrow(/more than the 1 brokers given/);
    expect(() => balancedPlan(current, [1, 1])).toThrow(/repeats an id/);
    expect(() => balancedPlan(current, [])).toThrow(/empty/);
  });
});

describe('drainPlan', () => {
  it('replaces the drained broker in place with the least-loaded other broker', () => {
    const current = partitions([
      [1, 2],
      [2, 3],
      [3, 1],
      [1, 3],
    ]);
    const plan = drainPlan(current, 1, [1, 2, 3, 4]);
    expect(plan.partitions.map((p) => p.partition)).toEqual([0, 2, 3]);
    for (const p of plan.partitions) expect(p.replicas).not.toContain(1);
    expect(plan.partitions[0]?.replicas).toEqual([4, 2]);
    const after = loads(current, plan.partitions);
    expect(after.get(1)).toBeUndefined();
    expect(Math.max(...after.values()) - Math.min(...after.values())).toBeLessThanOrEqual(1);
    expect(() => drainPlan(partitions([[1, 2]]), 1, [2])).toThrow(/no other broker is free/);
  });
});

describe('parsePlan / parseBrokerList', () => {
  it('reads what the plan commands print, and names what is wrong otherwise', () => {
    const plan = { version: 1, partitions: [{ topic: 't', partition: 0, replicas: [1, 2] }] };
    expect(parsePlan(JSON.stringify(plan), 'f')).toEqual(plan);
    expect(() => parsePlan('{', 'f')).toThrow(/f is not JSON/);
    expect(() => parsePlan('{"version":2,"partitions":[]}', 'f')).toThrow(/version 2 is not 1/);
    expect(() => parsePlan('{"version":1,"partitions":[{"topic":"t","partition":-1,"replicas":[1]}]}', 'f')).toThrow(
      /partition is not a partition number/,
    );
    expect(() =>
      parsePlan(
        '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}',
        'f',
      ),
    ).toThrow(/t-0 is listed twice/);
    expect(parseBrokerList('1, 2,4', '--brokers')).toEqual([1, 2, 4]);
    expect(() => parseBrokerList('1,x', '--brokers')).toThrow(/--brokers expects broker ids/);
  });
});
