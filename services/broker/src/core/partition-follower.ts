/**
 * The follower side of one partition's replication (Kafka's Partition follower half plus the
 * per-partition decisions of AbstractFetcherThread), as a pure state machine for one leader
 * epoch: no I/O, no timers. The fetcher shell asks it what to send, hands it the leader's answers
 * and applies the log writes each step returns, in order, before the next step; the follower reads
 * its own log only through `FollowerLocalLog`. A new leader or leader epoch is a new instance.
 *
 * Rules (Kafka 4's):
 * - Truncation first. A new follower asks the leader where its latest local epoch ends
 *   (OffsetForLeaderEpoch) and truncates there (follower-truncation.ts), asking again with the
 *   new latest epoch until the decision is complete; only then does it fetch. Each intermediate
 *   round leaves a strictly smaller latest epoch, so truncation ends. An answer naming an epoch
 *   above the one asked is a broken leader: it counts as "unknown" (truncate to the high watermark).
 * - Fetch from the log end, with the epoch of the last local batch. An answer counts only while
 *   the log end is still the offset it was asked for; anything else is stale.
 * - Records are appended exactly as the leader stamped them. The high watermark becomes
 *   min(the leader's high watermark, the log end after the append), never lower than before.
 * - The log start offset follows the leader's, never past the local high watermark (Kafka's
 *   follower maybeIncrementLogStartOffset); retention then deletes the segments below it.
 * - A diverging epoch in the answer: truncate where OffsetForLeaderEpoch would have said; an
 *   intermediate decision goes back to truncation.
 * - OFFSET_OUT_OF_RANGE with the leader's log start offset above our log end (retention there
 *   deleted what we lack): delete the local log and start over at the leader's log start offset
 *   (Kafka's handleOutOfRangeError). Everything below it was committed, so the high watermark
 *   moves up to it. OFFSET_MOVED_TO_TIERED_STORAGE (what we lack is in remote storage; KIP-405's
 *   ReplicaFetcherTierStateMachine) is the same start over at the leader's local log start; the
 *   shell restores the leader epochs and producer state as of there from remote storage first.
 * - Any other OFFSET_OUT_OF_RANGE (the leader does not know our last epoch, or we are past its
 *   end): back to truncation against this leader, after a backoff (Kafka truncates to the leader's
 *   end here; asking where our epochs end is that and more). Only asking again would never end.
 * - Errors only the metadata log or the leader can fix (fencing, unknown partition, a corrupt
 *   answer) ask the fetcher to back off; nothing changes.
 * - A log write the shell could not apply: back to truncation, which re-reads the log as it is.
 *
 * The high watermark never exceeds the log end: readers see min(highWatermark, log end), and every
 * step starts by re-clamping, which covers a truncation that removed a whole straddling batch
 * (the log may end below the offset asked for).
 */
import type { EpochEndOffset } from '@sluice/log';
import { assert, assertInt32Epoch, assertOffset } from './assert';
import {
  followerTruncation,
  UNDEFINED_EPOCH,
  UNDEFINED_EPOCH_OFFSET,
  type FollowerLogView,
} from './follower-truncation';

/** What the follower reads of its own log; `PartitionLog` satisfies it. */
export interface FollowerLocalLog extends FollowerLogView {
  readonly logStartOffset: number;
  /** What the log has fdatasynced (sent with each fetch: the leader counts it for durable acks). */
  readonly recoveryPoint: number;
  /** Epoch of the last local batch; null for a log without one. */
  latestEpoch(): number | null;
}

export type FollowerPhase = 'truncating' | 'fetching';

/** An OffsetForLeaderEpoch question for the leader. */
export interface EpochEndQuery {
  /** The leader epoch the follower believes current (fences a stale leader). */
  readonly currentLeaderEpoch: number;
  /** The local epoch whose end the follower asks for. */
  readonly epoch: number;
}

/** One partition of a follower's Fetch request. */
export interface FollowerFetchPosition {
  readonly fetchOffset: number;
  /** Epoch of the last local batch; -1 when the log has none. */
  readonly lastFetchedEpoch: number;
  readonly logStartOffset: number;
  readonly currentLeaderEpoch: number;
  /** The local log's recovery point: everything below it is fdatasynced. */
  readonly flushedOffset: number;
}

/** The fetched batches, opaque, with where they start and the offset right after the last one. */
export interface FetchedRecords {
  readonly bytes: Buffer;
  readonly baseOffset: number;
  readonly nextOffset: number;
}

