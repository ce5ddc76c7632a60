import { BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES, BatchLayout, readInt64AsNumber } from '@sluice/protocol';
import { lookupOffsetIndex, OFFSET_INDEX_ENTRY_BYTES } from '@sluice/log';
import type { ChunkCache } from './chunk-cache';
import type { ObjectStore } from './object-store';
import { remoteIndexPartKey, remoteObjectKey } from './object-keys';
import { readIndexParts } from './remote-index-parts';
import type { RemoteSegmentMetadata } from './remote-log-metadata';

export interface RemoteReadResult {
  /** Whole batches, the same bytes the local segment held. */
  readonly records: Buffer;
  readonly firstOffset: number | null;
  readonly lastOffset: number | null;
}

export class RemoteSegmentCorruptError extends Error {
  override readonly name = 'RemoteSegmentCorruptError';
  readonly code = 'CORRUPT_MESSAGE';
}

/** Bytes read at once while walking batch headers from an index entry to the target offset. */
const HEADER_WALK_BYTES = 64 * 1024;

/**
 * Chunks fetched ahead of a read (in parallel, without waiting): a cold sequential read from
 * offset 0 then has several ranged GETs in flight instead of one round trip per chunk. Never more
 * than half the cache holds, so readahead does not evict what is being read.
 */
export const DEFAULT_READAHEAD_CHUNKS = 4;

/**
 * Serves a read from a copied segment: the segment's offset index (its range of the upload's
 * indexes bundle, or the oldest layout's `.index` object, fetched whole and kept in a bounded
 * map) finds the position, the chunk cache serves the bytes with ranged GETs, batch headers are
 * walked to the first batch holding `offset`, and whole batches are returned up to `maxBytes` (always at least one, as Kafka does, so a large batch is not stuck).
 * Reads fetch `readAheadChunks` chunks ahead, and near a segment's end the next segment's index
 * and first chunks (when the caller names the next segment), so a sequential read never waits
 * for a segment boundary's round trips.
 */
