/**
 * AnswerFramePool lends each buffer to one answer at a time: a frame is never handed out again
 * before it is given back, given back twice is refused, and the pool's buffers stay within its
 * budget (the real grpc-js server test is in record-answer-serializers.test.ts).
 */
import fc from 'fast-check';
import { AnswerFramePool, GRPC_PREFIX_BYTES, MAX_POOLED_FRAME_BYTES, MAX_POOLED_FRAME_SIZE_BYTES } from '../src';

const KIB = 1024;

/** Whether two views share any byte of memory. */
function overlap(a: Buffer, b: Buffer): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}

describe('AnswerFramePool', () => {
  it('reuses a frame only after it is given back', () => {
    const pool = new AnswerFramePool(1024 * KIB, 512 * KIB);
    const first = pool.lend(1_000);
    const second = pool.lend(1_000);
    expect(first.bytes.length).toBe(1_000);
    expect(overlap(first.bytes, second.bytes)).toBe(false);
    first.release();
    const third = pool.lend(2_000);
    expect(third.bytes.buffer).toBe(first.bytes.buffer);
    expect(overlap(third.bytes, second.bytes)).toBe(false);
    expect(pool.stats()).toEqual({ lentNow: 2, mostLentAtOnce: 2, lends: 3, unpooledLends: 0, pooledBytes: 128 * KIB });
  });

  it('refuses a frame given back twice and changes nothing', () => {
    const pool = new AnswerFramePool(1024 * KIB, 512 * KIB);
    const frame = pool.lend(100);
    frame.release();
    const before = pool.stats();
    expect(() => frame.release()).toThrow(/given back twice/);
    expect(pool.stats()).toEqual(before);
  });

  it('gives a frame above the pooled size, or beyond the budget, a buffer of its own', () => {
    const pool = new AnswerFramePool(256 * KIB, 128 * KIB);
    const large = pool.lend(128 * KIB + 1);
    const a = pool.lend(100 * KIB);
    const b = pool.lend(100 * KIB);
    const c = pool.lend(100 * KIB);
    expect(pool.stats()).toMatchObject({ lentNow: 4, unpooledLends: 2, pooledBytes: 256 * KIB });
    for (const frame of [large, a, b, c]) frame.release();
    expect(pool.stats()).toMatchObject({ lentNow: 0, pooledBytes: 256 * KIB });
    expect(MAX_POOLED_FRAME_SIZE_BYTES).toBeLessThanOrEqual(MAX_POOLED_FRAME_BYTES);
  });

  it('drops free buffers too small for a larger answer to stay within its budget', () => {
    const pool = new AnswerFramePool(256 * KIB, 256 * KIB);
    for (const frame of [pool.lend(60 * KIB), pool.lend(60 * KIB)]) frame.release();
    expect(pool.stats().pooledBytes).toBe(128 * KIB);
    const big = pool.lend(200 * KIB);
    expect(pool.stats()).toMatchObject({ pooledBytes: 256 * KIB, unpooledLends: 0 });
    big.release();
  });

  it('refuses a frame shorter than the gRPC prefix', () => {
    expect(() => new AnswerFramePool().lend(GRPC_PREFIX_BYTES - 1)).toThrow(/frame size/);
  });

  it('never lends memory that is out, and keeps the pool within its budget, for any order', () => {
    const step = fc.oneof(
      fc.record({ lend: fc.integer({ min: GRPC_PREFIX_BYTES, max: 300 * KIB }) }),
      fc.record({ release: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const pool = new AnswerFramePool(512 * KIB, 256 * KIB);
        const out: { bytes: Buffer; release: () => void; fill: number }[] = [];
        let fill = 0;
        for (const s of steps) {
          if ('lend' in s) {
            const frame = pool.lend(s.lend);
            expect(frame.bytes.length).toBe(s.lend);
            for (const other of out) expect(overlap(frame.bytes, other.bytes)).toBe(false);
            fill = (fill + 1) % 256;
            frame.bytes.fill(fill);
            out.push({ ...frame, fill });
          } else if (out.length > 0) {
            const [frame] = out.splice(s.release % out.length, 1);
            // What was written into a lent frame is still there when it is given back.
            expect(frame!.bytes.every((byte) => byte === frame!.fill)).toBe(true);
            frame!.release();
          }
          expect(pool.stats().lentNow).toBe(out.length);
          expect(pool.stats().pooledBytes).toBeLessThanOrEqual(512 * KIB);
        }
      }),
    );
  });
});
