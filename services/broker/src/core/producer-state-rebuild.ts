/**
 * Streams the producer fields of every batch in a partition log, oldest first, for
 * `ProducerStateManager.loadFromBatches` when a replica becomes leader or after a truncation.
 * Reads `readChunkBytes` at a time, so memory stays bounded however long the log; time is one
 * pass over the log. A log that started from remote storage (tiered storage: a replica that
 * started below its leader's local log start) keeps the producer state as of its start, restored
 * from the uploaded cumulative snapshot: that comes first, then the log's batches above it.
 */
import { iterateBatches } from '@sluice/protocol';
import { decodeProducerSnapshot, ProducerSnapshotError, type ProducerSnapshot } from '@sluice/tiering';
import { assert } from './assert';
import { producerBatchOf, type LoggedProducerBatch } from './producer-state';

/** The reads the rebuild needs; `PartitionLog` satisfies it. */
export interface BatchReadableLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  read(offset: number, maxBytes: number): { readonly records: Buffer; readonly lastOffset: number | null };
  /** The producer state kept beside the log as of `endOffset` (>= the log start - 1), if any. */
  producerSnapshot?(): { readonly endOffset: number; readonly payload: string } | null;
}

export const DEFAULT_REBUILD_READ_BYTES = 1024 * 1024;

export function* producerBatchesInLog(
  log: BatchReadableLog,
  readChunkBytes = DEFAULT_REBUILD_READ_BYTES,
): Generator<LoggedProducerBatch> {
  assert(Number.isSafeInteger(readChunkBytes) && readChunkBytes > 0, `read chunk ${readChunkBytes} must be positive`);
  const snapshot = keptSnapshot(log);
  if (snapshot !== null) yield* snapshotBatches(snapshot);
  const coveredThrough = snapshot?.endOffset ?? -1;
  let offset = log.logStartOffset;
  const end = log.logEndOffset;
  while (offset < end) {
    const result = log.read(offset, readChunkBytes);
    if (result.lastOffset === null) break;
    assert(result.lastOffset >= offset, `log read at ${offset} went backwards to ${result.lastOffset}`);
    for (const view of iterateBatches(result.records)) {
      // Only the header is read: records stay opaque (and compressed).
      if (view.producerId >= 0 && view.nextOffset - 1 > coveredThrough) yield producerBatchOf(view);
    }
    offset = result.lastOffset + 1;
  }
}

/**
 * The lowest offset whose producers a rebuild from `log` (`producerBatchesInLog`) knows: 0 when the
 * log starts at 0 or a kept snapshot (cumulative from offset 0) joins it, else the log start.
 */
export function producerStateFromOf(log: BatchReadableLog): number {
  if (log.logStartOffset === 0) return 0;
  return keptSnapshot(log) === null ? log.logStartOffset : 0;
}

/**
 * The kept snapshot, or null. One that does not decode is a damaged file beside a sound log: the
 * rebuild then knows what the log holds, as without one (a producer only in it must start over).
 */
function keptSnapshot(log: BatchReadableLog): ProducerSnapshot | null {
  const kept = log.producerSnapshot?.() ?? null;
  if (kept === null) return null;
  try {
    const snapshot = decodeProducerSnapshot(Buffer.from(kept.payload, 'utf8'), 'kept producer snapshot');
    assert(
      snapshot.endOffset === kept.endOffset,
      `kept producer snapshot ends at ${snapshot.endOffset}, not ${kept.endOffset}`,
    );
    return snapshot;
  } catch (error) {
    if (error instanceof ProducerSnapshotError) return null;
    throw error;
  }
}

/** The snapshot as batches: producers least recently appended first, each one's batches oldest first. */
function* snapshotBatches(snapshot: ProducerSnapshot): Generator<LoggedProducerBatch> {
  for (const producer of snapshot.producers) {
    if (producer.batches.length === 0) {
      // Only its epoch is known (a marker moved it): a control batch carries exactly that.
      yield {
        producerId: producer.producerId,
        producerEpoch: producer.producerEpoch,
        baseSequence: -1,
        lastOffsetDelta: 0,
        maxTimestampMs: producer.lastTimestampMs,
        baseOffset: Math.max(0, snapshot.endOffset),
        isControl: true,
      };
      continue;
    }
    for (const batch of producer.batches) {
      yield {
        producerId: producer.producerId,
        producerEpoch: producer.producerEpoch,
        baseSequence: batch.firstSequence,
        lastOffsetDelta: batch.lastOffset - batch.firstOffset,
        maxTimestampMs: batch.maxTimestampMs,
        baseOffset: batch.firstOffset,
      };
    }
  }
}
