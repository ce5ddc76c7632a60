import { statSync } from 'node:fs';
import {
  formatCheckpoint,
  isCompacted,
  OffsetOutOfRangeError,
  SegmentIndexer,
  segmentPaths,
  type PartitionLog,
} from '@sluice/log';
import { decodeRecordBatches } from '@sluice/protocol';
import type { RemoteLogMetadataLog } from './metadata-log';
import type { ObjectStore } from './object-store';
import type { FileRange } from './put-file-body';
import { remoteIndexPartKey, remoteObjectKey, remoteObjectKeys } from './object-keys';
import { readIndexParts } from './remote-index-parts';
import { bundleIndexes } from './segment-indexes';
import {
  RemotePartitionState,
  type RemoteLogMetadataRecord,
  type RemoteSegmentMetadata,
  type RemoteSegmentState,
} from './remote-log-metadata';
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  ProducerSnapshotBuilder,
  ProducerSnapshotError,
} from './producer-snapshot';
import {
  RemoteCompactor,
  type RemoteCompactionOptions,
  type RemoteCompactionPass,
  type RemoteCompactionTotals,
} from './remote-compactor';
import type { RemoteSegmentReader } from './remote-segment-reader';
import { summarizeSegment, type SegmentSummary } from './segment-summary';
import type { TopicTieringConfig } from './tiering-config';
import {
  localDeletionBound,
  selectRemoteDeletions,
  groupForCopy,
  MAX_COPY_MERGE_BYTES,
  mergeForCopy,
  selectSegmentsToCopy,
  type CompactedCopyGate,
  type LocalSegment,
} from './tiering-decisions';

export interface PartitionTiererOptions {
  /** The leader's log; its own retention.* are the totals, local retention is applied here. */
  readonly log: PartitionLog;
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly brokerId: number;
  readonly leaderEpoch: () => number;
  readonly highWatermark: () => number;
  readonly config: TopicTieringConfig;
  readonly store: ObjectStore;
  readonly keyPrefix: string;
  readonly metadataLog: RemoteLogMetadataLog;
  readonly reader: RemoteSegmentReader;
  readonly nowMs: () => number;
  readonly newUploadId: () => string;
  /** Segments copied per run at most (a run stays bounded; the next run continues). */
  readonly maxSegmentsPerRun?: number;
  /** The copy quota: resolves when a copy of `bytes` may start (default: at once); remote compaction's uploads pay it too. */
  readonly beforeCopy?: (bytes: number) => Promise<void>;
  /** Consecutive segments uploaded together at most (default DEFAULT_COPY_CONCURRENCY). */
  readonly copyConcurrency?: number;
  /** A group's bytes at most, unless it is one segment (default DEFAULT_COPY_GROUP_BYTES). */
  readonly copyGroupMaxBytes?: number;
  /**
   * Consecutive rolled segments copied together as ONE remote segment while their bytes stay
   * within this (mergeForCopy); 0 (the default): one remote segment per local segment, as Kafka.
   * At most MAX_COPY_MERGE_BYTES (a remote segment's positions are int32 in its offset index).
   */
  readonly copyMergeMaxBytes?: number;
  /** Remote compaction of a compacted topic's remote segments (absent: never). */
  readonly remoteCompaction?: RemoteCompactionOptions;
}

/**
 * Segments of one partition uploaded at once at most, within DEFAULT_COPY_GROUP_BYTES: a group
 * shares its metadata round trips (its COPY_SEGMENT_STARTED records go together, and its
 * COPY_SEGMENT_FINISHED records), so small segments (two objects and two metadata records each)
 * pay them once per group, not once per four segments as with groups of four (bench:tiering's
 * 1 MiB row). Sixteen is a default run's whole batch (DEFAULT_MAX_SEGMENTS_PER_RUN).
 */
export const DEFAULT_COPY_CONCURRENCY = 16;

/**
 * A group's bytes at most (one larger segment goes alone): what one partition has in flight
 * stays bounded whatever the segment size; 64 MiB keeps 16 MiB segments in groups of four, as
 * before. Each upload streams its `.log` from disk (one read chunk of it held at a time), so the
 * memory held is far below this.
 */
export const DEFAULT_COPY_GROUP_BYTES = 64 * 1024 * 1024;

