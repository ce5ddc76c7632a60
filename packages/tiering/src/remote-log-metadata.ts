/**
 * Remote-log metadata (KIP-405's RemoteLogSegmentMetadata and its state machine) as plain data
 * and a pure per-partition state that replays records. Everything the tiering task decides about
 * remote segments is read from this state, and this state is only ever built by replaying the
 * durable metadata log: a crash forgets nothing that was written before it.
 */
import type { IndexesLayout } from './segment-indexes';

/** Kafka's RemoteLogSegmentState names. */
export type RemoteSegmentState =
  'COPY_SEGMENT_STARTED' | 'COPY_SEGMENT_FINISHED' | 'DELETE_SEGMENT_STARTED' | 'DELETE_SEGMENT_FINISHED';

/** Identifies one upload of one segment: a retried copy gets a fresh `uploadId`. */
export interface RemoteSegmentId {
  readonly topicId: string;
  readonly topic: string;
  readonly partition: number;
  readonly uploadId: string;
}

/** What a copy knows about the segment, fixed at COPY_SEGMENT_STARTED. */
export interface RemoteSegmentMetadata {
  readonly id: RemoteSegmentId;
  readonly startOffset: number;
  /** Inclusive: the last offset of the segment's last batch. */
  readonly endOffset: number;
  readonly maxTimestampMs: number;
  /** The leader epoch of the broker that copied it (part of the object keys). */
  readonly leaderEpoch: number;
  /** The segment's `.log` bytes. */
  readonly segmentSizeBytes: number;
  /** Leader epochs whose records are in the segment: epoch -> its first offset in the segment. */
  readonly segmentLeaderEpochs: ReadonlyArray<readonly [epoch: number, startOffset: number]>;
  readonly brokerId: number;
  /**
   * Remote compaction (sluice; Kafka has none): the uploads this one replaces, consecutive and
   * covering exactly its offsets. Its COPY_SEGMENT_FINISHED is the one step that retires them
   * (they become DELETE_SEGMENT_STARTED in the same apply), so no reader sees both or neither.
   */
  readonly replacesUploadIds?: readonly string[];
  /**
   * Where the offset index, time index, leader-epoch checkpoint and producer snapshot lie in the
   * upload's indexes bundle (`indexesInLog` says which object holds it). Absent: an upload of the
   * oldest layout, one object per file.
   */
  readonly indexes?: IndexesLayout;
  /**
   * The bundle is not an object of its own: it follows the segment's bytes in the `.log` object,
   * from byte `segmentSizeBytes` on (one PUT per segment). Absent: the bundle is the upload's
   * `.indexes` object (two PUTs per segment, the layout before this one). Only with `indexes`.
   */
  readonly indexesInLog?: true;
}

/**
 * One record of the metadata log. Every segment record carries the whole metadata, not only the
 * id: the metadata topic is compacted (latest record per upload), so COPY_SEGMENT_STARTED may be
 * gone by the time a broker replays a COPY_SEGMENT_FINISHED.
 */
export type RemoteLogMetadataRecord =
  | {
      readonly kind: 'segment';
      readonly state: RemoteSegmentState;
      readonly metadata: RemoteSegmentMetadata;
      readonly eventTimestampMs: number;
    }
  | {
      /** Kafka's RemotePartitionDeleteState: the topic was deleted, its objects are going away. */
      readonly kind: 'partition-delete';
      readonly state: 'DELETE_PARTITION_STARTED' | 'DELETE_PARTITION_FINISHED';
      readonly topicId: string;
      readonly topic: string;
      readonly partition: number;
      readonly eventTimestampMs: number;
    };

/** What RemotePartitionState derives from its readable segments, kept until the next change. */
interface CopiedView {
  readonly list: readonly RemoteSegmentMetadata[];
  readonly highestOffset: number;
  readonly sizeBytes: number;
}

