/**
 * One share partition's acknowledgements waiting to be sent, kept as ranges (KIP-932's wire
 * format: first offset, last offset, type) rather than one entry per offset. A consumer
 * acknowledges what a poll returned in offset order, so each acknowledgement extends the last
 * range and taking them is free; only acknowledgements out of order (explicit mode in any order,
 * a failed request's put back) pay for a sort, with the same outcome as one entry per offset
 * (an offset acknowledged twice keeps the type given last).
 */
import type { ShareAcknowledgeType } from './share-consumer';

/** Offsets `firstOffset..lastOffset` (inclusive), all acknowledged with `acknowledgeType`. */
export interface AcknowledgementRange {
  firstOffset: number;
  lastOffset: number;
  readonly acknowledgeType: ShareAcknowledgeType;
}

export class PartitionAcknowledgements {
  private ranges: AcknowledgementRange[] = [];
  /** Every range so far began above the one before it: `ranges` is sorted, disjoint and final. */
  private ordered = true;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Whether every pending acknowledgement is an ACCEPT. */
  onlyAccepts(): boolean {
    return this.ranges.every((r) => r.acknowledgeType === 'ACCEPT');
  }

  add(offset: number, type: ShareAcknowledgeType): void {
    const last = this.ranges[this.ranges.length - 1];
    if (last !== undefined && this.ordered) {
      if (offset === last.lastOffset + 1 && type === last.acknowledgeType) {
        last.lastOffset = offset;
        return;
      }
      if (offset <= last.lastOffset) this.ordered = false;
    }
    this.ranges.push({ firstOffset: offset, lastOffset: offset, acknowledgeType: type });
  }

  /** Adds `ranges` (taken earlier from one of these) after what is pending: they win where both name an offset. */
  addRanges(ranges: readonly AcknowledgementRange[]): void {
    for (const range of ranges) {
      const last = this.ranges[this.ranges.length - 1];
      if (last !== undefined && this.ordered) {
        // Adjacent and of one type: one range, as take() promises (ordered ranges are not normalized).
        if (range.firstOffset === last.lastOffset + 1 && range.acknowledgeType === last.acknowledgeType) {
          last.lastOffset = range.lastOffset;
          continue;
        }
        if (range.firstOffset <= last.lastOffset) this.ordered = false;
      }
      this.ranges.push({ ...range });
    }
  }

  /** Takes everything pending: sorted, disjoint ranges, adjacent ones of the same type merged. */
  take(): AcknowledgementRange[] {
    const ranges = this.ordered ? this.ranges : normalize(this.ranges);
    this.ranges = [];
    this.ordered = true;
    return ranges;
  }
}

/** Ranges in any order, later ones overriding earlier ones offset by offset, as sorted maximal ranges. */
function normalize(ranges: readonly AcknowledgementRange[]): AcknowledgementRange[] {
  const byOffset = new Map<number, ShareAcknowledgeType>();
  for (const range of ranges)
    for (let offset = range.firstOffset; offset <= range.lastOffset; offset++)
      byOffset.set(offset, range.acknowledgeType);
  const out: AcknowledgementRange[] = [];
  for (const [offset, type] of [...byOffset].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last !== undefined && last.lastOffset + 1 === offset && last.acknowledgeType === type) last.lastOffset = offset;
    else out.push({ firstOffset: offset, lastOffset: offset, acknowledgeType: type });
  }
  return out;
}
