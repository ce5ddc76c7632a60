import { BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES, BatchLayout } from '@sluice/protocol';

const TWO_POW_32 = 2 ** 32;

/** What a located range held once read: its batches, counted, and the last offset of the last one. */
export interface LocatedBatches {
  readonly batchCount: number;
  /** Null when the range was empty. */
  readonly lastOffset: number | null;
}

/** Where and why bytes read for a location are not the batches it promised. */
export interface LocatedBatchesProblem {
  /** Byte position within the range. */
  readonly position: number;
  readonly reason: string;
}

/**
 * Checks that `bytes[start, start + length)` are what a location promised: whole batches that
 * tile the range exactly, the first based at `firstOffset`, offsets rising, every batch below
 * `bound`. Headers only: the log read path trusts CRCs (checked on append and recovery), as the
 * file read it replaces did. Catches a segment changed or cut under a location, or a damaged
 * batch length, before the bytes leave the broker.
 */
export function checkLocatedBatches(
  bytes: Buffer,
  start: number,
  length: number,
  firstOffset: number,
  bound: number,
): LocatedBatches | LocatedBatchesProblem {
  let at = 0;
  let batchCount = 0;
  let lastOffset: number | null = null;
  while (at < length) {
    if (at + BATCH_HEADER_BYTES > length)
      return { position: at, reason: `batch header runs past the range (${length})` };
    const sizeBytes = bytes.readInt32BE(start + at + BatchLayout.BATCH_LENGTH) + BATCH_LOG_OVERHEAD_BYTES;
    if (sizeBytes < BATCH_HEADER_BYTES || at + sizeBytes > length)
      return { position: at + BatchLayout.BATCH_LENGTH, reason: `batch size ${sizeBytes} does not fit the range` };
    const baseOffset =
      bytes.readInt32BE(start + at + BatchLayout.BASE_OFFSET) * TWO_POW_32 +
      bytes.readUInt32BE(start + at + BatchLayout.BASE_OFFSET + 4);
    if (!Number.isSafeInteger(baseOffset) || baseOffset < 0)
      return { position: at + BatchLayout.BASE_OFFSET, reason: `base offset ${baseOffset} is not a safe offset` };
    if (batchCount === 0 ? baseOffset !== firstOffset : baseOffset <= lastOffset!)
      return {
        position: at,
        reason:
          batchCount === 0
            ? `first batch based at ${baseOffset}, located at ${firstOffset}`
            : `batch based at ${baseOffset} after a batch ending at ${lastOffset}`,
      };
    const batchLast = baseOffset + bytes.readInt32BE(start + at + BatchLayout.LAST_OFFSET_DELTA);
    if (batchLast < baseOffset || batchLast >= bound)
      return { position: at, reason: `batch ${baseOffset}..${batchLast} is not below ${bound}` };
    lastOffset = batchLast;
    batchCount++;
    at += sizeBytes;
  }
  return { batchCount, lastOffset };
}
