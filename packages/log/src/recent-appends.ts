import { BATCH_LOG_OVERHEAD_BYTES, BatchLayout, readInt64AsNumber } from '@sluice/protocol';
import type { BatchLocation } from './batch-header-walk';
import { assert } from './errors';

/**
 * Why this exists: with acks=all every produced byte is read back at once by the leader for each
 * follower (and by tailing consumers). Reading it from the file costs a Buffer allocation and a
 * pread per answer, and every such Buffer counts toward V8's external-memory limit, which starts
 * full collections (docs/performance.md sections 6 and 8). Kafka serves that tail from the page
 * cache with sendfile; Node has neither, so the active segment keeps references to the bytes of
 * its most recent leader appends (the request's own Buffers, handed over by the produce path,
 * already stamped with offsets and epoch: exactly the bytes written to the file) and reads of
 * that tail are answered with views of them: no allocation, no syscall.
 *
 * Bounded by one budget per `LogResources` (so per process, across every partition): the oldest
 * held appends of any log are let go first. A Buffer that is a small view of a much larger one
 * (a request carrying many partitions) is copied rather than kept, so the budget counts what is
 * really held in memory.
 */

/** One append's bytes, at `position` in its segment. */
interface HeldAppend {
  readonly owner: RecentAppends;
  readonly position: number;
  /** Emptied when let go, so nothing that still references the entry keeps the bytes alive. */
  bytes: Buffer;
  /** Base offset of the append's first batch. */
  readonly baseOffset: number;
  /** Bytes of memory this keeps alive (the whole backing store of `bytes`). */
  readonly weightBytes: number;
  released: boolean;
}

const LET_GO = Buffer.alloc(0);

/** A view this much smaller than its backing store is copied instead of kept. */
const MAX_BACKING_TO_VIEW_RATIO = 4;

/** A copy with a backing store of its own (not Node's shared pool), so its weight is its length. */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** The process-wide bound on held appends, oldest let go first. */
export class RecentAppendBudget {
  private queue: HeldAppend[] = [];
  private head = 0;
  private heldBytes = 0;
  private liveCount = 0;

  constructor(readonly capacityBytes: number) {
    assert(Number.isSafeInteger(capacityBytes) && capacityBytes >= 0, 'recent append capacity must be >= 0');
  }

  get weightBytes(): number {
    return this.heldBytes;
  }

  get heldCount(): number {
    return this.liveCount;
  }

  /** Takes `held` into the budget, letting go of the oldest until it fits; false if it never fits. */
  admit(held: HeldAppend): boolean {
    if (held.weightBytes > this.capacityBytes) return false;
    this.queue.push(held);
    this.heldBytes += held.weightBytes;
    this.liveCount++;
    while (this.heldBytes > this.capacityBytes) {
      assert(this.head < this.queue.length, 'recent append accounting broken');
      const oldest = this.queue[this.head++]!;
      if (oldest.released) continue;
      oldest.owner.letGoOldest(oldest);
      this.release(oldest);
    }
    this.compactQueue();
    return true;
  }

  release(held: HeldAppend): void {
    if (held.released) return;
    held.released = true;
    held.bytes = LET_GO;
    this.heldBytes -= held.weightBytes;
    this.liveCount--;
  }

  /**
   * Bounds the queue: entries before `head` (let go in order) and entries released out of order
   * (their segment closed or was cut) are dropped once they outnumber the live ones. Without
   * this the queue would keep every append's bytes reachable forever.
   */
  private compactQueue(): void {
    if (this.queue.length <= 2 * this.liveCount + 64) return;
    this.queue = this.queue.slice(this.head).filter((held) => !held.released);
    this.head = 0;
  }

  /** Entries the queue still references, live or not (bounded by 2 x live + 64 after each admit). */
  get queuedCount(): number {
    return this.queue.length;
  }
}

/**
 * The active segment's most recent appends, contiguous and ending at the segment's end, so any
 * read at or after `startPosition` is answered from memory with the file's exact bytes.
 */
export class RecentAppends {
  private held: HeldAppend[] = [];
  private first = 0;

  constructor(private readonly budget: RecentAppendBudget) {}

  get isEmpty(): boolean {
    return this.first === this.held.length;
  }

  /** Segment position of the first byte held (meaningless when empty). */
  get startPosition(): number {
    return this.held[this.first]!.position;
  }

  /** Segment position just after the last byte held (meaningless when empty). */
  get endPosition(): number {
    const last = this.held[this.held.length - 1]!;
    return last.position + last.bytes.length;
  }

  /**
   * Holds the bytes just appended at `position` (whole, validated batches; the caller never
   * changes them again). When they cannot be held, everything is let go: what is held must
   * reach the segment's end.
   */
  add(position: number, bytes: Buffer, baseOffset: number): void {
    assert(this.isEmpty || position === this.endPosition, 'recent appends must be contiguous');
    const backing = bytes.buffer.byteLength;
    const kept = backing > MAX_BACKING_TO_VIEW_RATIO * bytes.length ? ownCopy(bytes) : bytes;
    const held: HeldAppend = {
      owner: this,
      position,
      bytes: kept,
      baseOffset,
      weightBytes: Math.max(kept.length, kept.buffer.byteLength),
      released: false,
    };
    if (!this.budget.admit(held)) {
      this.clear();
      return;
    }
    this.held.push(held);
  }

