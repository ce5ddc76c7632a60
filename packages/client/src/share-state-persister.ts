/**
 * How a partition leader keeps a share partition's durable state (KIP-932's "persister"): it reads
 * the state when it starts serving a share group on a partition and writes every change before it
 * answers the ShareFetch / ShareAcknowledge that caused it. The implementation talks to the share
 * coordinator (ReadShareGroupState / WriteShareGroupState on the coordinator service); tests may
 * use an in-memory one. Both fold writes with @sluice/protocol's `initializeShareState` /
 * `applyShareStateUpdate`, so fencing rules are the same everywhere.
 */
import type { ShareStateSnapshot, ShareStateUpdate } from '@sluice/protocol';

/** One share partition: a share group on one topic partition. */
export interface ShareStateKey {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
}

/** The `__share_group_state` record key, also the FindCoordinator key with key_type SHARE. */
export function shareStateKeyString(key: ShareStateKey): string {
  return `${key.groupId}:${key.topic}:${key.partition}`;
}

export interface ShareStatePersister {
  /**
   * The stored state, or null when nothing was stored yet. `leaderEpoch` is the reader's leader
   * epoch of the partition (-1: a read-only look). Rejects with an ApiError (e.g.
   * COORDINATOR_NOT_AVAILABLE after retries ran out, FENCED_LEADER_EPOCH).
   */
  read(key: ShareStateKey, leaderEpoch: number): Promise<ShareStateSnapshot | null>;
  /**
   * Resolves once the write is committed. `kind` 'snapshot': the whole state (initialization or a
   * new state epoch); 'update': a diff within the stored state epoch. Rejects with an ApiError:
   * FENCED_LEADER_EPOCH (a newer leader wrote), FENCED_STATE_EPOCH (the state epoch moved on:
   * read again), INVALID_REQUEST, or COORDINATOR_NOT_AVAILABLE / REQUEST_TIMED_OUT after retries.
   */
  write(
    key: ShareStateKey,
    leaderEpoch: number,
    state: ShareStateSnapshot | ShareStateUpdate,
    kind: 'snapshot' | 'update',
  ): Promise<void>;
}
