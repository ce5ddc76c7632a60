/**
 * Component test: one real controller process (services/controller/dist/main.js, via
 * LocalCluster) and three in-process brokers (BrokerNode with real disks and real
 * gRPC on loopback, OS-chosen ports). A topic with replication factor 3 is created through the
 * controller's CreateTopics; acks=all produces go to the leader as RecordBatch bytes, are fetched
 * back, and every replica ends with the same log and high watermark.
 */
import { ClusterMetadata } from '@sluice/client';
import type { ControllerClient } from '@sluice/controller';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import { CompressionType, decodeRecordBatches, encodeRecordBatch } from '@sluice/protocol';
import { GrpcClientPool } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import type { BrokerNode } from '../src/node/broker-node';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(30_000);

const TOPIC = 'orders';

describe('broker cluster: 1 controller process + 3 brokers', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers: BrokerNode[] = [];
  const clients = new GrpcClientPool('Broker', { callTimeoutMs: 10_000 });
  const addressOf = (brokerId: number): string => {
    const node = brokers.find((b) => b.brokerId === brokerId);
    if (node === undefined) throw new Error(`no broker ${brokerId}`);
    return node.address;
  };
  const produce = (
    brokerId: number,
    partition: number,
    records: Buffer,
    acks = -1,
  ): Promise<pb.ProducePartitionResult__Output> =>
    clients
      .call(addressOf(brokerId), 'Produce', {
        acks,
        timeoutMs: 5_000,
        topics: [{ name: TOPIC, partitions: [{ partition, records }] }],
      })
      .then((r) => r.topics[0]!.partitions[0]!);

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('broker-component', {
      'broker.session.timeout.ms': 3_000,
    }));
    for (const nodeId of [1, 2, 3]) {
      brokers.push(
        await startLocalBroker(cluster, nodeId, {
          minInsyncReplicas: 2,
          metrics: nodeId === 1 ? { host: '127.0.0.1', port: 0 } : null,
        }),
      );
    }
    await cluster.waitForUnfencedBrokers(10_000, [1, 2, 3]);
  });

  afterAll(async () => {
    clients.close();
    await Promise.all(brokers.map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('replicates acks=all produces to every replica and serves them back from the leader', async () => {
    const created = await controller.call('CreateTopics', {
      topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 3, assignments: [], configs: {} }],
    });
    expect(created.topics[0]).toMatchObject({ name: TOPIC, errorName: '' });

    // Every broker learns the topic from the metadata log and takes its role.
    let meta: pb.MetadataResponse__Output | undefined;
    await waitFor('leaders in place', async () => {
      meta = await clients.call(addressOf(1), 'Metadata', { topics: [TOPIC] });
      const partitions = meta.topics[0]?.partitions ?? [];
      return (
        partitions.length === 2 &&
        partitions.every(
          (p) =>
            p.leader > 0 &&
            p.isr.length === 3 &&
            brokers.every(
              (b) => b.replica(TOPIC, p.partition)?.role.kind === (b.brokerId === p.leader ? 'leader' : 'follower'),
            ),
        )
      );
    });
    expect(meta!.brokers.map((b) => b.brokerId).sort()).toEqual([1, 2, 3]);
    const metrics = await fetch(`http://127.0.0.1:${brokers[0]!.metricsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /sluice_rpc_requests_total\{api="Metadata",outcome="ok",service="broker",node_id="1"\} [1-9]/,
    );
    const leader = meta!.topics[0]!.partitions.find((p) => p.partition === 0)!.leader;
    const follower = [1, 2, 3].find((id) => id !== leader)!;

    // acks=all: answered once the high watermark covers the batch, i.e. every ISR member has it.
    const offsets: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await produce(leader, 0, batch(i * 10, 10));
      expect(result.errorName).toBe('');
      offsets.push(Number(result.baseOffset));
      const leaderReplica = brokers.find((b) => b.brokerId === leader)!.replica(TOPIC, 0)!;
      expect(leaderReplica.highWatermark).toBeGreaterThanOrEqual(Number(result.baseOffset) + 10);
    }
    expect(offsets).toEqual([0, 10, 20, 30, 40]);

    // A consumer fetch returns the same bytes, records in order, up to the high watermark.
    const fetched = await clients.call(addressOf(leader), 'Fetch', {
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
    const item = fetched.topics[0]!.partitions[0]!;
    expect(item.errorName).toBe('');
    expect(Number(item.highWatermark)).toBe(50);
    const values = decodeRecordBatches(item.records).flatMap((b) => b.records.map((r) => r.value?.toString()));
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => `value-${i}`));

    // Followers replicated: log end offset and high watermark are 50 on every replica.
    await waitFor('followers caught up', () =>
      brokers.every((b) => b.replica(TOPIC, 0)?.log.logEndOffset === 50 && b.replica(TOPIC, 0)?.highWatermark === 50),
    );

    // Followers refuse writes; a bad CRC, an oversize batch and an unknown topic are named errors that change nothing.
    expect((await produce(follower, 0, batch(0, 1))).errorName).toBe('NOT_LEADER_OR_FOLLOWER');
    const corrupt = batch(50, 3);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1);
    expect((await produce(leader, 0, corrupt)).errorName).toBe('CORRUPT_MESSAGE');
    const oversize = encodeRecordBatch({
      compression: CompressionType.None,
      records: [{ key: null, value: Buffer.alloc(1024 * 1024 + 1), timestamp: 0 }],
    });
    expect((await produce(leader, 0, oversize)).errorName).toBe('MESSAGE_TOO_LARGE');
    const unknown = await clients.call(addressOf(leader), 'Produce', {
      acks: 1,
      timeoutMs: 1_000,
      topics: [{ name: 'nope', partitions: [{ partition: 0, records: batch(0, 1) }] }],
    });
    expect(unknown.topics[0]!.partitions[0]!.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(brokers.find((b) => b.brokerId === leader)!.replica(TOPIC, 0)!.log.logEndOffset).toBe(50);

    // ListOffsets: earliest and latest (the high watermark).
    const listed = await clients.call(addressOf(leader), 'ListOffsets', {
      topics: [
        {
          name: TOPIC,
          partitions: [
            { partition: 0, timestamp: -2, currentLeaderEpoch: -1 },
            { partition: 0, timestamp: -1, currentLeaderEpoch: -1 },
          ],
        },
      ],
    });
    expect(listed.topics[0]!.partitions.map((p) => Number(p.offset))).toEqual([0, 50]);
    // By timestamp: the first record at or after it (record i has timestamp base + i), -1 past the end.
    const byTime = await clients.call(addressOf(leader), 'ListOffsets', {
      topics: [
        {
          name: TOPIC,
          partitions: [1_700_000_000_000 + 25, 1_700_000_000_000, 1_800_000_000_000].map((timestamp) => ({
            partition: 0,
            timestamp,
            currentLeaderEpoch: -1,
          })),
        },
      ],
    });
    expect(byTime.topics[0]!.partitions.map((p) => [p.errorName, Number(p.offset), Number(p.timestamp)])).toEqual([
      ['', 25, 1_700_000_000_025],
      ['', 0, 1_700_000_000_000],
      ['', -1, -1],
    ]);
  });

  it('pages Metadata (cursor, partition limit, brokers on every page); the SDK joins the pages', async () => {
    const pages: pb.MetadataResponse__Output[] = [];
    let cursor: pb.TopicPartitionCursor__Output | null = null;
    do {
      const page: pb.MetadataResponse__Output = await clients.call(addressOf(1), 'Metadata', {
        topics: [TOPIC, 'no-such-topic'],
        cursor,
        responsePartitionLimit: 1,
      });
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 10);
    const partitions = (await controller.call('DescribeTopics', { names: [TOPIC] })).topics[0]!.partitions.length;
    expect(pages).toHaveLength(partitions + 1);
    expect(
      pages.map((page) => page.topics.map((t) => `${t.name}:${t.partitions.map((p) => p.partition).join(',')}`)),
    ).toEqual([...Array.from({ length: partitions }, (_, p) => [`${TOPIC}:${p}`]), ['no-such-topic:']]);
    expect(pages.at(-1)!.topics[0]!.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    for (const page of pages) expect(page.brokers.map((b) => b.brokerId).sort()).toEqual([1, 2, 3]);
    await expect(
      clients.call(addressOf(1), 'Metadata', { topics: [TOPIC], cursor: { topicName: 'other', partitionIndex: 0 } }),
    ).rejects.toMatchObject({ errorName: 'INVALID_REQUEST' });

    const metadata = new ClusterMetadata({ bootstrap: [addressOf(2)], partitionsPerPage: 1 });
    try {
      await metadata.refresh([TOPIC]);
      expect(metadata.topic(TOPIC)?.partitions.map((p) => p.partition)).toEqual(
        Array.from({ length: partitions }, (_, p) => p),
      );
    } finally {
      metadata.close();
    }
  });

  it('answers acks=all with NOT_ENOUGH_REPLICAS once a controlled shutdown leaves the ISR below min.insync.replicas', async () => {
    const created = await controller.call('CreateTopics', {
      topics: [
        {
          name: 'strict',
          numPartitions: 1,
          replicationFactor: 3,
          assignments: [],
          configs: { 'min.insync.replicas': '3' },
        },
      ],
    });
    expect(created.topics[0]!.errorName).toBe('');
    let leader = -1;
    await waitFor('strict-0 led', () => {
      const node = brokers.find((b) => b.replica('strict', 0)?.role.kind === 'leader');
      leader = node?.brokerId ?? -1;
      return node !== undefined;
    });
    const send = (acks: number): Promise<pb.ProducePartitionResult__Output> =>
      clients
        .call(addressOf(leader), 'Produce', {
          acks,
          timeoutMs: 5_000,
          topics: [{ name: 'strict', partitions: [{ partition: 0, records: batch(0, 2) }] }],
        })
        .then((r) => r.topics[0]!.partitions[0]!);
    expect((await send(-1)).errorName).toBe('');

    // A follower shuts down cleanly: the controller takes it out of the ISR (2 < 3).
    const leaving = brokers.find((b) => b.brokerId !== leader)!;
    await leaving.stop();
    const leaderReplica = brokers.find((b) => b.brokerId === leader)!.replica('strict', 0)!;
    await waitFor(
      'ISR shrunk to 2',
      () => leaderReplica.role.kind === 'leader' && leaderReplica.role.core.isr.length === 2,
    );
    const endBefore = leaderReplica.log.logEndOffset;
    const refused = await send(-1);
    expect(refused.errorName).toBe('NOT_ENOUGH_REPLICAS');
    expect(leaderReplica.log.logEndOffset).toBe(endBefore); // refused before writing
    expect((await send(1)).errorName).toBe('');
    const described = await controller.call('DescribeCluster', {});
    expect(described.brokers.find((b) => b.brokerId === leaving.brokerId)?.fenced).toBe(true);
  });

  it('deduplicates a retried idempotent batch, also at the next leader, and refuses a sequence gap', async () => {
    // A stopped broker's replicas are offline, so the leader found is always a running broker.
    const leaderNode = (): BrokerNode | undefined => brokers.find((b) => b.replica(TOPIC, 1)?.role.kind === 'leader');
    await waitFor('a running leader of orders-1', () => leaderNode() !== undefined);
    const first = leaderNode()!;
    const idempotent = (baseSequence: number, count: number): Buffer =>
      encodeRecordBatch({
        compression: CompressionType.None,
        producerId: 4242,
        producerEpoch: 0,
        baseSequence,
        records: Array.from({ length: count }, (_, i) => ({
          key: null,
          value: Buffer.from(`idem-${baseSequence + i}`),
          timestamp: Date.now(),
        })),
      });
    const rpc = new BrokerClients();
    try {
      const start = first.replica(TOPIC, 1)!.log.logEndOffset;
      const a = await rpc.produce(first, TOPIC, 1, idempotent(0, 3));
      expect([a.errorName, Number(a.baseOffset)]).toEqual(['', start]);
      const retry = await rpc.produce(first, TOPIC, 1, idempotent(0, 3));
      expect([retry.errorName, Number(retry.baseOffset)]).toEqual(['', start]);
      expect(first.replica(TOPIC, 1)!.log.logEndOffset).toBe(start + 3);
      expect((await rpc.produce(first, TOPIC, 1, idempotent(7, 1))).errorName).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
      const b = await rpc.produce(first, TOPIC, 1, idempotent(3, 3));
      expect([b.errorName, Number(b.baseOffset)]).toEqual(['', start + 3]);

      // The leader goes away; the next one rebuilt producer state from its log and still dedupes.
      await first.stop();
      await waitFor('a new leader of orders-1', () => leaderNode() !== undefined);
      const next = leaderNode()!;
      const again = await rpc.produce(next, TOPIC, 1, idempotent(3, 3), 1);
      expect([again.errorName, Number(again.baseOffset)]).toEqual(['', start + 3]);
      expect(next.replica(TOPIC, 1)!.log.logEndOffset).toBe(start + 6);
    } finally {
      rpc.close();
    }
  });
});
