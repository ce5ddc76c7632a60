/**
 * Remote compaction of one partition of a tiered compacted topic, run by its leader's tiering
 * task (the shell around the pure `compactRemoteSegments`). Why the leader and not the tiering
 * service: "superseded" means "a later record of the key exists anywhere", and the later records
 * are mostly on the leader's local disk (pods share none); the leader also already writes the
 * partition's remote-log metadata under its leader epoch, and runs copy and retention one step at
 * a time, so a compaction never races them.
 *
 * A pass: the remote-only segments (wholly below the local log start) from where the previous
 * pass stopped, consecutive, up to `maxBytesPerPass` (GET into memory); the key -> latest offset
 * map over them, every newer remote segment (one GET at a time, not kept) and the local log up to
 * the high watermark; the filtered, merged result; then for each new segment the copy protocol
 * with one addition: its metadata names the uploads it replaces, and its COPY_SEGMENT_FINISHED
 * retires them in the same record (readers switch from old to new at that one durable step), after
 * which the old objects are deleted (DELETE_SEGMENT_FINISHED). A crash before the finish leaves an
 * unfinished upload (cleaned up as any interrupted copy; the old ones stay readable); after it,
 * old uploads in DELETE_SEGMENT_STARTED (deleted by the next run's cleanup).
 */
import { isCompacted, OffsetMap, type PartitionLog } from '@sluice/log';
import type { ObjectStore } from './object-store';
import { remoteLogObjectBytes, remoteObjectKey } from './object-keys';
import { readIndexParts } from './remote-index-parts';
import { bundleIndexes } from './segment-indexes';
import { addLatestOffsets, compactRemoteSegments } from './remote-compaction';
import type {
  RemoteLogMetadataRecord,
  RemotePartitionState,
  RemoteSegmentMetadata,
  RemoteSegmentState,
} from './remote-log-metadata';

export interface RemoteCompactionOptions {
  /** `remote.log.manager.compaction.interval.ms`. */
  readonly intervalMs: number;
  /** `remote.log.manager.compaction.max.bytes`: source bytes one pass holds in memory. */
  readonly maxBytesPerPass: number;
  /** `log.cleaner.dedupe.buffer.size`: the key map's memory bound. */
  readonly dedupeBufferBytes: number;
}

/** Cumulative since the task opened. */
export interface RemoteCompactionTotals {
  runs: number;
  bytesIn: number;
  bytesOut: number;
  recordsDropped: number;
  /** Remote segments replaced (their objects deleted). */
  segmentsReplaced: number;
}

export type RemoteCompactionSkip = 'not-due' | 'not-compacted' | 'nothing-remote' | 'offset-map-full' | 'no-change';

export interface RemoteCompactionPass {
  readonly skipped: RemoteCompactionSkip | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly recordsDropped: number;
  readonly segmentsReplaced: number;
  readonly segmentsWritten: number;
}

/** What the compactor needs of its partition's tiering task (which owns the metadata writes). */
export interface RemoteCompactorHost {
  readonly log: PartitionLog;
  readonly state: RemotePartitionState;
  readonly store: ObjectStore;
  readonly keyPrefix: string;
  readonly brokerId: number;
  readonly leaderEpoch: () => number;
  readonly highWatermark: () => number;
  readonly nowMs: () => number;
  readonly newUploadId: () => string;
  /** Durable first, then applied (the task's own write). */
  readonly write: (record: RemoteLogMetadataRecord) => Promise<void>;
  /** DELETE_SEGMENT_STARTED unless `current` is, the objects, DELETE_SEGMENT_FINISHED. */
  readonly deleteSegment: (metadata: RemoteSegmentMetadata, current: RemoteSegmentState) => Promise<void>;
  /**
   * Waits for the broker's copy quota (`remote.log.manager.copy.max.bytes.per.second`) before a
   * new segment's PUTs: compaction's uploads are PUT bandwidth like copies, and a pass of
   * `maxBytesPerPass` must not burst past the rate the copies keep to.
   */
  readonly beforeUpload?: (bytes: number) => Promise<void>;
}

/** Local bytes read at a time while the map takes in the local log. */
const LOCAL_READ_BYTES = 1024 * 1024;

function skipped(reason: RemoteCompactionSkip): RemoteCompactionPass {
  return { skipped: reason, bytesIn: 0, bytesOut: 0, recordsDropped: 0, segmentsReplaced: 0, segmentsWritten: 0 };
}

export class RemoteCompactor {
  private lastRunMs: number | null = null;
  /** Where the previous pass stopped (its last source's end); the next starts after it, wrapping. */
  private compactedThroughOffset = -1;
  private readonly totalsValue: RemoteCompactionTotals = {
    runs: 0,
    bytesIn: 0,
    bytesOut: 0,
    recordsDropped: 0,
    segmentsReplaced: 0,
  };

