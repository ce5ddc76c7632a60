import { writeInt64FromNumber } from '@sluice/protocol';
import { assert } from './errors';
import {
  lookupOffsetIndex,
  OFFSET_INDEX_ENTRY_BYTES,
  offsetIndexCountBelow,
  offsetIndexEntry,
  type OffsetPosition,
} from './offset-index';
import {
  lookupTimeIndex,
  TIME_INDEX_ENTRY_BYTES,
  timeIndexCountBelow,
  timeIndexEntry,
  type TimestampOffset,
} from './time-index';

const INT32_MAX = 2 ** 31 - 1;
const INITIAL_ENTRIES = 64;

/** Append-only entries in a Buffer that doubles up to a hard cap (`segment.index.bytes`). */
export class EntryBuffer {
  private buffer: Buffer;
  private entryCount = 0;

  constructor(
    readonly entryBytes: number,
    readonly maxEntries: number,
    initial?: Buffer,
  ) {
    assert(maxEntries >= 1, 'index must hold at least one entry');
    if (initial !== undefined) {
      assert(initial.length % entryBytes === 0, 'initial index bytes not a whole number of entries');
      this.entryCount = Math.min(initial.length / entryBytes, maxEntries);
      this.buffer = Buffer.allocUnsafe(Math.max(INITIAL_ENTRIES, this.entryCount) * entryBytes);
      initial.copy(this.buffer, 0, 0, this.entryCount * entryBytes);
    } else {
      this.buffer = Buffer.allocUnsafe(Math.min(INITIAL_ENTRIES, maxEntries) * entryBytes);
    }
  }

  get count(): number {
    return this.entryCount;
  }
  get isFull(): boolean {
    return this.entryCount >= this.maxEntries;
  }
  /** Memory held, for accounting. */
  get capacityBytes(): number {
    return this.buffer.length;
  }

  /** Returns the byte offset of the new slot, or -1 when the index is full. */
  reserve(): number {
    if (this.isFull) return -1;
    const needed = (this.entryCount + 1) * this.entryBytes;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(this.maxEntries, Math.max(INITIAL_ENTRIES, this.entryCount * 2)) * this.entryBytes,
      );
      this.buffer.copy(grown, 0, 0, this.entryCount * this.entryBytes);
      this.buffer = grown;
    }
    const at = this.entryCount * this.entryBytes;
    this.entryCount++;
    return at;
  }

  truncate(count: number): void {
    assert(count >= 0 && count <= this.entryCount, 'truncate beyond index end');
    this.entryCount = count;
  }

  /** The live entries (shares memory; valid until the next append). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.entryCount * this.entryBytes);
  }

  raw(): Buffer {
    return this.buffer;
  }
}

/**
 * Builds a segment's offset and time indexes from the stream of batches written to it. The same
 * state machine runs on append, in recovery and when an index is rebuilt, so all three produce
 * identical index files. Follows Kafka's LogSegment.append: an entry for a batch once more than
 * `indexIntervalBytes` were written since the previous entry.
 */
export class SegmentIndexer {
  readonly offsets: EntryBuffer;
  readonly times: EntryBuffer;
  maxTimestampSoFar = -1;
  offsetOfMaxTimestampSoFar = -1;
  bytesSinceLastIndexEntry = 0;

