/**
 * Real processes: one controller and three brokers (LocalCluster).
 * acks=all produces to a replication-factor-3 topic, then kill -9 of the partition leader: the
 * controller fences it after its session and elects a follower, which still has every
 * acknowledged record and takes new ones; the killed broker restarts on its old log and catches up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerClient } from '@sluice/controller';
import { LocalCluster, waitFor, type LocalRole } from '@sluice/local-cluster';
import { decodeRecordBatches } from '@sluice/protocol';
import { GrpcClientPool } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import { batch } from './support/local-brokers';

// Waits are bounded for hangs, not timed: on a 2-core CI machine running the suite's other jest
// workers and their clusters, a broker process gets a small share of a core and its fsyncs queue.
const HANG_BOUND_MS = 60_000;
/** How long the leader may hold an acks=all answer (the request's timeoutMs; the call waits longer). */
const PRODUCE_TIMEOUT_MS = 30_000;
/** Refusals made before anything is appended: the leader is not ready yet, the same batch may go again. */
const REFUSED_BEFORE_APPEND = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'NOT_ENOUGH_REPLICAS',
]);
jest.setTimeout(240_000);

const TOPIC = 'events';

describe('local broker processes', () => {
  let cluster: LocalCluster;
  let brokers: LocalRole;
  let controller: ControllerClient;
  const clients = new GrpcClientPool('Broker', { callTimeoutMs: PRODUCE_TIMEOUT_MS + 10_000 });
  const describe0 = async (): Promise<{ leader: number; isr: number[] }> => {
    const p = (await controller.call('DescribeTopics', { names: [TOPIC] })).topics[0]!.partitions[0]!;
    return { leader: p.leader, isr: [...p.isr].sort() };
  };
  const produce = async (brokerId: number, records: Buffer): Promise<pb.ProducePartitionResult__Output> =>
    (
      await clients.call(brokers.address(brokerId), 'Produce', {
        acks: -1,
        timeoutMs: PRODUCE_TIMEOUT_MS,
        topics: [{ name: TOPIC, partitions: [{ partition: 0, records }] }],
      })
    ).topics[0]!.partitions[0]!;
  const consume = async (brokerId: number): Promise<string[]> => {
    const response = await clients.call(brokers.address(brokerId), 'Fetch', {
      replicaId: -1,
      replicaEpoch: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1024 * 1024,
      topics: [
        {
          name: TOPIC,
          partitions: [
            {
              partition: 0,
              fetchOffset: 0,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
              logStartOffset: 0,
              partitionMaxBytes: 1024 * 1024,
            },
          ],
        },
      ],
    });
    const item = response.topics[0]!.partitions[0]!;
    if (item.errorName !== '') throw new Error(item.errorName);
    return decodeRecordBatches(item.records).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''));
  };

  beforeAll(async () => {
    cluster = await LocalCluster.start(
      {
        baseDir: mkdtempSync(join(tmpdir(), 'sluice-local-brokers-')),
        roles: {
          controller: { count: 1, config: { 'broker.session.timeout.ms': 2_000 } },
          broker: {
            config: { 'broker.heartbeat.interval.ms': 200, 'replica.fetch.wait.max.ms': 200, 'min.insync.replicas': 2 },
          },
          coordinator: { count: 0 },
        },
      },
      { leaderTimeoutMs: HANG_BOUND_MS, brokersTimeoutMs: HANG_BOUND_MS },
    );
    brokers = cluster.brokers;
    controller = new ControllerClient(cluster.controllers.addresses(), {
      timeoutMs: 10_000,
      attemptTimeoutMs: 1_000,
      retryBackoffMs: 20,
    });
  });

  afterAll(async () => {
    clients.close();
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('keeps every acknowledged record through a kill -9 of the leader', async () => {
    const created = await controller.call('CreateTopics', {
      topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 3, assignments: [], configs: {} }],
    });
    expect(created.topics[0]!.errorName).toBe('');
    let first = { leader: -1, isr: [] as number[] };
    // Sent again only while it is refused before the append: a batch that was appended but whose
    // answer was an error (acks=all timing out) would be in the log twice if sent again.
    let firstAnswer = '';
    await waitFor(
      'the leader serves',
      async () => {
        first = await describe0();
        if (first.leader < 0) return false;
        firstAnswer = (await produce(first.leader, batch(0, 10))).errorName;
        return !REFUSED_BEFORE_APPEND.has(firstAnswer);
      },
      HANG_BOUND_MS,
    );
    expect(firstAnswer).toBe('');
    for (let i = 1; i < 3; i++) expect((await produce(first.leader, batch(i * 10, 10))).errorName).toBe('');
    const acknowledged = Array.from({ length: 30 }, (_, i) => `value-${i}`);
    expect(await consume(first.leader)).toEqual(acknowledged);

    await brokers.kill(first.leader, 'SIGKILL');
    let next = first;
    await waitFor(
      'a new leader',
      async () => {
        next = await describe0();
        return next.leader > 0 && next.leader !== first.leader;
      },
      HANG_BOUND_MS,
    );
    await waitFor(
      'the new leader serves everything acknowledged',
      async () => {
        try {
          return (await consume(next.leader)).length === 30;
        } catch {
          return false;
        }
      },
      HANG_BOUND_MS,
    );
    expect(await consume(next.leader)).toEqual(acknowledged);
    expect((await produce(next.leader, batch(30, 5))).errorName).toBe('');

    brokers.start(first.leader);
    await waitFor(
      'the restarted broker back in the ISR',
      async () => (await describe0()).isr.length === 3,
      HANG_BOUND_MS,
    );
    expect(await consume(next.leader)).toEqual(Array.from({ length: 35 }, (_, i) => `value-${i}`));
  });
});