/** Segments one run copies at most by default (maxSegmentsPerRun): a run stays bounded. */
export const DEFAULT_MAX_SEGMENTS_PER_RUN = 16;

/** A remote segment ready to upload (one local segment, or consecutive ones merged): its metadata, files and indexes bundle. */
interface PreparedCopy {
  readonly metadata: RemoteSegmentMetadata;
  /** The local segments' `.log` files, in offset order: the object's bytes before the bundle. */
  readonly files: readonly FileRange[];
  /** Local segments it holds. */
  readonly localSegments: number;
  readonly sizeBytes: number;
  /**
   * The offset and time indexes, epoch checkpoint and producer snapshot, PUT after the segment's
   * bytes in its one `.log` object (metadata.indexes says where each part lies in it).
   */
  readonly indexesBundle: Buffer;
}

/** Bytes read at a time when a timestamp lookup scans a remote segment. */
const REMOTE_SCAN_BYTES = 1024 * 1024;

/** Cumulative since the task opened, updated as each step is durable (a failed run keeps its progress). */
export interface TierTotals {
  copiedSegments: number;
  copiedBytes: number;
  deletedRemoteSegments: number;
  cleanedUnfinished: number;
}

export interface TierRunResult {
  readonly copiedSegments: number;
  readonly copiedBytes: number;
  readonly deletedLocalSegments: number;
  readonly deletedRemoteSegments: number;
  readonly cleanedUnfinished: number;
  /**
   * Rolled segments below the high watermark are still uncopied after this run (it copied its
   * maxSegmentsPerRun): the caller runs it again soon rather than after a whole task interval.
   */
  readonly moreToCopy: boolean;
  /** Null when the topic has no remote compaction. */
  readonly remoteCompaction: RemoteCompactionPass | null;
}

/**
 * The tiering task of one partition on its leader (Kafka's RLMTask): copies rolled segments below
 * the high watermark, lets local retention delete only what is copied, enforces total retention on
 * the remote segments, and cleans up after interrupted copies and deletes. Every state change is
 * written to the metadata log (and awaited: durable) before the step that depends on it:
 * COPY_SEGMENT_STARTED before the first PUT (so every object has a name in the metadata and an
 * interrupted copy is found again), COPY_SEGMENT_FINISHED after the last PUT and before local
 * deletion, DELETE_SEGMENT_STARTED before the first DELETE (readers stop using it first).
 * Runs are not reentrant: the caller runs one at a time per partition.
 */
export class PartitionTierer {
  private running = false;
  /**
   * The cumulative producer state as of the last segment summarized (each upload's snapshot);
   * null until the first copy of this leadership builds it from the last upload and the log.
   */
  private producerState: ProducerSnapshotBuilder | null = null;
  private readonly totalsValue: TierTotals = {
    copiedSegments: 0,
    copiedBytes: 0,
    deletedRemoteSegments: 0,
    cleanedUnfinished: 0,
  };

  private readonly compactor: RemoteCompactor | null;

  private constructor(
    private readonly options: PartitionTiererOptions,
    readonly state: RemotePartitionState,
  ) {
    this.compactor =
      options.remoteCompaction === undefined
        ? null
        : new RemoteCompactor(
            {
              log: options.log,
              state,
              store: options.store,
              keyPrefix: options.keyPrefix,
              brokerId: options.brokerId,
              leaderEpoch: options.leaderEpoch,
              highWatermark: options.highWatermark,
              nowMs: options.nowMs,
              newUploadId: options.newUploadId,
              write: (record) => this.write(record),
              deleteSegment: (metadata, current) => this.deleteSegment(metadata, current),
              beforeUpload: options.beforeCopy,
            },
            options.remoteCompaction,
          );
  }

