/**
 * Property, between real in-process brokers (real disks, real gRPC on loopback) and one real
 * controller process: whatever partitions of a topic go quiet and come back, round after round,
 * every follower ends byte-identical with the leader. The followers fetch on ReplicaFetchStream, so
 * the leader's fetch session leaves quiet partitions out of its answers, holds answers that only
 * moved a high watermark, and re-reads only the partitions that changed while a fetch waits
 * (node/fetch-path.ts, core/fetch-session.ts); a partition it wrongly left out or answered stale
 * would leave a follower short, diverged or behind the leader's high watermark.
 */
import fc from 'fast-check';
import type { ControllerClient } from '@sluice/controller';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import type { BrokerNode } from '../src/node/broker-node';
import {
  batch,
  BrokerClients,
  startControllerProcess,
  startLocalBroker,
  stopLocalBrokers,
} from './support/local-brokers';
import { propertyRuns, propertyTimeoutMs } from './support/property-runs';

const PARTITIONS = 12;
const RUNS = { seed: 848_227, numRuns: 4 };
jest.setTimeout(60_000);

/** One round: these partitions get a batch each (at once), the others stay quiet, then a pause. */
interface Round {
  readonly partitions: readonly number[];
  readonly recordsPerBatch: number;
  readonly acks: -1 | 1;
  /** Longer than replica.fetch.wait.max.ms (200 ms here) lets held fetches run out their wait. */
  readonly pauseMs: number;
}

const roundArbitrary: fc.Arbitrary<Round> = fc.record({
  partitions: fc.subarray(
    Array.from({ length: PARTITIONS }, (_, p) => p),
    { minLength: 0 },
  ),
  recordsPerBatch: fc.integer({ min: 1, max: 20 }),
  acks: fc.constantFrom(-1 as const, 1 as const),
  pauseMs: fc.constantFrom(0, 20, 250),
});

describe('fetch sessions keep followers byte-identical', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers = new Map<number, BrokerNode>();
  const clients = new BrokerClients();
  let topics = 0;

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('fetch-session-replication', {
      'broker.session.timeout.ms': 3_000,
    }));
    for (const id of [1, 2, 3]) brokers.set(id, await startLocalBroker(cluster, id, { minInsyncReplicas: 2 }));
    await cluster.waitForUnfencedBrokers(10_000, [1, 2, 3]);
  });

  afterAll(() => stopLocalBrokers(brokers.values(), clients, { cluster, controller }));

  const node = (id: number): BrokerNode => brokers.get(id)!;

  /** A topic of PARTITIONS partitions, every one led by broker 1 and followed by 2 and 3. */
  const createTopic = async (): Promise<string> => {
    const name = `quiet-${++topics}`;
    const created = await controller.call('CreateTopics', {
      topics: [
        {
          name,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, brokerIds: [1, 2, 3] })),
          configs: {},
        },
      ],
    });
    expect(created.topics[0]).toMatchObject({ name, errorName: '' });
    await waitFor(`${name}: led by 1, followed by 2 and 3`, () =>
      Array.from({ length: PARTITIONS }, (_, p) => p).every(
        (p) =>
          node(1).replica(name, p)?.role.kind === 'leader' &&
          [2, 3].every((id) => node(id).replica(name, p)?.role.kind === 'follower'),
      ),
    );
    return name;
  };

  it(
    'every follower ends with the leader’s bytes and high watermark, whatever goes quiet or comes back',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(roundArbitrary, { minLength: 2, maxLength: 8 }), async (rounds) => {
          const topic = await createTopic();
          const produced = new Array<number>(PARTITIONS).fill(0);
          for (const round of rounds) {
            const answers = await Promise.all(
              round.partitions.map((p) =>
                clients.produce(node(1), topic, p, batch(produced[p]!, round.recordsPerBatch), round.acks),
              ),
            );
            for (const answer of answers) expect(answer.errorName).toBe('');
            for (const p of round.partitions) produced[p]! += round.recordsPerBatch;
            if (round.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, round.pauseMs));
          }
          const leaderOf = (p: number) => node(1).replica(topic, p)!;
          await waitFor(
            'followers caught up: log end and high watermark as the leader’s',
            () =>
              produced.every((count, p) =>
                [2, 3].every((id) => {
                  const follower = node(id).replica(topic, p)!;
                  return (
                    leaderOf(p).log.logEndOffset === count &&
                    leaderOf(p).highWatermark === count &&
                    follower.log.logEndOffset === count &&
                    follower.highWatermark === count
                  );
                }),
              ),
            15_000,
          );
          for (let p = 0; p < PARTITIONS; p++) {
            const leaderBytes = leaderOf(p).log.read(0, 64 * 1024 * 1024).records;
            for (const id of [2, 3])
              expect(
                node(id)
                  .replica(topic, p)!
                  .log.read(0, 64 * 1024 * 1024)
                  .records.equals(leaderBytes),
              ).toBe(true);
          }
          // The followers fetched on the stream, so the session was what answered them.
          for (const id of [2, 3]) expect(node(id).replicaFetchTransports().get(1)).toMatchObject({ kind: 'stream' });
        }),
        propertyRuns(RUNS),
      );
    },
    propertyTimeoutMs(RUNS, 120_000),
  );
});