/** The leader's answer for one partition of a follower Fetch. */
export interface FollowerFetchAnswer {
  /** '' when none. */
  readonly errorName: string;
  /** Negative when the leader did not say. */
  readonly highWatermark: number;
  /** Negative when the leader did not say. */
  readonly logStartOffset: number;
  readonly divergingEpoch: EpochEndOffset | null;
  /** null when no records came. */
  readonly records: FetchedRecords | null;
}

/** A change to the local log, for the shell to apply in order. */
export type FollowerLogWrite =
  /** Remove every offset at or above `offset` (PartitionLog.truncateTo). */
  | { readonly kind: 'truncate'; readonly offset: number }
  /** Delete the whole log and restart it empty at `offset` (PartitionLog.truncateFullyAndStartAt). */
  | { readonly kind: 'start-over'; readonly offset: number }
  /** Append as the leader stamped them; the log then ends at `logEndOffsetAfter`. */
  | { readonly kind: 'append'; readonly records: Buffer; readonly logEndOffsetAfter: number }
  /** Move the log start offset up (PartitionLog.advanceLogStartOffset). */
  | { readonly kind: 'advance-log-start'; readonly offset: number };

/** What one step decided. */
export interface FollowerStep {
  readonly logWrites: readonly FollowerLogWrite[];
  /** The fetcher should pause before asking this leader again. */
  readonly backoff: boolean;
  /** The local log or high watermark moved (readers waiting on the partition look again). */
  readonly changed: boolean;
}

export interface BecomeFollowerInput {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  /** The last known high watermark (checkpointed, or kept from the previous role). */
  readonly highWatermark: number;
}

/**
 * Errors after which asking again at once cannot help: the metadata log (fencing, leadership) or
 * the leader (its log start, a corrupt answer) has to change first.
 */
export const FOLLOWER_BACKOFF_ERRORS: ReadonlySet<string> = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'UNKNOWN_LEADER_EPOCH',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'OFFSET_OUT_OF_RANGE',
  'OFFSET_MOVED_TO_TIERED_STORAGE',
  'CORRUPT_MESSAGE',
]);

const NOTHING: FollowerStep = { logWrites: [], backoff: false, changed: false };
const BACK_OFF: FollowerStep = { logWrites: [], backoff: true, changed: false };

export class PartitionFollower {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  private highWatermarkValue: number;
  private phaseValue: FollowerPhase = 'truncating';
  /** The epoch of the question on the wire (asked again, unchanged, if it got no answer). */
  private epochAsked: number | null = null;
  /** After an intermediate answer: the next question must be for an epoch below this one. */
  private askBelowEpoch: number | null = null;

  constructor(input: BecomeFollowerInput, log: FollowerLocalLog) {
    assert(Number.isInteger(input.leaderId) && input.leaderId >= 0, `leader id ${input.leaderId} must be >= 0`);
    assertInt32Epoch(input.leaderEpoch, 'leader epoch');
    assertOffset(input.highWatermark, 'high watermark');
    this.leaderId = input.leaderId;
    this.leaderEpoch = input.leaderEpoch;
    this.highWatermarkValue = Math.min(input.highWatermark, log.logEndOffset);
  }

  get phase(): FollowerPhase {
    return this.phaseValue;
  }

  /** The high watermark as this follower knows it: committed everywhere, and in the local log. */
  highWatermark(log: FollowerLocalLog): number {
    return Math.min(this.highWatermarkValue, log.logEndOffset);
  }

  /**
   * The next OffsetForLeaderEpoch question while truncating; null when there is nothing (more)
   * to ask, and the follower fetches. A log without epochs has nothing to truncate.
   */
  truncationQuery(log: FollowerLocalLog): EpochEndQuery | null {
    this.clamp(log);
    if (this.phaseValue !== 'truncating') return null;
    const latest = log.latestEpoch();
    if (latest === null) {
      this.finishTruncation();
      return null;
    }
    assert(
      this.askBelowEpoch === null || latest < this.askBelowEpoch,
      `truncation was answered for epoch ${this.askBelowEpoch} and the log still ends in epoch ${latest}`,
    );
    this.epochAsked = latest;
    return { currentLeaderEpoch: this.leaderEpoch, epoch: latest };
  }

  /** The leader's OffsetForLeaderEpoch answer to `query`: truncate, and fetch once it is complete. */
  onEpochEnd(query: EpochEndQuery, answer: EpochEndOffset, log: FollowerLocalLog): FollowerStep {
    this.clamp(log);
    if (this.phaseValue !== 'truncating' || this.epochAsked !== query.epoch) return NOTHING;
    // The leader answers the largest epoch <= the one asked; a larger one is not an answer.
    const trusted = answer.epoch > query.epoch ? { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET } : answer;
    const decision = followerTruncation(trusted, log, this.highWatermark(log));
    const logWrites = this.truncateTo(decision.truncateToOffset, log);
    if (decision.complete) this.finishTruncation();
    else this.askBelowEpoch = query.epoch;
    this.epochAsked = null;
    return { logWrites, backoff: false, changed: logWrites.length > 0 };
  }

