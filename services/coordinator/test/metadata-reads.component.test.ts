/**
 * Component test: the ownership check reads every topic from the paired broker only when the
 * broker's metadata offset moved, and still sees a topic created, or grown, after the members
 * joined. One controller and one broker as real processes, an in-process CoordinatorNode checking
 * ownership every 100 ms; its `sluice_coordinator_metadata_reads_total{kind}` counts the reads.
 *
 * - Nothing changing: each check asks for the internal topics (and the offset) only; no read of
 *   every topic.
 * - A member subscribed to a topic that does not exist yet is assigned its partitions once it is
 *   created, and the new ones once it grows: the offset moved, so the check read every topic.
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

const GROUP = 'metadata-reads';
const TOPIC = 'created-later';

describe("the coordinator's metadata reads", () => {
  let cluster: LocalCluster;
  let coordinator: CoordinatorNode;
  const clients = new GrpcClientPool('Coordinator', { callTimeoutMs: 5_000 });
  let memberId = '';
  let memberEpoch = 0;
  let owned: wire.TopicPartitions[] = [];

  const reads = async (): Promise<{ internal: number; whole: number }> => {
    const metric = coordinator.registry.getSingleMetric('sluice_coordinator_metadata_reads_total');
    const values = (await metric!.get()).values;
    const of = (kind: string): number => values.find((v) => v.labels.kind === kind)?.value ?? 0;
    return { internal: of('internal'), whole: of('whole') };
  };

  /** One heartbeat of the member (a join first); takes the assignment it answers as owned. */
  const heartbeat = async (): Promise<void> => {
    const answer = await clients.call(coordinator.address, 'ConsumerGroupHeartbeat', {
      groupId: GROUP,
      memberId,
      memberEpoch,
      instanceId: '',
      rackId: '',
      clientId: 'metadata-reads',
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: memberId === '' ? [TOPIC] : [],
      subscribedTopicNamesSet: memberId === '',
      subscribedTopicRegex: '',
      serverAssignor: '',
      owned,
      ownedSet: true,
    });
    memberId = answer.memberId;
    memberEpoch = answer.memberEpoch;
    if (answer.assignmentSet) owned = answer.assignment.map((tp) => ({ topic: tp.topic, partitions: tp.partitions }));
  };

  const ownedPartitions = (): number[] =>
    owned
      .filter((tp) => tp.topic === TOPIC)
      .flatMap((tp) => tp.partitions ?? [])
      .sort((a, b) => a - b);

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-coordinator-metadata-reads-')),
      roles: { controller: { count: 1 }, broker: { count: 1 }, coordinator: { count: 0 } },
    });
    coordinator = await CoordinatorNode.start(singleBrokerCoordinatorOptions(cluster));
    await eventually('the member to join', async () => {
      await heartbeat();
      return true;
    });
  });

  afterAll(async () => {
    clients.close();
    await coordinator?.stop();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('reads only the internal topics while the metadata does not move', async () => {
    // Past the internal topics' creation and the first reads.
    await eventually('a check that reads only the internal topics', async () => {
      const before = await reads();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await reads();
      if (after.internal <= before.internal || after.whole !== before.whole)
        throw new Error(`reads moved from ${JSON.stringify(before)} to ${JSON.stringify(after)}`);
      return true;
    });
    const before = await reads();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const after = await reads();
    // About 20 checks at 100 ms; a loaded machine makes fewer.
    expect(after.internal - before.internal).toBeGreaterThanOrEqual(5);
    expect(after.whole - before.whole).toBe(0);
    expect(ownedPartitions()).toEqual([]);
  });

  it('assigns a topic created after the join, and its new partitions when it grows', async () => {
    const before = await reads();
    const [created] = await cluster.admin.createTopics([{ name: TOPIC, numPartitions: 3, replicationFactor: 1 }]);
    expect(created?.error).toBeUndefined();
    await eventually('the new topic assigned', async () => {
      await heartbeat();
      expect(ownedPartitions()).toEqual([0, 1, 2]);
      return true;
    });
    expect((await reads()).whole).toBeGreaterThan(before.whole);

    const [grown] = await cluster.admin.createPartitions([{ name: TOPIC, count: 5 }]);
    expect(grown?.error).toBeUndefined();
    await eventually('the new partitions assigned', async () => {
      await heartbeat();
      expect(ownedPartitions()).toEqual([0, 1, 2, 3, 4]);
      return true;
    });
  });
});