/** The user partition a record belongs to. */
export function recordPartition(record: RemoteLogMetadataRecord): { topicId: string; partition: number } {
  return record.kind === 'partition-delete'
    ? { topicId: record.topicId, partition: record.partition }
    : { topicId: record.metadata.id.topicId, partition: record.metadata.id.partition };
}

export class RemoteLogMetadataError extends Error {
  override readonly name = 'RemoteLogMetadataError';
  /** Kafka's closest error for a transition the state machine refuses. */
  readonly code = 'INVALID_REQUEST';
}

const NEXT_STATES: Readonly<Record<RemoteSegmentState, readonly RemoteSegmentState[]>> = {
  COPY_SEGMENT_STARTED: ['COPY_SEGMENT_FINISHED', 'DELETE_SEGMENT_STARTED'],
  COPY_SEGMENT_FINISHED: ['DELETE_SEGMENT_STARTED'],
  DELETE_SEGMENT_STARTED: ['DELETE_SEGMENT_FINISHED'],
  DELETE_SEGMENT_FINISHED: [],
};

export interface RemoteSegmentEntry {
  readonly metadata: RemoteSegmentMetadata;
  readonly state: RemoteSegmentState;
}

export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}

/**
 * The remote state of one partition. `apply` refuses a transition Kafka's state machine refuses
 * (and changes nothing then). Only COPY_SEGMENT_FINISHED segments are readable or count as
 * copied: an interrupted copy (COPY_SEGMENT_STARTED with no finish) claims no data.
 */
export class RemotePartitionState {
  private readonly segments = new Map<string, RemoteSegmentEntry>();
  /**
   * The readable segments sorted, and what is derived from them; rebuilt on the first ask after a
   * change. Asked on every apply (the overlap check), retention pass, remote read and scrape: an
   * uncached sort over every upload made a replay of n uploads O(n^2 log n).
   */
  private copiedView: CopiedView | null = null;
  private partitionDeleteState: 'DELETE_PARTITION_STARTED' | 'DELETE_PARTITION_FINISHED' | null = null;

  constructor(
    readonly topicId: string,
    readonly partition: number,
  ) {}

  /** An independent copy (to check a record before writing it). */
  clone(): RemotePartitionState {
    const copy = new RemotePartitionState(this.topicId, this.partition);
    for (const [uploadId, entry] of this.segments) copy.segments.set(uploadId, entry);
    // Frozen, so shared: either side's next change drops its own reference.
    copy.copiedView = this.copiedView;
    copy.partitionDeleteState = this.partitionDeleteState;
    return copy;
  }

