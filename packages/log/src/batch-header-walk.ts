import { BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES, BatchLayout, readInt64AsNumber } from '@sluice/protocol';
import { readFully } from './durable-file';
import { assert, CorruptLogError } from './errors';

/** What reads need from a batch header, without touching its records. */
export interface BatchLocation {
  readonly position: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly sizeBytes: number;
  readonly maxTimestampMs: number;
}

/** Enough to cover the header scan between two sparse index entries in one read. */
const WALK_CHUNK_BYTES = 64 * 1024;
/** The smallest window of a walk that expects to stop within a few headers (see nearWalkWindowBytes). */
const MIN_NEAR_WALK_WINDOW_BYTES = 8 * 1024;

/**
 * The window for a walk that starts at (or just after) an offset-index entry and stops within a
 * few headers: two index intervals hold the headers up to the next entry in one read (at the
 * default `index.interval.bytes` of 4 KiB, 8 KiB), while a large batch, whose header is all a
 * window holds of it, no longer costs 64 KiB copied from the page cache for 61 bytes used.
 */
export function nearWalkWindowBytes(indexIntervalBytes: number): number {
  return Math.min(WALK_CHUNK_BYTES, Math.max(MIN_NEAR_WALK_WINDOW_BYTES, 2 * indexIntervalBytes));
}
let scratch: Buffer | null = null;

/**
 * Walks batch headers in `[start, end)` of an open segment file until `visit` returns true, and
 * returns that batch (null at `end`). Reads windows of `windowBytes` (64 KiB unless told), not one
 * syscall per header; a walk that expects to stop within a few headers asks for a smaller window,
 * since a window is copied whole from the page cache even when a large batch leaves one header in
 * it. Used on the read path, so it trusts CRCs (checked on append and recovery) but still refuses
 * headers that do not fit the file, naming the file and byte.
 */
export function walkBatchHeaders(
  fd: number,
  file: string,
  start: number,
  end: number,
  visit: (batch: BatchLocation) => boolean,
  windowBytes = WALK_CHUNK_BYTES,
): BatchLocation | null {
  assert(
    Number.isSafeInteger(windowBytes) && windowBytes >= BATCH_HEADER_BYTES && windowBytes <= WALK_CHUNK_BYTES,
    `batch header walk window ${windowBytes} must be in ${BATCH_HEADER_BYTES}..${WALK_CHUNK_BYTES}`,
  );
  scratch ??= Buffer.allocUnsafe(WALK_CHUNK_BYTES);
  const buffer = scratch;
  let windowStart = 0;
  let windowLength = 0;
  let position = start;
  while (position < end) {
    if (position + BATCH_HEADER_BYTES > end)
      throw new CorruptLogError(file, position, `batch header runs past the end of the segment (${end})`);
    if (position < windowStart || position + BATCH_HEADER_BYTES > windowStart + windowLength) {
      windowStart = position;
      windowLength = readFully(fd, buffer, 0, Math.min(windowBytes, end - position), position);
      if (windowLength < BATCH_HEADER_BYTES) throw new CorruptLogError(file, position, 'segment shorter than expected');
    }
    const at = position - windowStart;
    const sizeBytes = buffer.readInt32BE(at + BatchLayout.BATCH_LENGTH) + BATCH_LOG_OVERHEAD_BYTES;
    if (sizeBytes < BATCH_HEADER_BYTES || position + sizeBytes > end) {
      throw new CorruptLogError(
        file,
        position + BatchLayout.BATCH_LENGTH,
        `batch size ${sizeBytes} does not fit the segment`,
      );
    }
    const baseOffset = readInt64AsNumber(buffer, at + BatchLayout.BASE_OFFSET, position);
    const location: BatchLocation = {
      position,
      baseOffset,
      lastOffset: baseOffset + buffer.readInt32BE(at + BatchLayout.LAST_OFFSET_DELTA),
      sizeBytes,
      maxTimestampMs: readInt64AsNumber(buffer, at + BatchLayout.MAX_TIMESTAMP, position + BatchLayout.MAX_TIMESTAMP),
    };
    if (visit(location)) return location;
    position += sizeBytes;
  }
  return null;
}