  /** Replays the partition's remote metadata, then is ready to run (a new leader starts here). */
  static async open(options: PartitionTiererOptions): Promise<PartitionTierer> {
    const concurrency = options.copyConcurrency ?? DEFAULT_COPY_CONCURRENCY;
    if (!(Number.isSafeInteger(concurrency) && concurrency > 0))
      throw new RangeError(`copyConcurrency ${concurrency} must be a positive integer`);
    const groupBytes = options.copyGroupMaxBytes ?? DEFAULT_COPY_GROUP_BYTES;
    if (!(Number.isSafeInteger(groupBytes) && groupBytes > 0))
      throw new RangeError(`copyGroupMaxBytes ${groupBytes} must be a positive integer`);
    const mergeBytes = options.copyMergeMaxBytes ?? 0;
    if (!(Number.isSafeInteger(mergeBytes) && mergeBytes >= 0 && mergeBytes <= MAX_COPY_MERGE_BYTES))
      throw new RangeError(`copyMergeMaxBytes ${mergeBytes} must be an integer from 0 to ${MAX_COPY_MERGE_BYTES}`);
    const state = new RemotePartitionState(options.topicId, options.partition);
    for (const record of await options.metadataLog.replay(options.topicId, options.partition)) state.apply(record);
    return new PartitionTierer(options, state);
  }

  totals(): Readonly<TierTotals> {
    return { ...this.totalsValue };
  }

  /** Remote compaction's totals; all zero when it is off. */
  remoteCompactionTotals(): Readonly<RemoteCompactionTotals> {
    return this.compactor?.totals() ?? { runs: 0, bytesIn: 0, bytesOut: 0, recordsDropped: 0, segmentsReplaced: 0 };
  }

  /** One remote compaction pass now, whatever the interval (tests); not while a run is going on. */
  async compactRemoteNow(): Promise<RemoteCompactionPass | null> {
    if (this.compactor === null) return null;
    if (this.running) throw new Error(`tiering task of ${this.name} is already running`);
    this.running = true;
    try {
      return await this.compactor.runPass();
    } finally {
      this.running = false;
    }
  }

  get topic(): string {
    return this.options.topic;
  }

  get topicId(): string {
    return this.options.topicId;
  }

  /** The first offset still readable anywhere (remote, else local). */
  logStartOffset(): number {
    return this.state.remoteLogStartOffset() ?? this.options.log.logStartOffset;
  }

  localLogStartOffset(): number {
    return this.options.log.logStartOffset;
  }

  /**
   * Copy lag (Kafka's RemoteCopyLagBytes / RemoteCopyLagSegments): rolled segments below the high
   * watermark not yet copied. Stats their files: for a scrape, not for the request path.
   */
  copyLag(): { readonly segments: number; readonly bytes: number } {
    const pending = selectSegmentsToCopy(
      this.localSegments(),
      this.options.highWatermark(),
      this.state.highestCopiedOffset(),
      Number.MAX_SAFE_INTEGER,
      this.compactedGate(),
    );
    let bytes = 0;
    for (const segment of pending) {
      try {
        bytes += statSync(segmentPaths(this.options.log.dir, segment.baseOffset).log).size;
      } catch {
        // Deleted since the listing (retention): no longer lagging.
      }
    }
    return { segments: pending.length, bytes };
  }

  async runOnce(): Promise<TierRunResult> {
    if (this.running) throw new Error(`tiering task of ${this.name} is already running`);
    this.running = true;
    try {
      const cleanedUnfinished = await this.cleanUnfinished();
      const { copiedSegments, copiedBytes, moreToCopy } = this.options.config.remoteStorageEnable
        ? await this.copyEligible()
        : { copiedSegments: 0, copiedBytes: 0, moreToCopy: false };
      const deletedLocalSegments = this.deleteLocal();
      const deletedRemoteSegments = await this.enforceTotalRetention();
      // Last: it works on what is remote only, after this run's copies and local deletions.
      const remoteCompaction = (await this.compactor?.runIfDue()) ?? null;
      return {
        copiedSegments,
        copiedBytes,
        deletedLocalSegments,
        deletedRemoteSegments,
        cleanedUnfinished,
        moreToCopy,
        remoteCompaction,
      };
    } finally {
      this.running = false;
    }
  }