  apply(record: RemoteLogMetadataRecord): void {
    if (record.kind === 'partition-delete') {
      this.checkPartition(record.topicId, record.partition);
      // Repeats are no-ops: a partition's last leader and the tiering service may both clean up
      // a deleted topic, and either may write a step the other already wrote.
      if (record.state === this.partitionDeleteState) return;
      if (record.state === 'DELETE_PARTITION_FINISHED' && this.partitionDeleteState !== 'DELETE_PARTITION_STARTED') {
        throw new RemoteLogMetadataError(
          `${record.topic}-${record.partition}: partition delete finished before it started`,
        );
      }
      this.partitionDeleteState = record.state;
      return;
    }
    const { metadata } = record;
    this.checkPartition(metadata.id.topicId, metadata.id.partition);
    if (!(metadata.startOffset >= 0 && metadata.endOffset >= metadata.startOffset)) {
      throw new RemoteLogMetadataError(
        `segment offsets ${metadata.startOffset}..${metadata.endOffset} are not a range`,
      );
    }
    const entry = this.segments.get(metadata.id.uploadId);
    if (entry === undefined) {
      // A new upload starts with COPY_SEGMENT_STARTED. Replay of a compacted metadata topic may
      // meet an upload first in a later state (its earlier records compacted away): taken as is.
      if (record.state === 'COPY_SEGMENT_STARTED' && this.partitionDeleteState !== null) {
        throw new RemoteLogMetadataError(
          `${metadata.id.topic}-${metadata.id.partition} is being deleted: no new copies`,
        );
      }
      if (record.state === 'COPY_SEGMENT_FINISHED' && metadata.replacesUploadIds === undefined)
        this.checkNoOverlap(metadata);
      if (record.state !== 'DELETE_SEGMENT_FINISHED')
        this.setSegment(metadata.id.uploadId, { metadata, state: record.state });
      // Met first finished (the metadata topic compacted its earlier records): whatever it
      // replaced is retired as its finish would have. Not when met first deleted: a remote
      // compaction interrupted before its finish is deleted too (DELETE_SEGMENT_STARTED and
      // FINISHED, with the same metadata), and the uploads it named are still the readable ones.
      // One that did finish and was deleted later had its replaced uploads' own
      // DELETE_SEGMENT_FINISHED written first (each run finishes the cleanup before anything else).
      if (record.state === 'COPY_SEGMENT_FINISHED') this.retireReplaced(metadata);
      return;
    }
    // A repeated delete step is a no-op (two cleaners of one deleted topic); a repeated copy step is not.
    if (entry.state === 'DELETE_SEGMENT_STARTED' && record.state === 'DELETE_SEGMENT_STARTED') return;
    if (!NEXT_STATES[entry.state].includes(record.state)) {
      throw new RemoteLogMetadataError(`upload ${metadata.id.uploadId}: ${entry.state} cannot become ${record.state}`);
    }
    if (record.state === 'COPY_SEGMENT_FINISHED' && entry.metadata.replacesUploadIds === undefined)
      this.checkNoOverlap(entry.metadata);
    if (record.state === 'DELETE_SEGMENT_FINISHED') {
      this.segments.delete(metadata.id.uploadId);
      this.copiedView = null;
    } else this.setSegment(metadata.id.uploadId, { metadata: entry.metadata, state: record.state });
    if (record.state === 'COPY_SEGMENT_FINISHED') this.retireReplaced(entry.metadata);
  }

  /**
   * A replacement (remote compaction) must name finished uploads that are consecutive and cover
   * exactly its offsets. Checked by the writer before COPY_SEGMENT_STARTED, not in `apply`: a
   * replay after the metadata topic compacted may no longer know what it replaced, and takes it
   * as written.
   */
  checkReplacement(metadata: RemoteSegmentMetadata): void {
    const ids = metadata.replacesUploadIds;
    if (ids === undefined) return;
    const replaced = ids.map((id) => this.segments.get(id));
    let expectedStart = metadata.startOffset;
    for (const [i, entry] of replaced.entries()) {
      if (entry === undefined || entry.state !== 'COPY_SEGMENT_FINISHED')
        throw new RemoteLogMetadataError(
          `upload ${metadata.id.uploadId} replaces ${ids[i]}, which is not a finished copy`,
        );
      if (entry.metadata.startOffset !== expectedStart)
        throw new RemoteLogMetadataError(
          `upload ${metadata.id.uploadId} replaces ${ids[i]} at ${entry.metadata.startOffset}, expected ${expectedStart}`,
        );
      expectedStart = entry.metadata.endOffset + 1;
    }
    if (expectedStart !== metadata.endOffset + 1)
      throw new RemoteLogMetadataError(
        `upload ${metadata.id.uploadId} (${metadata.startOffset}..${metadata.endOffset}) does not cover exactly what it replaces`,
      );
  }

  /** The replaced uploads still readable stop being readable: their objects are to be deleted. */
  private retireReplaced(metadata: RemoteSegmentMetadata): void {
    for (const id of metadata.replacesUploadIds ?? []) {
      const entry = this.segments.get(id);
      if (entry?.state === 'COPY_SEGMENT_FINISHED')
        this.setSegment(id, { metadata: entry.metadata, state: 'DELETE_SEGMENT_STARTED' });
    }
  }

