/**
 * The share partition leader's reads of its log: which batches could be acquired next, and the
 * whole stored batches covering what was acquired (what a ShareFetch answers with).
 *
 * An acquisition usually hands out records the same step has just read to find what is available
 * (the window's end, not redeliveries): those bytes are answered as they were read
 * (`coveringFromAvailable`) instead of read from the segment a second time, which halved the
 * broker's log reads per ShareFetch. Redelivered records (AVAILABLE again inside the window) are
 * read with `readCovering`.
 */
import type { PartitionLog } from '@sluice/log';
import { iterateBatches } from '@sluice/protocol';
import { assert } from '../core/assert';
import type { AcquiredRange, OffsetRange } from '../core/share-partition';

/** One log read while finding the acquired records' batches, and while finding records to acquire (at least). */
export const READ_CHUNK_BYTES = 64 * 1024;
/** The most one read sized by the caller's estimate asks for (the byte budget bounds it too). */
const MAX_SIZED_READ_BYTES = 8 * 1024 * 1024;

/** Data batches that could be acquired, in offset order: `ranges[i]` is the offsets of `batches[i]` (its stored bytes). */
export interface AvailableBatches {
  readonly ranges: OffsetRange[];
  readonly batches: Buffer[];
}

/** Stored bytes per offset of `available` (0 when empty): the size estimate for the next `availableBatches`. */
export function bytesPerOffsetOf(available: AvailableBatches): number {
  let bytes = 0;
  let offsets = 0;
  available.batches.forEach((batch, i) => {
    bytes += batch.length;
    offsets += available.ranges[i]!.lastOffset - available.ranges[i]!.firstOffset + 1;
  });
  return offsets === 0 ? 0 : bytes / offsets;
}

/**
 * The data batches the log holds from `fromOffset` below the high watermark, about `maxBytes`
 * deep (at least one batch), and no deeper than needed for `maxRecords` offsets: a backlog far
 * past the window is not read on every acquisition (one read of `maxBytes`, 50 MiB by default,
 * per ShareFetch made acquiring cost grow with the backlog). Control batches are left out (the
 * core archives them as gaps).
 */
export function availableBatches(
  log: PartitionLog,
  fromOffset: number,
  highWatermark: number,
  maxBytes: number,
  maxRecords: number,
  bytesPerOffset = 0,
): AvailableBatches {
  assert(Number.isFinite(bytesPerOffset) && bytesPerOffset >= 0, `bytes per offset ${bytesPerOffset} must be >= 0`);
  const ranges: OffsetRange[] = [];
  const batches: Buffer[] = [];
  const found = { ranges, batches };
  let offset = Math.max(fromOffset, log.logStartOffset);
  let bytes = 0;
  let offsets = 0;
  while (offset < highWatermark && offset < log.logEndOffset && offsets < maxRecords) {
    // Sized for the offsets still wanted when the caller knows about how large they are (the last
    // acquisition's batches): one read, one buffer, rather than a chunk at a time.
    const wantedBytes = Math.ceil(bytesPerOffset * (maxRecords - offsets) * 1.05);
    const readBytes = Math.min(
      maxBytes - bytes,
      Math.max(READ_CHUNK_BYTES, Math.min(wantedBytes, MAX_SIZED_READ_BYTES)),
    );
    const read = log.read(offset, Math.max(1, readBytes), {
      maxOffset: highWatermark,
    });
    if (read.batchCount === 0) return found;
    const readFrom = offset;
    for (const batch of iterateBatches(read.records)) {
      if (batch.lastOffset < offset) continue;
      bytes += batch.sizeBytes;
      // Past the byte budget only the very first batch is taken (as one read of maxBytes would).
      if (bytes > maxBytes && bytes !== batch.sizeBytes) return found;
      if (!batch.isControl) {
        ranges.push({ firstOffset: batch.baseOffset, lastOffset: batch.lastOffset });
        batches.push(read.records.subarray(batch.start, batch.start + batch.sizeBytes));
        offsets += batch.lastOffset - Math.max(batch.baseOffset, offset) + 1;
      }
      offset = batch.lastOffset + 1;
      if (bytes >= maxBytes || offsets >= maxRecords) return found;
    }
    if (offset === readFrom) return found;
  }
  return found;
}

/**
 * The stored batches covering `acquired` taken from `available` (each batch once, in offset
 * order), or null when some acquired offset lies outside them (a redelivery): then `readCovering`.
 * The same bytes `readCovering` would answer: whole batches, as stored.
 */
export function coveringFromAvailable(available: AvailableBatches, acquired: readonly AcquiredRange[]): Buffer | null {
  const chunks: Buffer[] = [];
  let i = 0;
  let lastTaken = -1;
  for (const range of acquired) {
    let offset = range.firstOffset;
    while (offset <= range.lastOffset) {
      while (i < available.ranges.length && available.ranges[i]!.lastOffset < offset) i++;
      const batch = available.ranges[i];
      if (batch === undefined || batch.firstOffset > offset) return null;
      if (i !== lastTaken) {
        const bytes = available.batches[i]!;
        const previous = chunks.at(-1);
        // Consecutive batches of one read are consecutive bytes of one buffer: kept as one view.
        if (
          previous !== undefined &&
          previous.buffer === bytes.buffer &&
          previous.byteOffset + previous.length === bytes.byteOffset
        )
          chunks[chunks.length - 1] = Buffer.from(previous.buffer, previous.byteOffset, previous.length + bytes.length);
        else chunks.push(bytes);
        lastTaken = i;
      }
      offset = batch.lastOffset + 1;
    }
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Whole stored batches covering `acquired` (each batch once, in offset order), read from the log. */
export function readCovering(log: PartitionLog, acquired: readonly AcquiredRange[], highWatermark: number): Buffer {
  const chunks: Buffer[] = [];
  let next = log.logStartOffset;
  for (const range of acquired) {
    let offset = Math.max(range.firstOffset, next);
    while (offset <= range.lastOffset && offset < highWatermark && offset >= log.logStartOffset) {
      const read = log.read(offset, READ_CHUNK_BYTES, { maxOffset: highWatermark });
      if (read.batchCount === 0) break;
      let progressed = false;
      for (const batch of iterateBatches(read.records)) {
        if (batch.lastOffset < offset) continue;
        if (batch.baseOffset > range.lastOffset) break;
        chunks.push(read.records.subarray(batch.start, batch.start + batch.sizeBytes));
        next = batch.lastOffset + 1;
        offset = next;
        progressed = true;
      }
      if (!progressed) break;
    }
  }
  return Buffer.concat(chunks);
}
