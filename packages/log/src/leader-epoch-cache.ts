import { assert } from './errors';

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

/** Kafka's "no epoch" / "no offset" answers to OffsetForLeaderEpoch. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/**
 * Leader epoch -> first offset written in that epoch (Kafka's LeaderEpochFileCache), kept in
 * memory; the log persists `entries()` to `leader-epoch-checkpoint` whenever a method reports a
 * change. Invariant: epochs and start offsets both strictly increase.
 */
export class LeaderEpochCache {
  private epochs: EpochEntry[];

  constructor(entries: ReadonlyArray<EpochEntry> = []) {
    this.epochs = [...entries];
    this.checkInvariant();
  }

  entries(): readonly EpochEntry[] {
    return this.epochs;
  }

  latestEpoch(): number | null {
    return this.epochs.at(-1)?.epoch ?? null;
  }

  /**
   * Records that `epoch` starts at `startOffset`. A repeat of the latest epoch or an older epoch
   * changes nothing (Kafka ignores those); entries that a new epoch makes non-monotonic (a start
   * offset at or after the new one) are dropped. Returns whether anything changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    assert(Number.isSafeInteger(epoch) && epoch >= 0, `epoch ${epoch} must be >= 0`);
    assert(Number.isSafeInteger(startOffset) && startOffset >= 0, `start offset ${startOffset} must be >= 0`);
    const latest = this.epochs.at(-1);
    if (latest !== undefined && epoch <= latest.epoch) return false;
    this.epochs = this.epochs.filter((entry) => entry.startOffset < startOffset);
    this.epochs.push({ epoch, startOffset });
    this.checkInvariant();
    return true;
  }

  /** Drops epochs that start at or after `endOffset` (the log was truncated to it). */
  truncateFromEnd(endOffset: number): boolean {
    const kept = this.epochs.filter((entry) => entry.startOffset < endOffset);
    const changed = kept.length !== this.epochs.length;
    this.epochs = kept;
    return changed;
  }

  /**
   * The log now starts at `startOffset`: drops epochs that ended before it and moves the start of
   * the epoch containing it up to it.
   */
  truncateFromStart(startOffset: number): boolean {
    let lastCovering = -1;
    for (let i = 0; i < this.epochs.length; i++) if (this.epochs[i]!.startOffset <= startOffset) lastCovering = i;
    if (lastCovering < 0) return false;
    const covering = this.epochs[lastCovering]!;
    if (lastCovering === 0 && covering.startOffset === startOffset) return false;
    this.epochs = [{ epoch: covering.epoch, startOffset }, ...this.epochs.slice(lastCovering + 1)];
    this.checkInvariant();
    return true;
  }

  clear(): boolean {
    const changed = this.epochs.length > 0;
    this.epochs = [];
    return changed;
  }

  /**
   * Kafka's OffsetForLeaderEpoch answer: for the latest epoch, the log end offset; otherwise the
   * largest epoch <= requested and the start offset of the first epoch after the requested one
   * (where the requested epoch's log ended). Unknown/too-new epochs answer UNDEFINED.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    const latest = this.epochs.at(-1);
    if (latest !== undefined && latest.epoch === requestedEpoch)
      return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higherIndex = this.epochs.findIndex((entry) => entry.epoch > requestedEpoch);
    if (higherIndex < 0) return undefinedAnswer;
    const higher = this.epochs[higherIndex]!;
    if (higherIndex === 0) return { epoch: requestedEpoch, endOffset: higher.startOffset };
    return { epoch: this.epochs[higherIndex - 1]!.epoch, endOffset: higher.startOffset };
  }

  private checkInvariant(): void {
    for (let i = 1; i < this.epochs.length; i++) {
      const previous = this.epochs[i - 1]!;
      const entry = this.epochs[i]!;
      assert(
        entry.epoch > previous.epoch && entry.startOffset > previous.startOffset,
        `epoch cache not monotonic at ${i}`,
      );
    }
  }
}
