/** Test support: in-process BrokerNodes on loopback against a real controller process (LocalCluster). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerClient } from '@sluice/controller';
import { LocalCluster, type Settings } from '@sluice/local-cluster';
import { CompressionType, encodeRecordBatch } from '@sluice/protocol';
import { createLoggers, silentLogger, type Level } from '@sluice/runtime';
import { GrpcClientPool } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import { BrokerNode, type BrokerNodeOptions } from '../../src/node/broker-node';

export interface ControllerProcess {
  /** One controller, no brokers of its own: the test runs its brokers in-process. */
  readonly cluster: LocalCluster;
  /** A client following NOT_CONTROLLER on it. */
  readonly controller: ControllerClient;
}

/**
 * Bound on one controller process starting and electing itself. Measured 4-7 s at load average
 * 25-28 on a 2-core machine; the 15 s this used to allow was half the launcher's own default and
 * left a CI box at load 36 about twice that, too little room.
 */
const CONTROLLER_LEADER_TIMEOUT_MS = 30_000;

/** Starts one real controller process with `config` (Kafka names) in a new temp dir and waits for it to lead. */
export async function startControllerProcess(name: string, config: Settings = {}): Promise<ControllerProcess> {
  const cluster = await LocalCluster.start(
    {
      baseDir: mkdtempSync(join(tmpdir(), `sluice-${name}-`)),
      roles: { controller: { count: 1, config }, broker: { count: 0 } },
    },
    { leaderTimeoutMs: CONTROLLER_LEADER_TIMEOUT_MS },
  );
  const controller = new ControllerClient(cluster.controllers.addresses(), {
    timeoutMs: 10_000,
    attemptTimeoutMs: 1_000,
    retryBackoffMs: 20,
  });
  return { cluster, controller };
}

/**
 * Stops what a test started with startControllerProcess and startLocalBroker: its broker
 * clients, its brokers (no controlled shutdown) and the controller process with its directory.
 */
export async function stopLocalBrokers(
  brokers: Iterable<BrokerNode>,
  clients: BrokerClients,
  started: Partial<ControllerProcess>,
): Promise<void> {
  clients.close();
  await Promise.all([...brokers].map((b) => b.stop(false)));
  started.controller?.close();
  await started.cluster?.stop({ removeBaseDir: true });
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

/** An in-process broker of `cluster`, its log directory under the cluster's base directory. */
export function startLocalBroker(
  cluster: LocalCluster,
  nodeId: number,
  overrides: Partial<BrokerNodeOptions> = {},
): Promise<BrokerNode> {
  return BrokerNode.start({
    nodeId,
    clusterId: cluster.clusterId,
    logDir: join(cluster.baseDir, `broker-${nodeId}`),
    bindHost: '127.0.0.1',
    bindPort: 0,
    listenerName: 'PLAINTEXT',
    advertisedHost: '127.0.0.1',
    advertisedPort: 0,
    controllerAddresses: cluster.controllers.addresses(),
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
    // acks=all waits for the followers: on a 2-core CI machine running the suite's other workers
    // that took over 5 s. An answer that times out after the append would make a retry a duplicate.
    timeoutMs = 30_000,
  ): Promise<pb.ProducePartitionResult__Output> {
    const response = await this.call(
      node,
      'Produce',
      { acks, timeoutMs, topics: [{ name: topic, partitions: [{ partition, records }] }] },
      timeoutMs + 10_000,
    );
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
