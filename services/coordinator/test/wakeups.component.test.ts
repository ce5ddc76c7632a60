/**
 * Component test: the coordinator wakes members (ConsumerGroupWakeups, node/member-wakeups.ts)
 * instead of leaving them to learn of changes on their next heartbeat. One controller and one
 * broker as real processes, an in-process CoordinatorNode, members as the SDK's GroupMembership
 * over real gRPC.
 *
 * - With a heartbeat interval of 60 s, a member joining learns its partitions from a target
 *   assignment the coordinator computed on its own (deferred by the assignment interval) without
 *   heartbeating for it; the member that must give partitions up is told at once, and its
 *   revocation reaches the member waiting for those partitions at once too.
 * - A stream the coordinator ends is reopened on the member's next heartbeat; a coordinator that
 *   refuses streams (its bound reached) leaves the members on their heartbeat interval, and the
 *   group still converges.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupMembership, type TopicPartition } from '@sluice/client';
import { LocalCluster } from '@sluice/local-cluster';
import { GrpcClientPool } from '@sluice/proto';
import { CoordinatorNode, type CoordinatorNodeOptions } from '../src/node/coordinator-node';
import { eventually } from './support/eventually';
import { singleBrokerCoordinatorOptions } from './support/single-broker-coordinator';

jest.setTimeout(120_000);

const TOPIC = 'wakeups';
const PARTITIONS = 8;

interface Member {
  readonly membership: GroupMembership;
  owned: readonly TopicPartition[];
}

describe('coordinator wake-ups', () => {
  let cluster: LocalCluster;
  let coordinator: CoordinatorNode | undefined;
  const members: Member[] = [];
  const clients = new GrpcClientPool('Coordinator', { callTimeoutMs: 20_000 });

  const startCoordinator = (heartbeatIntervalMs: number, overrides: Partial<CoordinatorNodeOptions> = {}) => {
    const options = singleBrokerCoordinatorOptions(cluster, overrides);
    return CoordinatorNode.start({
      ...options,
      groups: { ...options.groups, heartbeatIntervalMs, sessionTimeoutMs: 120_000, assignmentIntervalMs: 1_000 },
    });
  };

  const joinGroup = (groupId: string): Member => {
    const member: Member = { owned: [], membership: undefined as unknown as GroupMembership };
    (member as { membership: GroupMembership }).membership = new GroupMembership(
      { groupId, coordinators: coordinator!.address, groupRemoteAssignor: 'uniform', requestTimeoutMs: 20_000 },
      {
        setAssignment(owned) {
          member.owned = [...owned];
        },
        positions: () => [],
        autoCommit: false,
        lastPollMs: () => Date.now(),
      },
    );
    members.push(member);
    member.membership.subscribe([TOPIC]);
    return member;
  };

  const leaveAll = async (): Promise<void> => {
    await Promise.all(members.splice(0).map((m) => m.membership.leave()));
  };

  /** Every member owns its share and the coordinator says STABLE with all of them at one epoch. */
  const converged = async (groupId: string, group: readonly Member[]): Promise<true> => {
    const owned = group.flatMap((m) => m.owned.map((tp) => `${tp.topic}:${tp.partition}`));
    if (new Set(owned).size !== PARTITIONS || owned.length !== PARTITIONS)
      throw new Error(`members own ${owned.length} partitions`);
    if (group.some((m) => m.owned.length !== PARTITIONS / group.length)) throw new Error('not balanced yet');
    const [described] = (await clients.call(coordinator!.address, 'DescribeGroups', { groupIds: [groupId] })).groups;
    if (described?.state !== 'STABLE') throw new Error(`group ${described?.state}`);
    return true;
  };

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-coordinator-wakeups-')),
      roles: {
        controller: { count: 1 },
        broker: { count: 1, config: { 'broker.heartbeat.interval.ms': 200 } },
        coordinator: { count: 0 },
      },
    });
    await cluster.admin.createTopic({ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 });
  });

  afterEach(async () => {
    await leaveAll();
    await coordinator?.stop();
    coordinator = undefined;
  });

  afterAll(async () => {
    clients.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('a member learns its assignment, and a waiting member its released partitions, without waiting for a heartbeat', async () => {
    // Nobody heartbeats on the interval within this test: every change travels by wake-up.
    coordinator = await startCoordinator(60_000);
    const first = joinGroup('woken');
    await eventually('the first member to own every partition', () => {
      if (first.owned.length !== PARTITIONS || !first.membership.wakeupStreamOpen) throw new Error('not yet');
      return true;
    });
    const heartbeatsBefore = first.membership.stats.heartbeats;
    const second = joinGroup('woken');
    const startedAt = Date.now();
    await eventually('the two members to share the partitions', () => converged('woken', [first, second]), 20_000);
    // The target came from the coordinator's own deferred assignment (1 s), not from a heartbeat 60 s later.
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    // The first member was told to give up half (a wake-up), revoked and confirmed at once.
    expect(first.membership.stats.wakeups).toBeGreaterThanOrEqual(1);
    expect(first.membership.stats.revoked).toBe(PARTITIONS / 2);
    expect(first.membership.stats.heartbeats).toBeGreaterThan(heartbeatsBefore);
    // The second joined with nothing to take: its partitions came by wake-ups (the new target, then
    // the first member's revocation releasing them).
    expect(second.membership.stats.wakeups).toBeGreaterThanOrEqual(1);
    expect(second.membership.stats.assigned).toBe(PARTITIONS / 2);
    expect(second.membership.error).toBeNull();
    expect(coordinator.wakeups.stats.sent).toBeGreaterThanOrEqual(2);
  });

  it('a stream the coordinator ends is reopened; refused streams leave members on their heartbeat interval', async () => {
    coordinator = await startCoordinator(500);
    const first = joinGroup('dropped');
    await eventually('the member to open its wake-up stream', () => {
      if (!first.membership.wakeupStreamOpen) throw new Error('no stream yet');
      return true;
    });
    const node = coordinator;
    node.wakeups.endAll();
    expect(node.wakeups.size).toBe(0);
    // Reopened on a later heartbeat.
    await eventually('the stream to be reopened', () => {
      if (node.wakeups.size !== 1 || !first.membership.wakeupStreamOpen) throw new Error('not reopened');
      return true;
    });
    await leaveAll();
    await node.stop();

    // No room for any stream: the members converge on heartbeats alone.
    coordinator = await startCoordinator(500, { maxWakeupStreams: 0 });
    const refusing = coordinator;
    const a = joinGroup('refused');
    const b = joinGroup('refused');
    await eventually('the members to converge on heartbeats', () => converged('refused', [a, b]), 30_000);
    expect(refusing.wakeups.size).toBe(0);
    expect(refusing.wakeups.stats.refused).toBeGreaterThan(0);
    expect(a.membership.stats.wakeups + b.membership.stats.wakeups).toBe(0);
    expect(a.membership.error).toBeNull();
  });
});
