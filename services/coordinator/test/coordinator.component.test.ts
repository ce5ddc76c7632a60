/**
 * Component test: one controller and three brokers as real processes, three in-process
 * CoordinatorNodes paired with the brokers. A consumer group joins through FindCoordinator and
 * ConsumerGroupHeartbeat, commits offsets (written acks=all to __consumer_offsets); then the
 * broker leading the group's partition is killed -9: the coordinator paired with the new leader
 * replays the partition and carries on with the same member epoch and the committed offsets.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupPartition, type Admin } from '@sluice/client';
import { LocalCluster, type LocalRole } from '@sluice/local-cluster';
import { GrpcClientPool } from '@sluice/proto';
import type * as wire from '@sluice/proto';
import { silentLogger } from '@sluice/runtime';
import { CoordinatorNode, OFFSETS_TOPIC } from '../src/node/coordinator-node';
import { eventually as waitFor } from './support/eventually';

jest.setTimeout(90_000);

const GROUP = 'billing';
const PARTITIONS = 6;

describe('coordinator nodes over real brokers', () => {
  let cluster: LocalCluster;
  let brokers: LocalRole;
  let admin: Admin;
  const coordinators = new Map<number, CoordinatorNode>();
  const peers = new Map<number, string>();
  const clients = new GrpcClientPool('Coordinator', { callTimeoutMs: 10_000 });
  const call = clients.call.bind(clients);
  const findCoordinator = async (via: string): Promise<wire.FindCoordinatorResponse__Output['coordinators'][number]> =>
    (await call(via, 'FindCoordinator', { groupIds: [GROUP] })).coordinators[0]!;

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-coordinator-')),
      roles: {
        controller: { count: 1, config: { 'broker.session.timeout.ms': 2_000 } },
        broker: {
          config: { 'broker.heartbeat.interval.ms': 200, 'replica.fetch.wait.max.ms': 200, 'min.insync.replicas': 2 },
        },
        // The test runs its coordinators in-process.
        coordinator: { count: 0 },
      },
    });
    ({ admin, brokers } = cluster);
    await admin.createTopic({ name: 'invoices', numPartitions: 4, replicationFactor: 3 });
    for (const brokerId of brokers.nodeIds) {
      const node = await CoordinatorNode.start({
        nodeId: brokerId,
        bindHost: '127.0.0.1',
        bindPort: 0,
        brokerAddress: brokers.address(brokerId),
        controllerAddresses: cluster.controllers.addresses(),
        peers,
        offsetsTopicPartitions: PARTITIONS,
        offsetsTopicReplicationFactor: 3,
        groups: {
          sessionTimeoutMs: 45_000,
          heartbeatIntervalMs: 1_000,
          maxGroupSize: 1_000,
          maxOffsetMetadataBytes: 4_096,
          assignors: ['uniform', 'range'],
        },
        ownershipCheckIntervalMs: 100,
        log: silentLogger(),
      });
      coordinators.set(brokerId, node);
      peers.set(brokerId, node.address);
    }
  });

  afterAll(async () => {
    clients.close();
    for (const node of coordinators.values()) await node.stop();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('serves a group where its partition leads, keeps it across a kill -9 of that broker', async () => {
    const anyAddress = coordinators.get(1)!.address;
    const found = await waitFor('a coordinator for the group', async () => {
      const answer = await findCoordinator(anyAddress);
      return answer.errorName === '' ? answer : undefined;
    });
    expect(found.partition).toBe(groupPartition(GROUP, PARTITIONS));
    const topic = await admin.describeTopic(OFFSETS_TOPIC);
    expect(found.nodeId).toBe(topic.partitions[found.partition]!.leader);
    expect(topic.configs['cleanup.policy']).toBe('compact');

    // Another coordinator refuses the group by name.
    const other = [...coordinators.values()].find((node) => node.nodeId !== found.nodeId)!;
    await expect(call(other.address, 'OffsetFetch', { groupId: GROUP, partitions: [] })).rejects.toMatchObject({
      errorName: 'NOT_COORDINATOR',
    });

    const join: wire.ConsumerGroupHeartbeatRequest = {
      groupId: GROUP,
      memberId: '',
      memberEpoch: 0,
      instanceId: '',
      rackId: '',
      clientId: 'test',
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['invoices'],
      subscribedTopicNamesSet: true,
      subscribedTopicRegex: '',
      serverAssignor: '',
      owned: [],
      ownedSet: true,
    };
    const joined = await waitFor('the group partition to load', () =>
      call(found.address, 'ConsumerGroupHeartbeat', join),
    );
    expect(joined.memberEpoch).toBe(1);
    expect(joined.assignment).toEqual([{ topic: 'invoices', partitions: [0, 1, 2, 3] }]);

    const commit = await call(found.address, 'OffsetCommit', {
      groupId: GROUP,
      memberId: joined.memberId,
      memberEpoch: 1,
      topics: [
        {
          name: 'invoices',
          partitions: [0, 1, 2, 3].map((partition) => ({
            partition,
            offset: 100 + partition,
            leaderEpoch: -1,
            metadata: '',
          })),
        },
      ],
    });
    expect(commit.topics[0]!.partitions.every((p) => p.errorName === '')).toBe(true);
    const stale = call(found.address, 'OffsetCommit', {
      groupId: GROUP,
      memberId: joined.memberId,
      memberEpoch: 0,
      topics: [],
    });
    await expect(stale).rejects.toMatchObject({ errorName: 'STALE_MEMBER_EPOCH' });

    // kill -9 the broker leading the group's partition: its coordinator loses the partition.
    await brokers.kill(found.nodeId, 'SIGKILL');
    const survivor = [...coordinators.values()].find((node) => node.nodeId !== found.nodeId)!;
    const moved = await waitFor(
      'the group to move to another coordinator',
      async () => {
        const answer = await findCoordinator(survivor.address);
        return answer.errorName === '' && answer.nodeId !== found.nodeId ? answer : undefined;
      },
      30_000,
    );
    const fetched = await waitFor(
      'the new coordinator to load the partition',
      () => call(moved.address, 'OffsetFetch', { groupId: GROUP, partitions: [] }),
      30_000,
    );
    expect(fetched.offsets.map((o) => [o.partition, Number(o.offset)])).toEqual([
      [0, 100],
      [1, 101],
      [2, 102],
      [3, 103],
    ]);
    // The member goes on at its epoch with its assignment: the group state was replayed, not rebuilt.
    const again = await call(moved.address, 'ConsumerGroupHeartbeat', {
      ...join,
      memberId: joined.memberId,
      memberEpoch: 1,
      rebalanceTimeoutMs: 0,
      subscribedTopicNamesSet: false,
      subscribedTopicNames: [],
      owned: joined.assignment,
    });
    expect(again.memberEpoch).toBe(1);
    const described = (await call(moved.address, 'DescribeGroups', { groupIds: [GROUP] })).groups[0]!;
    expect(described).toMatchObject({ errorName: '', state: 'STABLE', groupEpoch: 1 });
    expect(described.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    brokers.start(found.nodeId);
  });
});
