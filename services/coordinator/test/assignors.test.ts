import type { AssignorName, GroupAssignment, PartitionAssignor } from '../src/core/assignor';
import { ASSIGNOR_NAMES, RangeAssignor, UniformAssignor, assignorByName } from '../src/core/assignors';
import {
  improvableChains,
  makeSpec,
  movedPartitions,
  partitionCount,
  plain,
  validityProblems,
  withCurrent,
  type MemberInput,
} from './assignor-support';

const uniform = new UniformAssignor();
const range = new RangeAssignor();
const both: [string, PartitionAssignor][] = [
  ['uniform', uniform],
  ['range', range],
];

/** member -> topic -> sorted partitions, as a plain object for readable expectations. */
function simple(assignment: GroupAssignment): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  for (const [id, topics] of assignment) {
    out[id] = {};
    for (const [topic, partitions] of topics) out[id][topic] = [...partitions].sort((a, b) => a - b);
  }
  return out;
}

describe('assignorByName', () => {
  it('gives each assignor by its name', () => {
    expect(assignorByName('uniform')).toBeInstanceOf(UniformAssignor);
    expect(assignorByName('range')).toBeInstanceOf(RangeAssignor);
    for (const name of ASSIGNOR_NAMES) expect(assignorByName(name).name).toBe(name);
  });

  it('refuses other names with a RangeError naming the valid ones', () => {
    expect(() => assignorByName('sticky' as AssignorName)).toThrow(RangeError);
    expect(() => assignorByName('sticky' as AssignorName)).toThrow(/uniform, range/);
  });
});

