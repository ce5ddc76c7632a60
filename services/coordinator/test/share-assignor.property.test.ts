/**
 * The share assignor against its guarantees, on random groups: every partition of a subscribed
 * topic goes to at least one subscriber; every member subscribed to a topic with partitions gets
 * work; only subscribed, existing partitions are handed out; with the same subscriptions, loads
 * stay within floor/ceil (members <= partitions: one member per partition; more members: one
 * partition per member, members per partition within floor/ceil); the result depends only on the
 * spec; a previous target that is already balanced is kept as it is, and a member leaving moves
 * little.
 */
import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import { assignShareGroup, type ShareAssignment, type ShareAssignmentSpec } from '../src/core/share-assignor';
import { topicPartitionsFrom, type TopicPartitions } from '../src/core/topic-partitions';

const TOPICS = ['t0', 't1', 't2', 'gone'] as const;

const topicsArb: fc.Arbitrary<Map<string, number>> = fc
  .tuple(...TOPICS.slice(0, 3).map(() => fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined })))
  .map((counts) => {
    const topics = new Map<string, number>();
    counts.forEach((count, i) => {
      if (count !== undefined) topics.set(TOPICS[i]!, count);
    });
    return topics;
  });

const previousArb: fc.Arbitrary<TopicPartitions> = fc
  .array(fc.tuple(fc.constantFrom(...TOPICS), fc.integer({ min: -1, max: 10 })), { maxLength: 6 })
  .map((pairs) =>
    topicPartitionsFrom(TOPICS.map((topic) => [topic, pairs.filter(([t]) => t === topic).map(([, p]) => p)] as const)),
  );

const memberIdsArb = fc.uniqueArray(
  fc.integer({ min: 0, max: 30 }).map((i) => `m${String(i).padStart(2, '0')}`),
  { maxLength: 14 },
);

const heterogeneousArb: fc.Arbitrary<ShareAssignmentSpec> = fc
  .tuple(memberIdsArb, topicsArb)
  .chain(([ids, topics]) =>
    fc.tuple(
      fc.constant(ids),
      fc.constant(topics),
      fc.array(fc.tuple(fc.subarray([...TOPICS]), previousArb), { minLength: ids.length, maxLength: ids.length }),
    ),
  )
  .map(([ids, topics, perMember]) => ({
    topics,
    members: new Map(ids.map((id, i) => [id, new Set(perMember[i]![0])])),
    previous: new Map(ids.map((id, i) => [id, perMember[i]![1]])),
  }));

const homogeneousArb: fc.Arbitrary<ShareAssignmentSpec> = fc
  .tuple(memberIdsArb, topicsArb, fc.subarray([...TOPICS]), fc.array(previousArb, { minLength: 14, maxLength: 14 }))
  .map(([ids, topics, subscribed, previous]) => ({
    topics,
    members: new Map(ids.map((id) => [id, new Set(subscribed)])),
    previous: new Map(ids.map((id, i) => [id, previous[i]!])),
  }));

function subscribedPartitions(
  spec: ShareAssignmentSpec,
): { topic: string; partition: number; subscribers: string[] }[] {
  const result: { topic: string; partition: number; subscribers: string[] }[] = [];
  for (const [topic, count] of spec.topics) {
    const subscribers = [...spec.members].filter(([, topics]) => topics.has(topic)).map(([id]) => id);
    if (subscribers.length === 0) continue;
    for (let partition = 0; partition < count; partition++) result.push({ topic, partition, subscribers });
  }
  return result;
}

function holders(assignment: ShareAssignment, topic: string, partition: number): string[] {
  return [...assignment].filter(([, byTopic]) => byTopic.get(topic)?.has(partition) ?? false).map(([id]) => id);
}

function load(assignment: ShareAssignment, memberId: string): number {
  let count = 0;
  for (const set of assignment.get(memberId)!.values()) count += set.size;
  return count;
}

function plain(assignment: ShareAssignment): Record<string, Record<string, number[]>> {
  return Object.fromEntries(
    [...assignment].map(([id, byTopic]) => [
      id,
      Object.fromEntries([...byTopic].map(([t, set]) => [t, [...set].sort((a, b) => a - b)])),
    ]),
  );
}

