import { BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES, BatchLayout, readInt64AsNumber } from '@sluice/protocol';
import { readFully } from './durable-file';
import { CorruptLogError } from './errors';

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
let scratch: Buffer | null = null;

/**
 * Walks batch headers in `[start, end)` of an open segment file until `visit` returns true, and
 * returns that batch (null at `end`). Reads 64 KiB windows, not one syscall per header. Used on
 * the read path, so it trusts CRCs (checked on append and recovery) but still refuses headers
 * that do not fit the file, naming the file and byte.
 */
export function walkBatchHeaders(
  fd: number,
  file: string,
  start: number,
  end: number,
  visit: (batch: BatchLocation) => boolean,
): BatchLocation | null {
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
      windowLength = readFully(fd, buffer, 0, Math.min(WALK_CHUNK_BYTES, end - position), position);
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
