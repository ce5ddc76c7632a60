/**
 * Share groups in the group shard (KIP-932's ShareGroupHeartbeat) by example: the first join,
 * a new assignment given at once at a new epoch (no revocation), sharing when members outnumber
 * partitions, fencing of stale epochs and unknown members (a lost answer's epoch is still fine),
 * leaving, session expiry, one namespace with consumer groups, refusals that emit nothing, and a
 * replacement coordinator that replays the records knowing the group.
 */
import { ApiError } from '@sluice/protocol';
import { decodeGroupRecord, recordKey, recordValue, type GroupRecord } from '../src/core/group-records';
import type { GroupShard } from '../src/core/group-shard';
import type { ShareHeartbeatRequest } from '../src/core/share-groups';
import { joinRequest, newShard } from './support/group-sim';

const G = 'crunchers';
const SHARE = { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, maxGroupSize: 4 };

function shard(counts: Record<string, number>): GroupShard {
  return newShard(counts, undefined, { share: SHARE }).shard;
}

function join(memberId: string, topics: readonly string[] = ['jobs']): ShareHeartbeatRequest {
  return { groupId: G, memberId, memberEpoch: 0, rackId: null, clientId: 'test', subscribedTopicNames: topics };
}

function beat(memberId: string, memberEpoch: number): ShareHeartbeatRequest {
  return { groupId: G, memberId, memberEpoch, rackId: null, clientId: 'test', subscribedTopicNames: null };
}

function errorName(body: () => unknown): string {
  try {
    body();
    return 'no error';
  } catch (error) {
    return error instanceof ApiError ? error.errorName : String(error);
  }
}

/** Records as they come back from the log (encoded, decoded). */
function roundTrip(records: readonly GroupRecord[]): GroupRecord[] {
  return records.map((r) => decodeGroupRecord(recordKey(r), recordValue(r)));
}