describe('share assignor', () => {
  it('covers every subscribed partition, gives every subscriber work, hands out nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(heterogeneousArb, homogeneousArb), (spec) => {
        const assignment = assignShareGroup(spec);
        expect([...assignment.keys()].sort()).toEqual([...spec.members.keys()].sort());
        const partitions = subscribedPartitions(spec);
        for (const { topic, partition, subscribers } of partitions) {
          const owners = holders(assignment, topic, partition);
          expect(owners.length).toBeGreaterThanOrEqual(1);
          for (const owner of owners) expect(subscribers).toContain(owner);
        }
        for (const [memberId, byTopic] of assignment) {
          for (const [topic, set] of byTopic) {
            expect(spec.members.get(memberId)!.has(topic)).toBe(true);
            for (const partition of set) expect(partition >= 0 && partition < (spec.topics.get(topic) ?? 0)).toBe(true);
          }
          const hasWork = partitions.some((p) => p.subscribers.includes(memberId));
          if (hasWork) expect(load(assignment, memberId)).toBeGreaterThanOrEqual(1);
          else expect(load(assignment, memberId)).toBe(0);
        }
        // Deterministic: the same spec gives the same assignment.
        expect(plain(assignShareGroup(spec))).toEqual(plain(assignment));
      }),
      propertyOptions({ numRuns: 500 }),
    );
  });

  it('balances members with the same subscriptions within floor/ceil', () => {
    fc.assert(
      fc.property(homogeneousArb, (spec) => {
        const assignment = assignShareGroup(spec);
        const partitions = subscribedPartitions(spec);
        const members = partitions.length === 0 ? [] : [...spec.members.keys()];
        if (members.length === 0) return;
        const m = members.length;
        const p = partitions.length;
        const loads = members.map((id) => load(assignment, id));
        const counts = partitions.map(({ topic, partition }) => holders(assignment, topic, partition).length);
        if (m <= p) {
          for (const l of loads) expect([Math.floor(p / m), Math.ceil(p / m)]).toContain(l);
          for (const c of counts) expect(c).toBe(1);
        } else {
          for (const l of loads) expect(l).toBe(1);
          for (const c of counts) expect([Math.floor(m / p), Math.ceil(m / p)]).toContain(c);
        }
      }),
      propertyOptions({ numRuns: 500 }),
    );
  });

  it('keeps a balanced previous target as it is, and moves little when a member leaves', () => {
    fc.assert(
      fc.property(
        memberIdsArb.filter((ids) => ids.length >= 2),
        fc.integer({ min: 1, max: 12 }),
        (ids, count) => {
          const topics = new Map([['t0', count]]);
          const all = new Map(ids.map((id) => [id, new Set(['t0'])]));
          const first = assignShareGroup({ topics, members: all, previous: new Map() });
          const previous = new Map([...first].map(([id, byTopic]) => [id, byTopic as TopicPartitions]));
          expect(plain(assignShareGroup({ topics, members: all, previous }))).toEqual(plain(first));
          // One member leaves: at most one other member per partition it held gives something up
          // (a partition it held alone needs a new member; with more members than partitions that
          // one comes from another partition), the rest keep what they had (they may gain some).
          const [gone, ...rest] = ids;
          const after = assignShareGroup({
            topics,
            members: new Map(rest.map((id) => [id, new Set(['t0'])])),
            previous,
          });
          const lost = rest.filter((id) =>
            [...(first.get(id)!.get('t0') ?? [])].some((p) => !(after.get(id)!.get('t0')?.has(p) ?? false)),
          );
          expect(lost.length).toBeLessThanOrEqual(first.get(gone!)!.get('t0')?.size ?? 0);
          // While members do not outnumber partitions, quotas only grow: nobody gives anything up.
          if (ids.length <= count) expect(lost).toEqual([]);
        },
      ),
      propertyOptions({ numRuns: 300 }),
    );
  });
});