  /**
   * Reads from `offset`: locally at or above the local log start, else from the remote segment
   * holding it. Same bytes and offsets either way; a remote read never spans two segments (the
   * fetcher asks again from the next offset, as with local segments).
   */
  async read(
    offset: number,
    maxBytes: number,
  ): Promise<{ records: Buffer; firstOffset: number | null; lastOffset: number | null }> {
    const { log } = this.options;
    const remoteStart = this.state.remoteLogStartOffset();
    if (remoteStart === null || offset < remoteStart || offset >= log.logStartOffset)
      return this.readLocal(offset, maxBytes);
    // Each step moves `from` past a segment that held nothing at or above it, so this ends.
    for (let from = offset; ;) {
      if (from >= log.logStartOffset) return this.readLocal(from, maxBytes);
      // Compaction leaves gaps (an empty segment is not copied): the next segment above serves them.
      const segment = this.state.segmentFor(from) ?? this.state.copied().find((s) => s.startOffset > from) ?? null;
      if (segment === null) return this.readLocal(log.logStartOffset, maxBytes);
      // Readahead crosses into the next remote segment (not past the local log start: that is local).
      const next = this.state.copied().find((s) => s.startOffset > segment.endOffset) ?? null;
      const read = await this.options.reader.read(
        segment,
        Math.max(from, segment.startOffset),
        maxBytes,
        next !== null && next.startOffset < log.logStartOffset ? next : null,
      );
      if (read.firstOffset !== null) return read;
      // Only a compacted segment's trailing gap reads empty.
      from = segment.endOffset + 1;
    }
  }

  private readLocal(
    offset: number,
    maxBytes: number,
  ): { records: Buffer; firstOffset: number | null; lastOffset: number | null } {
    const { log } = this.options;
    if (offset < log.logStartOffset) throw new OffsetOutOfRangeError(offset, this.logStartOffset(), log.logEndOffset);
    const local = log.read(offset, maxBytes, { maxOffset: this.options.highWatermark() });
    return { records: local.records, firstOffset: local.firstOffset, lastOffset: local.lastOffset };
  }

  /**
   * ListOffsets by time below the local log start: the first record whose timestamp is at least
   * `timestampMs` in the remote segments (oldest first, skipping those whose largest timestamp is
   * older), or null when none below the local log start has one (the local log answers then).
   * Reads whole batches through the chunk cache and decodes them to find the record.
   */
  async offsetForTimestamp(timestampMs: number): Promise<{ offset: number; timestampMs: number } | null> {
    const localStart = this.options.log.logStartOffset;
    for (const segment of this.state.copied()) {
      if (segment.startOffset >= localStart) break;
      if (segment.maxTimestampMs < timestampMs) continue;
      const end = Math.min(segment.endOffset, localStart - 1);
      for (let from = segment.startOffset; from <= end;) {
        const read = await this.options.reader.read(segment, from, REMOTE_SCAN_BYTES);
        if (read.lastOffset === null) break;
        for (const batch of decodeRecordBatches(read.records)) {
          for (const record of batch.records) {
            if (record.offset >= from && record.offset <= end && record.timestamp >= timestampMs) {
              return { offset: record.offset, timestampMs: record.timestamp };
            }
          }
        }
        from = read.lastOffset + 1;
      }
    }
    return null;
  }

  /**
   * Topic deletion: marks the partition deleted, deletes every object the metadata names, and
   * records each segment's deletion; DELETE_PARTITION_FINISHED once nothing is left.
   */
  async deletePartition(): Promise<number> {
    const { topic, topicId, partition } = this.options;
    if (this.state.deleteState === null) {
      await this.write({
        kind: 'partition-delete',
        state: 'DELETE_PARTITION_STARTED',
        topicId,
        topic,
        partition,
        eventTimestampMs: this.options.nowMs(),
      });
    }
    let deleted = 0;
    for (const entry of this.state.all()) {
      await this.deleteSegment(entry.metadata, entry.state);
      deleted++;
    }
    await this.write({
      kind: 'partition-delete',
      state: 'DELETE_PARTITION_FINISHED',
      topicId,
      topic,
      partition,
      eventTimestampMs: this.options.nowMs(),
    });
    return deleted;
  }

  private get name(): string {
    return `${this.options.topic}-${this.options.partition}`;
  }

