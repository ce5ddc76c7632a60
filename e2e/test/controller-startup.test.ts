/** A controller refuses to start on an unformatted directory or one from another cluster. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLogDirs, randomKafkaUuid } from '@sluice/runtime';
import { LocalCluster, assertServiceBuilt, freePort, serviceMainPath } from '@sluice/local-cluster';

// The bounds below are for a process that hangs, not for the expected path: a refusal exits in
// about a second on an idle machine, but a 2-core machine running the suite's jest workers and
// their clusters gives a fresh Node.js process a small share of a core (CI saw over 15 s).
jest.setTimeout(150_000);

function runController(configFile: string, timeoutMs = 60_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [serviceMainPath('controller'), '--config', configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('controller start-up checks (real processes)', () => {
  let baseDir: string;
  beforeAll(() => {
    assertServiceBuilt('controller');
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-startup-'));
  });
  afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

  it('refuses an unformatted metadata directory (exit 1, says how to format)', async () => {
    const dir = join(baseDir, 'unformatted');
    mkdirSync(dir);
    const port = await freePort();
    const config = join(baseDir, 'unformatted.properties');
    writeFileSync(
      config,
      [
        'node.id=1',
        'process.roles=controller',
        `controller.quorum.voters=1@127.0.0.1:${port}`,
        `metadata.log.dir=${dir}`,
        'metrics.port=0',
      ].join('\n'),
    );
    const { code, stderr } = await runController(config);
    expect(code).toBe(1);
    expect(stderr).toContain('not formatted');
    expect(stderr).toContain('sluice storage format');
  });

  it('refuses a bad configuration naming the key (exit 1)', async () => {
    const config = join(baseDir, 'bad.properties');
    writeFileSync(config, ['node.id=one', 'process.roles=controller'].join('\n'));
    const { code, stderr } = await runController(config);
    expect(code).toBe(1);
    expect(stderr).toContain("'node.id'");
  });

  it('refuses to join a quorum whose voters belong to another cluster', async () => {
    const cluster = await LocalCluster.create({
      baseDir: join(baseDir, 'quorum'),
      roles: { controller: { count: 3 }, broker: { count: 0 } },
    });
    const controllers = cluster.controllers;
    try {
      controllers.start(1);
      controllers.start(2);
      await cluster.waitForControllerLeader(60_000);
      // Node 3's directory is reformatted for a different cluster id.
      const dir = controllers.dataDir(3);
      rmSync(dir, { recursive: true, force: true });
      formatLogDirs({ clusterId: randomKafkaUuid(), nodeId: 3, logDirs: [dir] });
      const { code, stderr } = await runController(controllers.configFile(3));
      expect(code).toBe(1);
      expect(stderr).toMatch(/cluster/);
      expect(stderr).toContain(cluster.clusterId);
      // SIGTERM stops a controller cleanly (exit 0).
      await controllers.kill(1, 'SIGTERM');
      expect(await controllers.exitCode(1, 30_000)).toBe(0);
    } finally {
      await cluster.stop();
    }
  });
});
