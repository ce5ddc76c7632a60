/**
 * Consumers' FetchStream over real gRPC, three in-process brokers (docs/performance.md section 28):
 * - each stream answer carries exactly the bytes a unary Fetch answers for the same request, with
 *   up to four requests out at once, matched by correlation id; a follower's request and a request
 *   without a Fetch are refused by name and the stream goes on; with four unanswered the broker
 *   reads no fifth until one is answered; a stopping broker ends its streams;
 * - the SDK's Consumer reads a backlog on the streams, every record once and in order, and falls
 *   back to unary Fetch for a broker that refuses the stream UNIMPLEMENTED (as one older than the
 *   RPC does).
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { Consumer } from '@sluice/client';
import type { ControllerClient } from '@sluice/controller';
import type { LocalCluster } from '@sluice/local-cluster';
import { waitFor } from '@sluice/local-cluster';
import { GrpcClientPool } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import type { BrokerNode } from '../src/node/broker-node';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(90_000);

const TOPIC = 'stream-backlog';
/** Partition p is led by broker p + 1; broker 3 does not serve FetchStream. */
const PARTITIONS = 3;
const BATCHES = 40;

type StreamCall = ClientDuplexStream<pb.FetchStreamRequest, pb.FetchStreamResponse__Output>;

function fetchRequest(offsets: readonly number[], partitionMaxBytes: number, maxWaitMs = 0): pb.FetchRequest {
  return {
    replicaId: -1,
    replicaEpoch: -1,
    maxWaitMs,
    minBytes: maxWaitMs > 0 ? 1 : 0,
    maxBytes: 1_000_000,
    topics: [
      {
        name: TOPIC,
        partitions: offsets.map((fetchOffset) => ({
          partition: 0,
          fetchOffset,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
          partitionMaxBytes,
        })),
      },
    ],
  };
}

