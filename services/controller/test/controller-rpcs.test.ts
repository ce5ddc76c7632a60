/**
 * Every Controller RPC once over real gRPC (one in-process node, single-voter quorum stand-in):
 * checks the proto <-> core mapping, per-item errors and whole-request errors.
 */
import { silentLogger } from '@sluice/runtime';
import { MemoryAuditSink } from '../src/audit/audit-trail';
import { ControllerClient } from '../src/client/controller-client';
import { ControllerNode } from '../src/node/controller-node';
import type * as pb from '@sluice/proto';
import { SingleNodeQuorum } from './support/single-node-quorum';

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';

describe('controller RPCs over gRPC', () => {
  let node: ControllerNode;
  let client: ControllerClient;
  const epochs = new Map<number, string>();

  beforeAll(async () => {
    node = await ControllerNode.start({
      nodeId: 1,
      clusterId: CLUSTER_ID,
      bindHost: '127.0.0.1',
      bindPort: 0,
      voters: new Map([[1, '127.0.0.1:1']]),
      brokerSessionTimeoutMs: 60_000,
      settings: { uncleanLeaderElectionEnable: false, defaultNumPartitions: 2, defaultReplicationFactor: 2 },
      metrics: null,
      log: silentLogger(),
      auditSink: new MemoryAuditSink(),
      createQuorum: async (stateMachine) => new SingleNodeQuorum(1, stateMachine),
    });
    client = new ControllerClient([node.address], { timeoutMs: 5_000, attemptTimeoutMs: 2_000, retryBackoffMs: 20 });
    for (const brokerId of [1, 2, 3]) {
      const { brokerEpoch } = await client.call('RegisterBroker', {
        brokerId,
        clusterId: CLUSTER_ID,
        incarnationId: Buffer.concat([Buffer.alloc(15), Buffer.from([brokerId * 4])]).toString('base64url'),
        listeners: [{ name: 'PLAINTEXT', host: 'localhost', port: 9090 + brokerId }],
        rack: '',
      });
      epochs.set(brokerId, String(brokerEpoch));
      await client.call('BrokerHeartbeat', {
        brokerId,
        brokerEpoch,
        currentMetadataOffset: '1000000',
        wantFence: false,
        wantShutdown: false,
      });
    }
    // The cluster's first leader bootstrapped metadata.version.
    expect(node.stateMachine.image.features.level('metadata.version')).toBeGreaterThan(0);
  });

  afterAll(async () => {
    client.close();
    await node.stop();
  });

  const describeTopic = async (name: string): Promise<pb.TopicDescription__Output> =>
    (await client.call('DescribeTopics', { names: [name] })).topics[0] as pb.TopicDescription__Output;

  it('CreateTopics defaults, explicit assignments, validate-only', async () => {
    const response = await client.call('CreateTopics', {
      topics: [
        { name: 'defaults', numPartitions: -1, replicationFactor: -1, assignments: [], configs: {} },
        {
          name: 'manual',
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [
            { partition: 0, brokerIds: [3, 1] },
            { partition: 1, brokerIds: [2, 3] },
          ],
          configs: {},
        },
      ],
    });
    expect(response.topics.map((t) => [t.name, t.errorName, t.numPartitions, t.replicationFactor])).toEqual([
      ['defaults', '', 2, 2],
      ['manual', '', 2, 2],
    ]);
    expect((await describeTopic('manual')).partitions.map((p) => [p.replicas, p.leader])).toEqual([
      [[3, 1], 3],
      [[2, 3], 2],
    ]);
    const dry = await client.call('CreateTopics', {
      topics: [{ name: 'dry', numPartitions: 1, replicationFactor: 1 }],
      validateOnly: true,
    });
    expect(dry.topics[0]).toMatchObject({ name: 'dry', errorName: '', topicId: '' });
    expect((await describeTopic('dry')).errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('CreatePartitions grows a topic; a shrink is refused per topic', async () => {
    const response = await client.call('CreatePartitions', {
      topics: [
        { name: 'defaults', count: 4, assignments: [] },
        { name: 'manual', count: 1, assignments: [] },
        { name: 'nope', count: 3, assignments: [] },
      ],
    });
    expect(response.topics[0]).toMatchObject({ name: 'defaults', errorName: '' });
    expect(response.topics[1]?.errorName).toBe('INVALID_PARTITIONS');
    expect(response.topics[2]?.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect((await describeTopic('defaults')).partitions).toHaveLength(4);
  });

  it('AlterConfigs sets and deletes topic configs; an unknown config is refused', async () => {
    const response = await client.call('AlterConfigs', {
      resources: [
        {
          resourceType: 'topic',
          resourceName: 'defaults',
          configs: [{ name: 'retention.ms', operation: 'SET', value: '1000' }],
        },
        {
          resourceType: 'topic',
          resourceName: 'defaults',
          configs: [{ name: 'no.such', operation: 'SET', value: '1' }],
        },
        { resourceType: 'galaxy', resourceName: 'x', configs: [] },
      ],
    });
    expect(response.resources.map((r) => r.errorName)).toEqual(['', 'INVALID_CONFIG', 'INVALID_REQUEST']);
    expect((await describeTopic('defaults')).configs).toEqual({ 'retention.ms': '1000' });
    await client.call('AlterConfigs', {
      resources: [
        {
          resourceType: 'TOPIC',
          resourceName: 'defaults',
          configs: [{ name: 'retention.ms', operation: 'DELETE', value: '' }],
        },
      ],
    });
    expect((await describeTopic('defaults')).configs).toEqual({});
  });

  it('AlterPartition shrinks the ISR, fenced by partition epoch', async () => {
    const topic = await describeTopic('manual');
    const partition = topic.partitions[0] as pb.PartitionDescription__Output; // replicas [3,1], leader 3
    const request = (partitionEpoch: number): pb.AlterPartitionRequest => ({
      brokerId: 3,
      brokerEpoch: epochs.get(3) as string,
      topics: [
        {
          topicId: topic.topicId,
          partitions: [{ partition: 0, leaderEpoch: partition.leaderEpoch, newIsr: [3], partitionEpoch }],
        },
      ],
    });
    const ok = await client.call('AlterPartition', request(partition.partitionEpoch));
    expect(ok.topics[0]?.partitions[0]).toMatchObject({
      errorName: '',
      isr: [3],
      leader: 3,
      partitionEpoch: partition.partitionEpoch + 1,
    });
    const stale = await client.call('AlterPartition', request(partition.partitionEpoch));
    expect(stale.topics[0]?.partitions[0]?.errorName).not.toBe('');
    expect((await describeTopic('manual')).partitions[0]?.isr).toEqual([3]);
  });

  it('ElectLeaders (preferred) names partitions that need no election', async () => {
    const response = await client.call('ElectLeaders', {
      electionType: 'PREFERRED',
      topicPartitions: [{ topic: 'manual', partitions: [1] }],
    });
    expect(response.results[0]).toMatchObject({ topic: 'manual', partition: 1, errorName: 'ELECTION_NOT_NEEDED' });
    await expect(client.call('ElectLeaders', { electionType: 'RANDOM', topicPartitions: [] })).rejects.toMatchObject({
      errorName: 'INVALID_REQUEST',
    });
  });

  it('AllocateProducerIds hands out disjoint blocks', async () => {
    const a = await client.call('AllocateProducerIds', {
      brokerId: 1,
      brokerEpoch: epochs.get(1),
    });
    const b = await client.call('AllocateProducerIds', {
      brokerId: 2,
      brokerEpoch: epochs.get(2),
    });
    expect(Number(b.producerIdStart)).toBeGreaterThanOrEqual(Number(a.producerIdStart) + a.producerIdLen);
  });

  it('ControlledShutdown moves leadership off the broker; DeleteTopics removes topics', async () => {
    const response = await client.call('ControlledShutdown', {
      brokerId: 2,
      brokerEpoch: epochs.get(2),
    });
    expect(response.remainingPartitions).toEqual([]);
    const image = node.stateMachine.image;
    for (const topic of image.topics.sortedTopics())
      for (let p = 0; p < topic.partitionCount; p++) expect(topic.leader(p)).not.toBe(2);
    const deleted = await client.call('DeleteTopics', { names: ['defaults', 'ghost'] });
    expect(deleted.topics.map((t) => [t.name, t.errorName])).toEqual([
      ['defaults', ''],
      ['ghost', 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
    expect(node.stateMachine.image.topics.topicByName('defaults')).toBeUndefined();
  });

  it('serves /metrics text with controller gauges', async () => {
    const text = await node.metricsText();
    expect(text).toMatch(/sluice_controller_active\{[^}]*\} 1/);
    expect(text).toContain('sluice_controller_requests_total');
  });
});