  private async copyEligible(): Promise<{ copiedSegments: number; copiedBytes: number; moreToCopy: boolean }> {
    const maxSegments = this.options.maxSegmentsPerRun ?? DEFAULT_MAX_SEGMENTS_PER_RUN;
    const chosen = selectSegmentsToCopy(
      this.localSegments(),
      this.options.highWatermark(),
      this.state.highestCopiedOffset(),
      maxSegments,
      this.compactedGate(),
    );
    const runs = mergeForCopy(
      chosen.map((segment) => ({
        ...segment,
        sizeBytes: segment.sizeBytes ?? localSegmentBytes(this.options.log.dir, segment.baseOffset),
      })),
      this.options.copyMergeMaxBytes ?? 0,
    );
    const groups = groupForCopy(
      runs.map((pieces) => ({ pieces, sizeBytes: pieces.reduce((sum, piece) => sum + piece.sizeBytes, 0) })),
      this.options.copyConcurrency ?? DEFAULT_COPY_CONCURRENCY,
      this.options.copyGroupMaxBytes ?? DEFAULT_COPY_GROUP_BYTES,
    );
    let copiedBytes = 0;
    for (const group of groups) copiedBytes += await this.copySegments(group.map((run) => run.pieces));
    // Only a full run can have left some: fewer chosen means every eligible one was.
    const moreToCopy =
      chosen.length === maxSegments &&
      selectSegmentsToCopy(
        this.localSegments(),
        this.options.highWatermark(),
        this.state.highestCopiedOffset(),
        1,
        this.compactedGate(),
      ).length > 0;
    return { copiedSegments: chosen.length, copiedBytes, moreToCopy };
  }

  /** Sizes only for a compacted topic, whose cleaner can leave a segment empty. */
  private localSegments(): LocalSegment[] {
    const { log } = this.options;
    const bases = log.segmentBaseOffsets();
    const compacted = isCompacted(log.config);
    return bases.map((baseOffset, i) => {
      const nextOffset = bases[i + 1] ?? log.logEndOffset;
      if (!compacted || i === bases.length - 1) return { baseOffset, nextOffset };
      return { baseOffset, nextOffset, sizeBytes: localSegmentBytes(log.dir, baseOffset) };
    });
  }

  /**
   * A compacted topic copies only what its cleaner has passed (the cleaner checkpoint), so remote
   * segments hold cleaned data; null for a topic that is not compacted.
   */
  private compactedGate(): CompactedCopyGate | null {
    const { log } = this.options;
    return isCompacted(log.config) ? { cleanedBelowOffset: log.cleanerCheckpoint } : null;
  }

  /**
   * Copies consecutive remote segments (each one local segment or several merged) together;
   * returns their bytes. Their COPY_SEGMENT_STARTED records are written at once (they claim no
   * data) and durable before the first PUT, their objects are uploaded in parallel (the copy is
   * bound by round trips, not bandwidth, for small segments), and the COPY_SEGMENT_FINISHED records go in offset order
   * in one round trip (finishInOrder): a later segment is never finished while an earlier one is
   * not (local retention trusts everything below the highest copied offset).
   * A failed upload ends the group there: the segments before it are finished, it and the ones
   * after are cleaned up (or left as COPY_SEGMENT_STARTED for the next run's cleanup).
   */
  private async copySegments(group: readonly (readonly LocalSegment[])[]): Promise<number> {
    const prepared: PreparedCopy[] = [];
    for (const pieces of group) prepared.push(await this.prepareCopy(pieces));
    // Refused transitions throw here, before anything is written that would poison a replay.
    const check = this.state.clone();
    for (const copy of prepared) check.apply(this.segmentRecord('COPY_SEGMENT_STARTED', copy.metadata));
    const started = await Promise.allSettled(
      prepared.map((copy) =>
        this.options.metadataLog.append(this.segmentRecord('COPY_SEGMENT_STARTED', copy.metadata)),
      ),
    );
    for (const [i, result] of started.entries()) {
      if (result.status === 'fulfilled')
        this.state.apply(this.segmentRecord('COPY_SEGMENT_STARTED', prepared[i]!.metadata));
    }
    const notStarted = started.find((result) => result.status === 'rejected');
    // Those that started are found by the next run's cleanUnfinished (no object was PUT yet).
    if (notStarted !== undefined) throw (notStarted as PromiseRejectedResult).reason;
    const uploads = await Promise.allSettled(prepared.map((copy) => this.upload(copy)));
    const failed = uploads.findIndex((result) => result.status === 'rejected');
    const finishing = failed < 0 ? prepared : prepared.slice(0, failed);
    let copiedBytes = 0;
    try {
      copiedBytes = await this.finishInOrder(finishing);
    } finally {
      if (failed >= 0) {
        // Best effort now; when this fails too, the next run's cleanUnfinished finds the uploads.
        for (const copy of prepared.slice(failed))
          await this.deleteSegment(copy.metadata, 'COPY_SEGMENT_STARTED').catch(() => {});
      }
    }
    if (failed >= 0) throw (uploads[failed] as PromiseRejectedResult).reason;
    return copiedBytes;
  }

