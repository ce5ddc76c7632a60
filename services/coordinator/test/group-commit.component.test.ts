/**
 * Component test: the coordinator group-commits its writes (owned-topic.ts). One controller and
 * one broker as real processes, an in-process CoordinatorNode owning the one partition of
 * __consumer_offsets.
 *
 * - 100 members joining at once: every join is answered, the partition's log grows by far fewer
 *   writes than joins (operations ran while a write was out and went in the next one), and a new
 *   coordinator replays all 100 members from the log (an answer was given only once durable).
 * - The broker stopped (SIGSTOP) with a write in flight: joins and a no-change heartbeat of an
 *   existing member queue behind it, applied in memory, unanswered. The broker is then killed -9:
 *   the write fails, and with it every operation applied after it; none of them is answered with
 *   success. Once the broker is back the coordinator reloads the partition from the log: the
 *   group holds exactly the members answered before, none of those whose writes failed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '@sluice/local-cluster';
import { createGrpcClient, GrpcClientPool } from '@sluice/proto';
import type * as wire from '@sluice/proto';
import { CoordinatorNode } from '../src/node/coordinator-node';
import { eventually } from './support/eventually';
import { singleBrokerCoordinatorOptions } from './support/single-broker-coordinator';
import { offsetsBatches } from './support/offsets-log';

jest.setTimeout(120_000);

const TOPIC = 'events';
const JOINERS = 100;

describe('coordinator group commit', () => {
  let cluster: LocalCluster;
  let broker: wire.BrokerClient;
  let coordinator: CoordinatorNode | undefined;
  const clients = new GrpcClientPool('Coordinator', { callTimeoutMs: 20_000 });
  const call = clients.call.bind(clients);

  const startCoordinator = (): Promise<CoordinatorNode> => {
    // Sessions outlast the test: no member expires while the broker is stopped.
    const options = singleBrokerCoordinatorOptions(cluster);
    const groups = { ...options.groups, sessionTimeoutMs: 60_000 };
    return CoordinatorNode.start({ ...options, groups });
  };

  const joinRequest = (groupId: string): wire.ConsumerGroupHeartbeatRequest => ({
    groupId,
    memberId: '',
    memberEpoch: 0,
    instanceId: '',
    rackId: '',
    clientId: 'group-commit',
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: [TOPIC],
    subscribedTopicNamesSet: true,
    subscribedTopicRegex: '',
    serverAssignor: '',
    owned: [],
    ownedSet: true,
  });

  const memberIds = async (address: string, groupId: string): Promise<string[]> => {
    const group = (await call(address, 'DescribeGroups', { groupIds: [groupId] })).groups[0]!;
    expect(group.errorName).toBe('');
    return group.members.map((m) => m.memberId).sort();
  };

  const offsetsBatchCount = async (): Promise<number> => (await offsetsBatches(broker)).length;

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-coordinator-group-commit-')),
      roles: {
        controller: { count: 1 },
        broker: { count: 1, config: { 'broker.heartbeat.interval.ms': 200 } },
        // The test runs its coordinator in-process.
        coordinator: { count: 0 },
      },
    });
    broker = createGrpcClient('Broker', cluster.brokers.address(1));
    await cluster.admin.createTopic({ name: TOPIC, numPartitions: 8, replicationFactor: 1 });
    coordinator = await startCoordinator();
  });

  afterAll(async () => {
    clients.close();
    await coordinator?.stop();
    broker?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('answers 100 concurrent joins with far fewer writes, and every answered join is in the log', async () => {
    const first = coordinator!;
    // The partition loaded and one write made, so the joins below do not race the load.
    await eventually('the offsets partition to load', () =>
      call(first.address, 'ConsumerGroupHeartbeat', joinRequest('warm-up')),
    );
    const batchesBefore = await offsetsBatchCount();
    const answers = await Promise.all(
      Array.from({ length: JOINERS }, () => call(first.address, 'ConsumerGroupHeartbeat', joinRequest('crowd'))),
    );
    const joined = answers.map((a) => a.memberId).sort();
    expect(new Set(joined).size).toBe(JOINERS);
    const writes = (await offsetsBatchCount()) - batchesBefore;
    // One write per join without group commit; the log shows how many went out.
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(JOINERS / 2);

    // Answered means durable: a new coordinator replays every one of them.
    await first.stop();
    coordinator = await startCoordinator();
    const second = coordinator;
    const replayed = await eventually('the new coordinator to load the group', () =>
      memberIds(second.address, 'crowd'),
    );
    expect(replayed).toEqual(joined);
  });

  it('a failed write fails every operation applied after it, answered or not, and the reload forgets them', async () => {
    const node = coordinator!;
    const stable = await eventually('a member before the fault', () =>
      call(node.address, 'ConsumerGroupHeartbeat', joinRequest('fault')),
    );
    const brokerPid = cluster.brokers.pid(1)!;
    process.kill(brokerPid, 'SIGSTOP');
    let stopped = true;
    try {
      // The first join's write goes out and hangs; the others run in memory behind it.
      const outcomes = [
        call(node.address, 'ConsumerGroupHeartbeat', joinRequest('fault')),
        ...Array.from({ length: 10 }, () => call(node.address, 'ConsumerGroupHeartbeat', joinRequest('fault'))),
        // An existing member's heartbeat that changes nothing: it must wait for what ran before it.
        call(node.address, 'ConsumerGroupHeartbeat', {
          ...joinRequest('fault'),
          memberId: stable.memberId,
          memberEpoch: stable.memberEpoch,
          rebalanceTimeoutMs: 0,
          subscribedTopicNames: [],
          subscribedTopicNamesSet: false,
          owned: stable.assignment,
        }),
      ].map((promise) =>
        promise.then(
          (answer) => ({ ok: true as const, answer }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
      const early = await Promise.race([
        Promise.all(outcomes),
        new Promise((resolve) => setTimeout(() => resolve('pending'), 1_500)),
      ]);
      // Nothing is answered while the write is out.
      expect(early).toBe('pending');
      await cluster.brokers.kill(1, 'SIGKILL');
      stopped = false;
      const settled = await Promise.all(outcomes);
      for (const outcome of settled) expect(outcome.ok).toBe(false);
    } finally {
      if (stopped) process.kill(brokerPid, 'SIGCONT');
    }
    cluster.brokers.start(1);
    // Reloaded from the log: the member answered before the fault, none of those that failed.
    const members = await eventually(
      'the coordinator to reload the group after the broker restart',
      () => memberIds(node.address, 'fault'),
      60_000,
    );
    expect(members).toEqual([stable.memberId]);
  });
});