  private setSegment(uploadId: string, entry: RemoteSegmentEntry): void {
    const wasCopied = this.segments.get(uploadId)?.state === 'COPY_SEGMENT_FINISHED';
    this.segments.set(uploadId, entry);
    const isCopied = entry.state === 'COPY_SEGMENT_FINISHED';
    // Started copies and deletes of unreadable uploads leave the readable set as it is.
    if (!wasCopied && !isCopied) return;
    const view = this.copiedView;
    const last = view?.list[view.list.length - 1];
    if (view !== null && !wasCopied && (last === undefined || last.startOffset < entry.metadata.startOffset)) {
      // The common case, a copy finished above every other: appended, not rebuilt and sorted
      // (every segment a leader copies did that, twice with the check on a clone).
      this.copiedView = {
        list: Object.freeze([...view.list, entry.metadata]),
        highestOffset: Math.max(view.highestOffset, entry.metadata.endOffset),
        sizeBytes: view.sizeBytes + entry.metadata.segmentSizeBytes,
      };
      return;
    }
    this.copiedView = null;
  }

  private view(): CopiedView {
    if (this.copiedView === null) {
      const list = [...this.segments.values()]
        .filter((entry) => entry.state === 'COPY_SEGMENT_FINISHED')
        .map((entry) => entry.metadata)
        .sort((a, b) => a.startOffset - b.startOffset);
      this.copiedView = {
        list: Object.freeze(list),
        highestOffset: list.reduce((max, segment) => Math.max(max, segment.endOffset), -1),
        sizeBytes: list.reduce((sum, segment) => sum + segment.segmentSizeBytes, 0),
      };
    }
    return this.copiedView;
  }

  /**
   * A finished copy must add offsets above what is already remote. It may begin below the highest
   * copied offset (a new leader's segment straddling its predecessor's last copy): both hold the
   * same committed records there, and reads take the newest segment holding an offset.
   */
  private checkNoOverlap(metadata: RemoteSegmentMetadata): void {
    const highest = this.highestCopiedOffset();
    if (metadata.endOffset <= highest) {
      throw new RemoteLogMetadataError(
        `upload ${metadata.id.uploadId} (${metadata.startOffset}..${metadata.endOffset}) adds nothing above the copied offset ${highest}`,
      );
    }
  }

  get deleteState(): 'DELETE_PARTITION_STARTED' | 'DELETE_PARTITION_FINISHED' | null {
    return this.partitionDeleteState;
  }

  /** Readable remote segments (COPY_SEGMENT_FINISHED), by start offset (frozen: shared until the next change). */
  copied(): readonly RemoteSegmentMetadata[] {
    return this.view().list;
  }

  /** Uploads that are not readable and must be cleaned up: interrupted copies and unfinished deletes. */
  unfinished(): RemoteSegmentEntry[] {
    return [...this.segments.values()].filter(
      (entry) => entry.state === 'COPY_SEGMENT_STARTED' || entry.state === 'DELETE_SEGMENT_STARTED',
    );
  }

  /** Every upload the metadata still names (its objects may exist). */
  all(): RemoteSegmentEntry[] {
    return [...this.segments.values()];
  }

  /** The last offset held remotely, -1 when nothing is. */
  highestCopiedOffset(): number {
    return this.view().highestOffset;
  }

  /** The first offset readable remotely, null when nothing is. */
  remoteLogStartOffset(): number | null {
    return this.copied()[0]?.startOffset ?? null;
  }

  remoteSizeBytes(): number {
    return this.view().sizeBytes;
  }

  /** The copied segment holding `offset`, or null. */
  segmentFor(offset: number): RemoteSegmentMetadata | null {
    const holding = this.copied().filter((segment) => segment.startOffset <= offset && offset <= segment.endOffset);
    return holding[holding.length - 1] ?? null;
  }

  private checkPartition(topicId: string, partition: number): void {
    if (topicId !== this.topicId || partition !== this.partition) {
      throw new RemoteLogMetadataError(
        `record for ${partitionKey(topicId, partition)} applied to ${partitionKey(this.topicId, this.partition)}`,
      );
    }
  }
}