describe('GroupShard: share groups', () => {
  it('gives a lone member every partition at epoch 1 and persists the group', () => {
    const s = shard({ jobs: 3 });
    const { records, response } = s.shareHeartbeat(join('a'), 0);
    expect(response).toEqual({
      memberId: 'a',
      memberEpoch: 1,
      heartbeatIntervalMs: 1_000,
      assignment: [{ topic: 'jobs', partitions: [0, 1, 2] }],
    });
    expect(records.map((r) => r.type)).toEqual([
      'ShareGroupMember',
      'ShareGroupTargetMember',
      'ShareGroupMetadata',
      'ShareGroupMember',
    ]);
    expect(s.describeShareGroup(G)).toMatchObject({
      state: 'STABLE',
      groupEpoch: 1,
      members: [{ memberId: 'a', memberEpoch: 1, assigned: [{ topic: 'jobs', partitions: [0, 1, 2] }] }],
    });
    // An unchanged heartbeat writes nothing and sends no assignment.
    expect(s.shareHeartbeat(beat('a', 1), 10)).toEqual({
      records: [],
      response: { memberId: 'a', memberEpoch: 1, heartbeatIntervalMs: 1_000, assignment: null },
    });
  });

  it('gives a new assignment at once at the new epoch when a member joins (no revocation)', () => {
    const s = shard({ jobs: 4 });
    s.shareHeartbeat(join('a'), 0);
    const b = s.shareHeartbeat(join('b'), 0).response;
    expect(b.memberEpoch).toBe(2);
    expect(b.assignment).toEqual([{ topic: 'jobs', partitions: [2, 3] }]);
    // a, still at epoch 1, is told its new (smaller) assignment at once, at epoch 2.
    const a = s.shareHeartbeat(beat('a', 1), 0).response;
    expect(a).toMatchObject({ memberEpoch: 2, assignment: [{ topic: 'jobs', partitions: [0, 1] }] });
  });

  it('shares partitions when members outnumber them: every member gets work', () => {
    const s = shard({ jobs: 2 });
    for (const id of ['a', 'b', 'c']) s.shareHeartbeat(join(id), 0);
    const assigned = ['a', 'b', 'c'].map(
      (id) =>
        s.shareHeartbeat(beat(id, s.describeShareGroup(G).members.find((m) => m.memberId === id)!.memberEpoch), 0)
          .response,
    );
    expect(assigned.map((r) => r.memberEpoch)).toEqual([3, 3, 3]);
    const described = s.describeShareGroup(G).members.map((m) => m.assigned[0]!.partitions);
    expect(described.every((p) => p.length === 1)).toBe(true);
    expect(new Set(described.flat())).toEqual(new Set([0, 1]));
  });

  it('fences stale epochs and unknown members; the epoch before (a lost answer) gets the assignment again', () => {
    const s = shard({ jobs: 2 });
    s.shareHeartbeat(join('a'), 0);
    s.shareHeartbeat(join('b'), 0);
    expect(s.shareHeartbeat(beat('a', 1), 0).response.memberEpoch).toBe(2);
    // The answer to that was lost: a heartbeats at epoch 1 again and is told epoch 2 with its assignment.
    expect(s.shareHeartbeat(beat('a', 1), 0).response).toMatchObject({
      memberEpoch: 2,
      assignment: [{ topic: 'jobs', partitions: [0] }],
    });
    expect(errorName(() => s.shareHeartbeat(beat('a', 5), 0))).toBe('FENCED_MEMBER_EPOCH');
    s.shareHeartbeat(join('c'), 0);
    s.shareHeartbeat(beat('a', 2), 0);
    expect(errorName(() => s.shareHeartbeat(beat('a', 1), 0))).toBe('FENCED_MEMBER_EPOCH');
    expect(errorName(() => s.shareHeartbeat(beat('ghost', 1), 0))).toBe('UNKNOWN_MEMBER_ID');
  });

  it('lets a member leave with epoch -1 and expires a silent one after the session timeout', () => {
    const s = shard({ jobs: 2 });
    s.shareHeartbeat(join('a'), 0);
    s.shareHeartbeat(join('b'), 1_000);
    expect(s.shareHeartbeat(beat('b', 2), 0).response.memberEpoch).toBe(2);
    expect(s.shareHeartbeat({ ...beat('b', 2), memberEpoch: -1 }, 2_000).response).toMatchObject({ memberEpoch: -1 });
    expect(s.describeShareGroup(G)).toMatchObject({ groupEpoch: 3, members: [{ memberId: 'a' }] });
    expect(s.shareHeartbeat(beat('a', 1), 2_000).response).toMatchObject({
      memberEpoch: 3,
      assignment: [{ topic: 'jobs', partitions: [0, 1] }],
    });
    // a's session runs 10 s from its last heartbeat.
    expect(s.nextDeadlineMs()).toBe(12_000);
    expect(s.expireMembers(11_999).response).toEqual([]);
    expect(s.expireMembers(12_000).response).toEqual([{ groupId: G, memberId: 'a', reason: 'session' }]);
    expect(s.describeShareGroup(G)).toMatchObject({ state: 'EMPTY', groupEpoch: 4, members: [] });
    expect(errorName(() => s.shareHeartbeat(beat('a', 3), 12_001))).toBe('UNKNOWN_MEMBER_ID');
    expect(s.listShareGroups()).toEqual([{ groupId: G, state: 'EMPTY', members: 0 }]);
    s.deleteGroup(G);
    expect(s.listShareGroups()).toEqual([]);
  });

  it('shares one namespace with consumer groups', () => {
    const s = shard({ jobs: 2 });
    s.shareHeartbeat(join('a'), 0);
    expect(errorName(() => s.heartbeat(joinRequest(G, 'c', ['jobs']), 0))).toBe('GROUP_ID_NOT_FOUND');
    expect(errorName(() => s.offsetCommit({ groupId: G, memberId: '', memberEpoch: -1, topics: [] }, 0))).toBe(
      'GROUP_ID_NOT_FOUND',
    );
    s.heartbeat(joinRequest('consumers', 'c', ['jobs']), 0);
    expect(errorName(() => s.shareHeartbeat({ ...join('a'), groupId: 'consumers' }, 0))).toBe('GROUP_ID_NOT_FOUND');
    expect(errorName(() => s.describeShareGroup('consumers'))).toBe('GROUP_ID_NOT_FOUND');
    expect(errorName(() => s.describeShareGroup('nobody'))).toBe('GROUP_ID_NOT_FOUND');
    expect(s.listGroups().map((g) => g.groupId)).toEqual(['consumers']);
    expect(s.listShareGroups().map((g) => g.groupId)).toEqual([G]);
  });

  it('refuses bad requests with named errors and emits nothing', () => {
    const s = shard({ jobs: 2 });
    s.shareHeartbeat(join('a'), 0);
    for (const id of ['b', 'c', 'd']) s.shareHeartbeat(join(id), 0);
    const before = JSON.stringify(s.describeShareGroup(G));
    const deadline = s.nextDeadlineMs();
    const bad: [string, ShareHeartbeatRequest, string][] = [
      ['empty group id', { ...join('x'), groupId: '' }, 'INVALID_GROUP_ID'],
      ['join without topics', join('x', []), 'INVALID_REQUEST'],
      ['join with unchanged topics', { ...join('x'), subscribedTopicNames: null }, 'INVALID_REQUEST'],
      ['epoch -2 (no static members)', { ...beat('a', 1), memberEpoch: -2 }, 'INVALID_REQUEST'],
      ['no member id after joining', beat('', 1), 'INVALID_REQUEST'],
      ['an empty topic name', join('x', ['']), 'INVALID_REQUEST'],
      ['a fifth member', join('e'), 'GROUP_MAX_SIZE_REACHED'],
      ['leaving twice', { ...beat('ghost', -1) }, 'UNKNOWN_MEMBER_ID'],
    ];
    for (const [what, request, expected] of bad)
      expect([what, errorName(() => s.shareHeartbeat(request, 5))]).toEqual([what, expected]);
    expect(JSON.stringify(s.describeShareGroup(G))).toBe(before);
    expect(s.nextDeadlineMs()).toBe(deadline);
  });

  it('is known to a replacement coordinator that replays its records', () => {
    const s = shard({ jobs: 3, logs: 1 });
    const log: GroupRecord[] = [];
    log.push(...s.shareHeartbeat(join('a', ['jobs', 'logs']), 0).records);
    log.push(...s.shareHeartbeat(join('b', ['jobs']), 0).records);
    log.push(...s.shareHeartbeat(beat('a', 1), 0).records);
    const replacement = shard({ jobs: 3, logs: 1 });
    for (const record of roundTrip(log)) replacement.replay(record);
    replacement.armTimers(100);
    expect(replacement.describeShareGroup(G)).toEqual(s.describeShareGroup(G));
    expect(replacement.nextDeadlineMs()).toBe(100 + SHARE.sessionTimeoutMs);
    // The members go on at their epochs there.
    expect(replacement.shareHeartbeat(beat('a', 2), 200).response).toMatchObject({ memberEpoch: 2, assignment: null });
    expect(replacement.shareHeartbeat(beat('b', 2), 200).response).toMatchObject({ memberEpoch: 2, assignment: null });
  });
});
