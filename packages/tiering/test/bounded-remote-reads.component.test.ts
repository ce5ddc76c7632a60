/**
 * The broker's bound on remote reads (`remote.log.reader.threads`, `remote.log.reader.max.pending.tasks`)
 * against a real MinIO: many parallel reads through the chunk cache, as many fetches of cold
 * partitions make, never have more GETs in flight at the store than the bound, and do reach it
 * (the reads run in parallel up to it, not one at a time); past the pending bound reads are
 * refused at once and change nothing. The in-flight count is taken at the real store's door by a
 * pass-through that counts, not by the limiter itself.
 */
import { randomBytes } from 'node:crypto';
import {
  BoundedReadStore,
  ChunkCache,
  ConcurrencyLimiter,
  ConcurrencyLimitError,
  parseClusterTieringConfig,
  S3ObjectStore,
  type ObjectStore,
} from '../src';
import { MINIO_PASSWORD, MINIO_USER, startMinio, type RunningMinio } from '../../../test-support/minio';

jest.setTimeout(120_000);

const OBJECTS = 12;
const OBJECT_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const PREFIX = 'bounded-reads/';

/** Forwards every call to `store`, counting the GETs in flight at once. */
function countingGets(store: ObjectStore): { store: ObjectStore; peak: () => number; gets: () => number } {
  let inFlight = 0;
  let peak = 0;
  let gets = 0;
  const counted = async <T>(get: () => Promise<T>): Promise<T> => {
    inFlight++;
    gets++;
    peak = Math.max(peak, inFlight);
    try {
      return await get();
    } finally {
      inFlight--;
    }
  };
  return {
    store: {
      put: (key, body) => store.put(key, body),
      putFile: (key, path, sizeBytes, trailer) => store.putFile(key, path, sizeBytes, trailer),
      putFiles: (key, files, trailer) => store.putFiles(key, files, trailer),
      getRange: (key, start, end) => counted(() => store.getRange(key, start, end)),
      get: (key) => counted(() => store.get(key)),
      deleteMany: (keys) => store.deleteMany(keys),
      list: (prefix) => store.list(prefix),
      listMultipartUploads: (prefix) => store.listMultipartUploads(prefix),
      abortMultipartUpload: (key, uploadId) => store.abortMultipartUpload(key, uploadId),
    },
    peak: () => peak,
    gets: () => gets,
  };
}

describe('remote reads bounded broker-wide, against MinIO', () => {
  let minio: RunningMinio;
  let s3: S3ObjectStore;
  const objects: Buffer[] = [];
  const keyOf = (i: number): string => `${PREFIX}object-${i}.log`;

  beforeAll(async () => {
    minio = await startMinio();
    const config = parseClusterTieringConfig({
      'remote.log.storage.system.enable': 'true',
      'rsm.config.storage.s3.endpoint.url': minio.endpointUrl,
      'rsm.config.storage.s3.region': 'us-east-1',
      'rsm.config.storage.s3.bucket.name': 'sluice-bounded-reads',
      'rsm.config.storage.s3.path.style.access.enabled': 'true',
      'rsm.config.storage.aws.access.key.id': MINIO_USER,
      'rsm.config.storage.aws.secret.access.key': MINIO_PASSWORD,
    });
    s3 = new S3ObjectStore(config.s3!);
    await s3.ensureBucket();
    for (let i = 0; i < OBJECTS; i++) {
      objects.push(randomBytes(OBJECT_BYTES));
      await s3.put(keyOf(i), objects[i]!);
    }
  });

  afterAll(async () => {
    s3?.destroy();
    await minio?.destroy();
  });

  it.each([1, 4])(
    'with remote.log.reader.threads=%i, 48 parallel reads of 12 objects keep that many GETs in flight, no more',
    async (threads) => {
      const counting = countingGets(s3);
      const limiter = new ConcurrencyLimiter(threads, 1000);
      const chunks = new ChunkCache(new BoundedReadStore(counting.store, limiter), CHUNK_BYTES, 64 * 1024 * 1024);
      // Four readers per object, each the whole object (16 chunks, asked for in parallel).
      const reads = Array.from({ length: OBJECTS * 4 }, (_, i) =>
        chunks.read(keyOf(i % OBJECTS), OBJECT_BYTES, 0, OBJECT_BYTES),
      );
      const results = await Promise.all(reads);
      for (const [i, bytes] of results.entries()) expect(bytes.equals(objects[i % OBJECTS]!)).toBe(true);
      // Every chunk fetched once (concurrent reads of a chunk share its GET).
      expect(counting.gets()).toBe((OBJECTS * OBJECT_BYTES) / CHUNK_BYTES);
      expect(counting.peak()).toBe(threads);
      expect(limiter.counters()).toEqual({ inFlight: 0, pending: 0, peakInFlight: threads, rejected: 0 });
    },
  );

  it('refuses reads past remote.log.reader.max.pending.tasks at once; the others and a retry are served', async () => {
    const counting = countingGets(s3);
    const limiter = new ConcurrencyLimiter(2, 3);
    const chunks = new ChunkCache(new BoundedReadStore(counting.store, limiter), CHUNK_BYTES, 64 * 1024 * 1024);
    // The object's 16 chunks asked for in one tick: 2 GETs start, 3 wait, 11 are refused.
    const outcomes = await Promise.allSettled(
      Array.from({ length: OBJECT_BYTES / CHUNK_BYTES }, (_, i) =>
        chunks.read(keyOf(0), OBJECT_BYTES, i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES),
      ),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(11);
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyLimitError);
    expect(counting.gets()).toBe(5);
    expect(limiter.counters()).toEqual({ inFlight: 0, pending: 0, peakInFlight: 2, rejected: 11 });
    // Nothing cached or left in flight for a refused chunk: a retry reads the right bytes.
    const retry = await chunks.read(keyOf(0), OBJECT_BYTES, 15 * CHUNK_BYTES, 16 * CHUNK_BYTES);
    expect(retry.equals(objects[0]!.subarray(15 * CHUNK_BYTES, 16 * CHUNK_BYTES))).toBe(true);
  });
});