  /** Called by the budget: `held` (this log's oldest) is no longer kept. */
  letGoOldest(held: HeldAppend): void {
    assert(this.held[this.first] === held, 'the budget lets go of appends oldest first');
    this.first++;
    if (this.first > 32 && this.first * 2 > this.held.length) {
      this.held = this.held.slice(this.first);
      this.first = 0;
    }
  }

  /** Lets go of everything (the segment closes, is cut or released). */
  clear(): void {
    for (let i = this.first; i < this.held.length; i++) this.budget.release(this.held[i]!);
    this.held = [];
    this.first = 0;
  }

  /**
   * The first batch whose last offset is >= `offset`, found in memory: null when the segment has
   * none after it, undefined when `offset` is before what is held (ask the file).
   */
  findBatch(offset: number): BatchLocation | null | undefined {
    if (this.isEmpty || offset < this.held[this.first]!.baseOffset) return undefined;
    for (let i = this.lastStartingAtOrBefore((held) => held.baseOffset, offset); i < this.held.length; i++) {
      const held = this.held[i]!;
      const bytes = held.bytes;
      for (let at = 0; at < bytes.length;) {
        const sizeBytes = bytes.readInt32BE(at + BatchLayout.BATCH_LENGTH) + BATCH_LOG_OVERHEAD_BYTES;
        const baseOffset = readInt64AsNumber(bytes, at + BatchLayout.BASE_OFFSET);
        const lastOffset = baseOffset + bytes.readInt32BE(at + BatchLayout.LAST_OFFSET_DELTA);
        if (lastOffset >= offset) {
          return {
            position: held.position + at,
            baseOffset,
            lastOffset,
            sizeBytes,
            maxTimestampMs: readInt64AsNumber(bytes, at + BatchLayout.MAX_TIMESTAMP),
          };
        }
        at += sizeBytes;
      }
    }
    return null;
  }

  /**
   * The segment's bytes `[position, position + length)` from memory, undefined when they start
   * before what is held. A view when one append holds them all, else one copy of the pieces.
   */
  bytesAt(position: number, length: number): Buffer | undefined {
    if (this.isEmpty || position < this.startPosition) return undefined;
    assert(position + length <= this.endPosition, 'read beyond the recent appends');
    let i = this.lastStartingAtOrBefore((held) => held.position, position);
    const held = this.held[i]!;
    const from = position - held.position;
    if (from + length <= held.bytes.length) return held.bytes.subarray(from, from + length);
    const joined = Buffer.allocUnsafe(length);
    let written = held.bytes.copy(joined, 0, from);
    while (written < length) {
      const next = this.held[++i]!;
      written += next.bytes.copy(joined, written, 0, Math.min(next.bytes.length, length - written));
    }
    return joined;
  }

  /**
   * Copies the segment's bytes `[position, position + length)` from memory into `target` at
   * `targetOffset`, piece by piece from the held appends (no Buffer in between, unlike `bytesAt`
   * across appends: a follower's answer of several appends is written straight into its frame).
   * False, copying nothing, when they start before what is held (read the file).
   */
  copyInto(position: number, length: number, target: Buffer, targetOffset: number): boolean {
    if (this.isEmpty || position < this.startPosition) return false;
    assert(position + length <= this.endPosition, 'read beyond the recent appends');
    assert(targetOffset >= 0 && targetOffset + length <= target.length, 'copy beyond the end of its target');
    let i = this.lastStartingAtOrBefore((held) => held.position, position);
    let from = position - this.held[i]!.position;
    let written = 0;
    while (written < length) {
      const bytes = this.held[i++]!.bytes;
      written += bytes.copy(target, targetOffset + written, from, Math.min(bytes.length, from + length - written));
      from = 0;
    }
    return true;
  }

  /**
   * Walks the batch headers in `[start, end)` from memory (batch-header-walk.ts does it on the
   * file) until `visit` returns true, and returns that batch (null at `end`); undefined when
   * `start` is before what is held (walk the file). `start` is a batch's start: every held append
   * is whole batches, so no batch spans two.
   */
  walkHeaders(start: number, end: number, visit: (batch: BatchLocation) => boolean): BatchLocation | null | undefined {
    if (this.isEmpty || start < this.startPosition) return undefined;
    assert(end <= this.endPosition, 'walk beyond the recent appends');
    for (let i = this.lastStartingAtOrBefore((held) => held.position, start); i < this.held.length; i++) {
      const held = this.held[i]!;
      const bytes = held.bytes;
      for (let at = Math.max(0, start - held.position); at < bytes.length;) {
        const position = held.position + at;
        if (position >= end) return null;
        const sizeBytes = bytes.readInt32BE(at + BatchLayout.BATCH_LENGTH) + BATCH_LOG_OVERHEAD_BYTES;
        const baseOffset = readInt64AsNumber(bytes, at + BatchLayout.BASE_OFFSET);
        const batch: BatchLocation = {
          position,
          baseOffset,
          lastOffset: baseOffset + bytes.readInt32BE(at + BatchLayout.LAST_OFFSET_DELTA),
          sizeBytes,
          maxTimestampMs: readInt64AsNumber(bytes, at + BatchLayout.MAX_TIMESTAMP),
        };
        if (visit(batch)) return batch;
        at += sizeBytes;
      }
    }
    return null;
  }

  /** Index of the last held append whose `key` is <= `value` (the first one is, by the callers' checks). */
  private lastStartingAtOrBefore(key: (held: HeldAppend) => number, value: number): number {
    let low = this.first;
    let high = this.held.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (key(this.held[middle]!) <= value) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
