/** Shared helpers for the e2e suite: a controller client, fake brokers, topic creation, catch-up waits. */
import { existsSync, readdirSync } from 'node:fs';
import { sleep, type LocalCluster, type LocalRole } from '@sluice/local-cluster';
import { ControllerClient } from '../../services/controller/src/client/controller-client';
import type * as pb from '../../packages/proto/src';

/** A client following NOT_CONTROLLER across every controller of `cluster`, bounded by `timeoutMs` per call. */
export function controllerClient(cluster: LocalCluster, timeoutMs = 10_000): ControllerClient {
  return new ControllerClient(cluster.controllers.addresses(), {
    timeoutMs,
    attemptTimeoutMs: Math.min(1_000, timeoutMs),
    retryBackoffMs: 20,
  });
}

/** Registers brokers 1..n (racks r1..rn) and unfences them: the test plays the brokers. */
export async function registerBrokers(client: ControllerClient, clusterId: string, count: number): Promise<void> {
  for (let brokerId = 1; brokerId <= count; brokerId++) {
    const incarnationId = Buffer.concat([Buffer.alloc(15), Buffer.from([brokerId * 4])]).toString('base64url');
    const { brokerEpoch } = await client.call('RegisterBroker', {
      brokerId,
      clusterId,
      incarnationId,
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19_000 + brokerId }],
      rack: `r${brokerId}`,
    });
    const heartbeat = await client.call('BrokerHeartbeat', {
      brokerId,
      brokerEpoch,
      currentMetadataOffset: '1000000000',
      wantFence: false,
      wantShutdown: false,
    });
    if (heartbeat.isFenced) throw new Error(`broker ${brokerId} still fenced after its heartbeat`);
  }
}

export async function createTopic(
  client: ControllerClient,
  name: string,
  partitions = 3,
  replicationFactor = 3,
): Promise<pb.CreatableTopicResult__Output> {
  const response = await client.call('CreateTopics', {
    topics: [{ name, numPartitions: partitions, replicationFactor, assignments: [], configs: {} }],
  });
  const result = response.topics[0] as pb.CreatableTopicResult__Output;
  if (result.errorName !== '') throw new Error(`create ${name}: ${result.errorName} ${result.errorMessage}`);
  return result;
}

/** Topic names a node reports (DescribeTopics on that node only, no redirect). */
export async function topicsOn(controllers: LocalRole, client: ControllerClient, nodeId: number): Promise<string[]> {
  const response = await client.callNode(controllers.address(nodeId), 'DescribeTopics', { names: [] }, 1_000);
  return response.topics.map((topic) => topic.name).sort();
}

/** Waits (bounded) until `nodeId` reports every name in `expected`. */
export async function waitForTopics(
  controllers: LocalRole,
  client: ControllerClient,
  nodeId: number,
  expected: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    try {
      seen = await topicsOn(controllers, client, nodeId);
      if (expected.every((name) => seen.includes(name))) return seen;
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  throw new Error(
    `node ${nodeId} did not catch up within ${timeoutMs} ms: has ${seen.length} topics, missing ${expected.filter((n) => !seen.includes(n)).join(', ')}`,
  );
}

/** Largest snapshot index in a node's metadata directory (0 when it has none). */
export function newestSnapshotIndex(dir: string): number {
  let newest = 0;
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const match = /^(\d{20})-\d{10}\.snapshot$/.exec(name);
    if (match !== null) newest = Math.max(newest, Number(match[1]));
  }
  return newest;
}
