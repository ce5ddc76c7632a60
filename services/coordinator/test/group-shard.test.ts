/**
 * The group shard by example: joining and the first assignment, incremental hand-over when a
 * member joins a stable group (the owner revokes first, the newcomer waits), fencing of stale
 * epochs, static membership, session and rebalance timeouts, offset commits fenced by member
 * epoch, admin commits and deletes refused while members exist, and the record encoding.
 */
import { ApiError } from '@sluice/protocol';
import { decodeGroupRecord, recordKey, recordValue, type GroupRecord } from '../src/core/group-records';
import { joinRequest, newShard, SimClient } from './support/group-sim';

const G = 'payments-service';

function errorName(body: () => unknown): string {
  try {
    body();
    return 'no error';
  } catch (error) {
    return error instanceof ApiError ? error.errorName : String(error);
  }
}

describe('GroupShard: consumer group heartbeat', () => {
  it('gives a lone member every partition at epoch 1', () => {
    const { shard } = newShard({ orders: 3 });
    const { response, records } = shard.heartbeat(joinRequest(G, 'a', ['orders']), 0);
    expect(response).toEqual({
      memberId: 'a',
      memberEpoch: 1,
      heartbeatIntervalMs: 5_000,
      assignment: [{ topic: 'orders', partitions: [0, 1, 2] }],
    });
    expect(records.map((r) => r.type)).toEqual([
      'MemberSubscription',
      'GroupEpoch',
      'TargetAssignmentMember',
      'TargetAssignmentEpoch',
      'CurrentAssignment',
    ]);
    expect(shard.describeGroup(G)).toMatchObject({ state: 'STABLE', groupEpoch: 1, assignmentEpoch: 1 });
  });

  it('answers no assignment when the member reports what it has, in any order or shape, and the assignment when it differs', () => {
    const { shard } = newShard({ orders: 2, payments: 2 });
    const joined = shard.heartbeat(joinRequest(G, 'a', ['orders', 'payments']), 0).response;
    const epoch = joined.memberEpoch;
    const beat = (owned: { topic: string; partitions: number[] }[]) =>
      shard.heartbeat(
        {
          ...joinRequest(G, 'a', ['orders', 'payments']),
          memberEpoch: epoch,
          rebalanceTimeoutMs: null,
          subscribedTopicNames: null,
          ownedPartitions: owned,
        },
        10,
      ).response.assignment;
    const all = [
      { topic: 'orders', partitions: [0, 1] },
      { topic: 'payments', partitions: [0, 1] },
    ];
    expect(beat(all)).toBeNull();
    expect(
      beat([
        { topic: 'payments', partitions: [1, 0] },
        { topic: 'orders', partitions: [1, 0, 1] },
        { topic: 'refunds', partitions: [] },
      ]),
    ).toBeNull();
    expect(beat([{ topic: 'orders', partitions: [0, 1] }])).toEqual(all);
    expect(
      beat([
        { topic: 'orders', partitions: [0, 1] },
        { topic: 'orders', partitions: [0, 1] },
      ]),
    ).toEqual(all);
    expect(beat([...all, { topic: 'refunds', partitions: [0] }])).toEqual(all);
  });

  it('chooses a member id when the client sends none', () => {
    const { shard } = newShard({ orders: 1 });
    expect(shard.heartbeat(joinRequest(G, '', ['orders']), 0).response.memberId).toBe('generated-0');
  });

  it('hands partitions over incrementally: the owner revokes first, the newcomer waits, the rest keep consuming', () => {
    const { shard, log } = newShard({ orders: 4 });
    const a = new SimClient(G, 'a', ['orders']);
    a.heartbeat(shard, log, 0);
    expect(a.owned.get('orders')).toEqual(new Set([0, 1, 2, 3]));
    const b = new SimClient(G, 'b', ['orders']);
    const joined = b.heartbeat(shard, log, 0) as { memberEpoch: number; assignment: unknown };
    // b is at the new epoch but gets nothing yet: all its target partitions are still a's.
    expect(joined.memberEpoch).toBe(2);
    expect(joined.assignment).toEqual([]);
    expect(shard.describeGroup(G).state).toBe('RECONCILING');
    // a's heartbeat tells it what to keep; it stays at epoch 1 until it confirms the revocation.
    const revoke = a.heartbeat(shard, log, 0) as { memberEpoch: number };
    expect(revoke.memberEpoch).toBe(1);
    expect(shard.describeGroup(G).members.find((m) => m.memberId === 'a')).toMatchObject({
      state: 'UNREVOKED_PARTITIONS',
    });
    // a confirms (its owned list no longer has them): epoch 2, stable.
    expect((a.heartbeat(shard, log, 0) as { memberEpoch: number }).memberEpoch).toBe(2);
    b.heartbeat(shard, log, 0);
    expect(shard.describeGroup(G).state).toBe('STABLE');
    const owned = [...a.owned.get('orders')!, ...b.owned.get('orders')!].sort();
    expect(owned).toEqual([0, 1, 2, 3]);
    expect(a.owned.get('orders')!.size).toBe(2);
  });

  it('fences stale epochs and unknown members, and accepts the previous epoch once when an answer was lost', () => {
    const { shard, log } = newShard({ orders: 2 });
    const a = new SimClient(G, 'a', ['orders']);
    a.heartbeat(shard, log, 0);
    const base = { ...a.request() };
    expect(errorName(() => shard.heartbeat({ ...base, memberEpoch: 7 }, 0))).toBe('FENCED_MEMBER_EPOCH');
    expect(errorName(() => shard.heartbeat({ ...base, memberId: 'ghost', memberEpoch: 1 }, 0))).toBe(
      'UNKNOWN_MEMBER_ID',
    );
    // b joins: a moves to epoch 2 after revoking; a heartbeat still at epoch 1 with a subset of its partitions is a lost answer.
    new SimClient(G, 'b', ['orders']).heartbeat(shard, log, 0);
    a.heartbeat(shard, log, 0);
    a.heartbeat(shard, log, 0);
    expect(a.epoch).toBe(2);
    expect(shard.heartbeat({ ...a.request(), memberEpoch: 1 }, 0).response.memberEpoch).toBe(2);
    expect(
      errorName(() =>
        shard.heartbeat(
          { ...a.request(), memberEpoch: 1, ownedPartitions: [{ topic: 'orders', partitions: [0, 1] }] },
          0,
        ),
      ),
    ).toBe('FENCED_MEMBER_EPOCH');
  });

  it('refuses malformed requests with named errors and changes nothing', () => {
    const { shard } = newShard({ orders: 2 });
    expect(errorName(() => shard.heartbeat(joinRequest('', 'a', ['orders']), 0))).toBe('INVALID_GROUP_ID');
    expect(errorName(() => shard.heartbeat(joinRequest(G, 'a', []), 0))).toBe('INVALID_REQUEST');
    expect(errorName(() => shard.heartbeat(joinRequest(G, 'a', ['orders'], { rebalanceTimeoutMs: null }), 0))).toBe(
      'INVALID_REQUEST',
    );
    expect(errorName(() => shard.heartbeat(joinRequest(G, 'a', ['orders'], { memberEpoch: -3 }), 0))).toBe(
      'INVALID_REQUEST',
    );
    expect(errorName(() => shard.heartbeat(joinRequest(G, 'a', [], { subscribedTopicRegex: '(' }), 0))).toBe(
      'INVALID_REQUEST',
    );
    expect(errorName(() => shard.heartbeat(joinRequest(G, 'a', ['orders'], { serverAssignor: 'sticky-ish' }), 0))).toBe(
      'UNSUPPORTED_ASSIGNOR',
    );
    expect(
      errorName(() =>
        shard.heartbeat(
          joinRequest(G, 'a', ['orders'], { ownedPartitions: [{ topic: 'orders', partitions: [0] }] }),
          0,
        ),
      ),
    ).toBe('INVALID_REQUEST');
    expect(shard.describeGroup(G).state).toBe('DEAD');
    expect(shard.listGroups()).toEqual([]);
  });

  it('subscribes by regex to matching topics, not internal ones', () => {
    const { shard } = newShard({ 'orders-eu': 1, 'orders-us': 1, payments: 1, __consumer_offsets: 50 });
    const { response } = shard.heartbeat(joinRequest(G, 'a', [], { subscribedTopicRegex: 'orders-.*|__.*' }), 0);
    expect(response.assignment).toEqual([
      { topic: 'orders-eu', partitions: [0] },
      { topic: 'orders-us', partitions: [0] },
    ]);
  });

  it('removes members whose session ran out, and members stuck revoking past their rebalance timeout', () => {
    const { shard, log } = newShard({ orders: 2 }, undefined, { sessionTimeoutMs: 1_000 });
    const a = new SimClient(G, 'a', ['orders']);
    a.heartbeat(shard, log, 0);
    const b = new SimClient(G, 'b', ['orders']);
    b.heartbeat(shard, log, 500);
    expect(shard.expireMembers(900).response).toEqual([]);
    expect(shard.expireMembers(1_001).response).toEqual([{ groupId: G, memberId: 'a', reason: 'session' }]);
    b.heartbeat(shard, log, 1_001);
    expect(b.owned.get('orders')).toEqual(new Set([0, 1]));
    expect(errorName(() => shard.heartbeat(a.request(), 1_002))).toBe('UNKNOWN_MEMBER_ID');

    // Rebalance timeout: c must revoke but never confirms.
    const { shard: s2, log: l2 } = newShard({ orders: 2 }, undefined, { sessionTimeoutMs: 60_000 });
    const c = new SimClient(G, 'c', ['orders']);
    c.heartbeat(s2, l2, 0);
    new SimClient(G, 'd', ['orders']).heartbeat(s2, l2, 0);
    s2.heartbeat({ ...c.request(), ownedPartitions: [{ topic: 'orders', partitions: [0, 1] }] }, 10);
    expect(s2.expireMembers(30_011).response).toEqual([{ groupId: G, memberId: 'c', reason: 'rebalance' }]);
  });

  it('lets a static member come back as a new member id with its partitions and no rebalance', () => {
    const { shard, log } = newShard({ orders: 2 });
    const a = shard.heartbeat(joinRequest(G, 'a1', ['orders'], { instanceId: 'pod-0' }), 0).response;
    shard.heartbeat(joinRequest(G, 'b', ['orders']), 0);
    log.push();
    const epochBefore = shard.describeGroup(G).groupEpoch;
    // A second live member with the same instance id is refused.
    expect(errorName(() => shard.heartbeat(joinRequest(G, 'a2', ['orders'], { instanceId: 'pod-0' }), 0))).toBe(
      'UNRELEASED_INSTANCE_ID',
    );
    shard.heartbeat(
      { ...joinRequest(G, 'a1', ['orders'], { instanceId: 'pod-0' }), memberEpoch: -2, ownedPartitions: null },
      0,
    );
    const back = shard.heartbeat(joinRequest(G, 'a2', ['orders'], { instanceId: 'pod-0' }), 0).response;
    expect(back.memberId).toBe('a2');
    expect(shard.describeGroup(G).groupEpoch).toBe(epochBefore);
    expect(shard.describeGroup(G).members.map((m) => m.memberId)).toEqual(['a2', 'b']);
    expect(a.memberEpoch).toBeGreaterThan(0);
  });
});

