/**
 * Component test of the controller service: one node in-process, real gRPC on loopback, the
 * real core and event queue, a single-voter quorum stand-in (the Raft shell has its own tests;
 * the e2e suite runs three real processes).
 */
import { loadSnapshot, decodeRecord } from '@sluice/metadata';
import { silentLogger } from '@sluice/runtime';
import { MemoryAuditSink } from '../src/audit/audit-trail';
import { ControllerClient } from '../src/client/controller-client';
import { ControllerNode } from '../src/node/controller-node';
import { encodeMetadataEntry } from '../src/state/entry-codec';
import type * as pb from '@sluice/proto';
import { SingleNodeQuorum } from './support/single-node-quorum';

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';

/** The broker session of the fencing test (see there). */
const BROKER_SESSION_TIMEOUT_MS = 2_000;

async function startNode(
  audit: MemoryAuditSink,
  leader: number | null = 1,
  sessionTimeoutMs = 60_000,
  chunk?: number,
  configureQuorum: (quorum: SingleNodeQuorum) => void = () => undefined,
): Promise<ControllerNode> {
  return ControllerNode.start({
    nodeId: 1,
    clusterId: CLUSTER_ID,
    bindHost: '127.0.0.1',
    bindPort: 0,
    voters: new Map([
      [1, '127.0.0.1:1'],
      [2, '127.0.0.1:2'],
    ]),
    brokerSessionTimeoutMs: sessionTimeoutMs,
    settings: { uncleanLeaderElectionEnable: false, defaultNumPartitions: 1, defaultReplicationFactor: 1 },
    metrics: null,
    log: silentLogger(),
    auditSink: audit,
    createQuorum: async (stateMachine) => {
      const quorum = new SingleNodeQuorum(1, stateMachine, leader);
      configureQuorum(quorum);
      return quorum;
    },
    ...(chunk === undefined ? {} : { maxPartitionChangesPerOperation: chunk }),
  });
}

let incarnation = 0;
function incarnationId(): string {
  incarnation++;
  return Buffer.concat([Buffer.alloc(12), Buffer.from([0, 0, 0, incarnation])]).toString('base64url');
}

async function registerAndUnfence(client: ControllerClient, brokerId: number, rack: string): Promise<string> {
  const { brokerEpoch } = await client.call('RegisterBroker', {
    brokerId,
    clusterId: CLUSTER_ID,
    incarnationId: incarnationId(),
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 + brokerId }],
    rack,
  });
  const heartbeat = await client.call('BrokerHeartbeat', {
    brokerId,
    brokerEpoch,
    currentMetadataOffset: '1000000',
    wantFence: false,
    wantShutdown: false,
  });
  expect(heartbeat.isFenced).toBe(false);
  return String(brokerEpoch);
}