describe('FetchStream', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers: BrokerNode[] = [];
  const clients = new BrokerClients();
  const pool = new GrpcClientPool('Broker');
  const ends: number[] = [];

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('fetch-stream'));
    for (const id of [1, 2, 3])
      brokers.push(await startLocalBroker(cluster, id, id === 3 ? { consumerFetchStream: false } : {}));
    await cluster.waitForUnfencedBrokers(10_000, [1, 2, 3]);
    const created = await controller.call('CreateTopics', {
      topics: [
        {
          name: TOPIC,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [
            { partition: 0, brokerIds: [1, 2, 3] },
            { partition: 1, brokerIds: [2, 3, 1] },
            { partition: 2, brokerIds: [3, 1, 2] },
          ],
          configs: { 'index.interval.bytes': '256' },
        },
      ],
    });
    expect(created.topics[0]!.errorName).toBe('');
    await waitFor('each partition led by its first replica', () =>
      brokers.every((b, p) => b.replica(TOPIC, p)?.role.kind === 'leader'),
    );
    for (let partition = 0; partition < PARTITIONS; partition++) {
      let first = 0;
      for (let i = 0; i < BATCHES; i++) {
        const count = 1 + ((i * 5 + partition) % 20);
        expect((await clients.produce(brokers[partition]!, TOPIC, partition, batch(first, count))).errorName).toBe('');
        first += count;
      }
      ends.push(first);
    }
    await waitFor('high watermarks at the log ends', () =>
      brokers.every((b, p) => {
        const replica = b.replica(TOPIC, p)!;
        return replica.role.kind === 'leader' && replica.highWatermark === ends[p];
      }),
    );
  });

  afterAll(async () => {
    clients.close();
    pool.close();
    await Promise.all(brokers.map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('answers each request as a unary Fetch would, four at once, refusals by name', async () => {
    const leader = brokers[0]!;
    const call: StreamCall = pool.client(leader.address).FetchStream();
    const answers = new Map<number, pb.FetchStreamResponse__Output>();
    call.on('data', (message: pb.FetchStreamResponse__Output) => answers.set(Number(message.correlationId), message));
    const errors: { code?: number }[] = [];
    call.on('error', (error: { code?: number }) => errors.push(error));

    // Offsets at batch starts, inside batches and at the log end, four requests out at a time.
    const offsets = [0, 1, 7, 33, 100, 150, ends[0]! - 1, ends[0]!];
    let correlationId = 0;
    for (let at = 0; at < offsets.length; at += 4) {
      const group = offsets.slice(at, at + 4);
      const ids = group.map((offset) => {
        call.write({ correlationId: ++correlationId, request: fetchRequest([offset], 700) });
        return correlationId;
      });
      await waitFor('four answers', () => ids.every((id) => answers.has(id)));
      for (const [i, id] of ids.entries()) {
        const unary = await clients.call(leader, 'Fetch', fetchRequest([group[i]!], 700));
        const answer = answers.get(id)!;
        expect(answer.errorName).toBe('');
        const streamed = answer.response!.topics[0]!.partitions[0]!;
        const expected = unary.topics[0]!.partitions[0]!;
        expect(streamed.errorName).toBe('');
        expect(streamed.highWatermark).toBe(expected.highWatermark);
        expect(streamed.records.equals(expected.records)).toBe(true);
        if (group[i]! < ends[0]!) expect(streamed.records.length).toBeGreaterThan(0);
      }
    }

    // A follower's Fetch and a message without one are refused by name; the stream goes on.
    call.write({ correlationId: 100, request: { ...fetchRequest([0], 700), replicaId: 2 } });
    call.write({ correlationId: 101 });
    call.write({ correlationId: 102, request: fetchRequest([0], 700) });
    await waitFor('three answers', () => [100, 101, 102].every((id) => answers.has(id)));
    expect([answers.get(100)!.errorName, answers.get(100)!.response]).toEqual(['INVALID_REQUEST', null]);
    expect(answers.get(100)!.errorMessage).toMatch(/ReplicaFetchStream/);
    expect(answers.get(101)!.errorName).toBe('INVALID_REQUEST');
    expect(answers.get(102)!.errorName).toBe('');
    expect(errors).toEqual([]);
    expect(leader.openConsumerFetchStreams).toBe(1);

    // The credit: with four long polls held at the log end the broker stops reading the stream, so
    // a fifth is read, and its own long poll starts, only once one of the four was answered.
    const arrived: number[] = [];
    call.on('data', (message: pb.FetchStreamResponse__Output) => arrived.push(Number(message.correlationId)));
    const sentAtMs = Date.now();
    for (let id = 200; id < 205; id++) call.write({ correlationId: id, request: fetchRequest([ends[0]!], 700, 1_000) });
    await waitFor('five answers', () => arrived.length === 5);
    const fifthAfterMs = Date.now() - sentAtMs;
    expect(arrived.indexOf(204)).toBeGreaterThan(Math.min(...[200, 201, 202, 203].map((id) => arrived.indexOf(id))));
    expect(fifthAfterMs).toBeGreaterThanOrEqual(1_900);
    for (const id of arrived) expect(answers.get(id)!.errorName).toBe('');
    expect(errors).toEqual([]);
    call.cancel();
    await waitFor('the stream closed on the broker', () => leader.openConsumerFetchStreams === 0);
  });

  it('carries a Consumer through a backlog, with unary Fetch for the broker that refuses it', async () => {
    const consumer = new Consumer({
      bootstrap: brokers[0]!.address,
      autoOffsetReset: 'earliest',
      maxPartitionFetchBytes: 500,
      maxPollRecords: 7,
      fetchMaxWaitMs: 50,
    });
    try {
      consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
      const seen: number[][] = Array.from({ length: PARTITIONS }, () => []);
      for (let round = 0; round < 20_000 && seen.some((offsets, p) => offsets.length < ends[p]!); round++)
        for (const record of await consumer.poll(200)) seen[record.partition]!.push(record.offset);
      seen.forEach((offsets, p) => expect(offsets).toEqual(Array.from({ length: ends[p]! }, (_, i) => i)));
      const stats = consumer.fetchStats();
      // Brokers 1 and 2 on their streams, broker 3 by unary Fetch after one refusal.
      expect(stats.streamsOpened).toBe(3);
      expect(stats.fallbacksUnimplemented).toBe(1);
      expect(stats.streamFailures).toBe(0);
      expect(stats.streamAnswers).toBeGreaterThan(20);
      expect(stats.unaryAnswers).toBeGreaterThan(10);
      expect(brokers[0]!.openConsumerFetchStreams).toBe(1);
      expect(brokers[1]!.openConsumerFetchStreams).toBe(1);
      expect(brokers[2]!.openConsumerFetchStreams).toBe(0);
    } finally {
      await consumer.close();
    }
    await waitFor('the streams closed with the consumer', () => brokers.every((b) => b.openConsumerFetchStreams === 0));
  });

  it('is ended by a stopping broker', async () => {
    const call: StreamCall = pool.client(brokers[1]!.address).FetchStream();
    const ended = new Promise<string>((resolve) => {
      call.on('end', () => resolve('end'));
      call.on('error', () => resolve('error'));
    });
    call.on('data', () => undefined);
    call.write({ correlationId: 1, request: fetchRequest([0], 700) });
    await waitFor('the stream open', () => brokers[1]!.openConsumerFetchStreams === 1);
    await brokers[1]!.stop(false);
    expect(['end', 'error']).toContain(await ended);
    expect(brokers[1]!.openConsumerFetchStreams).toBe(0);
  });
});