describe.each(both)('%s assignor: common cases', (_name, assignor) => {
  it('answers an empty assignment for an empty group', () => {
    expect(assignor.assign(makeSpec([], { t: 3 })).size).toBe(0);
  });

  it('gives every member an empty entry when nothing is subscribed or no subscribed topic exists', () => {
    const spec = makeSpec(
      [
        { id: 'a', topics: [] },
        { id: 'b', topics: ['missing'], current: { missing: [0, 1] } },
      ],
      { t: 3 },
    );
    expect(simple(assignor.assign(spec))).toEqual({ a: {}, b: {} });
  });

  it('leaves members without partitions when there are more members than partitions', () => {
    const spec = makeSpec(
      ['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => ({ id, topics: ['t'] })),
      { t: 3 },
    );
    const result = assignor.assign(spec);
    expect(validityProblems(spec, result)).toEqual([]);
    expect([...result.keys()].map((id) => partitionCount(result, id))).toEqual([1, 1, 1, 0, 0]);
  });

  it('assigns nothing of a topic with no partitions or one missing from spec.topics', () => {
    const spec = makeSpec(
      [
        { id: 'a', topics: ['empty', 'unknown', 't'], current: { unknown: [0], empty: [0] } },
        { id: 'b', topics: ['empty', 'unknown', 't'] },
      ],
      { empty: 0, t: 2, other: 5 },
    );
    const result = assignor.assign(spec);
    expect(validityProblems(spec, result)).toEqual([]);
    expect(simple(result)).toEqual({ a: { t: [0] }, b: { t: [1] } });
  });

  it('ignores current partitions it may not keep (unsubscribed topic, out of range, claimed earlier)', () => {
    const spec = makeSpec(
      [
        { id: 'a', topics: ['t'], current: { t: [0, 1, 7, -1, 1.5], u: [0, 1] } },
        { id: 'b', topics: ['t', 'u'], current: { t: [1, 2] } },
      ],
      { t: 4, u: 2 },
    );
    const result = assignor.assign(spec);
    expect(validityProblems(spec, result)).toEqual([]);
    expect(result.get('a')!.get('t')!.has(0)).toBe(true);
    expect(result.get('b')!.get('t')?.has(2)).toBe(true);
  });

  it('does not depend on static instance ids, racks or the order of the maps and sets', () => {
    const inputs: MemberInput[] = [
      { id: 'c', topics: ['x', 'y'], current: { x: [2, 0] } },
      { id: 'a', topics: ['y', 'x'], current: { y: [1] } },
      { id: 'b', topics: ['x'] },
    ];
    const topics = { y: 3, x: 5 };
    const dynamic = assignor.assign(makeSpec(inputs, topics));
    const statics = assignor.assign(
      makeSpec(
        inputs.map((input, i) => ({ ...input, instanceId: `instance-${2 - i}`, rackId: `rack-${i}` })),
        topics,
      ),
    );
    const reordered = assignor.assign(
      makeSpec(
        [...inputs].reverse().map((input) => ({ ...input, topics: [...input.topics].reverse() })),
        { x: 5, y: 3 },
      ),
    );
    expect(plain(statics)).toEqual(plain(dynamic));
    expect(plain(reordered)).toEqual(plain(dynamic));
    expect([...dynamic.keys()]).toEqual(['a', 'b', 'c']);
  });

  it('rejects partition counts that are not non-negative integers', () => {
    expect(() => assignor.assign(makeSpec([{ id: 'a', topics: ['t'] }], { t: -1 }))).toThrow(RangeError);
    expect(() => assignor.assign(makeSpec([{ id: 'a', topics: ['t'] }], { t: 2.5 }))).toThrow(RangeError);
  });

  it('keeps a balanced assignment exactly as it is', () => {
    const spec = makeSpec(
      [
        { id: 'a', topics: ['t'], current: { t: [5, 1] } },
        { id: 'b', topics: ['t'], current: { t: [0, 3] } },
        { id: 'c', topics: ['t'], current: { t: [2, 4, 6] } },
      ],
      { t: 7 },
    );
    expect(simple(assignor.assign(spec))).toEqual({ a: { t: [1, 5] }, b: { t: [0, 3] }, c: { t: [2, 4, 6] } });
  });
});

describe('uniform assignor', () => {
  it('spreads a fresh homogeneous group evenly over all topics', () => {
    const spec = makeSpec(
      ['a', 'b', 'c'].map((id) => ({ id, topics: ['t1', 't2'] })),
      { t1: 3, t2: 5 },
    );
    const result = uniform.assign(spec);
    expect(validityProblems(spec, result)).toEqual([]);
    expect(simple(result)).toEqual({ a: { t1: [0, 1, 2] }, b: { t2: [0, 1, 2] }, c: { t2: [3, 4] } });
  });

  it('moves only ceil(P/(N+1)) partitions when a member joins, and only the leaver\u2019s when one leaves', () => {
    const ids = ['m0', 'm1', 'm2', 'm3'];
    const spec = makeSpec(
      ids.map((id) => ({ id, topics: ['t'] })),
      { t: 10 },
    );
    const first = uniform.assign(spec);
    const joined = withCurrent(
      makeSpec(
        [...ids, 'm4'].map((id) => ({ id, topics: ['t'] })),
        { t: 10 },
      ),
      first,
    );
    const second = uniform.assign(joined);
    expect(validityProblems(joined, second)).toEqual([]);
    expect(movedPartitions(first, second)).toBe(2);
    expect(partitionCount(second, 'm4')).toBe(2);

    const left = withCurrent(
      makeSpec(
        ['m0', 'm2', 'm3', 'm4'].map((id) => ({ id, topics: ['t'] })),
        { t: 10 },
      ),
      second,
    );
    const third = uniform.assign(left);
    expect(validityProblems(left, third)).toEqual([]);
    expect(movedPartitions(second, third)).toBe(partitionCount(second, 'm1'));
  });

  it('gives the extra slots to members already holding more than the quota', () => {
    // 7 partitions, 3 members: quota 2, one extra. b holds 3 and keeps them; a and c top up to 2.
    const spec = makeSpec(
      [
        { id: 'a', topics: ['t'], current: { t: [0] } },
        { id: 'b', topics: ['t'], current: { t: [1, 2, 3] } },
        { id: 'c', topics: ['t'] },
      ],
      { t: 7 },
    );
    expect(simple(uniform.assign(spec))).toEqual({ a: { t: [0, 4] }, b: { t: [1, 2, 3] }, c: { t: [5, 6] } });
  });

  it('balances heterogeneous subscriptions as far as they allow', () => {
    // a can only take small; b and c share big, and b gives its small share to a.
    const spec = makeSpec(
      [
        { id: 'a', topics: ['small'] },
        { id: 'b', topics: ['small', 'big'] },
        { id: 'c', topics: ['big'] },
      ],
      { small: 2, big: 6 },
    );
    const result = uniform.assign(spec);
    expect(validityProblems(spec, result)).toEqual([]);
    expect(improvableChains(spec, result)).toEqual([]);
    expect(['a', 'b', 'c'].map((id) => partitionCount(result, id))).toEqual([2, 3, 3]);

    const lonely = makeSpec(
      [
        { id: 'a', topics: ['t1'] },
        { id: 'b', topics: ['t2'] },
      ],
      { t1: 5, t2: 1 },
    );
    expect(simple(uniform.assign(lonely))).toEqual({ a: { t1: [0, 1, 2, 3, 4] }, b: { t2: [0] } });
  });

  it('never moves a partition to a member not subscribed to its topic, even to balance', () => {
    const spec = makeSpec(
      [
        { id: 'a', topics: ['t1'], current: { t1: [0, 1, 2, 3] } },
        { id: 'b', topics: ['t2'] },
      ],
      { t1: 4, t2: 0 },
    );
    expect(simple(uniform.assign(spec))).toEqual({ a: { t1: [0, 1, 2, 3] }, b: {} });
  });

  it('rebalances through a chain of moves when no single move helps', () => {
    // x can only give to y (t1), y can only give to z (t2): 3/2/1 becomes 2/2/2 with two moves.
    const spec = makeSpec(
      [
        { id: 'x', topics: ['t1'], current: { t1: [0, 1, 2] } },
        { id: 'y', topics: ['t1', 't2'], current: { t1: [3], t2: [0] } },
        { id: 'z', topics: ['t2'], current: { t2: [1] } },
      ],
      { t1: 4, t2: 2 },
    );
    const result = uniform.assign(spec);
    expect(validityProblems(spec, result)).toEqual([]);
    expect(['x', 'y', 'z'].map((id) => partitionCount(result, id))).toEqual([2, 2, 2]);
    expect(simple(result)).toEqual({ x: { t1: [0, 1] }, y: { t1: [2, 3] }, z: { t2: [0, 1] } });
  });

  it('keeps sticky partitions in a heterogeneous group and moves only what balance needs', () => {
    const spec = makeSpec(
      [
        { id: 'a', topics: ['t1', 't2'], current: { t1: [0, 1, 2, 3], t2: [0, 1] } },
        { id: 'b', topics: ['t1'], current: { t1: [4, 5] } },
        { id: 'c', topics: ['t2'], current: { t2: [2, 3] } },
      ],
      { t1: 6, t2: 4 },
    );
    const result = uniform.assign(spec);
    expect(validityProblems(spec, result)).toEqual([]);
    expect(['a', 'b', 'c'].map((id) => partitionCount(result, id))).toEqual([4, 3, 3]);
    const before = new Map([
      [
        'a',
        new Map([
          ['t1', new Set([0, 1, 2, 3])],
          ['t2', new Set([0, 1])],
        ]),
      ],
      ['b', new Map([['t1', new Set([4, 5])]])],
      ['c', new Map([['t2', new Set([2, 3])]])],
    ]);
    expect(movedPartitions(before, result)).toBe(2);
  });
});

describe('range assignor', () => {
  it('splits each topic in contiguous ranges, the first members taking one more', () => {
    const spec = makeSpec(
      ['c', 'a', 'b'].map((id) => ({ id, topics: ['t'] })),
      { t: 7 },
    );
    expect(simple(range.assign(spec))).toEqual({ a: { t: [0, 1, 2] }, b: { t: [3, 4] }, c: { t: [5, 6] } });
  });

  it('co-partitions topics with equal partition counts', () => {
    const spec = makeSpec(
      ['a', 'b', 'c'].map((id) => ({ id, topics: ['orders', 'payments'] })),
      { orders: 4, payments: 4 },
    );
    const result = simple(range.assign(spec));
    for (const id of ['a', 'b', 'c']) expect(result[id]!['orders']).toEqual(result[id]!['payments']);
    expect(result).toEqual({
      a: { orders: [0, 1], payments: [0, 1] },
      b: { orders: [2], payments: [2] },
      c: { orders: [3], payments: [3] },
    });
  });

  it('splits each topic among its own subscribers only', () => {
    const spec = makeSpec(
      [
        { id: 'a', topics: ['t1', 't2'] },
        { id: 'b', topics: ['t1'] },
        { id: 'c', topics: ['t2'] },
      ],
      { t1: 3, t2: 4 },
    );
    const result = range.assign(spec);
    expect(validityProblems(spec, result)).toEqual([]);
    expect(simple(result)).toEqual({ a: { t1: [0, 1], t2: [0, 1] }, b: { t1: [2] }, c: { t2: [2, 3] } });
  });

  it('keeps partitions within the quota when a member joins', () => {
    // 6 partitions, a: 0-2, b: 3-5; c joins: quota 2, a keeps 0-1, b keeps 3-4, c takes 2 and 5.
    const spec = makeSpec(
      [
        { id: 'a', topics: ['t'], current: { t: [0, 1, 2] } },
        { id: 'b', topics: ['t'], current: { t: [3, 4, 5] } },
        { id: 'c', topics: ['t'] },
      ],
      { t: 6 },
    );
    expect(simple(range.assign(spec))).toEqual({ a: { t: [0, 1] }, b: { t: [3, 4] }, c: { t: [2, 5] } });
  });

  it('moves only the leaver\u2019s partitions when a member leaves and the quotas allow it', () => {
    const spec = makeSpec(
      [
        { id: 'a', topics: ['t'], current: { t: [0, 1] } },
        { id: 'c', topics: ['t'], current: { t: [4, 5] } },
      ],
      { t: 6 },
    );
    expect(simple(range.assign(spec))).toEqual({ a: { t: [0, 1, 2] }, c: { t: [3, 4, 5] } });
  });
});
