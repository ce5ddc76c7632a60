/**
 * Component test: follower replication on ReplicaFetchStream between real in-process brokers (real
 * disks, real gRPC on loopback) and one real controller process. Broker 3 runs as an older version
 * would (replica.fetch.stream.enable=false: it answers the stream UNIMPLEMENTED and fetches with
 * unary Fetch), so one cluster holds both paths:
 * - followers of brokers 1, 2 and 4 fetch on one stream per leader, and acks=all completes on it;
 * - followers of broker 3 fall back to unary Fetch at once, and acks=all completes just the same;
 * - the leader changes (its broker stops): followers re-plan to the new leader on a new stream and
 *   nothing acknowledged is lost.
 */
import type { ControllerClient } from '@sluice/controller';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import { decodeRecordBatches } from '@sluice/protocol';
import type { BrokerNode } from '../src/node/broker-node';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(60_000);

describe('ReplicaFetchStream between brokers', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers = new Map<number, BrokerNode>();
  const clients = new BrokerClients();

  const node = (id: number): BrokerNode => {
    const found = brokers.get(id);
    if (found === undefined) throw new Error(`no broker ${id}`);
    return found;
  };
  const leaderOf = (topic: string): BrokerNode | undefined =>
    [...brokers.values()].find((b) => b.replica(topic, 0)?.role.kind === 'leader');
  const createTopic = async (name: string, replicas: number[]): Promise<BrokerNode> => {
    const created = await controller.call('CreateTopics', {
      topics: [
        {
          name,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partition: 0, brokerIds: replicas }],
          configs: {},
        },
      ],
    });
    expect(created.topics[0]).toMatchObject({ name, errorName: '' });
    await waitFor(`${name}: a leader and its followers`, () => {
      const followers = [...brokers.values()].filter((b) => b.replica(name, 0)?.role.kind === 'follower');
      return leaderOf(name) !== undefined && followers.length === replicas.length - 1;
    });
    return leaderOf(name)!;
  };
  const valuesOn = async (broker: BrokerNode, topic: string): Promise<string[]> => {
    const fetched = await clients.fetch(broker, topic, 0, 0);
    return decodeRecordBatches(fetched.records).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''));
  };

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('replica-fetch-stream', {
      'broker.session.timeout.ms': 3_000,
    }));
    for (const id of [1, 2, 3, 4])
      brokers.set(id, await startLocalBroker(cluster, id, { minInsyncReplicas: 2, replicaFetchStream: id !== 3 }));
    await cluster.waitForUnfencedBrokers(10_000, [1, 2, 3, 4]);
  });

  afterAll(async () => {
    clients.close();
    await Promise.all([...brokers.values()].map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('replicates acks=all on the stream, and by unary Fetch from a leader that does not serve it', async () => {
    const onStream = await createTopic('streamed', [1, 2, 3]);
    expect(onStream.brokerId).toBe(1);
    const onUnary = await createTopic('unary', [3, 1, 2]);
    expect(onUnary.brokerId).toBe(3);
    for (let i = 0; i < 5; i++) {
      expect((await clients.produce(onStream, 'streamed', 0, batch(i * 10, 10))).errorName).toBe('');
      expect((await clients.produce(onUnary, 'unary', 0, batch(i * 10, 10))).errorName).toBe('');
    }
    for (const id of [1, 2, 3])
      await waitFor(`broker ${id} has both logs`, () =>
        ['streamed', 'unary'].every((topic) => node(id).replica(topic, 0)?.highWatermark === 50),
      );

    // Broker 2 follows 1 on a stream and 3 by unary Fetch (3 answered UNIMPLEMENTED).
    const ofTwo = node(2).replicaFetchTransports();
    expect(ofTwo.get(1)).toMatchObject({ kind: 'stream', unaryAnswers: 0, streamFailures: 0 });
    expect(ofTwo.get(1)!.streamAnswers).toBeGreaterThan(0);
    expect(ofTwo.get(3)).toMatchObject({ kind: 'unary', streamAnswers: 0, fallbacksUnimplemented: 1 });
    expect(ofTwo.get(3)!.unaryAnswers).toBeGreaterThan(0);
    // Broker 3 (stream off) never opens one; broker 1 serves 2's stream only.
    expect(node(3).replicaFetchTransports().get(1)).toMatchObject({ kind: 'unary', streamsOpened: 0 });
    expect(node(1).openReplicaFetchStreams).toBe(1);
    expect(node(3).openReplicaFetchStreams).toBe(0);
    expect(await valuesOn(onStream, 'streamed')).toHaveLength(50);
    // The stream's answers are located reads of the leader's log (its recent appends or its file),
    // written into the answer's frame by the serializer: the followers hold the leader's bytes.
    const leaderBytes = node(1)
      .replica('streamed', 0)!
      .log.read(0, 1 << 20).records;
    expect(leaderBytes.length).toBeGreaterThan(0);
    for (const id of [2, 3]) {
      const follower = node(id).replica('streamed', 0)!.log;
      expect(follower.logEndOffset).toBe(50);
      expect(follower.read(0, 1 << 20).records.equals(leaderBytes)).toBe(true);
    }
  });

  it('follows a new leader on a new stream when the leader stops, losing nothing acknowledged', async () => {
    const leader = await createTopic('moving', [1, 2, 4]);
    expect(leader.brokerId).toBe(1);
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await clients.produce(leader, 'moving', 0, batch(i * 10, 10))).errorName).toBe('');
      for (let j = 0; j < 10; j++) acknowledged.push(`value-${i * 10 + j}`);
    }
    await waitFor('broker 4 caught up with 1', () => node(4).replica('moving', 0)?.highWatermark === 50);
    const streamsOfFourBefore = node(4).replicaFetchTransports().get(1)!;
    expect(streamsOfFourBefore).toMatchObject({ kind: 'stream', streamsOpened: 1 });
    // Controlled shutdown of broker 1: leadership moves to 2 (the next in-sync replica).
    await node(1).stop();
    brokers.delete(1);
    await waitFor('broker 2 leads', () => node(2).replica('moving', 0)?.role.kind === 'leader', 15_000);
    const next = node(2);
    for (let i = 5; i < 10; i++) {
      expect((await clients.produce(next, 'moving', 0, batch(i * 10, 10))).errorName).toBe('');
      for (let j = 0; j < 10; j++) acknowledged.push(`value-${i * 10 + j}`);
    }
    await waitFor('broker 4 caught up with 2', () => node(4).replica('moving', 0)?.highWatermark === 100);
    expect(await valuesOn(next, 'moving')).toEqual(acknowledged);
    expect(node(4).replica('moving', 0)?.log.logEndOffset).toBe(100);
    // Broker 4 follows 2 on a stream of its own; its fetcher of 1 is gone with 1's partitions.
    const ofFour = node(4).replicaFetchTransports();
    expect(ofFour.get(2)).toMatchObject({ kind: 'stream', unaryAnswers: 0 });
    expect(ofFour.get(2)!.streamAnswers).toBeGreaterThan(0);
    expect(ofFour.has(1)).toBe(false);
    expect(next.openReplicaFetchStreams).toBeGreaterThanOrEqual(1);
  });
});