  /**
   * COPY_SEGMENT_FINISHED for consecutive uploads, sent together in offset order: one round trip.
   * The metadata topic's producer is idempotent and the records of a partition share one metadata
   * partition, so they land in the order sent and a record is in that log only if every record
   * sent before it is (a failed one fails those after it). The durable log therefore never has a
   * later segment finished without the earlier ones; in memory the same prefix is applied, in
   * order, and the first failure is thrown (those after it stay COPY_SEGMENT_STARTED).
   */
  private async finishInOrder(copies: readonly PreparedCopy[]): Promise<number> {
    const records = copies.map((copy) => this.segmentRecord('COPY_SEGMENT_FINISHED', copy.metadata));
    const check = this.state.clone();
    for (const record of records) check.apply(record);
    const results = await Promise.allSettled(records.map((record) => this.options.metadataLog.append(record)));
    let copiedBytes = 0;
    for (const [i, result] of results.entries()) {
      if (result.status === 'rejected') throw result.reason;
      this.state.apply(records[i]!);
      this.totalsValue.copiedSegments += copies[i]!.localSegments;
      this.totalsValue.copiedBytes += copies[i]!.sizeBytes;
      copiedBytes += copies[i]!.sizeBytes;
    }
    return copiedBytes;
  }

  /**
   * Reads the summary and producer state of consecutive rolled segments (one, or several copied as
   * one remote segment), builds the remote segment's offset and time indexes from their batch
   * headers (the same SegmentIndexer the log appends with, positions counted across the pieces),
   * waits for the copy quota, names the upload.
   */
  private async prepareCopy(pieces: readonly LocalSegment[]): Promise<PreparedCopy> {
    const o = this.options;
    const first = pieces[0]!;
    const last = pieces[pieces.length - 1]!;
    const producers = await this.producerStateBefore(first.baseOffset);
    const indexer = new SegmentIndexer(
      first.baseOffset,
      o.log.config.indexIntervalBytes,
      o.log.config.segmentIndexBytes,
    );
    const files: FileRange[] = [];
    const compacted = isCompacted(o.log.config);
    let sizeBytes = 0;
    let lastSummary: SegmentSummary | null = null;
    let maxTimestampMs = -1;
    const leaderEpochs: Array<readonly [number, number]> = [];
    for (const [i, piece] of pieces.entries()) {
      if (i > 0 && pieces[i - 1]!.nextOffset !== piece.baseOffset)
        throw new Error(
          `${this.name}: segments ${pieces[i - 1]!.baseOffset} and ${piece.baseOffset} are not consecutive`,
        );
      const path = segmentPaths(o.log.dir, piece.baseOffset).log;
      const startsAt = sizeBytes;
      const summary = await summarizeSegment(
        path,
        producers,
        (baseOffset, maxTimestamp, position, batchBytes) =>
          indexer.onBatch(baseOffset, maxTimestamp, startsAt + position, batchBytes),
        // Stat'ed when chosen (copyEligible), and a rolled segment of a topic that is not compacted
        // never changes; a compacted topic's cleaner may swap the file since, so it is stat'ed again.
        // 0: gone meanwhile (retention), which the open reports by name.
        !compacted && piece.sizeBytes !== undefined && piece.sizeBytes > 0 ? piece.sizeBytes : undefined,
      );
      if (summary.firstOffset < piece.baseOffset) {
        throw new Error(`${path}: first batch ${summary.firstOffset} below the segment base ${piece.baseOffset}`);
      }
      // Through the next segment's base: a compacted segment's trailing gap is covered too.
      producers.coverThrough(Math.max(summary.lastOffset, piece.nextOffset - 1));
      for (const [epoch, startOffset] of summary.leaderEpochs)
        if (leaderEpochs.length === 0 || leaderEpochs[leaderEpochs.length - 1]![0] < epoch)
          leaderEpochs.push([epoch, startOffset]);
      maxTimestampMs = Math.max(maxTimestampMs, summary.maxTimestampMs);
      files.push({ path, sizeBytes: summary.sizeBytes });
      sizeBytes += summary.sizeBytes;
      lastSummary = summary;
    }
    indexer.finish();
    const producerSnapshot = encodeProducerSnapshot(producers.snapshot());
    await o.beforeCopy?.(sizeBytes);
    // A cleaned segment may end in offsets the cleaner removed: the upload claims them up to the
    // next segment's base, so remote segments stay contiguous and a read in that gap goes on to
    // the next segment (an offset claimed but absent reads as the next one present, as locally).
    const endOffset = isCompacted(o.log.config)
      ? Math.max(lastSummary!.lastOffset, last.nextOffset - 1)
      : lastSummary!.lastOffset;
    const metadata: RemoteSegmentMetadata = {
      id: { topicId: o.topicId, topic: o.topic, partition: o.partition, uploadId: o.newUploadId() },
      startOffset: first.baseOffset,
      endOffset,
      maxTimestampMs,
      leaderEpoch: o.leaderEpoch(),
      segmentSizeBytes: sizeBytes,
      segmentLeaderEpochs: leaderEpochs,
      brokerId: o.brokerId,
    };
    // The small files travel bundled after the segment's bytes in its one object (one PUT a
    // segment: the bundle as an object of its own was two, the files one by one five); where each
    // part lies is in the metadata, durable with COPY_SEGMENT_STARTED before the PUT.
    const bundle = bundleIndexes({
      index: indexer.offsets.bytes(),
      timeindex: indexer.times.bytes(),
      'leader-epoch-checkpoint': Buffer.from(formatCheckpoint(this.epochsThrough(endOffset))),
      'producer-snapshot': producerSnapshot,
    });
    return {
      metadata: { ...metadata, indexes: bundle.layout, indexesInLog: true },
      files,
      localSegments: pieces.length,
      sizeBytes,
      indexesBundle: bundle.bytes,
    };
  }

