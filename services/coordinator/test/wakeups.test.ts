/**
 * Wake-ups, the pure half: which members the shard says to wake (GroupShard.takeWakeups), the
 * deferred target assignment it computes on its own (assignDeferred), and the registry's bounds
 * (MemberWakeups: streams, one outstanding wake-up per member).
 */
import { GroupShard } from '../src/core/group-shard';
import { MemberWakeups } from '../src/node/member-wakeups';
import { newShard, SimClient } from './support/group-sim';

const G = 'woken';

function wokenIds(shard: GroupShard): string[] {
  return shard
    .takeWakeups()
    .map((w) => `${w.memberId}:${w.reason}`)
    .sort();
}

describe('GroupShard wake-ups', () => {
  it('wakes every member behind a new target, and the waiting member once its partitions are released', () => {
    const { shard, log } = newShard({ orders: 4 });
    const a = new SimClient(G, 'a', ['orders']);
    a.heartbeat(shard, log, 0);
    // a heard its own answer: nobody else to wake.
    expect(wokenIds(shard)).toEqual([]);
    expect(a.owned.get('orders')?.size).toBe(4);

    const b = new SimClient(G, 'b', ['orders']);
    b.heartbeat(shard, log, 10);
    // b's join computed a new target: a must give up two partitions and is woken; b heard its answer.
    expect(wokenIds(shard)).toEqual(['a:assignment']);
    expect(shard.describeGroup(G).members.find((m) => m.memberId === 'b')?.state).toBe('UNRELEASED_PARTITIONS');

    a.heartbeat(shard, log, 20); // told to revoke
    expect(wokenIds(shard)).toEqual([]);
    a.heartbeat(shard, log, 30); // confirms: the partitions are free, b is woken to take them
    expect(wokenIds(shard)).toEqual(['b:released']);
    b.heartbeat(shard, log, 40);
    expect(b.owned.get('orders')?.size).toBe(2);
    expect(shard.describeGroup(G).state).toBe('STABLE');
  });

  it('a member leaving wakes the waiter of what it held; nothing is woken twice per operation', () => {
    const { shard, log } = newShard({ orders: 2 });
    const a = new SimClient(G, 'a', ['orders']);
    const b = new SimClient(G, 'b', ['orders']);
    a.heartbeat(shard, log, 0);
    b.heartbeat(shard, log, 1);
    shard.takeWakeups();
    // a leaves without revoking: b waits for a's partition and is woken by the leave.
    const left = shard.heartbeat({ ...a.request(), memberEpoch: -1 }, 2);
    log.push(...left.records);
    expect(wokenIds(shard)).toEqual(['b:released']);
  });

  it('computes a deferred target assignment when due, without any heartbeat, and wakes the members', () => {
    const { shard, log } = newShard({ orders: 6 }, undefined, { assignmentIntervalMs: 1_000 });
    const a = new SimClient(G, 'a', ['orders']);
    a.heartbeat(shard, log, 0);
    new SimClient(G, 'b', ['orders']).heartbeat(shard, log, 100);
    new SimClient(G, 'c', ['orders']).heartbeat(shard, log, 200);
    shard.takeWakeups();
    expect(shard.describeGroup(G)).toMatchObject({ groupEpoch: 3, assignmentEpoch: 1 });
    expect(shard.nextDeferredAssignmentMs()).toBe(1_000);
    // Not yet due: nothing computed.
    expect(shard.assignDeferred(999).response).toBe(0);
    const due = shard.assignDeferred(1_000);
    expect(due.response).toBe(1);
    expect(due.records.some((r) => r.type === 'TargetAssignmentEpoch')).toBe(true);
    expect(shard.describeGroup(G)).toMatchObject({ groupEpoch: 3, assignmentEpoch: 3 });
    expect(shard.nextDeferredAssignmentMs()).toBeNull();
    expect(wokenIds(shard)).toEqual(['a:assignment', 'b:assignment', 'c:assignment']);
  });
});

/**
 * Members that heartbeat only when woken, or right after their ownership changed (as the SDK
 * does), and otherwise never: the group must still converge. Joins come in while earlier
 * revocations are under way, so members are told to revoke again towards a newer target before
 * they confirmed the last one (the case where a confirmation frees partitions while the member
 * stays UNREVOKED_PARTITIONS).
 */
