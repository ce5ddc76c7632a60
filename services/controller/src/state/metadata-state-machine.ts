/**
 * The replicated state machine of the controller quorum: committed Raft entries (each an atomic
 * batch of metadata records) are replayed through MetadataDelta into the next MetadataImage.
 * Every controller, leader or follower, applies the same entries in the same order, so the
 * images agree at every index.
 *
 * A batch that does not validate against the image is skipped as a whole on every node alike
 * (deterministic), so a bug in a decision never half-applies a change or splits the quorum.
 */
import {
  loadSnapshot,
  MetadataDelta,
  MetadataImage,
  snapshotChunks,
  decodeRecord,
  type MetadataRecord,
} from '@sluice/metadata';
import { entryFrames } from './entry-codec';

/** What Raft hands to apply: the entry's index, term and opaque bytes. */
export interface CommittedEntry {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
}

/** One applied entry as observers receive it: offset = Raft index. */
export interface AppliedBatch {
  readonly offset: number;
  readonly epoch: number;
  readonly frames: readonly Uint8Array[];
  readonly sizeBytes: number;
}

export interface StateMachineLimits {
  /** Applied batches kept in memory for FetchMetadata followers; older offsets get a snapshot. */
  readonly tailMaxBatches: number;
  readonly tailMaxBytes: number;
}

export const DEFAULT_STATE_MACHINE_LIMITS: StateMachineLimits = Object.freeze({
  tailMaxBatches: 8192,
  tailMaxBytes: 64 * 1024 * 1024,
});

export interface ApplyListener {
  (image: MetadataImage, batches: readonly AppliedBatch[]): void;
}

/** Rejections remembered so the proposer can tell its caller why; bounded. */
const MAX_REMEMBERED_REJECTIONS = 1024;

export class MetadataStateMachine {
  private current: MetadataImage = MetadataImage.EMPTY;
  private readonly tail: AppliedBatch[] = [];
  private tailBytes = 0;
  private readonly listeners = new Set<ApplyListener>();
  private readonly rejections = new Map<number, string>();
  private restoring: Promise<void> | undefined;

  constructor(
    private readonly limits: StateMachineLimits = DEFAULT_STATE_MACHINE_LIMITS,
    private readonly onRejected: (index: number, reason: string) => void = () => undefined,
  ) {}

  get image(): MetadataImage {
    return this.current;
  }

  /** Raft index of the last applied entry (0 before any). */
  get appliedIndex(): number {
    return Math.max(0, this.current.provenance.lastContainedOffset);
  }

  get appliedTerm(): number {
    return Math.max(0, this.current.provenance.lastContainedEpoch);
  }

  apply(entries: readonly CommittedEntry[]): void {
    const applied: AppliedBatch[] = [];
    for (const entry of entries) {
      if (entry.index <= this.appliedIndex) continue; // re-delivery after a restart: already in the image
      applied.push(this.applyOne(entry));
    }
    if (applied.length > 0) this.notify(applied);
  }

  private applyOne(entry: CommittedEntry): AppliedBatch {
    const provenance = {
      lastContainedOffset: entry.index,
      lastContainedEpoch: Math.max(entry.term, this.current.provenance.lastContainedEpoch),
    };
    let frames: Uint8Array[] = [];
    let records: MetadataRecord[] = [];
    let rejection: string | undefined;
    try {
      frames = entryFrames(entry.data);
      records = frames.map((frame) => decodeRecord(frame).record);
    } catch (error) {
      rejection = `undecodable entry: ${errorText(error)}`;
    }
    if (rejection === undefined && records.length > 0) {
      const delta = new MetadataDelta(this.current);
      try {
        for (const record of records) delta.replay(record);
        this.current = delta.apply(provenance);
      } catch (error) {
        rejection = `batch does not apply: ${errorText(error)}`;
      }
    }
    if (rejection !== undefined || records.length === 0) {
      this.current = new MetadataDelta(this.current).apply(provenance);
    }
    if (rejection !== undefined) {
      frames = [];
      this.rejections.set(entry.index, rejection);
      if (this.rejections.size > MAX_REMEMBERED_REJECTIONS) {
        const oldest = this.rejections.keys().next().value;
        if (oldest !== undefined) this.rejections.delete(oldest);
      }
      this.onRejected(entry.index, rejection);
    }
    const batch: AppliedBatch = {
      offset: entry.index,
      epoch: entry.term,
      frames,
      sizeBytes: frames.reduce((sum, frame) => sum + frame.length, 0),
    };
    this.remember(batch);
    return batch;
  }

  /** Why the entry at `index` was skipped, if it was. */
  rejectionAt(index: number): string | undefined {
    return this.rejections.get(index);
  }

  private remember(batch: AppliedBatch): void {
    this.tail.push(batch);
    this.tailBytes += batch.sizeBytes;
    while (
      this.tail.length > this.limits.tailMaxBatches ||
      (this.tailBytes > this.limits.tailMaxBytes && this.tail.length > 1)
    ) {
      const dropped = this.tail.shift();
      if (dropped !== undefined) this.tailBytes -= dropped.sizeBytes;
    }
  }

  /**
   * Applied batches from `fromOffset` (at most `maxBatches`), or 'snapshot' when those offsets
   * are no longer held in memory (the follower must start from a snapshot of the image).
   */
  batchesFrom(fromOffset: number, maxBatches: number): AppliedBatch[] | 'snapshot' {
    if (fromOffset > this.appliedIndex) return [];
    const first = this.tail[0];
    if (first === undefined || fromOffset < first.offset) return 'snapshot';
    const start = fromOffset - first.offset;
    // Offsets in the tail are contiguous (every entry is remembered, no-ops included).
    return this.tail.slice(start, start + maxBatches);
  }

  /** The image as a snapshot in @sluice/metadata's format, as one buffer (Raft ships it whole). */
  takeSnapshot(): Uint8Array {
    return Buffer.concat([...snapshotChunks(this.current)]);
  }

  /** Replaces the image with a snapshot's; batches before it are forgotten. */
  async restoreSnapshot(data: Uint8Array): Promise<void> {
    const restore = (async () => {
      const image = await loadSnapshot(data);
      if (image.provenance.lastContainedOffset < this.current.provenance.lastContainedOffset) return;
      this.current = image;
      this.tail.length = 0;
      this.tailBytes = 0;
      this.notify([]);
    })();
    this.restoring = restore;
    try {
      await restore;
    } finally {
      if (this.restoring === restore) this.restoring = undefined;
    }
  }

  /** Sets the image directly (start-up from a local snapshot file). */
  resetTo(image: MetadataImage): void {
    this.current = image;
    this.tail.length = 0;
    this.tailBytes = 0;
    this.notify([]);
  }

  onApply(listener: ApplyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(batches: readonly AppliedBatch[]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(this.current, batches);
      } catch {
        // A listener's failure is its own; applying continues.
      }
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
