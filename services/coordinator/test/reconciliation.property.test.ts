/**
 * Property test of the KIP-848 group state machine: random joins, heartbeats, leaves, kills,
 * subscription changes and clock jumps against a GroupShard, with clients behaving as the
 * protocol says. After every step no partition is owned by two members the coordinator still
 * has; after the chaos, heartbeats alone bring every member to a stable assignment that covers
 * every subscribed partition; replaying the records into a fresh shard gives the same groups.
 */
import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import type { GroupRecord } from '../src/core/group-records';
import type { GroupShard } from '../src/core/group-shard';
import { doublyOwned, newShard, roundRobinAssignor, SimClient } from './support/group-sim';

const GROUP = 'g';
const TOPICS = { orders: 6, payments: 3, audit: 1 };
const TOPIC_NAMES = Object.keys(TOPICS);

type Step =
  | { kind: 'join'; topics: string[] }
  | { kind: 'heartbeat'; client: number }
  | { kind: 'leave'; client: number }
  | { kind: 'kill'; client: number }
  | { kind: 'resubscribe'; client: number; topics: string[] }
  | { kind: 'advance'; ms: number };

const topicsArb = fc.subarray(TOPIC_NAMES, { minLength: 1 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: topicsArb.map((topics) => ({ kind: 'join' as const, topics })) },
  { weight: 10, arbitrary: fc.nat(20).map((client) => ({ kind: 'heartbeat' as const, client })) },
  { weight: 1, arbitrary: fc.nat(20).map((client) => ({ kind: 'leave' as const, client })) },
  { weight: 1, arbitrary: fc.nat(20).map((client) => ({ kind: 'kill' as const, client })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ client: fc.nat(20), topics: topicsArb })
      .map((s) => ({ kind: 'resubscribe' as const, ...s })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 50_000 }).map((ms) => ({ kind: 'advance' as const, ms })) },
);

function liveMembers(shard: GroupShard, clients: readonly SimClient[]): SimClient[] {
  const group = shard.group(GROUP);
  return clients.filter((c) => c.alive && c.joined && group?.hasMember(c.memberId) === true);
}

function run(steps: readonly Step[]): void {
  const { shard, log } = newShard(TOPICS, [roundRobinAssignor]);
  const clients: SimClient[] = [];
  let nowMs = 1_000;
  const pick = (index: number): SimClient | undefined =>
    clients.length === 0 ? undefined : clients[index % clients.length];

  for (const step of steps) {
    switch (step.kind) {
      case 'join': {
        const client = new SimClient(GROUP, `m${clients.length}`, step.topics);
        clients.push(client);
        client.heartbeat(shard, log, nowMs);
        break;
      }
      case 'heartbeat': {
        const client = pick(step.client);
        if (client?.alive) client.heartbeat(shard, log, nowMs);
        break;
      }
      case 'leave': {
        const client = pick(step.client);
        if (client === undefined || !client.alive || !client.joined) break;
        try {
          log.push(...shard.heartbeat({ ...client.request(), memberEpoch: -1 }, nowMs).records);
        } catch {
          // Already gone (expired): nothing to leave.
        }
        client.alive = false;
        client.owned = new Map();
        break;
      }
      case 'kill': {
        const client = pick(step.client);
        if (client !== undefined) client.alive = false;
        break;
      }
      case 'resubscribe': {
        const client = pick(step.client);
        if (client?.alive) {
          client.topics = step.topics;
          client.heartbeat(shard, log, nowMs);
        }
        break;
      }
      case 'advance':
        nowMs += step.ms;
        log.push(...shard.expireMembers(nowMs).records);
        break;
    }
    expect(doublyOwned(liveMembers(shard, clients))).toEqual([]);
    checkCoordinatorHoldings(shard);
  }

  // Liveness: live clients heartbeat every 10 s; killed ones' sessions run out meanwhile.
  const live = clients.filter((c) => c.alive);
  for (let round = 0; round < 12; round++) {
    for (const client of live) client.heartbeat(shard, log, nowMs);
    expect(doublyOwned(liveMembers(shard, clients))).toEqual([]);
    nowMs += 10_000;
    log.push(...shard.expireMembers(nowMs).records);
  }
  for (let round = 0; round < 4; round++) for (const client of live) client.heartbeat(shard, log, nowMs);
  const group = shard.group(GROUP);
  const members = liveMembers(shard, clients);
  if (members.length > 0) {
    expect(group!.state()).toBe('STABLE');
    const subscribed = new Set(members.flatMap((c) => c.topics));
    const owned = new Set(
      members.flatMap((c) => [...c.owned].flatMap(([topic, set]) => [...set].map((p) => `${topic}-${p}`))),
    );
    const expected = [...subscribed].flatMap((topic) =>
      Array.from({ length: TOPICS[topic as keyof typeof TOPICS] }, (_, p) => `${topic}-${p}`),
    );
    expect([...owned].sort()).toEqual(expected.sort());
    for (const client of members) {
      const assignment = group!.memberAssignment(client.memberId);
      expect(assignment.memberEpoch).toBe(group!.assignmentEpoch);
      expect(client.epoch).toBe(group!.assignmentEpoch);
    }
  }

  // Replaying the log gives the same state.
  const { shard: replayed } = newShard(TOPICS, [roundRobinAssignor]);
  for (const record of log) replayed.replay(record);
  expect(replayed.describeGroup(GROUP)).toEqual(shard.describeGroup(GROUP));
}

function checkCoordinatorHoldings(shard: GroupShard): void {
  const group = shard.group(GROUP);
  if (group === undefined) return;
  const seen = new Set<string>();
  for (const [memberId, assignment] of group.currentAssignment) {
    for (const partitions of [assignment.assigned, assignment.pendingRevocation]) {
      for (const [topic, set] of partitions) {
        for (const partition of set) {
          const key = `${topic}-${partition}`;
          if (seen.has(key)) throw new Error(`${key} is held twice (second holder ${memberId})`);
          seen.add(key);
        }
      }
    }
  }
}

describe('consumer group reconciliation (KIP-848), random schedules', () => {
  it('never gives a partition to two members and always converges', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 80 }), (steps) => run(steps)),
      propertyOptions({ numRuns: 300 }),
    );
  });

  it('keeps the records it replays consistent when one member leaves a stable group of three', () => {
    const log: GroupRecord[] = [];
    const { shard } = newShard(TOPICS, [roundRobinAssignor]);
    const clients = ['a', 'b', 'c'].map((id) => new SimClient(GROUP, id, ['orders']));
    for (let round = 0; round < 4; round++) for (const client of clients) client.heartbeat(shard, log, 0);
    expect(shard.group(GROUP)!.state()).toBe('STABLE');
    log.push(...shard.heartbeat({ ...clients[2]!.request(), memberEpoch: -1 }, 0).records);
    clients[2]!.alive = false;
    for (let round = 0; round < 4; round++) for (const client of clients.slice(0, 2)) client.heartbeat(shard, log, 0);
    const owned = clients.slice(0, 2).flatMap((c) => [...(c.owned.get('orders') ?? [])]);
    expect(owned.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
