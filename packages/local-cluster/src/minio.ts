/**
 * MinIO (an S3-compatible server) as a local process, for `sluice cluster up --tiering` and the
 * tiered-storage tests: its binary is built by scripts/build-minio.sh into the tools cache (this
 * module never builds it), started on loopback with OS-chosen ports and its own data directory,
 * stopped by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePorts, loopbackHost } from './ports';
import { sleep } from './wait';

export const MINIO_ROOT_USER = 'sluice';
export const MINIO_ROOT_PASSWORD = 'sluice-secret';

/** Where scripts/build-minio.sh puts the binary: $SLUICE_TOOLS_DIR/bin, else ~/.cache/sluice-tools/bin. */
export function minioBinaryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.SLUICE_TOOLS_DIR ?? join(homedir(), '.cache', 'sluice-tools'), 'bin', 'minio');
}

/** The cached binary, or null when it has not been built. */
export function findMinioBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  const path = minioBinaryPath(env);
  return existsSync(path) ? path : null;
}

export interface MinioProcess {
  /** `http://127.0.0.1:<port>`, the S3 endpoint. */
  readonly endpointUrl: string;
  readonly dataDir: string;
  readonly logFile: string;
  pid(): number;
  /** SIGTERM (SIGKILL after a bound); the data directory stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
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

/**
 * Starts MinIO with its data under `baseDir` and waits (bounded) until it serves S3 requests.
 * Its liveness endpoint (`/minio/health/live`) answers 200 while the object layer is still
 * initialising (a PUT then fails with XMinioServerNotInitialized, seen after a restart on a busy
 * machine); `/minio/health/cluster` answers 200 only once the object layer, bucket metadata and
 * IAM are up and the drives have write quorum.
 */
export async function startMinioProcess(options: {
  readonly binary: string;
  readonly baseDir: string;
  readonly readyTimeoutMs?: number;
  /** More `minio server` flags (bench:tiering --minio-cost measures `--no-compat`); none by default. */
  readonly serverFlags?: readonly string[];
}): Promise<MinioProcess> {
  const { binary, baseDir } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const dataDir = join(baseDir, 'data');
  const logFile = join(baseDir, 'minio.log');
  mkdirSync(dataDir, { recursive: true });
  const host = loopbackHost();
  const [apiPort, consolePort] = (await freePorts(2, host)) as [number, number];
  const endpointUrl = `http://${host}:${apiPort}`;
  let child: ChildProcess | null = null;

  const launch = async (): Promise<void> => {
    const logFd = openSync(logFile, 'a');
    const started = spawn(
      binary,
      [
        'server',
        dataDir,
        '--address',
        `${host}:${apiPort}`,
        '--console-address',
        `${host}:${consolePort}`,
        '--quiet',
        ...(options.serverFlags ?? []),
      ],
      {
        stdio: ['ignore', logFd, logFd],
        env: { ...process.env, MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, MINIO_BROWSER: 'off' },
      },
    );
    closeSync(logFd);
    child = started;
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (started.exitCode !== null)
        throw new Error(`minio exited with ${started.exitCode} before answering (log ${logFile})`);
      const ok = await fetch(`${endpointUrl}/minio/health/cluster`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) {
        await stopChild(started, 5_000);
        throw new Error(`minio did not answer within ${readyTimeoutMs} ms (log ${logFile})`);
      }
      await sleep(100);
    }
  };
  await launch();
  return {
    endpointUrl,
    dataDir,
    logFile,
    pid: () => child?.pid ?? -1,
    stop: async () => {
      if (child !== null) await stopChild(child, 5_000);
    },
    restart: launch,
  };
}

/** Broker properties that point tiered storage at a local MinIO (path-style, its root credentials). */
export function minioTieringSettings(endpointUrl: string, bucket: string): Record<string, string> {
  return {
    'remote.log.storage.system.enable': 'true',
    'rsm.config.storage.s3.endpoint.url': endpointUrl,
    'rsm.config.storage.s3.region': 'us-east-1',
    'rsm.config.storage.s3.bucket.name': bucket,
    'rsm.config.storage.s3.path.style.access.enabled': 'true',
    'rsm.config.storage.aws.access.key.id': MINIO_ROOT_USER,
    'rsm.config.storage.aws.secret.access.key': MINIO_ROOT_PASSWORD,
  };
}
