/**
 * The state one partition leader keeps per (share group, topic partition) for KIP-932 share groups
 * ("queues on topics"), Kafka's SharePartition, as a pure state machine: no I/O, no timers; the
 * shell passes `nowMs` and the log's record offsets, writes each returned `ShareStateUpdate` to
 * `__share_group_state` through the share coordinator, and answers the client only after that.
 *
 * The in-flight window runs from the share partition start offset (SPSO, `startOffset`: every
 * record below it is acknowledged or archived) to the end offset (SPEO, `endOffset`: the next
 * offset never acquired). Records in it are
 * - AVAILABLE: may be (re)delivered; its delivery count says how often it already was;
 * - ACQUIRED: delivered to one member, locked until `group.share.record.lock.duration.ms` passes;
 * - ACKNOWLEDGED (ACCEPT) or ARCHIVED (REJECT, the delivery limit, a log gap, retention): done.
 *
 * Rules (Kafka 4's SharePartition):
 * - `acquire` hands out AVAILABLE records of the window first, lowest offsets first, then new
 *   records from `endOffset`, never letting the window grow past
 *   `group.share.partition.max.record.locks` offsets; each acquisition counts a delivery. Offsets
 *   the log lacks (compaction, control records) become ARCHIVED gaps with delivery count 0.
 * - Only the member holding a record's lock may acknowledge it: else INVALID_RECORD_STATE for that
 *   batch, which then changes nothing. RELEASE makes the record AVAILABLE again, REJECT archives it.
 * - A record released, or whose lock expires or whose member leaves, after its
 *   `group.share.delivery.count.limit`-th delivery is ARCHIVED instead of AVAILABLE.
 * - Locks are checked against `nowMs` in every operation: a record whose deadline has passed is
 *   released before an acquire or acknowledge looks at it, whether or not the shell's timer has
 *   fired yet (`deadlineMs <= nowMs` is expired).
 * - `startOffset` moves over the prefix of done records, which are then forgotten; it never goes back.
 *
 * Representation: the window is a sorted array of maximal ranges of offsets sharing state,
 * delivery count, member and lock deadline (Kafka keeps per-batch entries, split per offset on
 * partial acknowledgement). Acquisitions come in ranges and members acknowledge in ranges, so the
 * array stays short; each operation is linear in it.
 *
 * The shell's part: write every non-null `update` to `__share_group_state` (WriteShareGroupState,
 * one write at a time per share partition) before answering the ShareFetch/ShareAcknowledge that
 * caused it. Acquisitions too: the delivery they count must survive a crash, or a record could be
 * delivered more often than the limit allows. Arm a timer for `nextDeadlineMs()` and call
 * `expireLocks`; call `releaseMember` when a member leaves or is fenced, `onLogStartOffset` when
 * retention moves the log start; load with `fromSnapshot` (ReadShareGroupState) on becoming
 * leader, and reload on FENCED_STATE_EPOCH.
 */
import { ApiError } from '@sluice/protocol';
import { assert, assertInt32Epoch, assertOffset } from './assert';
import {
  coalesceRanges,
  validateShareState,
  type DurableRange,
  type DurableRecordState,
  type RecordState,
  type ShareStateSnapshot,
  type ShareStateUpdate,
} from '@sluice/protocol';

export {
  applyShareStateUpdate,
  initializeShareState,
  type DurableRange,
  type DurableRecordState,
  type RecordState,
  type ShareStateResult,
  type ShareStateSnapshot,
  type ShareStateUpdate,
} from '@sluice/protocol';

/** The share group settings the leader applies, named after Kafka's keys, with Kafka's defaults. */
export interface SharePartitionConfig {
  /** `group.share.record.lock.duration.ms`: how long an acquired record stays locked. */
  readonly recordLockDurationMs: number;
  /** `group.share.delivery.count.limit`: a record is archived once delivered this many times. */
  readonly deliveryCountLimit: number;
  /** `group.share.partition.max.record.locks`: the most offsets the in-flight window may span. */
  readonly maxInFlightRecords: number;
}

export const defaultSharePartitionConfig: SharePartitionConfig = {
  recordLockDurationMs: 30_000,
  deliveryCountLimit: 5,
  maxInFlightRecords: 2_000,
};

