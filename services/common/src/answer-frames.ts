/**
 * Buffers lent to grpc-js, each for one framed answer (the 5-byte gRPC prefix, then the message),
 * and given back when the HTTP/2 write of that answer has completed.
 *
 * Why: grpc-js frames every answer into a fresh Buffer (`serializeMessage`: the prefix, then a
 * copy of the serialized bytes). For the answers that carry records (a follower's or consumer's
 * fetch) that was a new Buffer of every record sent: at the acks=all produce plateau 2.3 of the
 * 3.1 MiB of Buffers the brokers' JavaScript allocated per produced MB, and every Buffer's bytes
 * count toward the limit that starts V8's full collections (docs/performance.md, sections 6 and
 * 14). The patched grpc-js (patches/@grpc__grpc-js@1.14.7.patch) asks the serializer for a lent frame
 * and calls `release` from the stream write's callback.
 *
 * Why the lifetime is over at `release`: Node's HTTP/2 stream calls a write's callback once the
 * bytes have been written to the socket (or the write was dropped with the stream); until then
 * the write request holds the Buffer and nghttp2 may still read it. So a frame is never lent again
 * before that callback: `lend` only hands out buffers that are not out (asserted), and a frame given
 * back twice is a bug (asserted).
 *
 * Bounds: the pool's buffers, lent or free, total at most `maxPooledBytes`; a frame above
 * `maxFrameBytes`, or one the budget cannot hold while others are out, gets a Buffer of its own
 * (what grpc-js allocated before), still lent and given back the same way.
 */

/** gRPC's message prefix: a compressed flag byte, then the message length (uint32, big-endian). */
export const GRPC_PREFIX_BYTES = 5;
/** Pooled buffers, lent or free, total at most this (per process). */
export const MAX_POOLED_FRAME_BYTES = 16 * 1024 * 1024;
/** A frame larger than this is never pooled. */
export const MAX_POOLED_FRAME_SIZE_BYTES = 8 * 1024 * 1024;
/** Pooled buffers come in powers of two from this size on, so a buffer fits many later answers. */
const MIN_POOLED_CAPACITY_BYTES = 64 * 1024;

/** One lent frame: `bytes` is the caller's until it calls `release` (exactly once). */
export interface LentFrame {
  readonly bytes: Buffer;
  readonly release: () => void;
}

export interface AnswerFrameStats {
  /** Frames lent and not yet given back. */
  readonly lentNow: number;
  readonly mostLentAtOnce: number;
  /** Frames lent in all, and of those how many had a Buffer of their own (not pooled). */
  readonly lends: number;
  readonly unpooledLends: number;
  /** Capacity of the pool's buffers, lent or free. */
  readonly pooledBytes: number;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`answer frames invariant: ${message}`);
}

function capacityFor(sizeBytes: number): number {
  let capacity = MIN_POOLED_CAPACITY_BYTES;
  while (capacity < sizeBytes) capacity *= 2;
  return capacity;
}

export class AnswerFramePool {
  /** Free pooled buffers (whole capacity), at most maxPooledBytes together with the lent ones. */
  private readonly free: Buffer[] = [];
  /** Every buffer out now, pooled or not: a buffer is lent to one answer at a time. */
  private readonly lent = new Set<Buffer>();
  private pooledBytes = 0;
  private mostLentAtOnce = 0;
  private lends = 0;
  private unpooledLends = 0;

  constructor(
    private readonly maxPooledBytes = MAX_POOLED_FRAME_BYTES,
    private readonly maxFrameBytes = MAX_POOLED_FRAME_SIZE_BYTES,
  ) {
    assert(maxFrameBytes <= maxPooledBytes, 'a pooled frame must fit the pool');
  }

  /** A frame of exactly `sizeBytes`, the caller's until its `release`. */
  lend(sizeBytes: number): LentFrame {
    assert(Number.isSafeInteger(sizeBytes) && sizeBytes >= GRPC_PREFIX_BYTES, `frame size ${sizeBytes}`);
    const pooled = sizeBytes <= this.maxFrameBytes ? this.takePooled(sizeBytes) : undefined;
    const backing = pooled ?? Buffer.allocUnsafeSlow(sizeBytes);
    assert(!this.lent.has(backing), 'a buffer lent twice at once');
    this.lent.add(backing);
    this.lends++;
    if (pooled === undefined) this.unpooledLends++;
    this.mostLentAtOnce = Math.max(this.mostLentAtOnce, this.lent.size);
    let released = false;
    return {
      bytes: backing.subarray(0, sizeBytes),
      release: () => {
        assert(!released, 'a frame given back twice');
        released = true;
        assert(this.lent.delete(backing), 'a frame given back that was not lent');
        if (pooled !== undefined) this.free.push(backing);
      },
    };
  }

  stats(): AnswerFrameStats {
    return {
      lentNow: this.lent.size,
      mostLentAtOnce: this.mostLentAtOnce,
      lends: this.lends,
      unpooledLends: this.unpooledLends,
      pooledBytes: this.pooledBytes,
    };
  }

  /** The smallest free buffer that holds `sizeBytes`, or a new pooled one, or undefined (budget). */
  private takePooled(sizeBytes: number): Buffer | undefined {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = this.free[i]!.length;
      if (length >= sizeBytes && (best < 0 || length < this.free[best]!.length)) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0];
    const capacity = capacityFor(sizeBytes);
    // Free buffers too small for this answer go first (they are not lent: dropping them is safe).
    this.free.sort((a, b) => a.length - b.length);
    while (this.pooledBytes + capacity > this.maxPooledBytes && this.free.length > 0) {
      this.pooledBytes -= this.free.shift()!.length;
    }
    if (this.pooledBytes + capacity > this.maxPooledBytes) return undefined;
    this.pooledBytes += capacity;
    return Buffer.allocUnsafeSlow(capacity);
  }
}
