/**
 * The leader's answer to OffsetForLeaderEpoch (Kafka's Partition.fetchOffsetForLeaderEpoch):
 * fence the request's view of the current leader epoch, then say where the requested epoch ends
 * in our log (for the latest epoch: our log end offset), or UNDEFINED when we cannot tell.
 */
import type { ApiError } from '@sluice/protocol';
import type { EpochEndOffset } from '@sluice/log';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './follower-truncation';
import { checkCurrentLeaderEpoch } from './leader-epoch-fencing';

export interface EpochLookup {
  endOffsetForEpoch(epoch: number): EpochEndOffset | null;
}

export interface OffsetForLeaderEpochQuestion {
  /** The leader epoch the asker believes current; null when not sent. */
  readonly currentLeaderEpoch: number | null;
  /** The epoch whose end the asker wants. */
  readonly leaderEpoch: number;
}

export type OffsetForLeaderEpochAnswer =
  { readonly kind: 'error'; readonly error: ApiError } | ({ readonly kind: 'answer' } & EpochEndOffset);

export function answerOffsetForLeaderEpoch(
  localLeaderEpoch: number,
  request: OffsetForLeaderEpochQuestion,
  log: EpochLookup,
): OffsetForLeaderEpochAnswer {
  const fenced = checkCurrentLeaderEpoch(localLeaderEpoch, request.currentLeaderEpoch);
  if (fenced !== null) return { kind: 'error', error: fenced };
  const end = request.leaderEpoch < 0 ? null : log.endOffsetForEpoch(request.leaderEpoch);
  return end === null
    ? { kind: 'answer', epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }
    : { kind: 'answer', ...end };
}
