/**
 * The race of a flaky e2e, replayed in order over real gRPC: a CreateTopics attempt is proposed
 * but its commit is held, so the client's attempt times out (REQUEST_TIMED_OUT, outcome
 * unknown) and the client backs off; the held entry then commits; the client's retry must
 * report success with the topic the first attempt created, not TOPIC_ALREADY_EXISTS.
 *
 * Deterministic: the client and the test share one event loop. The test polls every 5 ms and
 * releases the commit on the first poll after the client counted its retry; the client's retry
 * waits out a backoff timer of at least 1 s (2 s with the channel's jitter halving it) that expires after that poll, so the commit always lands before
 * the retry is sent.
 */
import { Admin } from '@sluice/client';
import { ControllerClient } from '@sluice/controller';
import { waitFor } from '@sluice/local-cluster';
import { silentLogger } from '@sluice/runtime';
import { MemoryAuditSink } from '../../../services/controller/src/audit/audit-trail';
import { ControllerNode } from '../../../services/controller/src/node/controller-node';
import { SingleNodeQuorum } from '../../../services/controller/test/support/single-node-quorum';

jest.setTimeout(30_000);

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
/** Long next to the test's 5 ms poll, so the held commit is released before the retry goes out. */
const RETRY_BACKOFF_MS = 2_000;
const ATTEMPT_TIMEOUT_MS = 500;

describe('CreateTopics retried after an attempt whose answer was lost', () => {
  let node: ControllerNode;
  let quorum: SingleNodeQuorum;

  beforeAll(async () => {
    node = await ControllerNode.start({
      nodeId: 1,
      clusterId: CLUSTER_ID,
      bindHost: '127.0.0.1',
      bindPort: 0,
      voters: new Map([[1, '127.0.0.1:1']]),
      brokerSessionTimeoutMs: 60_000,
      settings: { uncleanLeaderElectionEnable: false, defaultNumPartitions: 2, defaultReplicationFactor: 1 },
      metrics: null,
      log: silentLogger(),
      auditSink: new MemoryAuditSink(),
      createQuorum: async (stateMachine) => {
        quorum = new SingleNodeQuorum(1, stateMachine);
        return quorum;
      },
    });
    const setup = new ControllerClient([node.address], {
      timeoutMs: 5_000,
      attemptTimeoutMs: 2_000,
      retryBackoffMs: 20,
    });
    try {
      const { brokerEpoch } = await setup.call('RegisterBroker', {
        brokerId: 1,
        clusterId: CLUSTER_ID,
        incarnationId: Buffer.concat([Buffer.alloc(15), Buffer.from([4])]).toString('base64url'),
        listeners: [{ name: 'PLAINTEXT', host: 'localhost', port: 9091 }],
        rack: '',
      });
      await setup.call('BrokerHeartbeat', {
        brokerId: 1,
        brokerEpoch,
        currentMetadataOffset: '1000000',
        wantFence: false,
        wantShutdown: false,
      });
    } finally {
      setup.close();
    }
  });

  afterAll(async () => {
    await node?.stop();
  });

  /** Holds commits, runs `create`, releases the held entry once the client backs off to retry. */
  async function loseFirstAnswer<T>(retries: () => number, create: () => Promise<T>): Promise<T> {
    quorum.holdCommits = true;
    const proposedBefore = quorum.proposed.length;
    const answer = create();
    try {
      await waitFor('the client to back off after its first attempt timed out', () => retries() > 0, 10_000, 5);
    } finally {
      quorum.holdCommits = false;
      // The first attempt's entry commits now, after the client gave up on it.
      quorum.releaseCommits();
    }
    expect(quorum.proposed.length).toBe(proposedBefore + 1);
    return answer;
  }

  it('ControllerClient: the retry answers success with the committed topic id', async () => {
    const client = new ControllerClient([node.address], {
      timeoutMs: 15_000,
      attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
      retryBackoffMs: RETRY_BACKOFF_MS,
    });
    try {
      const response = await loseFirstAnswer(
        () => client.retries,
        () =>
          client.call('CreateTopics', {
            topics: [{ name: 'orders', numPartitions: 3, replicationFactor: 1, assignments: [], configs: {} }],
          }),
      );
      const committed = node.stateMachine.image.topics.topicByName('orders');
      expect(client.retries).toBe(1);
      expect(response.topics).toEqual([
        expect.objectContaining({
          name: 'orders',
          errorName: '',
          topicId: committed?.topicId,
          numPartitions: 3,
          replicationFactor: 1,
        }),
      ]);
    } finally {
      client.close();
    }
  });

  it('Admin.createTopic: resolves with the committed topic instead of rejecting TOPIC_ALREADY_EXISTS', async () => {
    const admin = new Admin({
      bootstrap: node.address,
      timeoutMs: 15_000,
      attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
      retryBackoffMs: RETRY_BACKOFF_MS,
      maxRetryBackoffMs: RETRY_BACKOFF_MS,
    });
    try {
      const created = await loseFirstAnswer(
        () => admin.stats.retries,
        () => admin.createTopic({ name: 'payments', numPartitions: 2, configs: { 'retention.ms': '60000' } }),
      );
      expect(admin.stats.retries).toBe(1);
      expect(created).toEqual({
        name: 'payments',
        topicId: node.stateMachine.image.topics.topicByName('payments')?.topicId,
        numPartitions: 2,
        replicationFactor: 1,
      });
      // A second, separate create of the same name is another request: it is refused.
      await expect(admin.createTopic({ name: 'payments', numPartitions: 2 })).rejects.toMatchObject({
        errorName: 'TOPIC_ALREADY_EXISTS',
      });
    } finally {
      admin.close();
    }
  });
});