export function validateSharePartitionConfig(config: SharePartitionConfig): SharePartitionConfig {
  const positive = (value: number, key: string): void => {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`${key} must be a positive integer, got ${value}`);
  };
  positive(config.recordLockDurationMs, 'group.share.record.lock.duration.ms');
  positive(config.deliveryCountLimit, 'group.share.delivery.count.limit');
  if (config.deliveryCountLimit > 0x7fff)
    throw new RangeError(
      `group.share.delivery.count.limit must be at most ${0x7fff}, got ${config.deliveryCountLimit}`,
    );
  positive(config.maxInFlightRecords, 'group.share.partition.max.record.locks');
  return config;
}

/** `share.auto.offset.reset`: where a new share group starts on a partition. */
export type ShareAutoOffsetReset = 'latest' | 'earliest';

/** Kafka: `latest` (the default) starts at the high watermark, `earliest` at the log start. */
export function initialShareStartOffset(
  reset: ShareAutoOffsetReset,
  log: { readonly logStartOffset: number; readonly highWatermark: number },
): number {
  assertOffset(log.logStartOffset, 'log start offset');
  assertOffset(log.highWatermark, 'high watermark');
  return reset === 'earliest' ? log.logStartOffset : log.highWatermark;
}

/** Offsets the log holds, `firstOffset..lastOffset` inclusive (a batch, or a run of batches). */
export interface OffsetRange {
  readonly firstOffset: number;
  readonly lastOffset: number;
}

/** Records handed to a member by `acquire`, with the delivery count the client sees. */
export interface AcquiredRange extends OffsetRange {
  readonly deliveryCount: number;
}

export type AcknowledgeType = 'ACCEPT' | 'RELEASE' | 'REJECT';

export interface AcknowledgementBatch extends OffsetRange {
  readonly type: AcknowledgeType;
}

/** One member's records that lost their lock, and what they became. */
export interface ReleasedRange extends OffsetRange {
  readonly memberId: string;
  readonly deliveryCount: number;
  readonly state: 'AVAILABLE' | 'ARCHIVED';
}

/** A read-only view of one range of the in-flight window. */
export interface InFlightRange extends OffsetRange {
  readonly state: RecordState;
  readonly deliveryCount: number;
  /** The member holding the lock of an ACQUIRED range, else null. */
  readonly memberId: string | null;
  /** The lock deadline of an ACQUIRED range, else null. */
  readonly deadlineMs: number | null;
}

/** Every operation returns the durable change to write first; null when nothing durable changed. */
export interface ShareStep {
  readonly update: ShareStateUpdate | null;
}

export interface AcquireOutcome extends ShareStep {
  /** Sorted by offset; adjacent ranges differ in delivery count. */
  readonly acquired: readonly AcquiredRange[];
}

export interface AcknowledgeOutcome extends ShareStep {
  /** One entry per batch, in request order: null when applied. */
  readonly results: readonly (ApiError | null)[];
}

export interface ReleaseOutcome extends ShareStep {
  readonly released: readonly ReleasedRange[];
}

export type RestoreOutcome =
  /** `update` is non-null when the restore itself changed the durable state (a lowered delivery limit). */
  | { readonly ok: true; readonly partition: SharePartition; readonly update: ShareStateUpdate | null }
  | { readonly ok: false; readonly error: ApiError };

export interface RestoreOptions {
  readonly config?: SharePartitionConfig;
  /** The newest state epoch this broker knows for the group: an older snapshot is FENCED_STATE_EPOCH. */
  readonly minStateEpoch?: number;
}

const ACKNOWLEDGE_TYPES: ReadonlySet<string> = new Set<AcknowledgeType>(['ACCEPT', 'RELEASE', 'REJECT']);

interface Segment {
  first: number;
  last: number;
  state: RecordState;
  deliveryCount: number;
  memberId: string | null;
  deadlineMs: number | null;
}

function isDone(state: RecordState): boolean {
  return state === 'ACKNOWLEDGED' || state === 'ARCHIVED';
}

export class SharePartition {
  readonly stateEpoch: number;
  private readonly config: SharePartitionConfig;
  private start: number;
  private end: number;
  /** Sorted, contiguous from `start` to `end - 1`, maximal; never starts with a done range. */
  private segments: Segment[] = [];
  /** A restored window may exceed a lowered bound; acquire never grows the window past it. */
  private readonly restoredEnd: number;
  /** Offsets whose durable state changed in the current operation. */
  private changed: OffsetRange[] = [];
  private startAtStepBegin = 0;

