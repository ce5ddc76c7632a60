/**
 * The follower side of divergence (Kafka's AbstractFetcherThread.getOffsetTruncationState): a
 * replica that becomes follower asks the leader, with OffsetForLeaderEpoch, where its latest epoch
 * ends on the leader, and truncates to the first offset where the two logs may differ.
 */
import type { EpochEndOffset } from '@sluice/log';
import { assertOffset } from './assert';

/** Kafka's "no epoch" / "no offset" in an OffsetForLeaderEpoch answer. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

/** What the follower needs from its own log; `PartitionLog` satisfies it. */
export interface FollowerLogView {
  readonly logEndOffset: number;
  /** Largest local epoch <= `epoch` and where it ends locally; null when there is none. */
  endOffsetForEpoch(epoch: number): EpochEndOffset | null;
}

export interface TruncationDecision {
  /** Truncate the local log to this offset (a no-op when it is the log end offset). */
  readonly truncateToOffset: number;
  /**
   * False: the truncation is intermediate; ask the leader again with the (new) latest local epoch
   * before fetching. Terminates because each round asks for a strictly smaller epoch.
   */
  readonly complete: boolean;
}

/**
 * Where to truncate given the leader's answer for our latest epoch.
 * - The leader knows no end for it: fall back to our high watermark, which is safe by definition.
 * - The leader answered an epoch (possibly *smaller* than we asked: it never had ours) that we
 *   also have: the logs agree up to where both sides' copies of that epoch end.
 * - We lack that exact epoch: cut to the end of our largest epoch below it, then ask again.
 * - We have no epoch at or below it: the leader's end offset bounds what we can keep.
 * Never truncates above our log end offset.
 */
export function followerTruncation(
  leader: EpochEndOffset,
  local: FollowerLogView,
  localHighWatermark: number,
): TruncationDecision {
  assertOffset(local.logEndOffset, 'follower log end offset');
  assertOffset(localHighWatermark, 'follower high watermark');
  const end = local.logEndOffset;
  if (leader.endOffset === UNDEFINED_EPOCH_OFFSET)
    return { truncateToOffset: Math.min(localHighWatermark, end), complete: true };
  assertOffset(leader.endOffset, 'leader epoch end offset');
  if (leader.epoch === UNDEFINED_EPOCH) return { truncateToOffset: Math.min(leader.endOffset, end), complete: true };
  const mine = local.endOffsetForEpoch(leader.epoch);
  if (mine === null || mine.epoch === UNDEFINED_EPOCH)
    return { truncateToOffset: Math.min(leader.endOffset, end), complete: true };
  if (mine.epoch !== leader.epoch) return { truncateToOffset: Math.min(mine.endOffset, end), complete: false };
  return { truncateToOffset: Math.min(mine.endOffset, leader.endOffset, end), complete: true };
}
