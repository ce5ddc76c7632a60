/**
 * Divergent logs: the leader appends records no follower has (acks=1 after the ISR shrank to
 * itself), dies, a follower is elected (unclean) and writes other records at the same offsets.
 * When the old leader comes back it becomes a follower, asks the new leader where its epoch ends
 * (OffsetForLeaderEpoch), truncates its unreplicated records and ends byte-for-byte equal to the
 * new leader's log.
 */
import type { ControllerClient } from '@sluice/controller';
import { decodeRecordBatches } from '@sluice/protocol';
import type { BrokerNode } from '../src/node/broker-node';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

// Waits are bounded for hangs, not timed: on a 2-core CI machine running the suite's other jest
// workers and their clusters, these brokers and the controller process get a small share of a core.
const HANG_BOUND_MS = 60_000;
jest.setTimeout(300_000);

const TOPIC = 'div';

describe('divergent-log truncation', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers = new Map<number, BrokerNode>();
  const clients = new BrokerClients();

  const start = async (nodeId: number): Promise<BrokerNode> => {
    const node = await startLocalBroker(cluster, nodeId, {
      replicaLagTimeMaxMs: 500,
      minInsyncReplicas: 1,
    });
    brokers.set(nodeId, node);
    return node;
  };
  const kill = async (nodeId: number): Promise<void> => {
    await brokers.get(nodeId)!.stop(false);
    brokers.delete(nodeId);
  };
  const partition = async (): Promise<{ leader: number; isr: number[] }> => {
    const p = (await controller.call('DescribeTopics', { names: [TOPIC] })).topics[0]!.partitions[0]!;
    return { leader: p.leader, isr: [...p.isr].sort() };
  };
  const values = (node: BrokerNode): string[] =>
    decodeRecordBatches(node.replica(TOPIC, 0)!.log.read(0, 1024 * 1024).records).flatMap((b) =>
      b.records.map((r) => r.value?.toString() ?? ''),
    );

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('broker-divergence', {
      'broker.session.timeout.ms': 2_500,
    }));
    for (const id of [1, 2, 3]) await start(id);
    await cluster.waitForUnfencedBrokers(HANG_BOUND_MS, [1, 2, 3]);
  });

  afterAll(async () => {
    clients.close();
    await Promise.all([...brokers.values()].map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('truncates the old leader to the new leader and converges', async () => {
    const created = await controller.call('CreateTopics', {
      topics: [
        {
          name: TOPIC,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partition: 0, brokerIds: [1, 2, 3] }],
          configs: { 'min.insync.replicas': '1' },
        },
      ],
    });
    expect(created.topics[0]!.errorName).toBe('');
    await waitFor(
      'broker 1 leads',
      () =>
        brokers.get(1)?.replica(TOPIC, 0)?.role.kind === 'leader' &&
        [2, 3].every((id) => brokers.get(id)?.replica(TOPIC, 0)?.role.kind === 'follower'),
      HANG_BOUND_MS,
    );
    expect((await clients.produce(brokers.get(1)!, TOPIC, 0, batch(0, 5))).errorName).toBe('');
    await waitFor(
      'replicated',
      () => [1, 2, 3].every((id) => brokers.get(id)!.replica(TOPIC, 0)!.highWatermark === 5),
      HANG_BOUND_MS,
    );

    // The followers die; the leader takes records only it will ever have and drops them from the ISR.
    await kill(2);
    await kill(3);
    expect((await clients.produce(brokers.get(1)!, TOPIC, 0, batch(100, 3), 1)).errorName).toBe('');
    await waitFor('ISR = {1}', async () => (await partition()).isr.join() === '1', HANG_BOUND_MS);
    await kill(1);

    // The followers come back (their old sessions expire first); once broker 1 is fenced, an
    // unclean election makes one of them leader, and it writes different records at offsets 5..8.
    await Promise.all([start(2), start(3)]);
    await waitFor(
      'broker 1 fenced',
      async () => (await controller.call('DescribeCluster', {})).brokers.find((b) => b.brokerId === 1)?.fenced === true,
      HANG_BOUND_MS,
    );
    const elected = await controller.call('ElectLeaders', {
      electionType: 'UNCLEAN',
      topicPartitions: [{ topic: TOPIC, partitions: [0] }],
    });
    expect(elected.results[0]?.errorName ?? '').toBe('');
    let newLeader: BrokerNode | undefined;
    await waitFor(
      'a new leader',
      () =>
        (newLeader = [2, 3].map((id) => brokers.get(id)!).find((b) => b.replica(TOPIC, 0)?.role.kind === 'leader')) !==
        undefined,
      HANG_BOUND_MS,
    );
    expect((await clients.produce(newLeader!, TOPIC, 0, batch(200, 4), 1)).errorName).toBe('');
    expect(newLeader!.replica(TOPIC, 0)!.log.logEndOffset).toBe(9);

    // The old leader returns as a follower: its offsets 5..7 (value-100..102) go, 5..8 come from the new leader.
    const old = await start(1);
    await waitFor(
      'old leader converged',
      () => old.replica(TOPIC, 0)?.role.kind === 'follower' && old.replica(TOPIC, 0)?.log.logEndOffset === 9,
      HANG_BOUND_MS,
    );
    const expected = [0, 1, 2, 3, 4, 200, 201, 202, 203].map((i) => `value-${i}`);
    expect(values(old)).toEqual(expected);
    expect(values(newLeader!)).toEqual(expected);
    expect(
      old
        .replica(TOPIC, 0)!
        .log.read(0, 1024 * 1024)
        .records.equals(newLeader!.replica(TOPIC, 0)!.log.read(0, 1024 * 1024).records),
    ).toBe(true);
  });
});
