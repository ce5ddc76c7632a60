import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import type { AssignmentSpec, GroupAssignment, PartitionAssignor } from '../src/core/assignor';
import { RangeAssignor, UniformAssignor } from '../src/core/assignors';
import {
  improvableChains,
  makeSpec,
  movedPartitions,
  ownerMap,
  partitionCount,
  plain,
  validityProblems,
  withCurrent,
  type MemberInput,
} from './assignor-support';

const uniform = new UniformAssignor();
const range = new RangeAssignor();

/** 'gone' is never in spec.topics: subscriptions to it must be ignored. */
const TOPICS = ['t0', 't1', 't2', 't3', 'gone'] as const;

const topicsArb: fc.Arbitrary<Record<string, number>> = fc
  .tuple(...TOPICS.slice(0, 4).map(() => fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined })))
  .map((counts) => {
    const topics: Record<string, number> = {};
    counts.forEach((count, i) => {
      if (count !== undefined) topics[TOPICS[i]!] = count;
    });
    return topics;
  });

const memberArb: fc.Arbitrary<MemberInput> = fc.record({
  id: fc.integer({ min: 0, max: 40 }).map((i) => `m${i}`),
  topics: fc.subarray([...TOPICS]),
  // Current assignments may be stale: unsubscribed topics, out-of-range or disputed partitions.
  current: fc
    .array(fc.tuple(fc.constantFrom(...TOPICS), fc.integer({ min: -1, max: 13 })), { maxLength: 10 })
    .map((pairs) => {
      const current: Record<string, number[]> = {};
      for (const [topic, partition] of pairs) (current[topic] ??= []).push(partition);
      return current;
    }),
});

const membersArb = (maxLength: number): fc.Arbitrary<MemberInput[]> =>
  fc.uniqueArray(memberArb, { selector: (input) => input.id, maxLength });

const heterogeneousArb: fc.Arbitrary<AssignmentSpec> = fc
  .tuple(membersArb(10), topicsArb)
  .map(([members, topics]) => makeSpec(members, topics));

const homogeneousArb = (minMembers: number): fc.Arbitrary<AssignmentSpec> =>
  fc
    .tuple(
      membersArb(12).filter((members) => members.length >= minMembers),
      topicsArb,
      fc.subarray([...TOPICS]),
      fc.boolean(),
    )
    .map(([members, topics, shared, sticky]) =>
      makeSpec(
        members.map((input) => ({ ...input, topics: shared, current: sticky ? input.current : {} })),
        topics,
      ),
    );

const bothArb = fc.oneof(heterogeneousArb, homogeneousArb(0));

function counts(spec: AssignmentSpec, assignment: GroupAssignment): number[] {
  return [...spec.members.keys()].map((id) => partitionCount(assignment, id));
}

function totalPartitions(spec: AssignmentSpec): number {
  const subscribed = new Set<string>();
  for (const member of spec.members.values()) for (const topic of member.subscribedTopics) subscribed.add(topic);
  let total = 0;
  for (const topic of subscribed) total += spec.topics.get(topic) ?? 0;
  return total;
}

/** The same spec, its maps and sets built in reverse order. */
function reversed(spec: AssignmentSpec): AssignmentSpec {
  const members = [...spec.members].reverse().map(
    ([id, member]) =>
      [
        id,
        {
          ...member,
          subscribedTopics: new Set([...member.subscribedTopics].reverse()),
          currentAssignment: new Map(
            [...member.currentAssignment]
              .reverse()
              .map(([topic, partitions]) => [topic, new Set([...partitions].reverse())]),
          ),
        },
      ] as const,
  );
  return { members: new Map(members), topics: new Map([...spec.topics].reverse()) };
}

describe.each([
  ['uniform', uniform],
  ['range', range],
] as [string, PartitionAssignor][])('%s assignor properties', (_name, assignor) => {
  it('assigns each subscribed, existing partition to exactly one subscriber and nothing else', () => {
    fc.assert(
      fc.property(bothArb, (spec) => {
        expect(validityProblems(spec, assignor.assign(spec))).toEqual([]);
      }),
      propertyOptions({ numRuns: 150 }),
    );
  });

  it('answers equal specs equally, whatever the order of their maps and sets', () => {
    fc.assert(
      fc.property(bothArb, (spec) => {
        const first = plain(assignor.assign(spec));
        expect(plain(assignor.assign(spec))).toEqual(first);
        expect(plain(assignor.assign(reversed(spec)))).toEqual(first);
      }),
      propertyOptions({ numRuns: 100 }),
    );
  });

  it('keeps its own answer unchanged when run again on it', () => {
    fc.assert(
      fc.property(bothArb, (spec) => {
        const first = assignor.assign(spec);
        expect(plain(assignor.assign(withCurrent(spec, first)))).toEqual(plain(first));
      }),
      propertyOptions({ numRuns: 100 }),
    );
  });
});