  constructor(
    private readonly host: RemoteCompactorHost,
    private readonly options: RemoteCompactionOptions,
  ) {
    for (const [name, value, min] of [
      ['intervalMs', options.intervalMs, 1],
      ['maxBytesPerPass', options.maxBytesPerPass, 1],
      ['dedupeBufferBytes', options.dedupeBufferBytes, 1],
    ] as const) {
      if (!(Number.isSafeInteger(value) && value >= min))
        throw new RangeError(`remote compaction ${name} ${value} must be an integer >= ${min}`);
    }
  }

  totals(): Readonly<RemoteCompactionTotals> {
    return { ...this.totalsValue };
  }

  /** One pass when `intervalMs` has passed since the last one (the first run of a leadership waits too). */
  async runIfDue(): Promise<RemoteCompactionPass> {
    const { host } = this;
    if (!isCompacted(host.log.config)) return skipped('not-compacted');
    const nowMs = host.nowMs();
    if (this.lastRunMs === null) this.lastRunMs = nowMs;
    if (nowMs - this.lastRunMs < this.options.intervalMs) return skipped('not-due');
    this.lastRunMs = nowMs;
    return this.runPass(nowMs);
  }

  /** One pass now (tests, and `runIfDue`). */
  async runPass(nowMs: number = this.host.nowMs()): Promise<RemoteCompactionPass> {
    const { host } = this;
    if (!isCompacted(host.log.config)) return skipped('not-compacted');
    const sources = this.chooseSources();
    if (sources.length === 0) return skipped('nothing-remote');
    this.totalsValue.runs++;
    const sourceBytes = await Promise.all(sources.map((segment) => this.getLog(segment)));
    const map = new OffsetMap(this.options.dedupeBufferBytes);
    for (const bytes of sourceBytes) if (!addLatestOffsets(map, bytes)) return skipped('offset-map-full');
    if (!(await this.addNewer(map, sources[sources.length - 1]!.endOffset))) return skipped('offset-map-full');

    const config = host.log.config;
    const result = compactRemoteSegments(
      sources.map((segment, i) => ({
        startOffset: segment.startOffset,
        endOffset: segment.endOffset,
        bytes: sourceBytes[i]!,
      })),
      map,
      {
        nowMs,
        deleteRetentionMs: config.deleteRetentionMs,
        segmentBytes: config.segmentBytes,
        indexIntervalBytes: config.indexIntervalBytes,
        segmentIndexBytes: config.segmentIndexBytes,
      },
    );
    this.compactedThroughOffset = sources[sources.length - 1]!.endOffset;
    let segmentsReplaced = 0;
    let segmentsWritten = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    let recordsDropped = 0;
    for (const compacted of result.segments) {
      const replaced = compacted.replaces.map((i) => sources[i]!);
      // One source that lost nothing would only be copied again.
      if (replaced.length === 1 && compacted.recordsDropped === 0) continue;
      await this.replace(replaced, compacted);
      segmentsReplaced += replaced.length;
      segmentsWritten++;
      bytesIn += replaced.reduce((sum, s) => sum + s.segmentSizeBytes, 0);
      bytesOut += compacted.bytes.length;
      recordsDropped += compacted.recordsDropped;
      this.totalsValue.segmentsReplaced += replaced.length;
      this.totalsValue.bytesIn += replaced.reduce((sum, s) => sum + s.segmentSizeBytes, 0);
      this.totalsValue.bytesOut += compacted.bytes.length;
      this.totalsValue.recordsDropped += compacted.recordsDropped;
    }
    if (segmentsWritten === 0) return skipped('no-change');
    return { skipped: null, bytesIn, bytesOut, recordsDropped, segmentsReplaced, segmentsWritten };
  }

  /**
   * Consecutive remote-only segments (wholly below the local log start), starting after the
   * previous pass's last one (or from the first again), up to `maxBytesPerPass` (at least one).
   */
  private chooseSources(): RemoteSegmentMetadata[] {
    const localStart = this.host.log.logStartOffset;
    const remoteOnly = this.host.state.copied().filter((segment) => segment.endOffset < localStart);
    // By end offset: a new leader's copy may begin inside the one before it (overlapping uploads).
    let from = remoteOnly.findIndex((segment) => segment.endOffset > this.compactedThroughOffset);
    if (from < 0) from = 0;
    const chosen: RemoteSegmentMetadata[] = [];
    let bytes = 0;
    for (let i = from; i < remoteOnly.length; i++) {
      const segment = remoteOnly[i]!;
      const previous = chosen[chosen.length - 1];
      if (previous !== undefined && segment.startOffset !== previous.endOffset + 1) break;
      if (chosen.length > 0 && bytes + segment.segmentSizeBytes > this.options.maxBytesPerPass) break;
      chosen.push(segment);
      bytes += segment.segmentSizeBytes;
    }
    return chosen;
  }

