/**
 * Share groups (KIP-932) on a real small cluster: one controller, three brokers and three
 * coordinator processes on loopback.
 * - The share coordinator: a state written through CoordinatorShareStatePersister survives a
 *   kill -9 of the coordinator that owns it (the restarted one replays __share_group_state and
 *   reads it back), a new leader epoch takes the state over, and a write or read from the stale
 *   leader epoch is FENCED_LEADER_EPOCH, not retried.
 * - Share group membership: two members on two partitions both get work; six members on two
 *   partitions all get work and every partition is covered; the group is listed and described,
 *   and its id is refused as a consumer group.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Admin,
  CoordinatorShareStatePersister,
  groupPartition,
  shareStateKeyString,
  ShareGroupMembership,
} from '@sluice/client';
import { GrpcClientPool } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { LocalCluster, type LocalRole } from '@sluice/local-cluster';
import { SHARE_STATE_TOPIC } from '../src/node/coordinator-node';
import { eventually as waitFor } from './support/eventually';

jest.setTimeout(120_000);

const TOPIC = 'jobs';
const SHARE_STATE_PARTITIONS = 3;

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof ApiError ? error.errorName : String(error);
  }
}

describe('share groups on real processes', () => {
  let cluster: LocalCluster;
  let coordinators: LocalRole;
  let admin: Admin;
  const clients = new GrpcClientPool('Coordinator', { callTimeoutMs: 5_000 });
  const call = clients.call.bind(clients);

  beforeAll(async () => {
    cluster = await LocalCluster.create({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-share-')),
      roles: {
        controller: { count: 1, config: { 'broker.session.timeout.ms': 2_000 } },
        broker: { config: { 'broker.heartbeat.interval.ms': 200, 'min.insync.replicas': 2 } },
        coordinator: {
          config: {
            'offsets.topic.num.partitions': 3,
            'share.coordinator.state.topic.num.partitions': SHARE_STATE_PARTITIONS,
            'group.share.heartbeat.interval.ms': 200,
            'group.share.session.timeout.ms': 5_000,
          },
        },
      },
    });
    ({ admin, coordinators } = cluster);
    await cluster.start({ roles: ['controller', 'broker'] });
    await admin.createTopic({ name: TOPIC, numPartitions: 2, replicationFactor: 3 });
    await cluster.start();
  });

  afterAll(async () => {
    clients.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('keeps a written share state across a kill -9 of its coordinator and fences a stale leader epoch', async () => {
    const persister = new CoordinatorShareStatePersister({
      coordinators: coordinators.addresses(),
      requestTimeoutMs: 30_000,
    });
    try {
      const key = { groupId: 'workers', topic: TOPIC, partition: 0 };
      await persister.write(
        key,
        3,
        {
          stateEpoch: 1,
          startOffset: 0,
          ranges: [{ firstOffset: 0, lastOffset: 9, state: 'AVAILABLE', deliveryCount: 1 }],
        },
        'snapshot',
      );
      await persister.write(
        key,
        3,
        {
          stateEpoch: 1,
          startOffset: 4,
          ranges: [
            { firstOffset: 4, lastOffset: 5, state: 'ACKNOWLEDGED', deliveryCount: 1 },
            { firstOffset: 9, lastOffset: 9, state: 'ARCHIVED', deliveryCount: 5 },
          ],
        },
        'update',
      );
      const expected = {
        stateEpoch: 1,
        startOffset: 4,
        ranges: [
          { firstOffset: 4, lastOffset: 5, state: 'ACKNOWLEDGED', deliveryCount: 1 },
          { firstOffset: 6, lastOffset: 8, state: 'AVAILABLE', deliveryCount: 1 },
          { firstOffset: 9, lastOffset: 9, state: 'ARCHIVED', deliveryCount: 5 },
        ],
      };
      expect(await persister.read(key, -1)).toEqual(expected);

      // The owner is the coordinator paired with the leader of the key's __share_group_state partition.
      const found = (
        await call(coordinators.address(1), 'FindCoordinator', {
          groupIds: [shareStateKeyString(key)],
          keyType: 'SHARE',
        })
      ).coordinators[0]!;
      expect(found).toMatchObject({
        errorName: '',
        partition: groupPartition('workers:jobs:0', SHARE_STATE_PARTITIONS),
      });
      const topic = await admin.describeTopic(SHARE_STATE_TOPIC);
      expect(found.nodeId).toBe(topic.partitions[found.partition]!.leader);
      expect(topic.configs['cleanup.policy']).toBe('compact');
      const other = coordinators.nodeIds.find((id) => id !== found.nodeId)!;
      await expect(
        call(coordinators.address(other), 'ReadShareGroupState', { ...key, leaderEpoch: -1 }),
      ).rejects.toMatchObject({ errorName: 'NOT_COORDINATOR' });

      await coordinators.kill(found.nodeId, 'SIGKILL');
      coordinators.start(found.nodeId);
      // The restarted coordinator replays the partition; the new leader (epoch 4) takes the state over.
      expect(await persister.read(key, 4)).toEqual(expected);
      // It got there by retrying while the coordinator was down and loading.
      expect(persister.stats.retries).toBeGreaterThan(0);
      const retriesBefore = persister.stats.retries;
      expect(await rejection(persister.write(key, 3, { stateEpoch: 1, startOffset: 6, ranges: [] }, 'update'))).toBe(
        'FENCED_LEADER_EPOCH',
      );
      expect(await rejection(persister.read(key, 3))).toBe('FENCED_LEADER_EPOCH');
      expect(persister.stats.retries).toBe(retriesBefore);
      expect(await rejection(persister.write(key, 4, { stateEpoch: 0, startOffset: 0, ranges: [] }, 'snapshot'))).toBe(
        'FENCED_STATE_EPOCH',
      );
      expect(
        await rejection(
          persister.write(
            key,
            4,
            {
              stateEpoch: 1,
              startOffset: 4,
              ranges: [{ firstOffset: 5, lastOffset: 4, state: 'AVAILABLE', deliveryCount: 0 }],
            },
            'update',
          ),
        ),
      ).toBe('INVALID_REQUEST');
      expect(await persister.read(key, -1)).toEqual(expected);
      await persister.write(key, 4, { stateEpoch: 1, startOffset: 6, ranges: [] }, 'update');
      expect((await persister.read(key, 4))?.startOffset).toBe(6);
      expect(await persister.read({ ...key, partition: 1 }, 4)).toBeNull();
    } finally {
      persister.close();
    }
  });

  it('gives every member work: 2 members on 2 partitions, then 6 members on 2 partitions', async () => {
    const members: ShareGroupMembership[] = [];
    const join = (count: number): void => {
      for (let i = 0; i < count; i++) {
        const member = new ShareGroupMembership({
          groupId: 'crunchers',
          coordinators: coordinators.addresses(),
          clientId: `m${members.length}`,
        });
        member.subscribe([TOPIC]);
        member.start();
        members.push(member);
      }
    };
    const covered = (): number[] =>
      [...new Set(members.flatMap((m) => m.assignment().map((tp) => tp.partition)))].sort();
    try {
      join(2);
      await waitFor('two members with one partition each', () =>
        members.every((m) => m.assignment().length === 1) && covered().length === 2 ? true : undefined,
      );
      join(4);
      await waitFor('six members all with work', () =>
        members.every((m) => m.assignment().length === 1) && covered().length === 2 ? true : undefined,
      );
      // Shared evenly: three members per partition.
      const perPartition = [0, 1].map(
        (p) => members.filter((m) => m.assignment().some((tp) => tp.partition === p)).length,
      );
      expect(perPartition).toEqual([3, 3]);

      const found = (
        await call(coordinators.address(1), 'FindCoordinator', {
          groupIds: ['crunchers'],
        })
      ).coordinators[0]!;
      // A group id that does not exist, in the same __consumer_offsets partition (same coordinator).
      const nobody = ['nobody', 'nobody-1', 'nobody-2', 'nobody-3', 'nobody-4', 'nobody-5'].find(
        (id) => groupPartition(id, 3) === found.partition,
      )!;
      const described = (
        await call(found.address, 'DescribeShareGroups', {
          groupIds: ['crunchers', nobody],
        })
      ).groups;
      expect(described[0]).toMatchObject({ errorName: '', state: 'STABLE' });
      expect(described[0]!.members).toHaveLength(6);
      expect(described[1]).toMatchObject({ errorName: 'GROUP_ID_NOT_FOUND', state: 'DEAD' });
      const listed = await call(found.address, 'ListGroups', {});
      expect(listed.groups).toContainEqual({ groupId: 'crunchers', state: 'STABLE', members: 6, type: 'share' });
      // One namespace: the share group's id is not a consumer group.
      await expect(
        call(found.address, 'ConsumerGroupHeartbeat', {
          groupId: 'crunchers',
          memberId: 'c',
          memberEpoch: 0,
          instanceId: '',
          rackId: '',
          clientId: 'c',
          rebalanceTimeoutMs: 30_000,
          subscribedTopicNames: [TOPIC],
          subscribedTopicNamesSet: true,
          subscribedTopicRegex: '',
          serverAssignor: '',
          owned: [],
          ownedSet: true,
        }),
      ).rejects.toMatchObject({ errorName: 'GROUP_ID_NOT_FOUND' });

      // Four leave: the two left share both partitions again, at a new epoch.
      const epochBefore = members[0]!.memberEpoch;
      for (const member of members.splice(2)) await member.close();
      await waitFor('two members with one partition each again', () =>
        members.every((m) => m.assignment().length === 1) && covered().length === 2 ? true : undefined,
      );
      await waitFor('the members to move to the new group epoch', () =>
        members.every((m) => m.memberEpoch > epochBefore) ? true : undefined,
      );
    } finally {
      await Promise.all(members.map((m) => m.close()));
    }
  });
});
