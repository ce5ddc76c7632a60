import { readInt64AsNumber } from '@sluice/protocol';
import type { IndexProblem } from './offset-index';

/**
 * Sparse time index: 12-byte entries (timestamp int64, relative offset int32). An entry (T, o)
 * says "T is the largest timestamp in the segment up to batch o, and batch o (by base offset) is
 * the first to reach it". Timestamps and offsets strictly increase, so every batch before o has
 * a max timestamp below T: a lookup may start scanning at o.
 */
export const TIME_INDEX_ENTRY_BYTES = 12;

export interface TimestampOffset {
  readonly timestampMs: number;
  readonly offset: number;
}

export function timeIndexEntry(entries: Buffer, baseOffset: number, slot: number): TimestampOffset {
  const at = slot * TIME_INDEX_ENTRY_BYTES;
  return { timestampMs: readInt64AsNumber(entries, at), offset: baseOffset + entries.readInt32BE(at + 8) };
}

/** Largest entry whose timestamp is <= `targetMs`, or null. */
export function lookupTimeIndex(
  entries: Buffer,
  count: number,
  baseOffset: number,
  targetMs: number,
): TimestampOffset | null {
  let low = 0;
  let high = count - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (readInt64AsNumber(entries, mid * TIME_INDEX_ENTRY_BYTES) <= targetMs) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found < 0 ? null : timeIndexEntry(entries, baseOffset, found);
}

/** Number of leading entries whose offset is < `offset`. */
export function timeIndexCountBelow(entries: Buffer, count: number, baseOffset: number, offset: number): number {
  let n = 0;
  while (n < count && baseOffset + entries.readInt32BE(n * TIME_INDEX_ENTRY_BYTES + 8) < offset) n++;
  return n;
}

export function checkTimeIndexStructure(bytes: Buffer): IndexProblem | null {
  if (bytes.length % TIME_INDEX_ENTRY_BYTES !== 0) {
    return {
      position: bytes.length - (bytes.length % TIME_INDEX_ENTRY_BYTES),
      reason: `size ${bytes.length} is not a multiple of ${TIME_INDEX_ENTRY_BYTES}`,
    };
  }
  let previousTs = -1;
  let previousRelative = -1;
  for (let at = 0; at < bytes.length; at += TIME_INDEX_ENTRY_BYTES) {
    const high = bytes.readInt32BE(at);
    const timestampMs = high * 2 ** 32 + bytes.readUInt32BE(at + 4);
    const relative = bytes.readInt32BE(at + 8);
    if (!Number.isSafeInteger(timestampMs) || timestampMs <= previousTs) {
      return { position: at, reason: `timestamp ${timestampMs} not above previous ${previousTs}` };
    }
    if (relative <= previousRelative)
      return { position: at, reason: `relative offset ${relative} not above previous ${previousRelative}` };
    previousTs = timestampMs;
    previousRelative = relative;
  }
  return null;
}