describe('GroupShard: offsets', () => {
  it('commits fenced by member epoch, fetches, and keeps admin commits and deletes for empty groups', () => {
    const { shard, log } = newShard({ orders: 2 });
    const a = new SimClient(G, 'a', ['orders']);
    a.heartbeat(shard, log, 0);
    const commit = (memberId: string, memberEpoch: number, offset = 10): unknown =>
      shard.offsetCommit(
        {
          groupId: G,
          memberId,
          memberEpoch,
          topics: [{ name: 'orders', partitions: [{ partition: 0, offset, leaderEpoch: 3, metadata: 'm' }] }],
        },
        1_000,
      ).response;
    expect(commit('a', 1)).toEqual({ topics: [{ name: 'orders', partitions: [{ partition: 0, error: null }] }] });
    expect(errorName(() => commit('a', 2))).toBe('FENCED_MEMBER_EPOCH');
    expect(errorName(() => commit('a', 0))).toBe('STALE_MEMBER_EPOCH');
    expect(errorName(() => commit('zz', 1))).toBe('UNKNOWN_MEMBER_ID');
    expect(errorName(() => commit('', -1))).toBe('NON_EMPTY_GROUP');
    expect(errorName(() => shard.deleteGroup(G))).toBe('NON_EMPTY_GROUP');
    const unknownPartition = shard.offsetCommit(
      {
        groupId: G,
        memberId: 'a',
        memberEpoch: 1,
        topics: [{ name: 'orders', partitions: [{ partition: 9, offset: 1, leaderEpoch: -1, metadata: '' }] }],
      },
      0,
    );
    expect(unknownPartition.response.topics[0]!.partitions[0]!.error?.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(unknownPartition.records).toEqual([]);

    expect(
      shard.offsetFetch(G, [
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 1 },
      ]),
    ).toEqual([
      { topic: 'orders', partition: 0, offset: 10, leaderEpoch: 3, metadata: 'm' },
      { topic: 'orders', partition: 1, offset: -1, leaderEpoch: -1, metadata: '' },
    ]);
    shard.heartbeat({ ...a.request(), memberEpoch: -1 }, 0);
    expect(commit('', -1, 5)).toBeDefined();
    expect(shard.offsetFetch(G, null)).toEqual([
      { topic: 'orders', partition: 0, offset: 5, leaderEpoch: 3, metadata: 'm' },
    ]);
    const deleted = shard.deleteGroup(G);
    expect(deleted.records.every((r) => r.value === null)).toBe(true);
    expect(shard.describeGroup(G).state).toBe('DEAD');
    expect(shard.listGroups()).toEqual([]);
    expect(errorName(() => shard.deleteGroup(G))).toBe('GROUP_ID_NOT_FOUND');
  });
});