  private constructor(stateEpoch: number, startOffset: number, config: SharePartitionConfig, segments: Segment[]) {
    this.config = validateSharePartitionConfig(config);
    assertInt32Epoch(stateEpoch, 'state epoch');
    assertOffset(startOffset, 'start offset');
    this.stateEpoch = stateEpoch;
    this.start = startOffset;
    this.segments = segments;
    this.end = segments.at(-1) === undefined ? startOffset : segments.at(-1)!.last + 1;
    this.restoredEnd = this.end;
  }

  /**
   * A share group's first state on this partition (written with InitializeShareGroupState):
   * nothing in flight, starting at `startOffset` (see `initialShareStartOffset`).
   */
  static initialize(
    startOffset: number,
    options: { readonly stateEpoch?: number; readonly config?: SharePartitionConfig } = {},
  ): SharePartition {
    const partition = new SharePartition(
      options.stateEpoch ?? 0,
      startOffset,
      options.config ?? defaultSharePartitionConfig,
      [],
    );
    partition.checkInvariants();
    return partition;
  }

  /**
   * The state a leader loads from the share coordinator (ReadShareGroupState). Offsets between
   * `startOffset` and the last range that no range covers were never persisted as delivered:
   * AVAILABLE with delivery count 0, as Kafka. AVAILABLE records already delivered as often as
   * the (possibly lowered) limit allows are ARCHIVED, and that change is returned to write.
   */
  static fromSnapshot(snapshot: ShareStateSnapshot, options: RestoreOptions = {}): RestoreOutcome {
    const invalid = validateShareState(snapshot, 'share state snapshot');
    if (invalid !== null) return { ok: false, error: invalid };
    if (options.minStateEpoch !== undefined && snapshot.stateEpoch < options.minStateEpoch) {
      return {
        ok: false,
        error: new ApiError(
          'FENCED_STATE_EPOCH',
          `state epoch ${snapshot.stateEpoch} is older than the known ${options.minStateEpoch}`,
        ),
      };
    }
    const segments: Segment[] = [];
    let next = snapshot.startOffset;
    const push = (first: number, last: number, state: RecordState, deliveryCount: number): void => {
      segments.push({ first, last, state, deliveryCount, memberId: null, deadlineMs: null });
    };
    for (const r of snapshot.ranges) {
      if (r.firstOffset > next) push(next, r.firstOffset - 1, 'AVAILABLE', 0);
      push(r.firstOffset, r.lastOffset, r.state, r.deliveryCount);
      next = r.lastOffset + 1;
    }
    const partition = new SharePartition(
      snapshot.stateEpoch,
      snapshot.startOffset,
      options.config ?? defaultSharePartitionConfig,
      segments,
    );
    partition.beginStep();
    for (const s of partition.segments) {
      if (s.state === 'AVAILABLE' && s.deliveryCount >= partition.config.deliveryCountLimit)
        partition.transition(s, 'ARCHIVED', null, null);
    }
    return { ok: true, partition, update: partition.endStep() };
  }

  get startOffset(): number {
    return this.start;
  }
  get endOffset(): number {
    return this.end;
  }
  /** Offsets the window spans (what `group.share.partition.max.record.locks` bounds). */
  get inFlightRecords(): number {
    return this.end - this.start;
  }
  get deliveryCountLimit(): number {
    return this.config.deliveryCountLimit;
  }
  /** Records locked by a member now (ACQUIRED); linear in the window's ranges. */
  get acquiredRecords(): number {
    let records = 0;
    for (const s of this.segments) if (s.state === 'ACQUIRED') records += s.last - s.first + 1;
    return records;
  }

  /** The in-flight window, sorted by offset. */
  inFlight(): InFlightRange[] {
    return this.segments.map((s) => ({
      firstOffset: s.first,
      lastOffset: s.last,
      state: s.state,
      deliveryCount: s.deliveryCount,
      memberId: s.memberId,
      deadlineMs: s.deadlineMs,
    }));
  }

