/**
 * ISR shrink and expand through AlterPartition, and a restarted follower catching up: a follower
 * that stops fetching (killed without a controlled shutdown) leaves the ISR after
 * replica.lag.time.max.ms, by the leader's AlterPartition, well before the controller's broker
 * session would fence it; restarted on its old log directory it re-registers, catches up and the
 * leader brings it back into the ISR. Consumers' long-poll fetches answer as soon as records
 * arrive.
 */
import type { ControllerClient } from '@sluice/controller';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import { decodeRecordBatches } from '@sluice/protocol';
import type { BrokerNode } from '../src/node/broker-node';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(30_000);

const LAG_MS = 600;

describe('ISR shrink and expand', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers = new Map<number, BrokerNode>();
  const clients = new BrokerClients();

  const start = async (nodeId: number): Promise<BrokerNode> => {
    const node = await startLocalBroker(cluster, nodeId, {
      replicaLagTimeMaxMs: LAG_MS,
      minInsyncReplicas: 2,
    });
    brokers.set(nodeId, node);
    return node;
  };
  const isrOf = async (topic: string): Promise<number[]> => {
    const described = await controller.call('DescribeTopics', { names: [topic] });
    return [...(described.topics[0]?.partitions[0]?.isr ?? [])].sort();
  };

  beforeAll(async () => {
    // A broker session well above the lag time: the ISR change below must come from the leader,
    // not from fencing. The restarted broker re-registers once its old session expired (Kafka's
    // DUPLICATE_BROKER_REGISTRATION until then), so it is not much longer than that.
    ({ cluster, controller } = await startControllerProcess('broker-isr', { 'broker.session.timeout.ms': 4_000 }));
    for (const id of [1, 2, 3]) await start(id);
    await cluster.waitForUnfencedBrokers(10_000, [1, 2, 3]);
  });

  afterAll(async () => {
    clients.close();
    await Promise.all([...brokers.values()].map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('drops a silent follower from the ISR and takes it back once it has caught up after a restart', async () => {
    const created = await controller.call('CreateTopics', {
      topics: [{ name: 'isr', numPartitions: 1, replicationFactor: 3, assignments: [], configs: {} }],
    });
    expect(created.topics[0]!.errorName).toBe('');
    let leader: BrokerNode | undefined;
    await waitFor('a leader and two followers', () => {
      leader = [...brokers.values()].find((b) => b.replica('isr', 0)?.role.kind === 'leader');
      return (
        leader !== undefined &&
        [...brokers.values()].filter((b) => b.replica('isr', 0)?.role.kind === 'follower').length === 2
      );
    });
    expect((await clients.produce(leader!, 'isr', 0, batch(0, 10))).errorName).toBe('');

    // A consumer's long poll at the end of the log answers when the next records commit.
    const polling = clients.fetch(leader!, 'isr', 0, 10, { maxWaitMs: 5_000, minBytes: 1 });
    const pollStarted = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await clients.produce(leader!, 'isr', 0, batch(10, 5))).errorName).toBe('');
    const polled = await polling;
    expect(Date.now() - pollStarted).toBeLessThan(3_000);
    expect(decodeRecordBatches(polled.records).flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual([
      'value-10',
      'value-11',
      'value-12',
      'value-13',
      'value-14',
    ]);

    // Kill a follower without a controlled shutdown; once the leader has records it lacks (Kafka:
    // a replica with the leader's end offset is caught up however long ago it fetched), the
    // leader shrinks the ISR after the lag time, and an acks=all produce waiting on it completes.
    const victimId = [...brokers.keys()].find((id) => id !== leader!.brokerId)!;
    await waitFor('victim caught up', () => brokers.get(victimId)!.replica('isr', 0)?.log.logEndOffset === 15);
    await brokers.get(victimId)!.stop(false);
    brokers.delete(victimId);
    // The lag counts from the victim's last fetch that reached the leader's end (Kafka's
    // lastCaughtUpTimeMs), not from this produce: that fetch arrived before the stop, by up to a
    // long poll plus the stop's own time (which under load reached 60 ms, beyond a fixed slack).
    const leaderRole = leader!.replica('isr', 0)?.role;
    if (leaderRole?.kind !== 'leader') throw new Error(`broker ${leader!.brokerId} no longer leads isr-0`);
    const caughtUpAtMs = leaderRole.core.followerProgress(victimId)?.lastCaughtUpTimeMs;
    if (caughtUpAtMs === undefined || caughtUpAtMs === null) throw new Error(`no caught-up time for ${victimId}`);
    expect(caughtUpAtMs).toBeLessThanOrEqual(Date.now());
    expect((await clients.produce(leader!, 'isr', 0, batch(15, 5), -1, 10_000)).errorName).toBe('');
    // Acknowledged only once the victim left the ISR, i.e. more than the lag time after it was
    // last caught up (a fetch still in flight at the stop only moves that time later).
    expect(Date.now() - caughtUpAtMs).toBeGreaterThanOrEqual(LAG_MS);
    await waitFor('ISR without the silent follower', async () => !(await isrOf('isr')).includes(victimId), 10_000);
    const described = await controller.call('DescribeCluster', {});
    expect(described.brokers.find((b) => b.brokerId === victimId)?.fenced).toBe(false); // the leader did it, not the session timeout

    // acks=all goes on with 2 in sync (min.insync.replicas=2); the victim misses these too.
    expect((await clients.produce(leader!, 'isr', 0, batch(20, 5))).errorName).toBe('');

    // Restarted on the same log directory: it catches up and the leader expands the ISR again.
    const restarted = await start(victimId);
    await waitFor('ISR back to three', async () => (await isrOf('isr')).length === 3, 15_000);
    await waitFor(
      'restarted replica caught up',
      () => restarted.replica('isr', 0)?.log.logEndOffset === 25 && restarted.replica('isr', 0)?.highWatermark === 25,
    );
    const leaderReplica = leader!.replica('isr', 0)!;
    expect(leaderReplica.role.kind === 'leader' && [...leaderReplica.role.core.isr].sort()).toEqual([1, 2, 3]);
  });
});
