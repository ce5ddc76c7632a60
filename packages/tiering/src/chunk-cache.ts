import { LruCache } from '@sluice/log';
import type { ObjectStore } from './object-store';

export interface ChunkCacheCounters {
  readonly hits: number;
  readonly misses: number;
  readonly cachedBytes: number;
}

/**
 * Reads remote objects in fixed-size chunks (ranged GETs aligned to `chunkBytes`) through a
 * least-recently-used cache bounded by `capacityBytes`. Concurrent reads of one chunk share one
 * GET; the chunks a read spans are fetched in parallel; a read may ask for the chunk after it
 * (readahead) without waiting for it. Objects are immutable (a retried copy has a new upload id),
 * so a cached chunk never goes stale: it is only dropped by the bound or by `evictObject`.
 */
export class ChunkCache {
  private readonly cache: LruCache<Buffer>;
  /** In-flight GETs, at most one per chunk; bounded by the reads in progress. */
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private hitCount = 0;
  private missCount = 0;

  constructor(
    private readonly store: ObjectStore,
    readonly chunkBytes: number,
    readonly capacityBytes: number,
  ) {
    if (!(Number.isSafeInteger(chunkBytes) && chunkBytes > 0))
      throw new RangeError(`chunkBytes ${chunkBytes} must be > 0`);
    this.cache = new LruCache<Buffer>(capacityBytes);
  }

  counters(): ChunkCacheCounters {
    return { hits: this.hitCount, misses: this.missCount, cachedBytes: this.cache.weight };
  }

  /** Bytes `[start, end)` of `key`, an object of `objectSizeBytes` bytes (`end` is clamped to it). */
  async read(key: string, objectSizeBytes: number, start: number, end: number): Promise<Buffer> {
    const stop = Math.min(end, objectSizeBytes);
    if (!(start >= 0 && start < stop))
      throw new RangeError(`bad range ${start}..${end} of ${key} (${objectSizeBytes} bytes)`);
    const first = Math.floor(start / this.chunkBytes);
    const last = Math.floor((stop - 1) / this.chunkBytes);
    const chunks = await Promise.all(
      Array.from({ length: last - first + 1 }, (_, i) => this.chunk(key, objectSizeBytes, first + i)),
    );
    const joined = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const offsetInJoined = start - first * this.chunkBytes;
    return joined.subarray(offsetInJoined, offsetInJoined + (stop - start));
  }

  /** Starts fetching the chunk holding `position` unless it is cached or on its way; never throws. */
  readAhead(key: string, objectSizeBytes: number, position: number): void {
    if (position >= objectSizeBytes) return;
    this.chunk(key, objectSizeBytes, Math.floor(position / this.chunkBytes)).catch(() => {
      // A failed readahead costs nothing: the read that needs the chunk fetches it and reports.
    });
  }

  evictObject(key: string): void {
    // Chunk keys are `<key>#<index>`: drop every cached chunk of the object.
    for (let index = 0; ; index++) {
      const chunkKey = `${key}#${index}`;
      if (this.cache.get(chunkKey) === undefined) break;
      this.cache.delete(chunkKey);
    }
  }

  private chunk(key: string, objectSizeBytes: number, index: number): Promise<Buffer> {
    const chunkKey = `${key}#${index}`;
    const cached = this.cache.get(chunkKey);
    if (cached !== undefined) {
      this.hitCount++;
      return Promise.resolve(cached);
    }
    const pending = this.inFlight.get(chunkKey);
    if (pending !== undefined) {
      this.hitCount++;
      return pending;
    }
    this.missCount++;
    const start = index * this.chunkBytes;
    const end = Math.min(start + this.chunkBytes, objectSizeBytes);
    const fetched = this.store
      .getRange(key, start, end)
      .then((bytes) => {
        if (bytes.length !== end - start) {
          throw new Error(`ranged GET of ${key} ${start}..${end} returned ${bytes.length} bytes`);
        }
        this.cache.set(chunkKey, bytes, bytes.length);
        return bytes;
      })
      .finally(() => this.inFlight.delete(chunkKey));
    this.inFlight.set(chunkKey, fetched);
    return fetched;
  }
}
