/**
 * MinIO for the tiered-storage tests: built once by scripts/build-minio.sh from the Go module
 * proxy into a cache outside the repository (the first build takes about 4 minutes), then started
 * by packages/local-cluster as a process on loopback with OS-chosen ports and its own data
 * directory, stopped by pid. Real S3 semantics (ranged GETs, multi-object deletes, listing), no
 * in-memory fake.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINIO_ROOT_PASSWORD, MINIO_ROOT_USER, startMinioProcess, type MinioProcess } from '@sluice/local-cluster';

const BUILD_SCRIPT = join(__dirname, '../scripts/build-minio.sh');
const BUILD_TIMEOUT_MS = 20 * 60_000;

export const MINIO_USER = MINIO_ROOT_USER;
export const MINIO_PASSWORD = MINIO_ROOT_PASSWORD;

export interface RunningMinio extends MinioProcess {
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

export async function startMinio(readyTimeoutMs = 60_000): Promise<RunningMinio> {
  const baseDir = mkdtempSync(join(tmpdir(), 'sluice-minio-'));
  let minio: MinioProcess;
  try {
    minio = await startMinioProcess({ binary: minioBinary(), baseDir, readyTimeoutMs });
  } catch (error) {
    rmSync(baseDir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpointUrl: minio.endpointUrl,
    dataDir: minio.dataDir,
    logFile: minio.logFile,
    pid: minio.pid,
    stop: minio.stop,
    restart: minio.restart,
    destroy: async () => {
      await minio.stop();
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
