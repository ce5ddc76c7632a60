/**
 * Sparse offset index: 8-byte entries (relative offset int32, file position int32), big-endian
 * like Kafka's. An entry says "the batch whose base offset is baseOffset+relative starts at
 * position". Entries strictly increase in both fields. Pure functions over a Buffer so the same
 * code serves the in-memory active index, cached closed indexes and the offline checker.
 */
export const OFFSET_INDEX_ENTRY_BYTES = 8;

export interface OffsetPosition {
  readonly offset: number;
  readonly position: number;
}

export function offsetIndexEntry(entries: Buffer, baseOffset: number, slot: number): OffsetPosition {
  const at = slot * OFFSET_INDEX_ENTRY_BYTES;
  return { offset: baseOffset + entries.readInt32BE(at), position: entries.readInt32BE(at + 4) };
}

/** Largest entry whose offset is <= `targetOffset`, or null when every entry is larger. */
export function lookupOffsetIndex(
  entries: Buffer,
  count: number,
  baseOffset: number,
  targetOffset: number,
): OffsetPosition | null {
  const relative = targetOffset - baseOffset;
  let low = 0;
  let high = count - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (entries.readInt32BE(mid * OFFSET_INDEX_ENTRY_BYTES) <= relative) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found < 0 ? null : offsetIndexEntry(entries, baseOffset, found);
}

/**
 * Largest entry whose position is <= `maxPosition` and whose offset is <= `maxOffset`, or null.
 * Both fields increase with the slot, so the entries meeting both form a prefix: one binary search.
 * Each entry is a batch start, so every batch before it ends at or before its position and holds
 * offsets below its offset.
 */
export function lastOffsetIndexEntryWithin(
  entries: Buffer,
  count: number,
  baseOffset: number,
  maxPosition: number,
  maxOffset: number,
): OffsetPosition | null {
  const relative = maxOffset - baseOffset;
  let low = 0;
  let high = count - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = mid * OFFSET_INDEX_ENTRY_BYTES;
    if (entries.readInt32BE(at) <= relative && entries.readInt32BE(at + 4) <= maxPosition) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found < 0 ? null : offsetIndexEntry(entries, baseOffset, found);
}

/** Number of leading entries whose offset is < `offset` (what survives truncation to it). */
export function offsetIndexCountBelow(entries: Buffer, count: number, baseOffset: number, offset: number): number {
  let n = 0;
  while (n < count && baseOffset + entries.readInt32BE(n * OFFSET_INDEX_ENTRY_BYTES) < offset) n++;
  return n;
}

export interface IndexProblem {
  /** Byte position within the index file. */
  readonly position: number;
  readonly reason: string;
}

/** Structural checks that need no log access: size, ordering, positions inside the log file. */
export function checkOffsetIndexStructure(bytes: Buffer, logSizeBytes: number): IndexProblem | null {
  if (bytes.length % OFFSET_INDEX_ENTRY_BYTES !== 0) {
    return {
      position: bytes.length - (bytes.length % OFFSET_INDEX_ENTRY_BYTES),
      reason: `size ${bytes.length} is not a multiple of ${OFFSET_INDEX_ENTRY_BYTES}`,
    };
  }
  let previousRelative = -1;
  let previousPosition = -1;
  for (let at = 0; at < bytes.length; at += OFFSET_INDEX_ENTRY_BYTES) {
    const relative = bytes.readInt32BE(at);
    const position = bytes.readInt32BE(at + 4);
    if (relative <= previousRelative)
      return { position: at, reason: `relative offset ${relative} not above previous ${previousRelative}` };
    if (position <= previousPosition)
      return { position: at, reason: `file position ${position} not above previous ${previousPosition}` };
    if (position >= logSizeBytes)
      return { position: at, reason: `file position ${position} beyond log size ${logSizeBytes}` };
    previousRelative = relative;
    previousPosition = position;
  }
  return null;
}
