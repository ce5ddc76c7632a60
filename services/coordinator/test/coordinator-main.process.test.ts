/**
 * The coordinator as a real process (services/coordinator/dist/main.js): refuses a bad config
 * with one line and exit 1; paired with three broker processes it serves a group, and after a
 * kill -9 of the coordinator process and a restart, the group (member, epoch, offsets) is back
 * from __consumer_offsets, and its readiness (sluice.v1.Coordinator) says SERVING only once
 * that reload is done.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrpcClientPool } from '@sluice/proto';
import type * as wire from '@sluice/proto';
import { LocalCluster, serviceMainPath } from '@sluice/local-cluster';
import { eventually as waitFor } from './support/eventually';

jest.setTimeout(90_000);

const GROUP = 'ledger';

describe('coordinator processes', () => {
  let baseDir: string;

  beforeAll(() => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-coordinator-main-'));
  });

  afterAll(() => {
    rmSync(baseDir, { recursive: true, force: true });
  });

  it('refuses a bad configuration with one line and exit 1', () => {
    const file = join(baseDir, 'bad.properties');
    writeFileSync(
      file,
      'node.id=1\nprocess.roles=coordinator\ncontroller.quorum.voters=1@127.0.0.1:1\ncoordinator.broker=nowhere\n',
    );
    const result = spawnSync(process.execPath, [serviceMainPath('coordinator'), '--config', file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('coordinator.broker');
    const roles = spawnSync(
      process.execPath,
      [serviceMainPath('coordinator'), '--config', file, '--override', 'process.roles=broker'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(roles.status).toBe(1);
    expect(roles.stderr).toContain('process.roles');
  });

  it('keeps a group across a kill -9 and restart of its coordinator', async () => {
    const cluster = await LocalCluster.create({
      baseDir,
      roles: {
        controller: { count: 1, config: { 'broker.session.timeout.ms': 2_000 } },
        broker: { config: { 'broker.heartbeat.interval.ms': 200, 'min.insync.replicas': 2 } },
        coordinator: { config: { 'offsets.topic.num.partitions': 6 } },
      },
    });
    const { admin, coordinators } = cluster;
    const clients = new GrpcClientPool('Coordinator', { callTimeoutMs: 5_000 });
    const call = clients.call.bind(clients);
    const health = new GrpcClientPool('Health', { callTimeoutMs: 5_000 });
    try {
      await cluster.start({ roles: ['controller', 'broker'] });
      await admin.createTopic({ name: 'entries', numPartitions: 3, replicationFactor: 3 });
      await cluster.start();
      const found = await waitFor('FindCoordinator', async () => {
        const answer = (await call(coordinators.address(1), 'FindCoordinator', { groupIds: [GROUP] })).coordinators[0]!;
        return answer.errorName === '' ? answer : undefined;
      });
      const join: wire.ConsumerGroupHeartbeatRequest = {
        groupId: GROUP,
        memberId: 'member-1',
        memberEpoch: 0,
        instanceId: '',
        rackId: '',
        clientId: 'test',
        rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: ['entries'],
        subscribedTopicNamesSet: true,
        subscribedTopicRegex: '',
        serverAssignor: 'range',
        owned: [],
        ownedSet: true,
      };
      const joined = await waitFor('a join', () => call(found.address, 'ConsumerGroupHeartbeat', join));
      expect(joined).toMatchObject({
        memberId: 'member-1',
        memberEpoch: 1,
        assignment: [{ topic: 'entries', partitions: [0, 1, 2] }],
      });
      await call(found.address, 'OffsetCommit', {
        groupId: GROUP,
        memberId: 'member-1',
        memberEpoch: 1,
        topics: [{ name: 'entries', partitions: [{ partition: 2, offset: 42, leaderEpoch: -1, metadata: 'x' }] }],
      });

      await coordinators.kill(found.nodeId, 'SIGKILL');
      coordinators.start(found.nodeId);
      // Readiness (sluice.v1.Coordinator) waits for the reload: once it says SERVING, the very
      // next call finds the group's partition loaded, never COORDINATOR_LOAD_IN_PROGRESS.
      await waitFor('the restarted coordinator to report sluice.v1.Coordinator SERVING', async () => {
        const answer = await health.call(found.address, 'Check', { service: 'sluice.v1.Coordinator' });
        return answer.status === 'SERVING' ? answer : undefined;
      });
      const afterReady = await call(found.address, 'OffsetFetch', { groupId: GROUP, partitions: [] });
      expect(afterReady.offsets.map((o) => [o.topic, o.partition, Number(o.offset)])).toEqual([['entries', 2, 42]]);
      const offsets = await waitFor('the restarted coordinator to reload', () =>
        call(found.address, 'OffsetFetch', { groupId: GROUP, partitions: [] }),
      );
      expect(offsets.offsets.map((o) => [o.topic, o.partition, Number(o.offset), o.metadata])).toEqual([
        ['entries', 2, 42, 'x'],
      ]);
      const described = (await call(found.address, 'DescribeGroups', { groupIds: [GROUP] })).groups[0]!;
      expect(described).toMatchObject({
        state: 'STABLE',
        assignor: 'range',
        members: [expect.objectContaining({ memberId: 'member-1', memberEpoch: 1 })],
      });
      const listed = await call(found.address, 'ListGroups', {});
      expect(listed.groups).toContainEqual({ groupId: GROUP, state: 'STABLE', members: 1, type: 'consumer' });
    } finally {
      clients.close();
      health.close();
      await cluster.stop();
    }
  });
});
