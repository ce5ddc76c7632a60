/**
 * Scale check of the assignors: runs large groups once (cold: the first runs include JIT warm-up)
 * and checks the answers are valid. Not timed by assertions (CI machines vary); the elapsed
 * milliseconds are printed for reading.
 */

import type { AssignmentSpec, PartitionAssignor } from '../src/core/assignor';
import { RangeAssignor, UniformAssignor } from '../src/core/assignors';
import { makeSpec, movedPartitions, partitionCount, validityProblems, withCurrent } from './assignor-support';

const TOPIC_COUNT = 10;
const PARTITIONS_PER_TOPIC = 100; // 1,000 partitions in all
const topicNames = Array.from({ length: TOPIC_COUNT }, (_, i) => `topic-${i}`);
const topics = Object.fromEntries(topicNames.map((name) => [name, PARTITIONS_PER_TOPIC]));
const memberId = (i: number): string => `member-${String(i).padStart(5, '0')}`;

function homogeneous(members: number): AssignmentSpec {
  return makeSpec(
    Array.from({ length: members }, (_, i) => ({ id: memberId(i), topics: topicNames })),
    topics,
  );
}

/** Each member subscribes to two or three of the topics. */
function heterogeneous(members: number): AssignmentSpec {
  return makeSpec(
    Array.from({ length: members }, (_, i) => ({
      id: memberId(i),
      topics: [
        ...new Set([
          topicNames[i % TOPIC_COUNT]!,
          topicNames[(i * 7 + 3) % TOPIC_COUNT]!,
          topicNames[(i >> 4) % TOPIC_COUNT]!,
        ]),
      ],
    })),
    topics,
  );
}

function timed(label: string, assignor: PartitionAssignor, spec: AssignmentSpec) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = assignor.assign(spec);
  const cpu = process.cpuUsage(cpuStart);
  const ms = performance.now() - start;
  // CPU time too: on a busy machine the wall time mostly measures waiting for a core.
  process.stdout.write(
    `[assignor bench] ${label}: ${ms.toFixed(1)} ms (cpu ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms)\n`,
  );
  expect(validityProblems(spec, result)).toEqual([]);
  return result;
}

describe('assignors at scale (printed, not timed)', () => {
  const uniform = new UniformAssignor();
  const range = new RangeAssignor();

  it.each([10_000, 1_000])('uniform, %i members x 1,000 partitions, then one more member', (members) => {
    const spec = homogeneous(members);
    const first = timed(`uniform ${members} members fresh`, uniform, spec);
    const joined = withCurrent(homogeneous(members + 1), first);
    const second = timed(`uniform ${members} members + 1 joining (sticky)`, uniform, joined);
    const total = TOPIC_COUNT * PARTITIONS_PER_TOPIC;
    expect(movedPartitions(first, second)).toBeLessThanOrEqual(Math.ceil(total / (members + 1)));
    const perMember = [...joined.members.keys()].map((id) => partitionCount(second, id));
    expect(Math.max(...perMember) - Math.min(...perMember)).toBeLessThanOrEqual(1);
  });

  it.each([10_000, 1_000])('range, %i members x 1,000 partitions', (members) => {
    const spec = homogeneous(members);
    const first = timed(`range ${members} members fresh`, range, spec);
    timed(`range ${members} members + 1 joining (sticky)`, range, withCurrent(homogeneous(members + 1), first));
  });

  it.each([10_000, 1_000])('uniform heterogeneous, %i members x 1,000 partitions', (members) => {
    const spec = heterogeneous(members);
    const first = timed(`uniform heterogeneous ${members} members fresh`, uniform, spec);
    timed(
      `uniform heterogeneous ${members} members + 1 joining (sticky)`,
      uniform,
      withCurrent(heterogeneous(members + 1), first),
    );
  });

  it('uniform heterogeneous, 10,000 members, 13,000 partitions piled on 1,000 members', () => {
    // A-only, A+B and B-only members; all of A starts on 1,000 A-only members: ~7,000 moves, most
    // of them single moves, the rest through A+B members giving B partitions to B-only ones.
    const current = (i: number): Record<string, number[]> =>
      i % 3 === 0 && i < 3_000 ? { A: Array.from({ length: 10 }, (_, k) => (i / 3) * 10 + k) } : {};
    const spec = makeSpec(
      Array.from({ length: 10_000 }, (_, i) => ({
        id: memberId(i),
        topics: i % 3 === 0 ? ['A'] : i % 3 === 1 ? ['A', 'B'] : ['B'],
        current: current(i),
      })),
      { A: 10_000, B: 3_000 },
    );
    const result = timed('uniform heterogeneous 10000 members, 13000 partitions, piled-up start', uniform, spec);
    const aSubscribers = [...spec.members.keys()].filter((_, i) => i % 3 !== 2);
    const perMember = aSubscribers.map((id) => partitionCount(result, id));
    expect(Math.max(...perMember) - Math.min(...perMember)).toBeLessThanOrEqual(1);
  });
});