  /** One offset's state: below `startOffset` it is done (ACKNOWLEDGED or ARCHIVED, no longer known which); null at or past `endOffset`. */
  stateOf(
    offset: number,
  ): { readonly state: RecordState | 'DONE'; readonly deliveryCount: number; readonly memberId: string | null } | null {
    if (offset < this.start) return { state: 'DONE', deliveryCount: 0, memberId: null };
    const s = this.segments[this.indexOf(offset)];
    return s === undefined ? null : { state: s.state, deliveryCount: s.deliveryCount, memberId: s.memberId };
  }

  /** The earliest lock deadline, for the shell's timer; null when nothing is acquired. */
  nextDeadlineMs(): number | null {
    let min: number | null = null;
    for (const s of this.segments) {
      if (s.deadlineMs !== null && (min === null || s.deadlineMs < min)) min = s.deadlineMs;
    }
    return min;
  }

  /**
   * Whether an acquire may return anything with the log at `highWatermark`, so the shell need not
   * read the log (or may park a ShareFetch) otherwise. Locks past their deadline count as free.
   */
  canAcquire(highWatermark: number, nowMs: number): boolean {
    const redeliverable = this.segments.some(
      (s) => s.state === 'AVAILABLE' || (s.state === 'ACQUIRED' && s.deadlineMs! <= nowMs),
    );
    return redeliverable || (this.end < highWatermark && this.end < this.windowLimit());
  }

  /**
   * Acquires up to `maxRecords` records for `memberId`: AVAILABLE records of the window first,
   * then new ones from `endOffset`. `available` lists the offsets the log holds from `endOffset`
   * up to the high watermark (sorted, disjoint; offsets below `endOffset` are ignored). The shell
   * reads and returns the records in `acquired`.
   */
  acquire(memberId: string, available: readonly OffsetRange[], maxRecords: number, nowMs: number): AcquireOutcome {
    assert(typeof memberId === 'string' && memberId.length > 0, 'a member id must be a non-empty string');
    assert(Number.isSafeInteger(maxRecords) && maxRecords > 0, `max records ${maxRecords} must be a positive integer`);
    assertOffset(nowMs, 'now');
    checkOffsetRanges(available, 'log offsets');
    this.beginStep();
    this.expire(nowMs, null);
    // Expired locks may have archived the front: the window bound counts from the new start.
    this.dropDonePrefix();
    const deadlineMs = nowMs + this.config.recordLockDurationMs;
    const acquired: AcquiredRange[] = [];
    let remaining = maxRecords;
    for (let i = 0; i < this.segments.length && remaining > 0; i++) {
      const s = this.segments[i]!;
      if (s.state !== 'AVAILABLE') continue;
      if (s.last - s.first + 1 > remaining) this.splitAt(s.first + remaining);
      this.transition(s, 'ACQUIRED', memberId, deadlineMs, s.deliveryCount + 1);
      acquired.push({ firstOffset: s.first, lastOffset: s.last, deliveryCount: s.deliveryCount });
      remaining -= s.last - s.first + 1;
    }
    for (const range of available) {
      if (remaining === 0) break;
      const from = Math.max(range.firstOffset, this.end);
      if (from > range.lastOffset) continue;
      if (from > this.end) {
        if (this.segments.length === 0) {
          // Nothing in flight: the window just moves over the offsets the log lacks.
          this.start = this.end = from;
        } else {
          if (from >= this.windowLimit()) break;
          this.append({
            first: this.end,
            last: from - 1,
            state: 'ARCHIVED',
            deliveryCount: 0,
            memberId: null,
            deadlineMs: null,
          });
        }
      }
      const take = Math.min(range.lastOffset - from + 1, remaining, this.windowLimit() - from);
      if (take <= 0) break;
      this.append({ first: from, last: from + take - 1, state: 'ACQUIRED', deliveryCount: 1, memberId, deadlineMs });
      acquired.push({ firstOffset: from, lastOffset: from + take - 1, deliveryCount: 1 });
      remaining -= take;
    }
    const update = this.endStep();
    return { acquired: mergeAcquired(acquired), update };
  }

