/**
 * Controller readiness (grpc.health.v1 `sluice.v1.Controller`, the chart's readiness probe) on
 * three real controller processes: every voter is SERVING once the quorum runs; a leader that
 * lost its quorum reports NOT_SERVING; a controller killed -9 while topics were created and
 * restarted reports NOT_SERVING while it has no leader, and once it reports SERVING again it has
 * applied what was committed while it was down (the lag bound is 0 here, so SERVING means it
 * applied the leader's whole commit).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster, sleep } from '@sluice/local-cluster';
import { GrpcClientPool } from '@sluice/proto';
import type { ControllerClient } from '../../services/controller/src/client/controller-client';
import { controllerClient, createTopic, registerBrokers, topicsOn, waitForTopics } from './support';

jest.setTimeout(90_000);

const SERVICE = 'sluice.v1.Controller';
/** How long the restarted controller is watched while it has no leader: it must never say SERVING. */
const LEADERLESS_WATCH_MS = 1_000;
/** Over twice the interval at which a controller persists a commit-only change. */
const COMMIT_FLUSH_WAIT_MS = 500;

describe('controller readiness: three real processes', () => {
  let baseDir: string;
  let cluster: LocalCluster;
  let client: ControllerClient;
  const health = new GrpcClientPool('Health', { callTimeoutMs: 1_000 });

  /** The node's sluice.v1.Controller status, or 'DOWN' while it does not answer. */
  const status = (nodeId: number): Promise<string> =>
    health.call(cluster.controllers.address(nodeId), 'Check', { service: SERVICE }).then(
      (answer) => answer.status,
      () => 'DOWN',
    );

  /** Polls (bounded) until `nodeId` reports `wanted`. */
  async function waitForStatus(nodeId: number, wanted: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await status(nodeId);
      if (last === wanted) return;
      await sleep(50);
    }
    throw new Error(`controller ${nodeId} still ${last} after ${timeoutMs} ms, wanted ${wanted}`);
  }

  beforeAll(async () => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-controller-readiness-'));
    cluster = await LocalCluster.create({
      baseDir,
      roles: {
        controller: {
          count: 3,
          config: {
            'controller.readiness.max.lag.offsets': 0,
            // The test plays the brokers and does not heartbeat in the background.
            'broker.session.timeout.ms': 600_000,
          },
        },
        broker: { count: 0 },
      },
    });
    client = controllerClient(cluster, 10_000);
    await cluster.start({ leaderTimeoutMs: 20_000 });
    await registerBrokers(client, cluster.clusterId, 3);
  });

  afterAll(async () => {
    health.close();
    client?.close();
    await cluster?.stop();
    if (baseDir !== undefined) rmSync(baseDir, { recursive: true, force: true });
  });

  it('a restarted controller is NOT_SERVING until it has a leader and has caught up', async () => {
    for (const nodeId of cluster.controllers.nodeIds) await waitForStatus(nodeId, 'SERVING', 10_000);

    const leader = await cluster.waitForControllerLeader(5_000);
    const [lagging, witness] = cluster.controllers.nodeIds.filter((id) => id !== leader) as [number, number];
    await cluster.controllers.kill(lagging, 'SIGKILL');
    const missed: string[] = [];
    for (let i = 0; i < 5; i++) missed.push((await createTopic(client, `missed-${i}`)).name);
    // The witness applied them, so it will lead the restarted node with them committed.
    await waitForTopics(cluster.controllers, client, witness, missed, 10_000);
    // A follower writes a commit-only change to disk every 200 ms (raft-quorum.ts): past that, the
    // witness restarts knowing them committed, so its first message to the restarted node says so.
    await sleep(COMMIT_FLUSH_WAIT_MS);

    // The leader without its quorum steps down (check-quorum) and says so.
    await cluster.controllers.kill(witness, 'SIGKILL');
    await waitForStatus(leader, 'NOT_SERVING', 10_000);
    await cluster.controllers.kill(leader, 'SIGKILL');

    // Alone, the restarted controller has no leader: it answers, and never SERVING.
    cluster.controllers.start(lagging);
    await waitForStatus(lagging, 'NOT_SERVING', 15_000);
    const watchUntil = Date.now() + LEADERLESS_WATCH_MS;
    while (Date.now() < watchUntil) {
      expect(await status(lagging)).toBe('NOT_SERVING');
      await sleep(50);
    }

    // With the witness back, the two form a quorum; SERVING comes only with what it missed applied.
    cluster.controllers.start(witness);
    await waitForStatus(lagging, 'SERVING', 20_000);
    expect(await topicsOn(cluster.controllers, client, lagging)).toEqual(expect.arrayContaining(missed));
  });
});