  constructor(
    readonly baseOffset: number,
    readonly indexIntervalBytes: number,
    maxIndexBytes: number,
    offsetBytes?: Buffer,
    timeBytes?: Buffer,
  ) {
    this.offsets = new EntryBuffer(
      OFFSET_INDEX_ENTRY_BYTES,
      Math.floor(maxIndexBytes / OFFSET_INDEX_ENTRY_BYTES),
      offsetBytes,
    );
    this.times = new EntryBuffer(TIME_INDEX_ENTRY_BYTES, Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_BYTES), timeBytes);
    // A loaded time index already covers the batches before the last offset entry; without this a
    // reopened segment whose later batches carry smaller timestamps would forget its maximum.
    const lastTime = this.lastTimeEntry();
    if (lastTime !== null) {
      this.maxTimestampSoFar = lastTime.timestampMs;
      this.offsetOfMaxTimestampSoFar = lastTime.offset;
    }
  }

  get isFull(): boolean {
    return this.offsets.isFull || this.times.isFull;
  }

  onBatch(baseOffset: number, maxTimestamp: number, position: number, sizeBytes: number): void {
    if (maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = maxTimestamp;
      this.offsetOfMaxTimestampSoFar = baseOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.appendOffsetEntry(baseOffset, position);
      this.maybeAppendTimeEntry();
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += sizeBytes;
  }

  /**
   * Re-enters the running state for a batch that already has the last offset-index entry (used
   * when resuming after truncation or a clean open): counts its bytes without a new entry.
   */
  resumeAtIndexedBatch(maxTimestamp: number, baseOffset: number, sizeBytes: number): void {
    if (maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = maxTimestamp;
      this.offsetOfMaxTimestampSoFar = baseOffset;
    }
    this.bytesSinceLastIndexEntry = sizeBytes;
  }

  /** On roll/close: make the last time entry carry the segment's largest timestamp (as Kafka). */
  finish(): void {
    this.maybeAppendTimeEntry();
  }

  lookupOffset(targetOffset: number): OffsetPosition | null {
    return lookupOffsetIndex(this.offsets.raw(), this.offsets.count, this.baseOffset, targetOffset);
  }

  lookupTime(targetMs: number): TimestampOffset | null {
    return lookupTimeIndex(this.times.raw(), this.times.count, this.baseOffset, targetMs);
  }

  lastOffsetEntry(): OffsetPosition | null {
    return this.offsets.count === 0
      ? null
      : offsetIndexEntry(this.offsets.raw(), this.baseOffset, this.offsets.count - 1);
  }

  lastTimeEntry(): TimestampOffset | null {
    return this.times.count === 0 ? null : timeIndexEntry(this.times.raw(), this.baseOffset, this.times.count - 1);
  }

  /**
   * Drops entries for offsets >= `offset` and resets the running state to the last time entry;
   * the caller then replays the batches after the last offset entry (see `resumeAtIndexedBatch`).
   */
  truncateTo(offset: number): void {
    this.offsets.truncate(offsetIndexCountBelow(this.offsets.raw(), this.offsets.count, this.baseOffset, offset));
    this.times.truncate(timeIndexCountBelow(this.times.raw(), this.times.count, this.baseOffset, offset));
    const lastTime = this.lastTimeEntry();
    this.maxTimestampSoFar = lastTime?.timestampMs ?? -1;
    this.offsetOfMaxTimestampSoFar = lastTime?.offset ?? -1;
    this.bytesSinceLastIndexEntry = 0;
  }

  private appendOffsetEntry(baseOffset: number, position: number): void {
    const relative = baseOffset - this.baseOffset;
    assert(relative >= 0 && relative <= INT32_MAX && position <= INT32_MAX, 'index entry overflows int32');
    const at = this.offsets.reserve();
    if (at < 0) return; // full: the log rolls before the next append; a sparser index stays correct
    const raw = this.offsets.raw();
    raw.writeInt32BE(relative, at);
    raw.writeInt32BE(position, at + 4);
  }

  private maybeAppendTimeEntry(): void {
    if (this.maxTimestampSoFar < 0) return;
    const last = this.lastTimeEntry();
    if (last !== null && this.maxTimestampSoFar <= last.timestampMs) return;
    const at = this.times.reserve();
    if (at < 0) return;
    const raw = this.times.raw();
    writeInt64FromNumber(raw, this.maxTimestampSoFar, at);
    raw.writeInt32BE(this.offsetOfMaxTimestampSoFar - this.baseOffset, at + 8);
  }
}
