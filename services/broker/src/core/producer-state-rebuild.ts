/**
 * Streams the producer fields of every batch in a partition log, oldest first, for
 * `ProducerStateManager.loadFromBatches` when a replica becomes leader or after a truncation.
 * Reads `readChunkBytes` at a time, so memory stays bounded however long the log; time is one
 * pass over the log (Kafka starts from a producer snapshot instead: we do not write those yet).
 */
import { iterateBatches } from '@sluice/protocol';
import { assert } from './assert';
import { producerBatchOf, type LoggedProducerBatch } from './producer-state';

/** The reads the rebuild needs; `PartitionLog` satisfies it. */
export interface BatchReadableLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  read(offset: number, maxBytes: number): { readonly records: Buffer; readonly lastOffset: number | null };
}

export const DEFAULT_REBUILD_READ_BYTES = 1024 * 1024;

export function* producerBatchesInLog(
  log: BatchReadableLog,
  readChunkBytes = DEFAULT_REBUILD_READ_BYTES,
): Generator<LoggedProducerBatch> {
  assert(Number.isSafeInteger(readChunkBytes) && readChunkBytes > 0, `read chunk ${readChunkBytes} must be positive`);
  let offset = log.logStartOffset;
  const end = log.logEndOffset;
  while (offset < end) {
    const result = log.read(offset, readChunkBytes);
    if (result.lastOffset === null) break;
    assert(result.lastOffset >= offset, `log read at ${offset} went backwards to ${result.lastOffset}`);
    for (const view of iterateBatches(result.records)) {
      // Only the header is read: records stay opaque (and compressed).
      if (view.producerId >= 0) yield producerBatchOf(view);
    }
    offset = result.lastOffset + 1;
  }
}
