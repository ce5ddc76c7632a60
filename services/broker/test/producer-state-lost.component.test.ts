/**
 * The SDK's idempotent Producer against brokers whose new partition leader has no state for it:
 * the producer's records carry CreateTimes older than producer.id.expiration.ms (a day), so the
 * follower that becomes leader, which rebuilds the producer state from its log and drops expired
 * producers (as Kafka's broker does), answers the producer's next sequence UNKNOWN_PRODUCER_ID.
 * As Kafka's producer, it bumps its epoch and sends the batch again from sequence 0: the caller
 * sees every record acknowledged once, in order, and no error.
 */
import { Producer } from '@sluice/client';
import { decodeRecordBatches } from '@sluice/protocol';
import { waitFor } from '@sluice/local-cluster';
import type { BrokerNode } from '../src/node/broker-node';
import {
  BrokerClients,
  startControllerProcess,
  startLocalBroker,
  stopLocalBrokers,
  type ControllerProcess,
} from './support/local-brokers';

// Waits are bounded for hangs, not timed (a loaded 2-core CI machine).
const HANG_BOUND_MS = 60_000;
jest.setTimeout(300_000);

const TOPIC = 'producer-state-lost';
/** Three days before now: past the default producer.id.expiration.ms of one day. */
const OLD_TIMESTAMP_MS = Date.now() - 3 * 86_400_000;

describe('a new leader without the producer state', () => {
  let started: ControllerProcess | undefined;
  const brokers = new Map<number, BrokerNode>();
  const clients = new BrokerClients();

  const start = async (nodeId: number): Promise<void> => {
    brokers.set(nodeId, await startLocalBroker(started!.cluster, nodeId));
  };
  const roleOf = (nodeId: number): string | undefined => brokers.get(nodeId)?.replica(TOPIC, 0)?.role.kind;

  beforeAll(async () => {
    started = await startControllerProcess('producer-state-lost', { 'broker.session.timeout.ms': 2_500 });
    for (const id of [1, 2, 3]) await start(id);
    await started.cluster.waitForUnfencedBrokers(HANG_BOUND_MS, [1, 2, 3]);
  });

  afterAll(() => stopLocalBrokers(brokers.values(), clients, started ?? {}));

  it('is answered by an epoch bump: every record acknowledged once, in order', async () => {
    const created = await started!.controller.call('CreateTopics', {
      topics: [
        {
          name: TOPIC,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partition: 0, brokerIds: [1, 2, 3] }],
          configs: {},
        },
      ],
    });
    expect(created.topics[0]!.errorName).toBe('');
    await waitFor(
      'broker 1 leads, 2 and 3 follow',
      () => roleOf(1) === 'leader' && roleOf(2) === 'follower' && roleOf(3) === 'follower',
      HANG_BOUND_MS,
    );
    const producer = new Producer({ bootstrap: [...brokers.values()].map((b) => b.address), lingerMs: 0 });
    try {
      const before = await producer.send({ topic: TOPIC, partition: 0, value: 'before', timestamp: OLD_TIMESTAMP_MS });
      expect(before.offset).toBe(0);

      // acks=all: both followers hold `before`. The leader goes (no controlled shutdown); the
      // follower elected after its session expires rebuilds the producer state without it.
      await brokers.get(1)!.stop(false);
      brokers.delete(1);
      let leader: BrokerNode | undefined;
      await waitFor(
        'a new leader',
        () => (leader = [2, 3].filter((id) => roleOf(id) === 'leader').map((id) => brokers.get(id)!)[0]) !== undefined,
        HANG_BOUND_MS,
      );

      const after = await producer.send({ topic: TOPIC, partition: 0, value: 'after', timestamp: OLD_TIMESTAMP_MS });
      expect(after.offset).toBe(1);
      expect(producer.stats()).toMatchObject({ epochBumps: 1, producerEpoch: 1 });
      const batches = decodeRecordBatches(leader!.replica(TOPIC, 0)!.log.read(0, 1024 * 1024).records);
      expect(batches.flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual(['before', 'after']);
      // The second batch came again under the bumped epoch, from sequence 0.
      expect(batches.map((b) => [b.producerEpoch, b.baseSequence])).toEqual([
        [0, 0],
        [1, 0],
      ]);
    } finally {
      await producer.close();
    }
  });
});