export class RemoteSegmentReader {
  /**
   * Offset indexes by the oldest layout's `.index` key (unique per upload in any layout); small
   * (sparse: 8 bytes per index.interval.bytes), bounded count.
   */
  private readonly indexes = new Map<string, Buffer>();
  /** Index GETs in flight, at most one per index; bounded by the reads and readaheads in progress. */
  private readonly indexesInFlight = new Map<string, Promise<Buffer>>();
  private readonly readAheadChunks: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly chunks: ChunkCache,
    private readonly keyPrefix: string,
    private readonly maxCachedIndexes = 1024,
    readAheadChunks = DEFAULT_READAHEAD_CHUNKS,
  ) {
    if (!(Number.isSafeInteger(readAheadChunks) && readAheadChunks >= 0))
      throw new RangeError(`readAheadChunks ${readAheadChunks} must be >= 0`);
    this.readAheadChunks = Math.min(readAheadChunks, Math.floor(chunks.capacityBytes / chunks.chunkBytes / 2));
  }

  /**
   * `next`: the segment after this one, if the caller knows it (readahead crosses into it).
   */
  async read(
    segment: RemoteSegmentMetadata,
    offset: number,
    maxBytes: number,
    next: RemoteSegmentMetadata | null = null,
  ): Promise<RemoteReadResult> {
    if (offset < segment.startOffset || offset > segment.endOffset) {
      throw new RangeError(`offset ${offset} is not in remote segment ${segment.startOffset}..${segment.endOffset}`);
    }
    const logKey = remoteObjectKey(this.keyPrefix, segment, 'log');
    const size = segment.segmentSizeBytes;
    const index = await this.offsetIndex(segment);
    const entry = lookupOffsetIndex(index, index.length / OFFSET_INDEX_ENTRY_BYTES, segment.startOffset, offset);
    let position = entry?.position ?? 0;

    // Walk headers to the first batch whose last offset reaches `offset`.
    for (;;) {
      if (position >= size) return { records: Buffer.alloc(0), firstOffset: null, lastOffset: null };
      const header = await this.chunks.read(logKey, size, position, position + BATCH_HEADER_BYTES);
      const batch = parseHeader(header, position, size, logKey);
      if (batch.lastOffset >= offset) break;
      position += batch.sizeBytes;
    }

    const wanted = Math.max(1, maxBytes);
    this.readAhead(segment, position + Math.max(wanted, HEADER_WALK_BYTES), next);
    let window = await this.chunks.read(logKey, size, position, position + Math.max(wanted, BATCH_HEADER_BYTES));
    // The first batch always, in full even when larger than maxBytes; then whole batches that fit.
    const first = parseHeader(window.subarray(0, BATCH_HEADER_BYTES), position, size, logKey);
    if (first.sizeBytes > window.length)
      window = await this.chunks.read(logKey, size, position, position + first.sizeBytes);
    let taken = 0;
    let firstOffset: number | null = null;
    let lastOffset: number | null = null;
    while (taken + BATCH_HEADER_BYTES <= window.length) {
      const batch = parseHeader(window.subarray(taken, taken + BATCH_HEADER_BYTES), position + taken, size, logKey);
      if (taken + batch.sizeBytes > window.length) break;
      firstOffset ??= batch.baseOffset;
      lastOffset = batch.lastOffset;
      taken += batch.sizeBytes;
    }
    return { records: Buffer.from(window.subarray(0, taken)), firstOffset, lastOffset };
  }

  /**
   * Starts fetching the `readAheadChunks` chunks after `from` (the end of what a read takes);
   * when they would pass the segment's end, the next segment's index and first chunks instead.
   * Never throws: a failed readahead is a miss for the read that needs it.
   */
  private readAhead(segment: RemoteSegmentMetadata, from: number, next: RemoteSegmentMetadata | null): void {
    const chunkBytes = this.chunks.chunkBytes;
    const logKey = remoteObjectKey(this.keyPrefix, segment, 'log');
    let chunk = 0;
    for (; chunk < this.readAheadChunks; chunk++) {
      const position = from + chunk * chunkBytes;
      if (position >= segment.segmentSizeBytes) break;
      this.chunks.readAhead(logKey, segment.segmentSizeBytes, position);
    }
    if (next === null || chunk >= this.readAheadChunks) return;
    this.offsetIndex(next).catch(() => {});
    const nextKey = remoteObjectKey(this.keyPrefix, next, 'log');
    for (let i = 0; chunk < this.readAheadChunks; chunk++, i++)
      this.chunks.readAhead(nextKey, next.segmentSizeBytes, i * chunkBytes);
  }

  forget(segment: RemoteSegmentMetadata): void {
    this.indexes.delete(remoteObjectKey(this.keyPrefix, segment, 'index'));
    this.chunks.evictObject(remoteObjectKey(this.keyPrefix, segment, 'log'));
  }

  private offsetIndex(segment: RemoteSegmentMetadata): Promise<Buffer> {
    const key = remoteObjectKey(this.keyPrefix, segment, 'index');
    const cached = this.indexes.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    // A readahead may be fetching it already: one GET, shared.
    const pending = this.indexesInFlight.get(key);
    if (pending !== undefined) return pending;
    // The object it comes from, for errors.
    const source = remoteIndexPartKey(this.keyPrefix, segment, 'index');
    const fetched = readIndexParts(this.store, this.keyPrefix, segment, ['index'])
      .then(([bytes]) => {
        if (bytes === undefined) throw new RemoteSegmentCorruptError(`${source}: no offset index read`);
        if (bytes.length % OFFSET_INDEX_ENTRY_BYTES !== 0) {
          throw new RemoteSegmentCorruptError(`${source}: offset index size ${bytes.length} is not a multiple of 8`);
        }
        if (this.indexes.size >= this.maxCachedIndexes) this.indexes.delete(this.indexes.keys().next().value!);
        this.indexes.set(key, bytes);
        return bytes;
      })
      .finally(() => this.indexesInFlight.delete(key));
    this.indexesInFlight.set(key, fetched);
    return fetched;
  }
}

interface HeaderFields {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly sizeBytes: number;
}

function parseHeader(header: Buffer, position: number, segmentSize: number, key: string): HeaderFields {
  if (header.length < BATCH_HEADER_BYTES) {
    throw new RemoteSegmentCorruptError(`${key}: batch header at ${position} runs past the segment end`);
  }
  const sizeBytes = header.readInt32BE(BatchLayout.BATCH_LENGTH) + BATCH_LOG_OVERHEAD_BYTES;
  if (sizeBytes < BATCH_HEADER_BYTES || position + sizeBytes > segmentSize) {
    throw new RemoteSegmentCorruptError(`${key}: batch at ${position} of ${sizeBytes} bytes does not fit the segment`);
  }
  const baseOffset = readInt64AsNumber(header, BatchLayout.BASE_OFFSET, position);
  return { baseOffset, lastOffset: baseOffset + header.readInt32BE(BatchLayout.LAST_OFFSET_DELTA), sizeBytes };
}