describe('group records', () => {
  it('round-trip through key/value bytes, tombstones included, and refuse garbage by name', () => {
    const records: GroupRecord[] = [
      { type: 'GroupEpoch', groupId: G, value: { epoch: 3, metadataHash: 12_345 } },
      {
        type: 'CurrentAssignment',
        groupId: G,
        memberId: 'a',
        value: {
          memberEpoch: 3,
          previousMemberEpoch: 2,
          state: 'STABLE',
          assigned: [{ topic: 'orders', partitions: [0] }],
          pendingRevocation: [],
        },
      },
      {
        type: 'OffsetCommit',
        groupId: G,
        topic: 'orders',
        partition: 1,
        value: { offset: 7, leaderEpoch: 1, metadata: '', commitTimestampMs: 5 },
      },
      { type: 'MemberSubscription', groupId: G, memberId: 'a', value: null },
    ];
    for (const record of records) expect(decodeGroupRecord(recordKey(record), recordValue(record))).toEqual(record);
    const names = [
      () => decodeGroupRecord(null, null),
      () => decodeGroupRecord(Buffer.from('{'), null),
      () => decodeGroupRecord(Buffer.from('["Nope","g"]'), null),
      () => decodeGroupRecord(Buffer.from('["GroupEpoch","g"]'), Buffer.from('{"v":99}')),
      () => decodeGroupRecord(Buffer.from('["OffsetCommit","g","t"]'), null),
    ].map(errorName);
    expect(names).toEqual(['INVALID_RECORD', 'INVALID_RECORD', 'INVALID_RECORD', 'INVALID_RECORD', 'INVALID_RECORD']);
  });
});
