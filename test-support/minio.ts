/**
 * MinIO for the tiered-storage tests: built once by scripts/build-minio.sh from the Go module
 * proxy into a cache outside the repository, started as a process on loopback with OS-chosen
 * ports and its own data directory, stopped by pid. Real S3 semantics (ranged GETs, multi-object
 * deletes, listing), no in-memory fake.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, sleep } from '@sluice/local-cluster';

const BUILD_SCRIPT = join(__dirname, '../scripts/build-minio.sh');
/** The first build takes about 4 minutes on 2 cores; later ones print the cached path. */
const BUILD_TIMEOUT_MS = 20 * 60_000;

export const MINIO_USER = 'sluice';
export const MINIO_PASSWORD = 'sluice-secret';

export interface RunningMinio {
  /** `http://127.0.0.1:<port>`, the S3 endpoint. */
  readonly endpointUrl: string;
  readonly dataDir: string;
  pid(): number;
  /** SIGTERM (SIGKILL after a bound); the data directory stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/** The binary's path, building it first when the cache lacks it. */
export function minioBinary(): string {
  const out = execFileSync('bash', [BUILD_SCRIPT], {
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const path = out.trim().split('\n').at(-1);
  if (path === undefined || path === '') throw new Error('scripts/build-minio.sh printed no binary path');
  return path;
}

function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts MinIO and waits (bounded) until its liveness endpoint answers. */
export async function startMinio(readyTimeoutMs = 60_000): Promise<RunningMinio> {
  const binary = minioBinary();
  const baseDir = mkdtempSync(join(tmpdir(), 'sluice-minio-'));
  const dataDir = join(baseDir, 'data');
  const [apiPort, consolePort] = (await freePorts(2)) as [number, number];
  const endpointUrl = `http://127.0.0.1:${apiPort}`;
  let child: ChildProcess | null = null;

  const launch = async (): Promise<void> => {
    const logFd = openSync(join(baseDir, 'minio.log'), 'a');
    const started = spawn(
      binary,
      [
        'server',
        dataDir,
        '--address',
        `127.0.0.1:${apiPort}`,
        '--console-address',
        `127.0.0.1:${consolePort}`,
        '--quiet',
      ],
      {
        stdio: ['ignore', logFd, logFd],
        env: { ...process.env, MINIO_ROOT_USER: MINIO_USER, MINIO_ROOT_PASSWORD: MINIO_PASSWORD, MINIO_BROWSER: 'off' },
      },
    );
    closeSync(logFd);
    child = started;
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (started.exitCode !== null) {
        throw new Error(`minio exited with ${started.exitCode} before answering (log ${join(baseDir, 'minio.log')})`);
      }
      const ok = await fetch(`${endpointUrl}/minio/health/live`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) {
        await stopChild(started, 5_000);
        throw new Error(`minio did not answer within ${readyTimeoutMs} ms (log ${join(baseDir, 'minio.log')})`);
      }
      await sleep(100);
    }
  };

  const stop = async (): Promise<void> => {
    if (child !== null) await stopChild(child, 5_000);
  };
  try {
    await launch();
  } catch (error) {
    rmSync(baseDir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpointUrl,
    dataDir,
    pid: () => child?.pid ?? -1,
    stop,
    restart: launch,
    destroy: async () => {
      await stop();
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