  /** The one object of a remote segment: its local `.log` files streamed from disk, the indexes bundle after them. */
  private async upload(copy: PreparedCopy): Promise<void> {
    const o = this.options;
    await o.store.putFiles(remoteObjectKey(o.keyPrefix, copy.metadata, 'log'), copy.files, copy.indexesBundle);
  }

  /**
   * The producer state just before `baseOffset`, to which the segment's batches are then applied:
   * the state kept from the previous copy, else (a new leader's first copy) the latest upload's
   * snapshot, then the local segments below `baseOffset` (batches it covers are skipped). Where
   * neither reaches (data gone before it was ever copied) it is what the log still holds, which is
   * what a leader rebuilding from its log would know too.
   */
  private async producerStateBefore(baseOffset: number): Promise<ProducerSnapshotBuilder> {
    if (this.producerState !== null && this.producerState.endOffset >= baseOffset - 1) return this.producerState;
    let builder = new ProducerSnapshotBuilder();
    const latest = this.state
      .copied()
      .reduce<RemoteSegmentMetadata | null>(
        (found, segment) => (found === null || segment.endOffset > found.endOffset ? segment : found),
        null,
      );
    // Never past the segment's end: only segments ending above every upload are copied.
    if (latest !== null) {
      const key = remoteIndexPartKey(this.options.keyPrefix, latest, 'producer-snapshot');
      const [snapshot] = await readIndexParts(this.options.store, this.options.keyPrefix, latest, [
        'producer-snapshot',
      ]);
      try {
        builder = ProducerSnapshotBuilder.from(decodeProducerSnapshot(snapshot!, key));
      } catch (error) {
        // An upload of an older version (per segment, not cumulative): start from the log instead.
        if (!(error instanceof ProducerSnapshotError)) throw error;
      }
    }
    for (const base of this.options.log.segmentBaseOffsets()) {
      if (base >= baseOffset) break;
      if (builder.endOffset >= baseOffset - 1) break;
      await summarizeSegment(segmentPaths(this.options.log.dir, base).log, builder);
    }
    builder.coverThrough(baseOffset - 1);
    this.producerState = builder;
    return builder;
  }

