/**
 * group.consumer.assignment.interval.ms (KIP-1263 assignment batching): with an interval the
 * shard computes a group's target assignment at most once per interval; members joining in
 * between wait at the last target (getting nothing yet) and the next computation covers them
 * all. Without one (the default) every group epoch bump computes at once.
 */
import { DEFAULT_GROUP_SHARD_CONFIG, GroupShard } from '../src/core/group-shard';
import { doublyOwned, newShard, roundRobinAssignor, SimClient, topicsView } from './support/group-sim';

const G = 'batched';

describe('GroupShard: assignment interval', () => {
  it('computes the first assignment at once, then batches joins until the interval has passed', () => {
    const { shard, log } = newShard({ orders: 6 }, [roundRobinAssignor], { assignmentIntervalMs: 1_000 });
    const a = new SimClient(G, 'a', ['orders']);
    a.heartbeat(shard, log, 0);
    expect(a.owned.get('orders')?.size).toBe(6);
    expect(shard.describeGroup(G)).toMatchObject({ groupEpoch: 1, assignmentEpoch: 1 });

    // Two joins inside the interval: epochs bump, the target does not move, newcomers get nothing yet.
    const b = new SimClient(G, 'b', ['orders']);
    const c = new SimClient(G, 'c', ['orders']);
    b.heartbeat(shard, log, 100);
    c.heartbeat(shard, log, 200);
    a.heartbeat(shard, log, 300);
    expect(shard.describeGroup(G)).toMatchObject({ state: 'ASSIGNING', groupEpoch: 3, assignmentEpoch: 1 });
    expect(b.owned.size + c.owned.size).toBe(0);
    expect(b.epoch).toBe(1);
    expect(a.owned.get('orders')?.size).toBe(6);

    // The first heartbeat after the interval computes one target for all three.
    b.heartbeat(shard, log, 1_000);
    expect(shard.describeGroup(G)).toMatchObject({ groupEpoch: 3, assignmentEpoch: 3 });
    const clients = [a, b, c];
    for (let round = 0; round < 4 && shard.describeGroup(G).state !== 'STABLE'; round++) {
      for (const client of clients) {
        client.heartbeat(shard, log, 1_100 + round * 100);
        expect(doublyOwned(clients)).toEqual([]);
      }
    }
    expect(shard.describeGroup(G).state).toBe('STABLE');
    expect(clients.map((client) => client.owned.get('orders')?.size)).toEqual([2, 2, 2]);
    // Three target computations in all would have been one per join without the interval.
    expect(log.filter((record) => record.type === 'TargetAssignmentEpoch').length).toBe(2);
  });

  it('computes on every epoch bump without an interval (the default)', () => {
    const { shard, log } = newShard({ orders: 4 });
    new SimClient(G, 'a', ['orders']).heartbeat(shard, log, 0);
    new SimClient(G, 'b', ['orders']).heartbeat(shard, log, 1);
    expect(shard.describeGroup(G)).toMatchObject({ groupEpoch: 2, assignmentEpoch: 2 });
  });

  it('refuses a negative or fractional interval', () => {
    for (const assignmentIntervalMs of [-1, 0.5, Number.NaN]) {
      expect(
        () =>
          new GroupShard(
            { ...DEFAULT_GROUP_SHARD_CONFIG, assignmentIntervalMs, assignors: [roundRobinAssignor] },
            topicsView({ orders: 1 }),
            () => 'm',
          ),
      ).toThrow(RangeError);
    }
  });
});