function convergesOnWakeupsAlone(assignmentIntervalMs: number): void {
  const { shard, log } = newShard({ orders: 12, billing: 5 }, undefined, { assignmentIntervalMs });
  const clients = new Map<string, SimClient>();
  let nowMs = 0;
  const due = new Set<string>();
  const beat = (client: SimClient): void => {
    const before = JSON.stringify(client.ownedList());
    client.heartbeat(shard, log, nowMs);
    due.delete(client.memberId);
    if (JSON.stringify(client.ownedList()) !== before) due.add(client.memberId);
  };
  const settle = (): void => {
    for (let step = 0; step < 1_000; step++) {
      for (const wakeup of shard.takeWakeups()) due.add(wakeup.memberId);
      const next = [...due][0];
      if (next === undefined) return;
      nowMs += 1;
      beat(clients.get(next)!);
    }
    throw new Error('no quiet point within 1,000 heartbeats');
  };
  for (let i = 0; i < 7; i++) {
    const client = new SimClient(G, `m${i}`, ['orders', 'billing']);
    clients.set(client.memberId, client);
    beat(client);
    // Only part of the way to quiet before the next one joins.
    for (let step = 0; step < 3; step++) {
      for (const wakeup of shard.takeWakeups()) due.add(wakeup.memberId);
      const next = [...due][0];
      if (next !== undefined) beat(clients.get(next)!);
    }
  }
  for (let round = 0; round < 5 && shard.describeGroup(G).state !== 'STABLE'; round++) {
    settle();
    nowMs += assignmentIntervalMs;
    shard.assignDeferred(nowMs);
  }
  settle();
  const described = shard.describeGroup(G);
  expect(described.state).toBe('STABLE');
  expect(described.members).toHaveLength(7);
  const owned = [...clients.values()].flatMap((c) =>
    c.ownedList().flatMap((t) => t.partitions.map((p) => `${t.topic}:${p}`)),
  );
  expect(new Set(owned).size).toBe(17);
  expect(owned).toHaveLength(17);
}

describe('GroupShard: members woken instead of heartbeating on an interval', () => {
  it('converge with a target per group epoch bump', () => convergesOnWakeupsAlone(0));
  it('converge with targets deferred by the assignment interval', () => convergesOnWakeupsAlone(1_000));
});

describe('MemberWakeups', () => {
  const sink = () => {
    const sent: string[] = [];
    let ended = false;
    return {
      sent,
      ended: () => ended,
      send: (w: { reason: string }) => sent.push(w.reason),
      end: () => {
        ended = true;
      },
    };
  };
  const wakeup = (memberId: string) => ({ groupId: G, memberId, reason: 'assignment' as const, assignmentEpoch: 1 });

  it('refuses streams beyond its bound, replaces a member stream, and keeps one wake-up outstanding per member', () => {
    const wakeups = new MemberWakeups(1);
    const first = sink();
    const close = wakeups.open(G, 'a', first);
    expect(close).not.toBeNull();
    expect(wakeups.open(G, 'b', sink())).toBeNull();
    expect(wakeups.stats.refused).toBe(1);

    wakeups.wake([wakeup('a'), wakeup('b')]);
    wakeups.wake([wakeup('a')]);
    // The second is coalesced: a has not heartbeated since the first.
    expect(first.sent).toEqual(['assignment']);
    expect(wakeups.stats).toMatchObject({ sent: 1, coalesced: 1 });
    wakeups.heard(G, 'a');
    wakeups.wake([wakeup('a')]);
    expect(first.sent).toEqual(['assignment', 'assignment']);

    // The same member again: the old stream ends, the new one takes its place (no new slot).
    const second = sink();
    expect(wakeups.open(G, 'a', second)).not.toBeNull();
    expect(first.ended()).toBe(true);
    expect(wakeups.size).toBe(1);
    // The old stream's close does not remove the new one.
    close!();
    expect(wakeups.size).toBe(1);
    wakeups.endAll();
    expect(second.ended()).toBe(true);
    expect(wakeups.size).toBe(0);
  });

  it('refuses a bound that is not a non-negative integer', () => {
    for (const bound of [-1, 1.5, Number.NaN]) expect(() => new MemberWakeups(bound)).toThrow(RangeError);
  });
});
