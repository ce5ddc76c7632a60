/** Test support: in-process BrokerNodes on loopback against a LocalControllerCluster. */
import { join } from 'node:path';
import type { LocalControllerCluster } from '@sluice/controller';
import { CompressionType, encodeRecordBatch } from '@sluice/protocol';
import { createLoggers, silentLogger, type Level } from '@sluice/runtime';
import { GrpcClientPool } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import { BrokerNode, type BrokerNodeOptions } from '../../src/node/broker-node';

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One uncompressed RecordBatch of `count` records with values `value-<first + i>`. */
export function batch(first: number, count: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`k${first + i}`),
    value: Buffer.from(`value-${first + i}`),
    timestamp: 1_700_000_000_000 + first + i,
  }));
  return encodeRecordBatch({ compression: CompressionType.None, records });
}

export function startLocalBroker(
  controllers: LocalControllerCluster,
  baseDir: string,
  nodeId: number,
  overrides: Partial<BrokerNodeOptions> = {},
): Promise<BrokerNode> {
  return BrokerNode.start({
    nodeId,
    clusterId: controllers.clusterId,
    logDir: join(baseDir, `broker-${nodeId}`),
    bindHost: '127.0.0.1',
    bindPort: 0,
    listenerName: 'PLAINTEXT',
    advertisedHost: '127.0.0.1',
    advertisedPort: 0,
    controllerAddresses: controllers.addresses(),
    heartbeatIntervalMs: 100,
    replicaLagTimeMaxMs: 10_000,
    replicaFetchWaitMaxMs: 200,
    maxMessageBytes: 1024 * 1024 + 12,
    minInsyncReplicas: 1,
    metrics: null,
    // SLUICE_TEST_LOG=debug shows the brokers' logs on stderr.
    log: process.env.SLUICE_TEST_LOG
      ? createLoggers({ service: 'broker', nodeId, level: process.env.SLUICE_TEST_LOG as Level, destination: 2 }).log
      : silentLogger(),
    ...overrides,
  });
}

/** Broker gRPC clients by address, closed together. */
export class BrokerClients {
  private readonly clients = new GrpcClientPool('Broker');

  call<M extends pb.UnaryMethodName<pb.BrokerClient>>(
    node: BrokerNode,
    method: M,
    request: pb.UnaryRequest<pb.BrokerClient, M>,
    timeoutMs = 10_000,
  ): Promise<pb.UnaryResponse<pb.BrokerClient, M>> {
    return this.clients.call(node.address, method, request, { timeoutMs });
  }

  async produce(
    node: BrokerNode,
    topic: string,
    partition: number,
    records: Buffer,
    acks = -1,
    timeoutMs = 5_000,
  ): Promise<pb.ProducePartitionResult__Output> {
    const response = await this.call(node, 'Produce', {
      acks,
      timeoutMs,
      topics: [{ name: topic, partitions: [{ partition, records }] }],
    });
    return response.topics[0]!.partitions[0]!;
  }

  async fetch(
    node: BrokerNode,
    topic: string,
    partition: number,
    fetchOffset: number,
    options: { maxWaitMs?: number; minBytes?: number } = {},
  ): Promise<pb.FetchPartitionResult__Output> {
    const response = await this.call(node, 'Fetch', {
      replicaId: -1,
      replicaEpoch: -1,
      maxWaitMs: options.maxWaitMs ?? 0,
      minBytes: options.minBytes ?? 0,
      maxBytes: 1024 * 1024,
      topics: [
        {
          name: topic,
          partitions: [
            {
              partition,
              fetchOffset,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
              logStartOffset: 0,
              partitionMaxBytes: 1024 * 1024,
            },
          ],
        },
      ],
    });
    return response.topics[0]!.partitions[0]!;
  }

  close(): void {
    this.clients.close();
  }
}