  /** What to ask the leader for; null while truncating. */
  fetchPosition(log: FollowerLocalLog): FollowerFetchPosition | null {
    this.clamp(log);
    if (this.phaseValue !== 'fetching') return null;
    return {
      fetchOffset: log.logEndOffset,
      lastFetchedEpoch: log.latestEpoch() ?? -1,
      logStartOffset: log.logStartOffset,
      currentLeaderEpoch: this.leaderEpoch,
      flushedOffset: Math.min(log.recoveryPoint, log.logEndOffset),
    };
  }

  /** The leader's Fetch answer to `position`. */
  onFetchAnswer(position: FollowerFetchPosition, answer: FollowerFetchAnswer, log: FollowerLocalLog): FollowerStep {
    this.clamp(log);
    if (this.phaseValue !== 'fetching' || position.fetchOffset !== log.logEndOffset) return NOTHING;
    if (answer.errorName !== '') return this.onFetchError(answer, log);
    if (answer.divergingEpoch !== null) {
      const decision = followerTruncation(answer.divergingEpoch, log, this.highWatermark(log));
      const logWrites = this.truncateTo(decision.truncateToOffset, log);
      if (!decision.complete) this.startTruncation();
      return { logWrites, backoff: false, changed: logWrites.length > 0 };
    }
    const records = answer.records;
    if (records !== null && !(records.baseOffset >= log.logEndOffset && records.nextOffset > records.baseOffset))
      return BACK_OFF; // not batches that continue our log: a broken answer
    const logWrites: FollowerLogWrite[] = [];
    let logEndOffset = log.logEndOffset;
    if (records !== null) {
      logEndOffset = records.nextOffset;
      logWrites.push({ kind: 'append', records: records.bytes, logEndOffsetAfter: logEndOffset });
    }
    if (Number.isSafeInteger(answer.highWatermark) && answer.highWatermark >= 0)
      this.highWatermarkValue = Math.max(this.highWatermarkValue, Math.min(answer.highWatermark, logEndOffset));
    if (Number.isSafeInteger(answer.logStartOffset)) {
      const target = Math.min(answer.logStartOffset, this.highWatermarkValue);
      if (target > log.logStartOffset) logWrites.push({ kind: 'advance-log-start', offset: target });
    }
    return { logWrites, backoff: false, changed: true };
  }

  /** The shell could not apply a log write of this follower: start again from the log as it is. */
  onLogWriteFailure(log: FollowerLocalLog): void {
    this.startTruncation();
    this.clamp(log);
  }

  private onFetchError(answer: FollowerFetchAnswer, log: FollowerLocalLog): FollowerStep {
    const leaderStart = answer.logStartOffset;
    if (
      (answer.errorName === 'OFFSET_OUT_OF_RANGE' || answer.errorName === 'OFFSET_MOVED_TO_TIERED_STORAGE') &&
      Number.isSafeInteger(leaderStart) &&
      leaderStart > log.logEndOffset
    ) {
      this.highWatermarkValue = leaderStart;
      return { logWrites: [{ kind: 'start-over', offset: leaderStart }], backoff: false, changed: true };
    }
    if (answer.errorName === 'OFFSET_OUT_OF_RANGE' || answer.errorName === 'OFFSET_MOVED_TO_TIERED_STORAGE')
      this.startTruncation();
    return FOLLOWER_BACKOFF_ERRORS.has(answer.errorName) ? BACK_OFF : NOTHING;
  }

  private truncateTo(offset: number, log: FollowerLocalLog): FollowerLogWrite[] {
    assertOffset(offset, 'truncation offset');
    if (offset >= log.logEndOffset) return [];
    this.highWatermarkValue = Math.min(this.highWatermarkValue, offset);
    return [{ kind: 'truncate', offset }];
  }

  private startTruncation(): void {
    this.phaseValue = 'truncating';
    this.epochAsked = null;
    this.askBelowEpoch = null;
  }

  private finishTruncation(): void {
    this.phaseValue = 'fetching';
    this.epochAsked = null;
    this.askBelowEpoch = null;
  }

  private clamp(log: FollowerLocalLog): void {
    this.highWatermarkValue = Math.min(this.highWatermarkValue, log.logEndOffset);
  }
}