  /**
   * A member's acknowledgements (ShareFetch/ShareAcknowledge), batches sorted and disjoint. A batch
   * applies only if the member holds every record in it; otherwise INVALID_RECORD_STATE and that
   * batch changes nothing. A malformed request is INVALID_REQUEST for every batch.
   */
  acknowledge(memberId: string, batches: readonly AcknowledgementBatch[], nowMs: number): AcknowledgeOutcome {
    assertOffset(nowMs, 'now');
    this.beginStep();
    this.expire(nowMs, null);
    const malformed = malformedAcknowledgements(batches);
    if (malformed !== null) return { results: batches.map(() => malformed), update: this.endStep() };
    const results = batches.map((batch) => {
      const refusal = this.checkHeld(memberId, batch);
      if (refusal !== null) return refusal;
      this.splitAt(batch.firstOffset);
      this.splitAt(batch.lastOffset + 1);
      for (
        let i = this.indexOf(batch.firstOffset);
        i < this.segments.length && this.segments[i]!.first <= batch.lastOffset;
        i++
      ) {
        const s = this.segments[i]!;
        if (batch.type === 'ACCEPT') this.transition(s, 'ACKNOWLEDGED', null, null);
        else if (batch.type === 'REJECT') this.transition(s, 'ARCHIVED', null, null);
        else this.transition(s, this.releasedState(s), null, null);
      }
      return null;
    });
    return { results, update: this.endStep() };
  }

  /** Releases the records whose lock deadline is at or before `nowMs`. */
  expireLocks(nowMs: number): ReleaseOutcome {
    assertOffset(nowMs, 'now');
    this.beginStep();
    const released = this.expire(nowMs, null);
    return { released, update: this.endStep() };
  }

  /** Releases every record `memberId` holds (it left the group or was fenced). */
  releaseMember(memberId: string): ReleaseOutcome {
    this.beginStep();
    const released = this.expire(null, memberId);
    return { released, update: this.endStep() };
  }

  /**
   * The log start offset moved up (retention, DeleteRecords): records below it are gone, whatever
   * their state, so the window starts there at the earliest. Locks on them are dropped; their
   * members' acknowledgements will be INVALID_RECORD_STATE.
   */
  onLogStartOffset(logStartOffset: number): ShareStep {
    assertOffset(logStartOffset, 'log start offset');
    this.beginStep();
    if (logStartOffset > this.start) {
      if (logStartOffset >= this.end) {
        this.segments = [];
        this.start = this.end = logStartOffset;
      } else {
        this.splitAt(logStartOffset);
        this.segments = this.segments.slice(this.indexOf(logStartOffset));
        this.start = logStartOffset;
      }
    }
    return { update: this.endStep() };
  }

  /** The whole durable state, e.g. to initialize the store or to compare with it. */
  snapshot(): ShareStateSnapshot {
    return {
      stateEpoch: this.stateEpoch,
      startOffset: this.start,
      ranges: coalesceRanges(this.segments.map((s) => this.durable(s, s.first, s.last))),
    };
  }

  // --- internals ---

  private windowLimit(): number {
    return Math.max(this.start + this.config.maxInFlightRecords, this.restoredEnd);
  }

  /** What a record becomes when its lock ends without an acknowledgement. */
  private releasedState(s: Segment): 'AVAILABLE' | 'ARCHIVED' {
    return s.deliveryCount >= this.config.deliveryCountLimit ? 'ARCHIVED' : 'AVAILABLE';
  }

  /** Releases ACQUIRED records expired at `nowMs` (when given) or held by `memberId` (when given). */
  private expire(nowMs: number | null, memberId: string | null): ReleasedRange[] {
    const released: ReleasedRange[] = [];
    for (const s of this.segments) {
      if (s.state !== 'ACQUIRED') continue;
      if (nowMs !== null && s.deadlineMs! > nowMs) continue;
      if (memberId !== null && s.memberId !== memberId) continue;
      const holder = s.memberId!;
      const state = this.releasedState(s);
      this.transition(s, state, null, null);
      released.push({
        firstOffset: s.first,
        lastOffset: s.last,
        memberId: holder,
        deliveryCount: s.deliveryCount,
        state,
      });
    }
    return released;
  }

