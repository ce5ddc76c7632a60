import { ApiError } from '@sluice/protocol';

/**
 * Kafka's Partition.checkCurrentLeaderEpoch: a request that names the leader epoch it believes
 * current is refused when that epoch is older than ours (the sender is behind: FENCED_LEADER_EPOCH)
 * or newer (we are behind: UNKNOWN_LEADER_EPOCH). Both are retriable; the sender refreshes
 * metadata, or we catch up on the metadata log. `null` means the request named no epoch.
 */
export function checkCurrentLeaderEpoch(localLeaderEpoch: number, requestLeaderEpoch: number | null): ApiError | null {
  if (requestLeaderEpoch === null) return null;
  if (requestLeaderEpoch < localLeaderEpoch) {
    return new ApiError(
      'FENCED_LEADER_EPOCH',
      `leader epoch ${requestLeaderEpoch} is older than the current ${localLeaderEpoch}`,
    );
  }
  if (requestLeaderEpoch > localLeaderEpoch) {
    return new ApiError(
      'UNKNOWN_LEADER_EPOCH',
      `leader epoch ${requestLeaderEpoch} is newer than this broker's ${localLeaderEpoch}`,
    );
  }
  return null;
}
