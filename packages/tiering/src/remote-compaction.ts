/**
 * Remote compaction of a compacted topic's tiered segments, as pure functions over bytes: the
 * remote part of the log is compacted against everything newer (newer remote segments and the
 * local log up to the high watermark), so a key superseded anywhere later is dropped remotely, and
 * tombstones go once their delete horizon (`delete.retention.ms` after they were first cleaned)
 * has passed. The rules per record are the local cleaner's (`filterBatch` in @sluice/log): the
 * same batches, offsets, timestamps and producer fields survive; offsets only get gaps.
 * No I/O here: the tiering task fetches the segments and writes the result.
 */
import { filterBatch, groupSegmentsBySize, OffsetMap, SegmentIndexer, type BatchFilterContext } from '@sluice/log';
import { decodeRecordBatch, iterateBatches } from '@sluice/protocol';

/** One remote segment going into a pass: its claimed offset range and its `.log` bytes. */
export interface RemoteCompactionSource {
  readonly startOffset: number;
  /** Inclusive; may lie past the last batch (a compacted segment claims up to the next one). */
  readonly endOffset: number;
  readonly bytes: Buffer;
}

export interface RemoteCompactionSettings {
  readonly nowMs: number;
  /** `delete.retention.ms`: how long a cleaned tombstone stays readable. */
  readonly deleteRetentionMs: number;
  /** `segment.bytes`: merged results are at most this big (cleaning only shrinks). */
  readonly segmentBytes: number;
  /** `index.interval.bytes` / `segment.index.bytes`, for the new segments' indexes. */
  readonly indexIntervalBytes: number;
  readonly segmentIndexBytes: number;
}

/** One new remote segment replacing consecutive sources. */
export interface CompactedRemoteSegment {
  /** Indexes into the sources it replaces (consecutive). */
  readonly replaces: readonly number[];
  readonly startOffset: number;
  readonly endOffset: number;
  readonly bytes: Buffer;
  readonly offsetIndex: Buffer;
  readonly timeIndex: Buffer;
  readonly recordsDropped: number;
}

export interface RemoteCompactionResult {
  readonly segments: readonly CompactedRemoteSegment[];
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly recordsDropped: number;
}

/**
 * Adds the keyed records of `batches` (whole batches laid end to end) to `map`, oldest first,
 * skipping control and transactional batches (as the local cleaner: an aborted record must not
 * shadow a committed one). False when the map's memory bound was reached: the pass must not run
 * then (a key missing from the map could keep a superseded value, never lose a latest one, but a
 * partial map makes the pass pointless).
 */
export function addLatestOffsets(map: OffsetMap, batches: Buffer): boolean {
  for (const view of iterateBatches(batches)) {
    if (view.isControl || view.isTransactional) continue;
    if (!map.tryAddBatch(decodeRecordBatch(view, { verifyCrc: false }).records)) return false;
  }
  return true;
}

/**
 * Filters each source against `map` (which must already hold every source and everything newer),
 * then merges consecutive results up to `segment.bytes` into new segments with their indexes.
 * Each new segment claims exactly the offsets its sources claimed (first start to last end), so
 * the remote log keeps its shape and a reader finds every surviving offset where it was.
 */
export function compactRemoteSegments(
  sources: readonly RemoteCompactionSource[],
  map: OffsetMap,
  settings: RemoteCompactionSettings,
): RemoteCompactionResult {
  for (let i = 1; i < sources.length; i++) {
    if (sources[i]!.startOffset !== sources[i - 1]!.endOffset + 1)
      throw new RangeError(
        `remote segments ${sources[i - 1]!.startOffset}..${sources[i - 1]!.endOffset} and ${sources[i]!.startOffset}.. are not consecutive`,
      );
  }
  const lastBatchOfProducer = new Map<number, number>();
  for (const source of sources)
    for (const view of iterateBatches(source.bytes))
      if (view.producerId >= 0) lastBatchOfProducer.set(view.producerId, view.baseOffset);
  const ctx: BatchFilterContext = {
    map,
    mapEndOffset: Number.MAX_SAFE_INTEGER,
    nowMs: settings.nowMs,
    deleteRetentionMs: settings.deleteRetentionMs,
    lastBatchOfProducer,
  };
  const filtered = sources.map((source) => {
    const kept: Buffer[] = [];
    let dropped = 0;
    for (const view of iterateBatches(source.bytes, { verifyCrc: true })) {
      if (view.baseOffset < source.startOffset || view.lastOffset > source.endOffset)
        throw new RangeError(`batch ${view.baseOffset}..${view.lastOffset} lies outside its remote segment`);
      const result = filterBatch(view, ctx);
      dropped += result.recordsRemoved;
      if (result.bytes !== null) kept.push(result.bytes);
    }
    return { bytes: Buffer.concat(kept), dropped };
  });
  const groupSizes = groupSegmentsBySize(
    filtered.map((f) => f.bytes.length),
    sources.map((s) => s.startOffset),
    sources.map((s) => s.endOffset + 1),
    settings.segmentBytes,
  );
  const segments: CompactedRemoteSegment[] = [];
  let at = 0;
  for (const count of groupSizes) {
    const replaces = Array.from({ length: count }, (_, i) => at + i);
    at += count;
    const bytes = Buffer.concat(replaces.map((i) => filtered[i]!.bytes));
    const startOffset = sources[replaces[0]!]!.startOffset;
    const indexer = new SegmentIndexer(startOffset, settings.indexIntervalBytes, settings.segmentIndexBytes);
    for (const view of iterateBatches(bytes))
      indexer.onBatch(view.baseOffset, view.maxTimestamp, view.position, view.sizeBytes);
    indexer.finish();
    segments.push({
      replaces,
      startOffset,
      endOffset: sources[replaces[count - 1]!]!.endOffset,
      bytes,
      offsetIndex: indexer.offsets.bytes(),
      timeIndex: indexer.times.bytes(),
      recordsDropped: replaces.reduce((sum, i) => sum + filtered[i]!.dropped, 0),
    });
  }
  const bytesIn = sources.reduce((sum, s) => sum + s.bytes.length, 0);
  const bytesOut = segments.reduce((sum, s) => sum + s.bytes.length, 0);
  return { segments, bytesIn, bytesOut, recordsDropped: segments.reduce((sum, s) => sum + s.recordsDropped, 0) };
}
