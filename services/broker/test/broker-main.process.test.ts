/**
 * `node services/broker/dist/main.js --config FILE` as a real process against a real controller
 * process: refuses an unformatted log directory and one formatted for another cluster (exit 1,
 * one line on stderr); otherwise registers, serves gRPC health and /metrics, and stops cleanly
 * on SIGTERM (controlled shutdown, exit 0).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControllerClient } from '@sluice/controller';
import type { LocalCluster } from '@sluice/local-cluster';
import { formatLogDirs, randomKafkaUuid } from '@sluice/runtime';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import { startControllerProcess } from './support/local-brokers';

jest.setTimeout(30_000);

const BROKER_MAIN = join(__dirname, '..', 'dist', 'main.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function startBroker(configFile: string): {
  done: Promise<Run>;
  kill: (signal: NodeJS.Signals) => void;
  stdout: () => string;
} {
  const child = spawn(process.execPath, [BROKER_MAIN, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  void done.then(() => clearTimeout(timer));
  return { done, kill: (signal) => child.kill(signal), stdout: () => stdout };
}

describe('broker main.js', () => {
  let cluster: LocalCluster;
  let baseDir: string;
  let controller: ControllerClient;

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('broker-main'));
    baseDir = cluster.baseDir;
  });

  afterAll(async () => {
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  const writeConfig = (nodeId: number, logDir: string): string => {
    const file = join(baseDir, `broker-${nodeId}.properties`);
    mkdirSync(logDir, { recursive: true });
    writeFileSync(
      file,
      [
        `node.id=${nodeId}`,
        'process.roles=broker',
        `controller.quorum.voters=1@${cluster.controllers.address(1)}`,
        'listeners=PLAINTEXT://127.0.0.1:0',
        `log.dirs=${logDir}`,
        'metrics.host=127.0.0.1',
        'metrics.port=0',
        'broker.heartbeat.interval.ms=100',
      ].join('\n') + '\n',
    );
    return file;
  };

  it('refuses an unformatted log directory', async () => {
    const run = await startBroker(writeConfig(11, join(baseDir, 'unformatted'))).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refusing to start: .*not formatted/);
  });

  it('refuses a log directory formatted for another cluster', async () => {
    const dir = join(baseDir, 'other-cluster');
    formatLogDirs({ clusterId: randomKafkaUuid(), nodeId: 12, logDirs: [dir] });
    const run = await startBroker(writeConfig(12, dir)).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refusing to start: INCONSISTENT_CLUSTER_ID/);
  });

  it('registers, serves health and /metrics, and stops on SIGTERM with a controlled shutdown', async () => {
    const dir = join(baseDir, 'good');
    formatLogDirs({ clusterId: cluster.clusterId, nodeId: 13, logDirs: [dir] });
    const broker = startBroker(writeConfig(13, dir));
    let ready: { address: string; metricsPort: number } | undefined;
    const deadline = Date.now() + 15_000;
    while (ready === undefined && Date.now() < deadline) {
      const line = broker
        .stdout()
        .split('\n')
        .find((l) => l.includes('"broker ready"'));
      if (line !== undefined) ready = JSON.parse(line) as { address: string; metricsPort: number };
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(ready).toBeDefined();
    const health = createGrpcClient('Health', ready!.address);
    try {
      // Readiness follows the first heartbeat that unfences the broker (it hosts no partitions).
      let status: unknown;
      for (const until = Date.now() + 10_000; Date.now() < until;) {
        status = await unaryCall(health, 'Check', { service: 'sluice.v1.Broker' }, { timeoutMs: 2_000 });
        if ((status as { status?: string }).status === 'SERVING') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toEqual({ status: 'SERVING' });
    } finally {
      health.close();
    }
    const metrics = await fetch(`http://127.0.0.1:${ready!.metricsPort}/metrics`).then((r) => r.text());
    expect(metrics).toContain('sluice_broker_metadata_offset');
    const unfenced = async (): Promise<boolean> =>
      (await controller.call('DescribeCluster', {})).brokers.some((b) => b.brokerId === 13 && !b.fenced);
    const until = Date.now() + 10_000;
    while (!(await unfenced()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await unfenced()).toBe(true);

    broker.kill('SIGTERM');
    const run = await broker.done;
    expect(run.code).toBe(0);
    const after = await controller.call('DescribeCluster', {});
    expect(after.brokers.find((b) => b.brokerId === 13)?.fenced).toBe(true);
  });
});
