import type { MetadataRecord } from '@sluice/metadata';

/**
 * What every mutating operation returns: the records the shell replicates through Raft (and,
 * once committed, replays into the next MetadataImage), the response to send back after the
 * commit, and a one-line summary of what changed for the audit log. An empty `records` list
 * means nothing changes; the shell may answer at once.
 */
export interface ControllerResult<R> {
  readonly records: readonly MetadataRecord[];
  readonly response: R;
  readonly summary: string;
  /**
   * True when the operation moved only a bounded chunk of partitions off fenced or shutting-down
   * brokers and more remain: the shell should call `fenceExpiredBrokers` again soon (after
   * these records are appended), repeating until it answers without `movesPending`.
   */
  readonly movesPending?: boolean;
}