  private checkHeld(memberId: string, batch: OffsetRange): ApiError | null {
    const refuse = (why: string): ApiError =>
      new ApiError(
        'INVALID_RECORD_STATE',
        `records ${batch.firstOffset}..${batch.lastOffset} are not acquired by member ${memberId}: ${why}`,
      );
    if (batch.firstOffset < this.start)
      return refuse(`offsets below ${this.start} are already acknowledged or archived`);
    if (batch.lastOffset >= this.end) return refuse(`offsets from ${this.end} were never acquired`);
    for (
      let i = this.indexOf(batch.firstOffset);
      i < this.segments.length && this.segments[i]!.first <= batch.lastOffset;
      i++
    ) {
      const s = this.segments[i]!;
      const at = `offset ${Math.max(s.first, batch.firstOffset)}`;
      if (s.state !== 'ACQUIRED') return refuse(`${at} is ${s.state}`);
      if (s.memberId !== memberId) return refuse(`${at} is acquired by another member`);
    }
    return null;
  }

  /** Index of the segment holding `offset`, or -1. */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid]!;
      if (offset < s.first) hi = mid - 1;
      else if (offset > s.last) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Makes `offset` the first offset of a segment, if it lies inside one. */
  private splitAt(offset: number): void {
    const i = this.indexOf(offset);
    const s = this.segments[i];
    if (s === undefined || s.first === offset) return;
    this.segments.splice(i + 1, 0, { ...s, first: offset });
    s.last = offset - 1;
  }

  private append(s: Segment): void {
    assert(s.first === this.end, `appending ${s.first}..${s.last} at end offset ${this.end}`);
    this.segments.push(s);
    this.end = s.last + 1;
    this.changed.push({ firstOffset: s.first, lastOffset: s.last });
  }

  private transition(
    s: Segment,
    state: RecordState,
    memberId: string | null,
    deadlineMs: number | null,
    deliveryCount = s.deliveryCount,
  ): void {
    const before = this.durable(s, s.first, s.last);
    s.state = state;
    s.memberId = memberId;
    s.deadlineMs = deadlineMs;
    s.deliveryCount = deliveryCount;
    const after = this.durable(s, s.first, s.last);
    if (before.state !== after.state || before.deliveryCount !== after.deliveryCount)
      this.changed.push({ firstOffset: s.first, lastOffset: s.last });
  }

  /** An acquired record is persisted as what losing its lock would make it. */
  private durable(s: Segment, firstOffset: number, lastOffset: number): DurableRange {
    const state: DurableRecordState = s.state === 'ACQUIRED' ? this.releasedState(s) : s.state;
    return { firstOffset, lastOffset, state, deliveryCount: s.deliveryCount };
  }

  private beginStep(): void {
    this.changed = [];
    this.startAtStepBegin = this.start;
  }

  /** Drops the done prefix, merges ranges, checks invariants, and builds the step's update. */
  private endStep(): ShareStateUpdate | null {
    this.dropDonePrefix();
    this.coalesce();
    this.checkInvariants();
    const ranges: DurableRange[] = [];
    for (const c of mergeOffsetRanges(this.changed)) {
      const first = Math.max(c.firstOffset, this.start);
      if (first > c.lastOffset) continue;
      for (let i = this.indexOf(first); i < this.segments.length && this.segments[i]!.first <= c.lastOffset; i++) {
        const s = this.segments[i]!;
        ranges.push(this.durable(s, Math.max(s.first, first), Math.min(s.last, c.lastOffset)));
      }
    }
    this.changed = [];
    if (ranges.length === 0 && this.start === this.startAtStepBegin) return null;
    return { stateEpoch: this.stateEpoch, startOffset: this.start, ranges: coalesceRanges(ranges) };
  }

  /** Moves `startOffset` over the acknowledged and archived records at the front, forgetting them. */
  private dropDonePrefix(): void {
    let drop = 0;
    while (drop < this.segments.length && isDone(this.segments[drop]!.state)) drop++;
    if (drop === 0) return;
    this.start = drop === this.segments.length ? this.end : this.segments[drop]!.first;
    this.segments = this.segments.slice(drop);
  }

  private coalesce(): void {
    const out: Segment[] = [];
    for (const s of this.segments) {
      const last = out.at(-1);
      if (
        last !== undefined &&
        last.state === s.state &&
        last.deliveryCount === s.deliveryCount &&
        last.memberId === s.memberId &&
        last.deadlineMs === s.deadlineMs
      ) {
        last.last = s.last;
      } else {
        out.push(s);
      }
    }
    this.segments = out;
  }

  private checkInvariants(): void {
    assert(this.start <= this.end, `start offset ${this.start} is past end offset ${this.end}`);
    assert(
      this.end <= this.windowLimit(),
      `the window ${this.start}..${this.end} spans more than ${this.config.maxInFlightRecords} offsets`,
    );
    assert(
      (this.segments.length === 0) === (this.start === this.end),
      `window ${this.start}..${this.end} with ${this.segments.length} ranges`,
    );
    let next = this.start;
    for (const s of this.segments) {
      const where = `in-flight range ${s.first}..${s.last} (${s.state})`;
      assert(s.first === next && s.first <= s.last, `${where} does not continue at ${next}`);
      assert(
        Number.isInteger(s.deliveryCount) && s.deliveryCount >= 0,
        `${where} has delivery count ${s.deliveryCount}`,
      );
      if (s.state === 'ACQUIRED') {
        assert(s.memberId !== null && s.deadlineMs !== null, `${where} has no member or no lock deadline`);
        assert(
          s.deliveryCount >= 1 && s.deliveryCount <= this.config.deliveryCountLimit,
          `${where} has delivery count ${s.deliveryCount}`,
        );
      } else {
        assert(s.memberId === null && s.deadlineMs === null, `${where} has a member or a lock deadline`);
      }
      if (s.state === 'AVAILABLE')
        assert(s.deliveryCount < this.config.deliveryCountLimit, `${where} reached the delivery limit`);
      next = s.last + 1;
    }
    assert(next === this.end, `the in-flight ranges end at ${next}, not at end offset ${this.end}`);
    assert(
      this.segments[0] === undefined || !isDone(this.segments[0].state),
      `the window ${this.start}..${this.end} starts with a done range`,
    );
  }
}

