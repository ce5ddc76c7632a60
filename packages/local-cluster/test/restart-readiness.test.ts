/**
 * The launcher's readiness waits after a restart, with real processes: a broker killed with
 * SIGKILL and started again at once is still listed registered and unfenced by the controller
 * (its old registration lives until its session times out, 9 s by default), so the controller's
 * view alone says "ready" before the new process answers anything. waitForUnfencedBrokers must
 * return only once the restarted process itself serves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import { LocalCluster } from '@sluice/local-cluster';

jest.setTimeout(120_000);

/** The broker's own grpc.health.v1 answer for the whole server, or how it failed. */
async function ownHealth(address: string): Promise<string> {
  // A channel of its own, so no backoff left by the killed process delays the answer.
  const client = createGrpcClient('Health', address, { 'grpc.use_local_subchannel_pool': 1 });
  try {
    return (await unaryCall(client, 'Check', { service: '' }, { timeoutMs: 2_000 })).status;
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  } finally {
    client.close();
  }
}

describe('LocalCluster readiness after a restart', () => {
  let baseDir: string;
  let cluster: LocalCluster | undefined;

  beforeAll(async () => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-restart-readiness-'));
    cluster = await LocalCluster.start({
      baseDir,
      roles: { controller: { count: 1 }, broker: { count: 1 }, coordinator: { count: 0 } },
    });
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
    rmSync(baseDir, { recursive: true, force: true });
  });

  it('waitForUnfencedBrokers returns only once a broker restarted after kill -9 serves', async () => {
    const brokers = cluster!.brokers;
    const [brokerId] = brokers.nodeIds as [number];
    const oldPid = brokers.pid(brokerId);
    await brokers.kill(brokerId, 'SIGKILL');
    brokers.start(brokerId);
    expect(brokers.pid(brokerId)).not.toBe(oldPid);
    await cluster!.waitForUnfencedBrokers(60_000);
    // The process started above answers: not the controller's memory of the one killed.
    expect(await ownHealth(brokers.address(brokerId))).toBe('SERVING');
  });
});
