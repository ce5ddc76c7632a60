/**
 * Test support: a real 3-controller quorum (child processes on loopback, OS-chosen ports) and
 * three brokers played by the test itself through RegisterBroker + BrokerHeartbeat, so topics
 * with replication factor 3 can be placed before services/broker exists.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerClient } from '@sluice/controller';
import { LocalCluster, sleep, type LocalRole } from '@sluice/local-cluster';

export interface TestCluster {
  readonly clusterId: string;
  /** The three controller processes. */
  readonly controllers: LocalRole;
  readonly client: ControllerClient;
  /** The leader when the cluster came up; an election under load may replace it (see `currentLeader`). */
  readonly leaderId: number;
  /** Addresses of the nodes that were followers when the cluster came up. */
  readonly followers: readonly string[];
  readonly brokerIds: readonly number[];
  /**
   * The active controller now, asked of each controller directly: the node that reports itself
   * leader on the highest term any node reports; null while none does (an election is running,
   * or the winner has not activated: until then it does not answer DescribeCluster).
   */
  currentLeader(): Promise<QuorumLeader | null>;
  stop(): Promise<void>;
}

export interface QuorumLeader {
  readonly leaderId: number;
  readonly term: number;
}

function incarnationId(brokerId: number): string {
  return Buffer.concat([Buffer.alloc(15, 7), Buffer.from([brokerId * 4])]).toString('base64url');
}

export async function startTestCluster(brokerCount = 3): Promise<TestCluster> {
  const local = await LocalCluster.create({
    baseDir: mkdtempSync(join(tmpdir(), 'sluice-admin-test-')),
    roles: { controller: { count: 3 }, broker: { count: 0 } },
  });
  const client = new ControllerClient(local.controllers.addresses(), {
    timeoutMs: 10_000,
    attemptTimeoutMs: 1_000,
    retryBackoffMs: 20,
  });
  let heartbeating = true;
  let loop: Promise<void> = Promise.resolve();
  const stop = async (): Promise<void> => {
    heartbeating = false;
    await loop;
    client.close();
    await local.stop({ removeBaseDir: true });
  };
  try {
    await local.start({ leaderTimeoutMs: 20_000 });
    const leaderId = await local.waitForControllerLeader(20_000);
    const brokerIds = Array.from({ length: brokerCount }, (_, i) => i + 1);
    const epochs = new Map<number, string>();
    for (const brokerId of brokerIds) {
      const response = await client.call('RegisterBroker', {
        brokerId,
        clusterId: local.clusterId,
        incarnationId: incarnationId(brokerId),
        listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19_090 + brokerId }],
        rack: '',
      });
      epochs.set(brokerId, String(response.brokerEpoch));
    }
    const fenced = new Set(brokerIds);
    const round = async (): Promise<void> => {
      await Promise.all(
        brokerIds.map(async (brokerId) => {
          try {
            const answer = await client.call('BrokerHeartbeat', {
              brokerId,
              brokerEpoch: epochs.get(brokerId),
              currentMetadataOffset: '1000000000',
              wantFence: false,
              wantShutdown: false,
            });
            if (answer.isFenced) fenced.add(brokerId);
            else fenced.delete(brokerId);
          } catch {
            // The next round retries; a test that needs the broker waits for it below.
          }
        }),
      );
    };
    const deadline = Date.now() + 10_000;
    while (fenced.size > 0) {
      if (Date.now() > deadline) throw new Error(`brokers still fenced: ${[...fenced].join(', ')}`);
      await round();
      if (fenced.size > 0) await sleep(50);
    }
    loop = (async () => {
      while (heartbeating) {
        await round();
        await sleep(250);
      }
    })();
    const controllers = local.controllers;
    const followers = controllers.nodeIds.filter((id) => id !== leaderId).map((id) => controllers.address(id));
    const currentLeader = async (): Promise<QuorumLeader | null> => {
      const views = await Promise.all(
        controllers
          .running()
          .map((id) => client.callNode(controllers.address(id), 'DescribeCluster', {}, 1_000).catch(() => undefined)),
      );
      const answered = views.filter((view) => view !== undefined);
      const term = Math.max(-1, ...answered.map((view) => Number(view.raftTerm)));
      const leader = answered.find((view) => Number(view.raftTerm) === term && view.controllerId === view.nodeId);
      return leader === undefined ? null : { leaderId: leader.nodeId, term };
    };
    return { clusterId: local.clusterId, controllers, client, leaderId, followers, brokerIds, currentLeader, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
