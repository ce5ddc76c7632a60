/**
 * Component test: FindCoordinator and the coordinator agree while the paired broker is too slow
 * to answer the ownership check (what heavy CPU load does to it). One controller and one broker
 * as real processes, an in-process CoordinatorNode owning the one partition of __consumer_offsets;
 * the broker is stopped (SIGSTOP) and resumed (SIGCONT) by pid, so every metadata read in between
 * runs into its 2 s deadline.
 *
 * - Stopped for less than the grace: the coordinator keeps its partition. FindCoordinator names it
 *   and DescribeGroups is answered from memory the whole time; no reload after the broker resumes.
 *   (Before the fix, the first failed read dropped every partition: NOT_COORDINATOR for groups
 *   FindCoordinator still placed on this node, then a reload.)
 * - Stopped past the grace: the coordinator stops claiming the partition, and FindCoordinator on
 *   it stops naming it (COORDINATOR_NOT_AVAILABLE, retriable) instead of sending clients to a node
 *   that refuses them; both name it again once the broker is back and the partition reloaded.
 * - A coordinator restarted: from its first answer to serving the group, FindCoordinator on it
 *   never names it while it refuses the group as NOT_COORDINATOR.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '@sluice/local-cluster';
import { GrpcClientPool } from '@sluice/proto';
import type * as wire from '@sluice/proto';
import { CoordinatorNode } from '../src/node/coordinator-node';
import { eventually } from './support/eventually';
import { singleBrokerCoordinatorOptions } from './support/single-broker-coordinator';

jest.setTimeout(120_000);

const GROUP = 'stalled';
const GRACE_MS = 4_000;

/** One poll of both answers: FindCoordinator's node id (or error) and DescribeGroups' error. */
interface Observation {
  readonly atMs: number;
  readonly found: string;
  readonly described: string;
}

describe('coordinator ownership while the paired broker stalls', () => {
  let cluster: LocalCluster;
  let coordinator: CoordinatorNode | undefined;
  const clients = new GrpcClientPool('Coordinator', { callTimeoutMs: 5_000 });
  const call = clients.call.bind(clients);

  const joinRequest = (): wire.ConsumerGroupHeartbeatRequest => ({
    groupId: GROUP,
    memberId: '',
    memberEpoch: 0,
    instanceId: '',
    rackId: '',
    clientId: 'ownership-stall',
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ['events'],
    subscribedTopicNamesSet: true,
    subscribedTopicRegex: '',
    serverAssignor: '',
    owned: [],
    ownedSet: true,
  });

  const observe = async (address: string, startedMs: number): Promise<Observation> => {
    const [found, described] = await Promise.all([
      call(address, 'FindCoordinator', { groupIds: [GROUP], keyType: 'GROUP' }).then((answer) => {
        const endpoint = answer.coordinators[0]!;
        return endpoint.errorName === '' ? `node ${endpoint.nodeId}` : endpoint.errorName;
      }),
      call(address, 'DescribeGroups', { groupIds: [GROUP] }).then((answer) => answer.groups[0]!.errorName || 'OK'),
    ]);
    return { atMs: Date.now() - startedMs, found, described };
  };

  /** Polls both answers every 100 ms while the broker is stopped for `stoppedMs`. */
  const observeStall = async (stoppedMs: number): Promise<Observation[]> => {
    const node = coordinator!;
    const brokerPid = cluster.brokers.pid(1)!;
    const seen: Observation[] = [];
    const startedMs = Date.now();
    process.kill(brokerPid, 'SIGSTOP');
    try {
      while (Date.now() - startedMs < stoppedMs) {
        seen.push(await observe(node.address, startedMs));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      process.kill(brokerPid, 'SIGCONT');
    }
    return seen;
  };

  /** FindCoordinator sends clients here while this node refuses the group as NOT_COORDINATOR. */
  const disagreements = (seen: readonly Observation[]): Observation[] =>
    seen.filter((o) => o.found === `node ${coordinator!.nodeId}` && o.described === 'NOT_COORDINATOR');

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-coordinator-ownership-stall-')),
      roles: {
        // A session far longer than the stalls: the controller never fences the stopped broker,
        // so leadership does not move and only the coordinator's view is under test.
        controller: { count: 1, config: { 'broker.session.timeout.ms': 60_000 } },
        broker: { count: 1, config: { 'broker.heartbeat.interval.ms': 200 } },
        // The test runs its coordinator in-process.
        coordinator: { count: 0 },
      },
    });
    await cluster.admin.createTopic({ name: 'events', numPartitions: 2, replicationFactor: 1 });
    coordinator = await CoordinatorNode.start(
      singleBrokerCoordinatorOptions(cluster, { pairedBrokerGraceMs: GRACE_MS }),
    );
    const node = coordinator;
    await eventually('a member to join', () => call(node.address, 'ConsumerGroupHeartbeat', joinRequest()));
  });

  afterAll(async () => {
    clients.close();
    await coordinator?.stop();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('keeps its partitions through a stall shorter than the grace, with FindCoordinator agreeing', async () => {
    // Past one metadata deadline (2 s), short of the grace.
    const seen = await observeStall(3_000);
    expect(seen.length).toBeGreaterThan(5);
    expect(disagreements(seen)).toEqual([]);
    // Served from memory throughout: never refused, never reloading.
    expect(seen.filter((o) => o.described !== 'OK')).toEqual([]);
    expect(seen.filter((o) => o.found !== `node ${coordinator!.nodeId}`)).toEqual([]);
    // Still held after the broker resumed: the partition was not dropped and reloaded.
    expect(coordinator!.ownedPartitions()).toEqual([{ partition: 0, status: 'active' }]);
  });

  it('past the grace, stops naming itself for the partitions it stopped claiming, and takes them back', async () => {
    const seen = await observeStall(GRACE_MS + 3_000);
    expect(disagreements(seen)).toEqual([]);
    // It did give the partition up while the broker stayed silent.
    expect(seen.some((o) => o.described === 'COORDINATOR_NOT_AVAILABLE')).toBe(true);
    expect(seen.filter((o) => o.described === 'COORDINATOR_NOT_AVAILABLE').every((o) => o.found !== 'node 1')).toBe(
      true,
    );
    const node = coordinator!;
    const agreed = await eventually('both answers to name this node again', async () => {
      const now = await observe(node.address, Date.now());
      return now.found === `node ${node.nodeId}` && now.described === 'OK' ? now : undefined;
    });
    expect(agreed.described).toBe('OK');
  });

  it('a restarted coordinator never names itself for a group it refuses while it takes its partition back', async () => {
    await coordinator!.stop();
    coordinator = await CoordinatorNode.start(
      singleBrokerCoordinatorOptions(cluster, { pairedBrokerGraceMs: GRACE_MS }),
    );
    const node = coordinator;
    const startedMs = Date.now();
    const seen: Observation[] = [];
    // From its first answer until it serves the group (loading in between is fine).
    for (;;) {
      const now = await observe(node.address, startedMs);
      seen.push(now);
      if (now.described === 'OK' || now.atMs > 30_000) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(disagreements(seen)).toEqual([]);
    expect(seen[seen.length - 1]).toMatchObject({ found: `node ${node.nodeId}`, described: 'OK' });
    // The member who joined before the restart was replayed from the log.
    const members = (await call(node.address, 'DescribeGroups', { groupIds: [GROUP] })).groups[0]!.members;
    expect(members.length).toBe(1);
  });
});
