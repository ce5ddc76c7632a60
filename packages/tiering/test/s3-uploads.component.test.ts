/**
 * File uploads (`S3ObjectStore.putFile`) against a real MinIO: a segment's bytes and its trailer
 * arrive as one object byte for byte, with the read buffers reused across chunks and concurrent
 * uploads of different files (UploadChunkPool: a buffer is read into again only after its request
 * flushed it), and a failed upload neither leaves its file open nor gives back buffers it may
 * still have had in flight.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterTieringConfig, RemoteStorageError, S3ObjectStore, type S3StorageConfig } from '../src';
import { MINIO_PASSWORD, MINIO_USER, startMinio, type RunningMinio } from '../../../test-support/minio';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;

/** Descriptors of this process open on files under `dir`. */
function openFilesUnder(dir: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) count++;
    } catch {
      // Closed meanwhile.
    }
  }
  return count;
}

describe('S3ObjectStore file uploads against MinIO', () => {
  let minio: RunningMinio;
  let s3: S3StorageConfig;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-uploads-'));

  beforeAll(async () => {
    minio = await startMinio();
    s3 = parseClusterTieringConfig({
      'remote.log.storage.system.enable': 'true',
      'rsm.config.storage.s3.endpoint.url': minio.endpointUrl,
      'rsm.config.storage.s3.region': 'us-east-1',
      'rsm.config.storage.s3.bucket.name': 'sluice-uploads-test',
      'rsm.config.storage.s3.path.style.access.enabled': 'true',
      'rsm.config.storage.aws.access.key.id': MINIO_USER,
      'rsm.config.storage.aws.secret.access.key': MINIO_PASSWORD,
    }).s3!;
  });

  afterAll(async () => {
    await minio?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('concurrent uploads of different files through few reused buffers arrive byte for byte, trailers after them', async () => {
    // Two idle buffers for 24 uploads at once: most chunks go through reused buffers.
    const store = new S3ObjectStore(s3, { idleUploadBuffers: 2 });
    try {
      await store.ensureBucket();
      const sizes = [1, MiB - 1, MiB, MiB + 1, 3 * MiB + 17, 5 * MiB, 700_000, 2 * MiB];
      const files = Array.from({ length: 24 }, (_, i) => {
        const path = join(dir, `segment-${i}.log`);
        const sizeBytes = sizes[i % sizes.length]!;
        // Longer than the range PUT: only the first sizeBytes go.
        writeFileSync(path, randomBytes(sizeBytes + 100));
        return { path, sizeBytes, trailer: i % 3 === 0 ? undefined : randomBytes(50 + i) };
      });
      for (let round = 0; round < 2; round++) {
        await Promise.all(files.map((f, i) => store.putFile(`up/${round}/${i}`, f.path, f.sizeBytes, f.trailer)));
        for (const [i, f] of files.entries()) {
          const expected = Buffer.concat([readFileSync(f.path).subarray(0, f.sizeBytes), f.trailer ?? Buffer.alloc(0)]);
          expect((await store.get(`up/${round}/${i}`)).equals(expected)).toBe(true);
        }
      }
      const pool = store.uploadBufferCounters()!;
      expect(pool.reused).toBeGreaterThan(pool.created);
      expect(pool.idle).toBeLessThanOrEqual(2);
      expect(store.counters().putBytes).toBe(
        2 * files.reduce((sum, f) => sum + f.sizeBytes + (f.trailer?.length ?? 0), 0),
      );
      expect(openFilesUnder(dir)).toBe(0);
    } finally {
      store.destroy();
    }
  });

  it('an upload to a stopped store fails by name, closes its file, and keeps no buffer it may still have had in flight', async () => {
    // The SDK's own log: a failed request reaches onWarning; a successful one does not.
    const warnings: unknown[][] = [];
    const store = new S3ObjectStore(s3, {
      idleUploadBuffers: 4,
      maxAttempts: 1,
      requestTimeoutMs: 5_000,
      onWarning: (...content) => warnings.push(content),
    });
    const path = join(dir, 'stopped.log');
    writeFileSync(path, randomBytes(4 * MiB));
    try {
      await store.putFile('warm', path, 4 * MiB);
      expect(warnings).toEqual([]);
      const before = store.uploadBufferCounters()!;
      await minio.stop();
      try {
        await expect(store.putFile('stopped', path, 4 * MiB, Buffer.from('trailer'))).rejects.toBeInstanceOf(
          RemoteStorageError,
        );
      } finally {
        await minio.restart();
      }
      // The SDK's warning about the stream it cannot retry, and its logger middleware's error entry.
      const logged = JSON.stringify(warnings, (_key, value: unknown) =>
        value instanceof Error ? value.message : value,
      );
      expect(logged).toMatch(/non-retryable streaming request/);
      expect(logged).toMatch(/PutObjectCommand/);
      expect(openFilesUnder(dir)).toBe(0);
      // Nothing was flushed to a store that was not there: no buffer came back from that upload.
      expect(store.uploadBufferCounters()!.idle).toBeLessThanOrEqual(before.idle);
      const warned = warnings.length;
      await store.putFile('after', path, 4 * MiB);
      expect((await store.get('after')).equals(readFileSync(path))).toBe(true);
      expect(warnings.length).toBe(warned);
    } finally {
      store.destroy();
    }
  });

  it('a file shorter than the size asked fails the upload at once, by name', async () => {
    const store = new S3ObjectStore(s3, { maxAttempts: 1, requestTimeoutMs: 30_000 });
    const path = join(dir, 'short.log');
    writeFileSync(path, randomBytes(MiB + 5));
    try {
      const started = Date.now();
      await expect(store.putFile('short', path, 3 * MiB)).rejects.toThrow(/5 bytes at 1048576, expected 1048576/);
      // Not the request timeout: the read error aborted it.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(openFilesUnder(dir)).toBe(0);
    } finally {
      store.destroy();
    }
  });
});
