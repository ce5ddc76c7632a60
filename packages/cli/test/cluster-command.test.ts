import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, runCli } from '@sluice/cli';
import { assertServiceBuilt, loopbackHost } from '@sluice/local-cluster';
import { minioBinary } from '../../../test-support/minio';

/** The address `cluster up` listens on here (this jest worker's own loopback address), as a pattern. */
const HOST = loopbackHost().replace(/\./g, '\\.');

jest.setTimeout(60_000);

describe('sluice cluster up', () => {
  it('starts three controllers and three brokers as real processes, prints endpoints, stops them all', async () => {
    for (const service of ['controller', 'broker', 'coordinator']) assertServiceBuilt(service);
    let out = '';
    let err = '';
    const stateDir = mkdtempSync(join(tmpdir(), 'sluice-state-'));
    const savedStateDir = process.env.SLUICE_CLUSTER_STATE_DIR;
    process.env.SLUICE_CLUSTER_STATE_DIR = stateDir;
    let bootstrapSeen = '';
    const code = await runCli(['cluster', 'up', '--for', '0'], {
      out: (text) => {
        out += text;
        // While the cluster runs, other commands find it through this file.
        if (existsSync(join(stateDir, 'bootstrap')) && bootstrapSeen === '')
          bootstrapSeen = readFileSync(join(stateDir, 'bootstrap'), 'utf8');
      },
      err: (text) => void (err += text),
    });
    if (savedStateDir === undefined) delete process.env.SLUICE_CLUSTER_STATE_DIR;
    else process.env.SLUICE_CLUSTER_STATE_DIR = savedStateDir;
    expect(existsSync(join(stateDir, 'bootstrap'))).toBe(false);
    rmSync(stateDir, { recursive: true, force: true });
    expect(bootstrapSeen).toMatch(new RegExp(`^${HOST}:\\d+,${HOST}:\\d+,${HOST}:\\d+\\n$`));
    expect(out).toContain(
      `bootstrap (Controller gRPC API): ${bootstrapSeen.trim()}  (written to ${join(stateDir, 'bootstrap')}`,
    );
    expect(err).toBe('');
    expect(code).toBe(ExitCode.OK);
    expect(out.match(new RegExp(`controller \\d: ${HOST}:\\d+ {2}pid \\d+`, 'g'))).toHaveLength(3);
    expect(out).toContain('(active controller)');
    // Printed only once every broker registered and the controllers unfenced it.
    expect(out.match(new RegExp(`broker 10\\d: ${HOST}:\\d+ {2}pid \\d+`, 'g'))).toHaveLength(3);
    expect(out).toContain('stopped.');
    // Each process's /metrics, on a port chosen before it started.
    expect(
      out.match(new RegExp(`pid \\d+ {2}metrics http:\\/\\/${HOST}:\\d+\\/metrics`, 'g'))?.length,
    ).toBeGreaterThanOrEqual(6);
    const pids = [...out.matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('--tiering starts a local MinIO and the tiering service with the cluster and points the brokers at it; stops them too', async () => {
    minioBinary(); // builds it into the tools cache when missing (scripts/build-minio.sh)
    let out = '';
    let err = '';
    const stateDir = mkdtempSync(join(tmpdir(), 'sluice-state-'));
    const savedStateDir = process.env.SLUICE_CLUSTER_STATE_DIR;
    process.env.SLUICE_CLUSTER_STATE_DIR = stateDir;
    try {
      const code = await runCli(['cluster', 'up', '--tiering', '--controllers', '1', '--brokers', '1', '--for', '0'], {
        out: (text) => void (out += text),
        err: (text) => void (err += text),
      });
      expect(err).toBe('');
      expect(code).toBe(ExitCode.OK);
    } finally {
      if (savedStateDir === undefined) delete process.env.SLUICE_CLUSTER_STATE_DIR;
      else process.env.SLUICE_CLUSTER_STATE_DIR = savedStateDir;
      rmSync(stateDir, { recursive: true, force: true });
    }
    expect(out).toMatch(
      new RegExp(`tiered storage: MinIO http:\\/\\/${HOST}:\\d+ {2}pid \\d+ {2}bucket sluice-tiered`),
    );
    // The tiering service runs beside it, and the other commands are told where.
    expect(out).toMatch(
      new RegExp(`tiering service 1: ${HOST}:\\d+ {2}pid \\d+ {2}metrics http:\\/\\/${HOST}:\\d+\\/metrics`),
    );
    expect(out).toContain('stopped.');
    const pids = [...out.matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
    expect(pids.length).toBeGreaterThanOrEqual(4);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('--tiering without a built MinIO says how to build it and starts nothing', async () => {
    const emptyTools = mkdtempSync(join(tmpdir(), 'sluice-no-tools-'));
    const saved = process.env.SLUICE_TOOLS_DIR;
    process.env.SLUICE_TOOLS_DIR = emptyTools;
    let err = '';
    let out = '';
    try {
      const code = await runCli(['cluster', 'up', '--tiering', '--for', '0'], {
        out: (text) => void (out += text),
        err: (text) => void (err += text),
      });
      expect(code).toBe(ExitCode.FAILURE);
    } finally {
      if (saved === undefined) delete process.env.SLUICE_TOOLS_DIR;
      else process.env.SLUICE_TOOLS_DIR = saved;
      rmSync(emptyTools, { recursive: true, force: true });
    }
    expect(err).toContain(
      `not found at ${join(emptyTools, 'bin', 'minio')}: build it once with scripts/build-minio.sh`,
    );
    expect(out).toBe('');
  });

  it('rejects an unknown flag as a usage error', async () => {
    let err = '';
    const code = await runCli(['cluster', 'up', '--nodes', '3'], {
      out: () => undefined,
      err: (text) => void (err += text),
    });
    expect(code).toBe(ExitCode.USAGE);
    expect(err).toContain("unknown option '--nodes'");
  });

  it('rejects a broker count that is not a small non-negative integer', async () => {
    let err = '';
    const code = await runCli(['cluster', 'up', '--brokers', 'many'], {
      out: () => undefined,
      err: (text) => void (err += text),
    });
    expect(code).toBe(ExitCode.USAGE);
    expect(err).toContain('--brokers must be an integer');
  });
});