describe('controller service (in-process, real gRPC)', () => {
  let node: ControllerNode;
  let client: ControllerClient;
  let audit: MemoryAuditSink;

  beforeEach(async () => {
    audit = new MemoryAuditSink();
    node = await startNode(audit);
    client = new ControllerClient([node.address], { timeoutMs: 5_000, attemptTimeoutMs: 2_000, retryBackoffMs: 20 });
  });
  afterEach(async () => {
    client.close();
    await node.stop();
  });

  it('registers brokers, creates topics with placement across racks, describes them', async () => {
    for (const [id, rack] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ] as const)
      await registerAndUnfence(client, id, rack);
    const created = await client.call('CreateTopics', {
      topics: [
        {
          name: 'orders',
          numPartitions: 6,
          replicationFactor: 3,
          assignments: [],
          configs: { 'cleanup.policy': 'compact' },
        },
      ],
    });
    expect(created.topics[0]).toMatchObject({ name: 'orders', errorName: '', numPartitions: 6, replicationFactor: 3 });
    const described = await client.call('DescribeTopics', { names: ['orders', 'missing'] });
    const orders = described.topics[0] as pb.TopicDescription__Output;
    expect(orders.partitions).toHaveLength(6);
    for (const partition of orders.partitions) {
      expect(new Set(partition.replicas).size).toBe(3);
      expect(partition.isr).toEqual(partition.replicas);
      expect(partition.leader).toBe(partition.replicas[0]);
    }
    expect(orders.configs).toEqual({ 'cleanup.policy': 'compact' });
    expect(described.topics[1]).toMatchObject({ name: 'missing', errorName: 'UNKNOWN_TOPIC_OR_PARTITION' });
    const cluster = await client.call('DescribeCluster', {});
    expect(cluster).toMatchObject({ clusterId: CLUSTER_ID, nodeId: 1, controllerId: 1 });
    expect(cluster.brokers.map((b) => [b.brokerId, b.fenced, b.rack])).toEqual([
      [1, false, 'a'],
      [2, false, 'b'],
      [3, false, 'c'],
    ]);
    const auditOps = audit.lines.map((line) => line.operation);
    expect(auditOps).toContain('CreateTopics');
    const createLine = audit.lines.find((line) => line.operation === 'CreateTopics');
    expect(createLine).toMatchObject({ result: 'OK', controller: 1 });
    // Who asked, as Kafka's authorizer logs it: the principal (nobody authenticates on this
    // listener) and the caller's host.
    expect(createLine).toMatchObject({ principal: 'User:ANONYMOUS', host: '127.0.0.1' });
  });

  it('invalid CreateTopics items change nothing and name what was wrong', async () => {
    await registerAndUnfence(client, 1, 'a');
    const before = node.stateMachine.appliedIndex;
    const response = await client.call('CreateTopics', {
      topics: [
        { name: 'bad name!', numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} },
        { name: '..', numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} },
        { name: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} },
        { name: 'zero', numPartitions: -5, replicationFactor: 1, assignments: [], configs: {} },
        { name: 'toomany', numPartitions: 1, replicationFactor: 3, assignments: [], configs: {} },
        {
          name: 'badconfig',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: { 'no.such.config': '1' },
        },
      ],
    });
    expect(response.topics.map((t) => t.errorName)).toEqual([
      'INVALID_TOPIC_EXCEPTION',
      'INVALID_TOPIC_EXCEPTION',
      'INVALID_TOPIC_EXCEPTION',
      'INVALID_PARTITIONS',
      'INVALID_REPLICATION_FACTOR',
      'INVALID_CONFIG',
    ]);
    for (const topic of response.topics) expect(topic.errorMessage.length).toBeGreaterThan(0);
    expect(response.topics[4]?.errorMessage).toMatch(/replication factor|brokers/i);
    expect(node.stateMachine.appliedIndex).toBe(before);
    expect(node.stateMachine.image.topics.topicCount).toBe(0);
    const audited = audit.lines.filter((line) => line.operation === 'CreateTopics');
    expect(audited).toHaveLength(1);
  });

  it('a whole-request error crosses gRPC with its Kafka name (stale broker epoch)', async () => {
    const epoch = await registerAndUnfence(client, 1, 'a');
    await expect(
      client.call('BrokerHeartbeat', {
        brokerId: 1,
        brokerEpoch: String(Number(epoch) - 1),
        currentMetadataOffset: '0',
        wantFence: false,
        wantShutdown: false,
      }),
    ).rejects.toMatchObject({ errorName: 'STALE_BROKER_EPOCH' });
    await expect(client.call('AllocateProducerIds', { brokerId: 9, brokerEpoch: '1' })).rejects.toMatchObject({
      name: 'ApiError',
    });
    const ids = await client.call('AllocateProducerIds', {
      brokerId: 1,
      brokerEpoch: epoch,
    });
    expect(Number(ids.producerIdLen)).toBeGreaterThan(0);
  });

  it('FetchMetadata streams committed batches, then new ones as they commit', async () => {
    await registerAndUnfence(client, 1, 'a');
    const stream = client.fetchMetadata(node.address, 0, 'test');
    const types: string[] = [];
    const offsets: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (message: pb.FetchMetadataResponse__Output) => {
        if (message.batch !== undefined && message.batch !== null) {
          offsets.push(Number(message.batch.offset));
          for (const frame of message.batch.records) types.push(decodeRecord(frame).record.type);
          if (types.includes('Topic')) resolve();
        }
      });
      stream.on('error', (error: Error & { code?: number }) => (error.code === 1 ? resolve() : reject(error)));
    });
    await client.call('CreateTopics', {
      topics: [{ name: 'late', numPartitions: 2, replicationFactor: 1, assignments: [], configs: {} }],
    });
    await done;
    stream.cancel();
    expect(types).toEqual(expect.arrayContaining(['BrokerRegistration', 'UnfenceBroker', 'Topic', 'Partition']));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('FetchMetadata from an offset older than memory starts with a loadable snapshot', async () => {
    await registerAndUnfence(client, 1, 'a');
    await client.call('CreateTopics', {
      topics: [{ name: 'snap', numPartitions: 3, replicationFactor: 1, assignments: [], configs: {} }],
    });
    node.stateMachine.resetTo(node.stateMachine.image); // forget the in-memory batches
    const stream = client.fetchMetadata(node.address, 1, 'test');
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (message: pb.FetchMetadataResponse__Output) => {
        if (message.snapshotChunk !== undefined && message.snapshotChunk !== null) {
          chunks.push(message.snapshotChunk.data);
          if (message.snapshotChunk.last) resolve();
        }
      });
      stream.on('error', reject);
    });
    stream.cancel();
    const image = await loadSnapshot(Buffer.concat(chunks));
    expect(image.topics.topicByName('snap')?.partitionCount).toBe(3);
  });

  it('fences a broker whose lease expired and moves its leadership', async () => {
    await node.stop();
    // Broker 1's lease is renewed by this test's own loop, which a loaded 2-core machine can stall
    // for most of a second; with a 300 ms session broker 1 was fenced too and its partitions were
    // left without a leader. 2 s outlasts such a stall and still fences the silent broker 2 soon.
    node = await startNode(audit, 1, BROKER_SESSION_TIMEOUT_MS);
    client.close();
    client = new ControllerClient([node.address], { timeoutMs: 5_000, attemptTimeoutMs: 2_000, retryBackoffMs: 20 });
    const epoch1 = await registerAndUnfence(client, 1, 'a');
    await registerAndUnfence(client, 2, 'b');
    await client.call('CreateTopics', {
      topics: [{ name: 't', numPartitions: 4, replicationFactor: 2, assignments: [], configs: {} }],
    });
    // broker 1 keeps heartbeating, broker 2 goes silent
    const deadline = Date.now() + BROKER_SESSION_TIMEOUT_MS + 10_000;
    while (Date.now() < deadline && node.stateMachine.image.cluster.broker(2)?.fenced !== true) {
      await client.call('BrokerHeartbeat', {
        brokerId: 1,
        brokerEpoch: epoch1,
        currentMetadataOffset: '1000000',
        wantFence: false,
        wantShutdown: false,
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const image = node.stateMachine.image;
    expect(image.cluster.broker(2)?.fenced).toBe(true);
    const topic = image.topics.topicByName('t');
    for (let p = 0; p < 4; p++) expect(topic?.leader(p)).toBe(1);
    expect(audit.lines.some((line) => line.operation === 'FenceExpiredBrokers' && line.result === 'OK')).toBe(true);
  });

  it('moves a fenced broker off its partitions in bounded chunks, one entry each, chained without waiting for the timer', async () => {
    await node.stop();
    // Lease check every 500 ms: one chunk per timer tick would span >= 3 s; chained chunks take
    // a few commits' time, so the bound below separates the two even on a loaded CI box.
    node = await startNode(audit, 1, 4_000, 3);
    client.close();
    client = new ControllerClient([node.address], { timeoutMs: 5_000, attemptTimeoutMs: 2_000, retryBackoffMs: 20 });
    const epoch1 = await registerAndUnfence(client, 1, 'a');
    await registerAndUnfence(client, 2, 'b');
    await client.call('CreateTopics', {
      topics: [{ name: 'chunked', numPartitions: 20, replicationFactor: 2, assignments: [], configs: {} }],
    });
    const namesBroker2 = (): number => {
      const topic = node.stateMachine.image.topics.topicByName('chunked');
      let count = 0;
      for (let p = 0; p < 20; p++) if (topic?.partitions.getPlain(p)?.isr.includes(2) === true) count++;
      return count;
    };
    expect(namesBroker2()).toBe(20);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && namesBroker2() > 0) {
      await client.call('BrokerHeartbeat', {
        brokerId: 1,
        brokerEpoch: epoch1,
        currentMetadataOffset: '1000000',
        wantFence: false,
        wantShutdown: false,
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(node.stateMachine.image.cluster.broker(2)?.fenced).toBe(true);
    expect(namesBroker2()).toBe(0);
    const fences = audit.lines.filter((line) => line.operation === 'FenceExpiredBrokers' && line.result === 'OK');
    const changes = fences.map(
      (line) => (line.changed as { records: Record<string, number> }).records.PartitionChange ?? 0,
    );
    expect(changes).toEqual([3, 3, 3, 3, 3, 3, 2]);
    const offsets = fences.map((line) => line.offset as number);
    expect(new Set(offsets).size).toBe(7);
    const spanMs = Date.parse(fences.at(-1)?.ts as string) - Date.parse(fences[0]?.ts as string);
    expect(spanMs).toBeLessThan(2_500);
  });
});

describe('controller service as a newly elected leader', () => {
  it('answers reads only once activated, with everything earlier terms committed', async () => {
    let quorum: SingleNodeQuorum | undefined;
    const node = await ControllerNode.start({
      nodeId: 1,
      clusterId: CLUSTER_ID,
      bindHost: '127.0.0.1',
      bindPort: 0,
      voters: new Map([
        [1, '127.0.0.1:1'],
        [2, '127.0.0.1:2'],
      ]),
      brokerSessionTimeoutMs: 60_000,
      settings: { uncleanLeaderElectionEnable: false, defaultNumPartitions: 1, defaultReplicationFactor: 1 },
      metrics: null,
      log: silentLogger(),
      auditSink: new MemoryAuditSink(),
      createQuorum: async (stateMachine) => (quorum = new SingleNodeQuorum(1, stateMachine, 2)),
    });
    const client = new ControllerClient([node.address], {
      timeoutMs: 5_000,
      attemptTimeoutMs: 5_000,
      retryBackoffMs: 20,
    });
    const held = quorum as SingleNodeQuorum;
    try {
      // A follower answers from its image at once (and the channel is connected from here on).
      expect(await client.callNode(node.address, 'DescribeCluster', {})).toMatchObject({ nodeId: 1, controllerId: 2 });
      // Node 1 wins an election; its activation batch has not committed yet, so it does not know
      // that node 2's last write (the topic `views`) committed: its applied image lacks it.
      held.holdCommits = true;
      held.setLeader(1);
      let answered = false;
      const reads = Promise.all([
        client.callNode(node.address, 'DescribeTopics', { names: [] }),
        client.callNode(node.address, 'DescribeCluster', {}),
      ]).finally(() => {
        answered = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(answered).toBe(false);
      held.releaseCommits([encodeMetadataEntry([{ type: 'Topic', name: 'views', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }])]);
      const [topics, cluster] = await reads;
      expect(topics.topics.map((topic) => topic.name)).toEqual(['views']);
      expect(cluster).toMatchObject({ nodeId: 1, controllerId: 1, controllerAddress: '127.0.0.1:1' });
    } finally {
      held.holdCommits = false;
      held.releaseCommits();
      client.close();
      await node.stop();
    }
  });
});

describe('controller service with a slow quorum', () => {
  it('decides the next chunk of moves while earlier ones commit (a few in flight, never more than four)', async () => {
    const audit = new MemoryAuditSink();
    let quorum: SingleNodeQuorum | undefined;
    const node = await startNode(audit, 1, 3_000, 3, (q) => (quorum = q));
    const client = new ControllerClient([node.address], {
      timeoutMs: 5_000,
      attemptTimeoutMs: 2_000,
      retryBackoffMs: 20,
    });
    try {
      const epoch1 = await registerAndUnfence(client, 1, 'a');
      await registerAndUnfence(client, 2, 'b');
      await client.call('CreateTopics', {
        topics: [{ name: 'slow', numPartitions: 30, replicationFactor: 2, assignments: [], configs: {} }],
      });
      const namesBroker2 = (): number => {
        const topic = node.stateMachine.image.topics.topicByName('slow');
        let count = 0;
        for (let p = 0; p < 30; p++) if (topic?.partitions.getPlain(p)?.isr.includes(2) === true) count++;
        return count;
      };
      expect(namesBroker2()).toBe(30);
      quorum!.commitDelayMs = 100;
      quorum!.maxUncommitted = 0;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && namesBroker2() > 0) {
        await client.call('BrokerHeartbeat', {
          brokerId: 1,
          brokerEpoch: epoch1,
          currentMetadataOffset: '1000000',
          wantFence: false,
          wantShutdown: false,
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(namesBroker2()).toBe(0);
      const changes = audit.lines
        .filter((line) => line.operation === 'FenceExpiredBrokers' && line.result === 'OK')
        .map((line) => (line.changed as { records: Record<string, number> }).records.PartitionChange ?? 0);
      expect(changes).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
      // Heartbeats propose nothing here: every uncommitted entry is a chunk of moves.
      expect(quorum!.maxUncommitted).toBeGreaterThan(1);
      expect(quorum!.maxUncommitted).toBeLessThanOrEqual(4);
    } finally {
      client.close();
      await node.stop();
    }
  });
});

describe('controller service as a follower', () => {
  it('answers NOT_CONTROLLER with the leader address; reads are served locally', async () => {
    const audit = new MemoryAuditSink();
    const node = await startNode(audit, 2);
    const client = new ControllerClient([node.address], { timeoutMs: 300, attemptTimeoutMs: 200, retryBackoffMs: 20 });
    try {
      await expect(
        client.callNode(node.address, 'CreateTopics', {
          topics: [{ name: 'a', numPartitions: 1, replicationFactor: 1 }],
        }),
      ).rejects.toMatchObject({
        errorName: 'NOT_CONTROLLER',
        retriable: true,
        detail: { leaderId: '2', leaderAddress: '127.0.0.1:2' },
      });
      const cluster = await client.callNode(node.address, 'DescribeCluster', {});
      expect(cluster).toMatchObject({ controllerId: 2, controllerAddress: '127.0.0.1:2' });
      expect(audit.lines).toHaveLength(0);
    } finally {
      client.close();
      await node.stop();
    }
  });
});