  /**
   * The leader-epoch checkpoint as of the segment's end: the epochs of the remote segments (local
   * retention has cut them from the log's own cache, which starts at the local log start) and
   * then the log's cache, each epoch at its first offset. A replica that starts from remote
   * storage rebuilds its epoch cache from it.
   */
  private epochsThrough(lastOffset: number): number[][] {
    const firstOffsetOf = new Map<number, number>();
    const note = (epoch: number, startOffset: number): void => {
      if (startOffset > lastOffset) return;
      const known = firstOffsetOf.get(epoch);
      if (known === undefined || startOffset < known) firstOffsetOf.set(epoch, startOffset);
    };
    for (const segment of this.state.copied())
      for (const [epoch, start] of segment.segmentLeaderEpochs) note(epoch, start);
    for (const entry of this.options.log.epochEntries()) note(entry.epoch, entry.startOffset);
    return [...firstOffsetOf.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, start]) => [epoch, start]);
  }

  /** Local retention, bounded by what is durably copied (see localDeletionBound). */
  private deleteLocal(): number {
    const { log } = this.options;
    if (!this.options.config.remoteStorageEnable) return 0;
    const bound = localDeletionBound(this.state.highestCopiedOffset(), this.options.highWatermark());
    if (bound <= log.logStartOffset) return 0;
    const { localRetentionMs, localRetentionBytes } = this.options.config;
    return log.deleteOldSegments(this.options.nowMs(), {
      maxOffset: bound,
      retention: { retentionMs: localRetentionMs, retentionBytes: localRetentionBytes },
    });
  }

  private async enforceTotalRetention(): Promise<number> {
    const { log, config } = this.options;
    const copied = this.state.copied();
    if (copied.length === 0) return 0;
    const onlyRemoteBytes = copied
      .filter((segment) => segment.endOffset < log.logStartOffset)
      .reduce((sum, segment) => sum + segment.segmentSizeBytes, 0);
    const plan = selectRemoteDeletions(
      copied,
      log.sizeBytes,
      onlyRemoteBytes,
      this.logStartOffset(),
      { retentionMs: config.totalRetentionMs, retentionBytes: config.totalRetentionBytes },
      this.options.nowMs(),
    );
    if (plan.newLogStartOffset !== null && plan.newLogStartOffset > log.logStartOffset) {
      // Remote data going that still is local: the local log start moves with it.
      log.advanceLogStartOffset(Math.min(plan.newLogStartOffset, log.logEndOffset));
    }
    for (const segment of plan.segments) {
      await this.deleteSegment(segment, 'COPY_SEGMENT_FINISHED');
      this.totalsValue.deletedRemoteSegments++;
    }
    return plan.segments.length;
  }

  /** Interrupted copies and deletes found in the metadata (a crash, or a failed cleanup). */
  private async cleanUnfinished(): Promise<number> {
    const unfinished = this.state.unfinished();
    for (const entry of unfinished) {
      await this.deleteSegment(entry.metadata, entry.state);
      this.totalsValue.cleanedUnfinished++;
    }
    return unfinished.length;
  }

  /** DELETE_SEGMENT_STARTED (durable: no reader picks it any more), the DELETEs, DELETE_SEGMENT_FINISHED. */
  private async deleteSegment(metadata: RemoteSegmentMetadata, current: RemoteSegmentState): Promise<void> {
    if (current !== 'DELETE_SEGMENT_STARTED') await this.write(this.segmentRecord('DELETE_SEGMENT_STARTED', metadata));
    this.options.reader.forget(metadata);
    await this.options.store.deleteMany(remoteObjectKeys(this.options.keyPrefix, metadata));
    await this.write(this.segmentRecord('DELETE_SEGMENT_FINISHED', metadata));
  }

  private segmentRecord(state: RemoteSegmentState, metadata: RemoteSegmentMetadata): RemoteLogMetadataRecord {
    return { kind: 'segment', state, metadata, eventTimestampMs: this.options.nowMs() };
  }

  /** Durable first, then applied: the in-memory state never runs ahead of the metadata log. */
  private async write(record: RemoteLogMetadataRecord): Promise<void> {
    // Refused transitions throw here, before anything is written that would poison a replay.
    this.state.clone().apply(record);
    await this.options.metadataLog.append(record);
    this.state.apply(record);
  }
}

/** A closed local segment's `.log` bytes; 0 when it is gone meanwhile (retention). */
function localSegmentBytes(dir: string, baseOffset: number): number {
  try {
    return statSync(segmentPaths(dir, baseOffset).log).size;
  } catch {
    return 0;
  }
}