describe('uniform assignor properties', () => {
  it('balances homogeneous subscriptions within one partition', () => {
    fc.assert(
      fc.property(homogeneousArb(1), (spec) => {
        const perMember = counts(spec, uniform.assign(spec));
        expect(Math.max(...perMember) - Math.min(...perMember)).toBeLessThanOrEqual(1);
      }),
      propertyOptions({ numRuns: 150 }),
    );
  });

  it('balances heterogeneous subscriptions as far as they allow (no chain of moves helps)', () => {
    fc.assert(
      fc.property(heterogeneousArb, (spec) => {
        expect(improvableChains(spec, uniform.assign(spec))).toEqual([]);
      }),
      propertyOptions({ numRuns: 150 }),
    );
  });

  it('moves at most ceil(P/(N+1)) partitions when a member joins a balanced group', () => {
    // Bound without slack: the N old members all hold at least floor(P/N) >= floor(P/(N+1)), so
    // each keeps its quota (extra slots going to those already above it) and only the partitions
    // the newcomer needs move: floor(P/(N+1)), or P mod (N+1) fewer than a whole extra round.
    fc.assert(
      fc.property(homogeneousArb(1), fc.constantFrom('a-new', 'm25x', 'z-new'), (spec, newId) => {
        const first = uniform.assign(spec);
        const ids = [...spec.members.keys()];
        const topics = [...spec.members.values().next().value!.subscribedTopics];
        const joined = withCurrent(
          makeSpec(
            [...ids, newId].map((id) => ({ id, topics })),
            Object.fromEntries(spec.topics),
          ),
          first,
        );
        const second = uniform.assign(joined);
        expect(validityProblems(joined, second)).toEqual([]);
        const total = totalPartitions(spec);
        expect(movedPartitions(first, second)).toBeLessThanOrEqual(Math.ceil(total / (ids.length + 1)));
        const perMember = counts(joined, second);
        expect(Math.max(...perMember) - Math.min(...perMember)).toBeLessThanOrEqual(1);
      }),
      propertyOptions({ numRuns: 150 }),
    );
  });

  it('moves only the leaving member\u2019s partitions when a member leaves a balanced group', () => {
    fc.assert(
      fc.property(homogeneousArb(2), fc.nat(), (spec, pick) => {
        const first = uniform.assign(spec);
        const ids = [...spec.members.keys()];
        const leaver = ids[pick % ids.length]!;
        const remaining = new Map([...spec.members].filter(([id]) => id !== leaver));
        const left = withCurrent({ members: remaining, topics: spec.topics }, first);
        const second = uniform.assign(left);
        expect(validityProblems(left, second)).toEqual([]);
        const after = ownerMap(second);
        for (const [partition, owner] of ownerMap(first)) {
          if (owner !== leaver) expect([partition, after.get(partition)]).toEqual([partition, owner]);
        }
        expect(movedPartitions(first, second)).toBe(partitionCount(first, leaver));
      }),
      propertyOptions({ numRuns: 150 }),
    );
  });
});

describe('range assignor properties', () => {
  it("balances each topic's partitions within one among its subscribers", () => {
    fc.assert(
      fc.property(bothArb, (spec) => {
        const result = range.assign(spec);
        for (const [topic, count] of spec.topics) {
          const subscribers = [...spec.members.values()].filter((member) => member.subscribedTopics.has(topic));
          if (subscribers.length === 0 || count === 0) continue;
          const sizes = subscribers.map((member) => result.get(member.memberId)!.get(topic)?.size ?? 0);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        }
      }),
      propertyOptions({ numRuns: 150 }),
    );
  });

  it('splits a fresh group in contiguous ranges, the first subscribers (by id) taking one more', () => {
    const fresh = bothArb.map((spec) => withCurrent(spec, new Map()));
    fc.assert(
      fc.property(fresh, (spec) => {
        const result = range.assign(spec);
        for (const [topic, count] of spec.topics) {
          const subscribers = [...spec.members.keys()]
            .filter((id) => spec.members.get(id)!.subscribedTopics.has(topic))
            .sort();
          subscribers.forEach((id, i) => {
            const quota = Math.floor(count / subscribers.length);
            const extras = count % subscribers.length;
            const start = i * quota + Math.min(i, extras);
            const size = quota + (i < extras ? 1 : 0);
            const expected = Array.from({ length: size }, (_, k) => start + k);
            expect([...(result.get(id)!.get(topic) ?? [])]).toEqual(expected);
          });
        }
      }),
      propertyOptions({ numRuns: 100 }),
    );
  });
});
