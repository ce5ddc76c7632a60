import { open } from 'node:fs/promises';
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD_BYTES,
  BatchLayout,
  readInt64AsNumber,
} from '@sluice/protocol';
import type { ProducerSnapshotBuilder } from './producer-snapshot';

/** What the copy records about a closed segment, read from its batch headers. */
export interface SegmentSummary {
  readonly sizeBytes: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestampMs: number;
  /** Epoch -> first offset in the segment, in order (from the batches' partition leader epochs). */
  readonly leaderEpochs: Array<readonly [epoch: number, startOffset: number]>;
}

/** A read of the segment when the next batch header is not in the last one: most batches' headers at once. */
const WINDOW_BYTES = 64 * 1024;

/** Each batch's place in the segment, as an index builder takes it (SegmentIndexer.onBatch). */
export type OnSegmentBatch = (baseOffset: number, maxTimestampMs: number, position: number, sizeBytes: number) => void;

/**
 * Walks a closed segment's batch headers (records untouched). The segment is immutable once
 * rolled, and its CRCs were checked on append, so only the framing is checked.
 * Each batch's producer fields go into `producers` (the cumulative producer state), when given,
 * and its offset, timestamp, position and size to `onBatch` (a copy builds its indexes from them).
 *
 * Reads 64 KiB windows, which hold many small batches' headers at once; after a batch larger than
 * a window the next header is read alone (its 61 bytes), since a window there would copy 64 KiB
 * of records to use one header (a quarter of the segment again at 256 KiB batches).
 * `knownSizeBytes`, when the caller knows the size (a copy stats its segments to choose them), spares a
 * stat of the file; else the open file's size is taken.
 */
export async function summarizeSegment(
  path: string,
  producers?: ProducerSnapshotBuilder,
  onBatch?: OnSegmentBatch,
  knownSizeBytes?: number,
): Promise<SegmentSummary> {
  if (knownSizeBytes !== undefined && !(Number.isSafeInteger(knownSizeBytes) && knownSizeBytes >= 0))
    throw new RangeError(`${path}: size ${knownSizeBytes} is not a byte count`);
  const file = await open(path, 'r');
  try {
    const sizeBytes = knownSizeBytes ?? (await file.stat()).size;
    const window = Buffer.allocUnsafe(WINDOW_BYTES);
    let lastBatchBytes = 0;
    let windowStart = 0;
    let windowLength = 0;
    let position = 0;
    let firstOffset = -1;
    let lastOffset = -1;
    let maxTimestampMs = -1;
    const leaderEpochs: Array<readonly [number, number]> = [];
    while (position < sizeBytes) {
      if (position + BATCH_HEADER_BYTES > sizeBytes)
        throw new Error(`${path}: batch header at ${position} runs past the end`);
      if (position < windowStart || position + BATCH_HEADER_BYTES > windowStart + windowLength) {
        windowStart = position;
        const wanted = Math.min(
          lastBatchBytes > WINDOW_BYTES ? BATCH_HEADER_BYTES : WINDOW_BYTES,
          sizeBytes - position,
        );
        windowLength = (await file.read(window, 0, wanted, position)).bytesRead;
        if (windowLength < BATCH_HEADER_BYTES) throw new Error(`${path}: short read at ${position}`);
      }
      const at = position - windowStart;
      const batchBytes = window.readInt32BE(at + BatchLayout.BATCH_LENGTH) + BATCH_LOG_OVERHEAD_BYTES;
      if (batchBytes < BATCH_HEADER_BYTES || position + batchBytes > sizeBytes) {
        throw new Error(`${path}: batch at ${position} of ${batchBytes} bytes does not fit the segment`);
      }
      const baseOffset = readInt64AsNumber(window, at + BatchLayout.BASE_OFFSET, position);
      const batchLast = baseOffset + window.readInt32BE(at + BatchLayout.LAST_OFFSET_DELTA);
      const epoch = window.readInt32BE(at + BatchLayout.PARTITION_LEADER_EPOCH);
      const batchMaxTimestamp = readInt64AsNumber(window, at + BatchLayout.MAX_TIMESTAMP, position);
      if (firstOffset < 0) firstOffset = baseOffset;
      lastOffset = batchLast;
      maxTimestampMs = Math.max(maxTimestampMs, batchMaxTimestamp);
      if (leaderEpochs.length === 0 || leaderEpochs[leaderEpochs.length - 1]![0] < epoch) {
        leaderEpochs.push([epoch, baseOffset]);
      }
      onBatch?.(baseOffset, batchMaxTimestamp, position, batchBytes);
      producers?.apply({
        producerId: readInt64AsNumber(window, at + BatchLayout.PRODUCER_ID, position),
        producerEpoch: window.readInt16BE(at + BatchLayout.PRODUCER_EPOCH),
        baseSequence: window.readInt32BE(at + BatchLayout.BASE_SEQUENCE),
        baseOffset,
        lastOffset: batchLast,
        maxTimestampMs: batchMaxTimestamp,
        isControl: (window.readInt16BE(at + BatchLayout.ATTRIBUTES) & Attributes.CONTROL) !== 0,
      });
      position += batchBytes;
      lastBatchBytes = batchBytes;
    }
    if (firstOffset < 0) throw new Error(`${path}: an empty segment has nothing to copy`);
    return { sizeBytes, firstOffset, lastOffset, maxTimestampMs, leaderEpochs };
  } finally {
    await file.close();
  }
}