function checkOffsetRanges(ranges: readonly OffsetRange[], what: string): void {
  let previousLast = -1;
  for (const r of ranges) {
    assertOffset(r.firstOffset, `${what} first offset`);
    assertOffset(r.lastOffset, `${what} last offset`);
    assert(
      r.firstOffset <= r.lastOffset && r.firstOffset > previousLast,
      `${what} ${r.firstOffset}..${r.lastOffset} are not sorted and disjoint`,
    );
    previousLast = r.lastOffset;
  }
}

/** Kafka answers INVALID_REQUEST for batches out of order, overlapping, or of an unknown type. */
function malformedAcknowledgements(batches: readonly AcknowledgementBatch[]): ApiError | null {
  let previousLast = -1;
  for (const b of batches) {
    const where = `acknowledgement batch ${b.firstOffset}..${b.lastOffset}`;
    if (
      !Number.isSafeInteger(b.firstOffset) ||
      !Number.isSafeInteger(b.lastOffset) ||
      b.firstOffset < 0 ||
      b.firstOffset > b.lastOffset
    ) {
      return new ApiError('INVALID_REQUEST', `invalid ${where}`);
    }
    if (b.firstOffset <= previousLast)
      return new ApiError('INVALID_REQUEST', `${where} overlaps or precedes the batch before it`);
    if (!ACKNOWLEDGE_TYPES.has(b.type))
      return new ApiError('INVALID_REQUEST', `${where} has type ${String(b.type)}, not ACCEPT, RELEASE or REJECT`);
    previousLast = b.lastOffset;
  }
  return null;
}

function mergeOffsetRanges(ranges: readonly OffsetRange[]): OffsetRange[] {
  const sorted = [...ranges].sort((a, b) => a.firstOffset - b.firstOffset);
  const out: OffsetRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last !== undefined && r.firstOffset <= last.lastOffset + 1)
      out[out.length - 1] = { firstOffset: last.firstOffset, lastOffset: Math.max(last.lastOffset, r.lastOffset) };
    else out.push(r);
  }
  return out;
}

function mergeAcquired(ranges: readonly AcquiredRange[]): AcquiredRange[] {
  const out: AcquiredRange[] = [];
  for (const r of ranges) {
    const last = out.at(-1);
    if (last !== undefined && last.lastOffset + 1 === r.firstOffset && last.deliveryCount === r.deliveryCount)
      out[out.length - 1] = { ...last, lastOffset: r.lastOffset };
    else out.push(r);
  }
  return out;
}
