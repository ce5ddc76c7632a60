/**
 * Test support: a partition log in memory, as the replication cores see one. Each offset holds the
 * leader epoch that wrote it (same epoch and offset means same record, as Kafka guarantees); the
 * epoch answers come from the real LeaderEpochCache, kept the way PartitionLog keeps it (an epoch
 * is recorded at its first append; retention truncates it from the start; starting over clears
 * it). It serves the cores' reads (`ReplicaLog`) and applies the follower writes they decide.
 */
import { LeaderEpochCache, UNDEFINED_EPOCH, type EpochEndOffset } from '@sluice/log';
import type { FetchedRecords, FollowerLogWrite } from '../../src/core/partition-follower';
import type { ReplicaLog } from '../../src/core/replication';

export class ModelLog implements ReplicaLog {
  private start = 0;
  /** Epochs of the offsets [start, end). */
  private epochs: number[] = [];
  private readonly cache = new LeaderEpochCache();
  /** What an fdatasync made durable (PartitionLog's recovery point): moved only by `flush`. */
  private flushed = 0;

  /** A log holding `epochs` from offset 0. */
  static of(epochs: readonly number[]): ModelLog {
    const log = new ModelLog();
    epochs.forEach((epoch) => log.appendAsLeader(epoch, 1));
    return log;
  }

  get logStartOffset(): number {
    return this.start;
  }

  get logEndOffset(): number {
    return this.start + this.epochs.length;
  }

  get recoveryPoint(): number {
    return Math.max(this.start, Math.min(this.flushed, this.logEndOffset));
  }

  /** As the broker's flusher: everything below `upTo` (default the log end) is on disk. */
  flush(upTo: number = this.logEndOffset): void {
    this.flushed = Math.max(this.recoveryPoint, Math.min(upTo, this.logEndOffset));
  }

  latestEpoch(): number | null {
    return this.cache.latestEpoch();
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset | null {
    const answer = this.cache.endOffsetFor(epoch, this.logEndOffset);
    return answer.epoch === UNDEFINED_EPOCH ? null : answer;
  }

  /** No producer batches in the model: the producer-state rebuild reads nothing. */
  read(): { readonly records: Buffer; readonly lastOffset: number | null } {
    return { records: Buffer.alloc(0), lastOffset: null };
  }

  /** The epoch that wrote `offset`; undefined outside [start, end). */
  epochAt(offset: number): number | undefined {
    return offset < this.start ? undefined : this.epochs[offset - this.start];
  }

  /** Epochs of [from, to), clipped to the log. */
  slice(from: number, to: number): number[] {
    return this.epochs.slice(Math.max(0, from - this.start), Math.max(0, to - this.start));
  }

  appendAsLeader(epoch: number, count: number): void {
    if (count <= 0) return;
    this.cache.assign(epoch, this.logEndOffset);
    for (let i = 0; i < count; i++) this.epochs.push(epoch);
  }

  /** What a leader's Fetch answer carries from `fetchOffset`: at most `maxRecords` records. */
  fetch(fetchOffset: number, maxRecords: number): FetchedRecords | null {
    const epochs = this.slice(fetchOffset, fetchOffset + maxRecords);
    if (epochs.length === 0) return null;
    const bytes = Buffer.from(JSON.stringify({ baseOffset: fetchOffset, epochs }));
    return { bytes, baseOffset: fetchOffset, nextOffset: fetchOffset + epochs.length };
  }

  apply(write: FollowerLogWrite): void {
    switch (write.kind) {
      case 'truncate':
        this.truncateTo(write.offset);
        return;
      case 'start-over':
        this.truncateFullyAndStartAt(write.offset);
        return;
      case 'append': {
        const batch = JSON.parse(write.records.toString()) as { baseOffset: number; epochs: number[] };
        if (batch.baseOffset !== this.logEndOffset)
          throw new Error(`append at ${batch.baseOffset}, log ends at ${this.logEndOffset}`);
        batch.epochs.forEach((epoch, i) => {
          if (epoch > (this.cache.latestEpoch() ?? -1)) this.cache.assign(epoch, batch.baseOffset + i);
          this.epochs.push(epoch);
        });
        if (this.logEndOffset !== write.logEndOffsetAfter)
          throw new Error(`append ended at ${this.logEndOffset}, expected ${write.logEndOffsetAfter}`);
        return;
      }
      case 'advance-log-start':
        this.advanceLogStartOffset(write.offset);
        return;
    }
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    if (offset < this.start) {
      this.truncateFullyAndStartAt(offset);
      return;
    }
    this.epochs = this.epochs.slice(0, offset - this.start);
    this.cache.truncateFromEnd(offset);
    this.flushed = Math.min(this.flushed, offset);
  }

  truncateFullyAndStartAt(offset: number): void {
    this.start = offset;
    this.epochs = [];
    this.cache.clear();
    this.flushed = offset;
  }

  advanceLogStartOffset(offset: number): void {
    if (offset > this.logEndOffset) throw new Error(`log start ${offset} above the end ${this.logEndOffset}`);
    if (offset <= this.start) return;
    this.epochs = this.epochs.slice(offset - this.start);
    this.start = offset;
    this.cache.truncateFromStart(offset);
  }
}
