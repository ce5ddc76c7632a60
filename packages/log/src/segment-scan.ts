import {
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD_BYTES,
  BatchLayout,
  CorruptRecordError,
  MAX_BATCH_BYTES_HARD_LIMIT,
  RecordBatchView,
} from '@sluice/protocol';
import { readFully } from './durable-file';

/** Chunk for sequential scans: large reads keep recovery near disk/page-cache bandwidth. */
export const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

let sharedChunk: Buffer | null = null;
/** One scan buffer per process: scans are synchronous and never nest, so sharing is safe. */
function scanChunk(): Buffer {
  sharedChunk ??= Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
  return sharedChunk;
}

export interface ScanProblem {
  /** Start of the batch that could not be accepted: everything before it is good. */
  readonly batchPosition: number;
  /** The exact byte where the problem was found. */
  readonly position: number;
  readonly reason: string;
}

export interface ScanResult {
  /** Position right after the last accepted batch. */
  readonly validEndPosition: number;
  readonly batches: number;
  readonly problem: ScanProblem | null;
}

/**
 * Visits every batch of a segment file from `startPosition` to `endPosition`, reading big chunks
 * (not one syscall per header). `onBatch` gets a view valid only during the call; it may reject
 * the batch by returning a reason (offset order, ...). Stops at the first problem: a batch that
 * fails header checks, CRC (when `verifyCrc`), or runs past the end (a torn tail).
 */
export function scanSegmentFile(
  fd: number,
  startPosition: number,
  endPosition: number,
  verifyCrc: boolean,
  onBatch: (view: RecordBatchView) => string | null,
): ScanResult {
  let window = scanChunk().subarray(0, 0);
  let chunkStart = startPosition;
  let position = startPosition;
  let batches = 0;
  const fail = (at: number, reason: string): ScanResult => ({
    validEndPosition: position,
    batches,
    problem: { batchPosition: position, position: at, reason },
  });
  while (position < endPosition) {
    const remainingInFile = endPosition - position;
    let offsetInChunk = position - chunkStart;
    let neededBytes = Math.min(BATCH_LOG_OVERHEAD_BYTES, remainingInFile);
    if (neededBytes === BATCH_LOG_OVERHEAD_BYTES && offsetInChunk + neededBytes <= window.length) {
      const declared = window.readInt32BE(offsetInChunk + BatchLayout.BATCH_LENGTH) + BATCH_LOG_OVERHEAD_BYTES;
      neededBytes =
        declared >= BATCH_HEADER_BYTES && declared <= MAX_BATCH_BYTES_HARD_LIMIT
          ? Math.min(declared, remainingInFile)
          : BATCH_LOG_OVERHEAD_BYTES;
    }
    if (offsetInChunk + neededBytes > window.length) {
      // Refill from this batch's start; a batch bigger than the shared chunk gets its own buffer.
      const declared = peekDeclaredSize(fd, position, remainingInFile);
      const want = Math.min(remainingInFile, Math.max(SCAN_CHUNK_BYTES, declared));
      const chunk = want > SCAN_CHUNK_BYTES ? Buffer.allocUnsafe(want) : scanChunk();
      chunkStart = position;
      window = chunk.subarray(0, readFully(fd, chunk, 0, want, position));
      offsetInChunk = 0;
    }
    let view: RecordBatchView;
    try {
      view = RecordBatchView.at(window, offsetInChunk, position);
      if (verifyCrc) view.verifyCrc();
    } catch (error) {
      if (error instanceof CorruptRecordError) return fail(error.position, error.reason);
      return fail(position, (error as Error).message);
    }
    let rejection: string | null;
    try {
      rejection = onBatch(view);
    } catch (error) {
      if (error instanceof CorruptRecordError) return fail(error.position, error.reason);
      throw error;
    }
    if (rejection !== null) return fail(position, rejection);
    position += view.sizeBytes;
    batches++;
  }
  return { validEndPosition: position, batches, problem: null };
}

function peekDeclaredSize(fd: number, position: number, remaining: number): number {
  if (remaining < BATCH_LOG_OVERHEAD_BYTES) return 0;
  const header = Buffer.allocUnsafe(BATCH_LOG_OVERHEAD_BYTES);
  if (readFully(fd, header, 0, BATCH_LOG_OVERHEAD_BYTES, position) < BATCH_LOG_OVERHEAD_BYTES) return 0;
  const declared = header.readInt32BE(BatchLayout.BATCH_LENGTH) + BATCH_LOG_OVERHEAD_BYTES;
  return declared >= BATCH_HEADER_BYTES && declared <= MAX_BATCH_BYTES_HARD_LIMIT ? declared : 0;
}