  /**
   * Everything newer than `afterOffset` into the map, oldest first: the remote segments ending
   * above it (one GET at a time; overlapping copies repeat the same records), then the local log
   * up to the high watermark (nothing a new leader could truncate may shadow a remote record).
   */
  private async addNewer(map: OffsetMap, afterOffset: number): Promise<boolean> {
    const { host } = this;
    for (const segment of host.state.copied()) {
      if (segment.endOffset <= afterOffset || segment.startOffset >= host.log.logStartOffset) continue;
      if (!addLatestOffsets(map, await this.getLog(segment))) return false;
    }
    // Synchronous from here: retention cannot move the log start between these reads.
    const highWatermark = host.highWatermark();
    for (let offset = host.log.logStartOffset; offset < highWatermark;) {
      const read = host.log.read(offset, LOCAL_READ_BYTES, { maxOffset: highWatermark });
      if (read.lastOffset === null) break;
      if (!addLatestOffsets(map, read.records)) return false;
      offset = read.lastOffset + 1;
    }
    return true;
  }

  private async getLog(segment: RemoteSegmentMetadata): Promise<Buffer> {
    const key = remoteObjectKey(this.host.keyPrefix, segment, 'log');
    // The segment's bytes only: the indexes bundle may follow them in the same object.
    const bytes =
      remoteLogObjectBytes(segment) === segment.segmentSizeBytes
        ? await this.host.store.get(key)
        : await this.host.store.getRange(key, 0, segment.segmentSizeBytes);
    if (bytes.length !== segment.segmentSizeBytes)
      throw new Error(`${key}: ${bytes.length} bytes, the metadata says ${segment.segmentSizeBytes}`);
    return bytes;
  }

  /**
   * The copy protocol for one compacted segment replacing `replaced`: COPY_SEGMENT_STARTED naming
   * them (durable before any PUT), the one `.log` object with the indexes bundle after the
   * segment's bytes (leader-epoch checkpoint and producer snapshot as of the end: the last
   * replaced segment's, in any layout),
   * COPY_SEGMENT_FINISHED (retires them), then their objects deleted.
   */
  private async replace(
    replaced: readonly RemoteSegmentMetadata[],
    compacted: { startOffset: number; endOffset: number; bytes: Buffer; offsetIndex: Buffer; timeIndex: Buffer },
  ): Promise<void> {
    const { host } = this;
    const last = replaced[replaced.length - 1]!;
    const epochs = new Map<number, number>();
    for (const segment of replaced)
      for (const [epoch, start] of segment.segmentLeaderEpochs) if (!epochs.has(epoch)) epochs.set(epoch, start);
    // Read before COPY_SEGMENT_STARTED: the bundle's layout is part of the metadata it writes.
    const [epochCheckpoint, producerSnapshot] = await readIndexParts(host.store, host.keyPrefix, last, [
      'leader-epoch-checkpoint',
      'producer-snapshot',
    ]);
    const bundle = bundleIndexes({
      index: compacted.offsetIndex,
      timeindex: compacted.timeIndex,
      'leader-epoch-checkpoint': epochCheckpoint!,
      'producer-snapshot': producerSnapshot!,
    });
    const metadata: RemoteSegmentMetadata = {
      id: { ...last.id, uploadId: host.newUploadId() },
      startOffset: compacted.startOffset,
      endOffset: compacted.endOffset,
      // The replaced data's: time retention of the compacted segment is never earlier than theirs.
      maxTimestampMs: Math.max(...replaced.map((segment) => segment.maxTimestampMs)),
      leaderEpoch: host.leaderEpoch(),
      segmentSizeBytes: compacted.bytes.length,
      segmentLeaderEpochs: [...epochs.entries()].sort((a, b) => a[0] - b[0]),
      brokerId: host.brokerId,
      replacesUploadIds: replaced.map((segment) => segment.id.uploadId),
      indexes: bundle.layout,
      indexesInLog: true,
    };
    host.state.checkReplacement(metadata);
    const record = (state: RemoteSegmentState): RemoteLogMetadataRecord => ({
      kind: 'segment',
      state,
      metadata,
      eventTimestampMs: host.nowMs(),
    });
    await host.write(record('COPY_SEGMENT_STARTED'));
    try {
      // After the STARTED record (a crash while waiting leaves an interrupted copy, cleaned up as any).
      await host.beforeUpload?.(compacted.bytes.length);
      // One copy of the compacted bytes (a pass holds at most remote.log.manager.compaction.max.bytes).
      await host.store.put(
        remoteObjectKey(host.keyPrefix, metadata, 'log'),
        Buffer.concat([compacted.bytes, bundle.bytes]),
      );
    } catch (error) {
      // Best effort now; else the next run's cleanup of unfinished uploads finds it.
      await host.deleteSegment(metadata, 'COPY_SEGMENT_STARTED').catch(() => {});
      throw error;
    }
    await host.write(record('COPY_SEGMENT_FINISHED'));
    for (const segment of replaced) await host.deleteSegment(segment, 'DELETE_SEGMENT_STARTED');
  }
}
