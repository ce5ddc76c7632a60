/**
 * What one local replica of a partition is doing now, and the rule for what a registration from
 * the metadata log makes of it (Kafka's ReplicaManager.applyDelta: makeLeader / makeFollower).
 *
 * - This broker is the registration's leader: a leader of an older epoch or another broker's
 *   follower becomes leader; a current leader takes the registration (PartitionLeader decides
 *   whether it is stale, an update of replicas/ISR, or a newer leader epoch: then it resigns and
 *   leads the new epoch afresh).
 * - Another broker leads: a follower of exactly that leader and leader epoch stays; anything else
 *   becomes its follower (a new PartitionFollower, which truncates first).
 * - Nobody leads (leader -1): offline, keeping the high watermark for when a role comes back.
 *
 * A role object stands for one leadership or one followership: code that must notice a change
 * (answers for a request sent under an earlier role, share partitions) compares identities.
 */
import type { PartitionFollower } from './partition-follower';
import type { PartitionLeader, PartitionRegistration } from './partition-leader';
import type { ProducerStateManager } from './producer-state';

export interface LeaderRole<C = undefined> {
  readonly kind: 'leader';
  readonly core: PartitionLeader<C>;
  /** Idempotent producers' state for this leadership (rebuilt from the log when it began). */
  readonly producers: ProducerStateManager;
  /**
   * The lowest offset whose producers `producers` knows: 0 when it was rebuilt from a log starting
   * at 0 or from a kept (cumulative) producer snapshot, else the log start it was rebuilt from.
   * Above 0, producers whose batches all lie below it are unknown (on a tiered partition they are
   * in remote storage: the shell restores them before it accepts idempotent produce). Only the
   * replication core changes it (`reloadProducerState`, `settleProducerState`).
   */
  producerStateFrom: number;
}

export interface FollowerRole {
  readonly kind: 'follower';
  readonly core: PartitionFollower;
}

export interface OfflineRole {
  readonly kind: 'offline';
  /** The high watermark last known (it bounds nothing while offline; the next role starts from it). */
  readonly highWatermark: number;
}

export type ReplicaRole<C = undefined> = LeaderRole<C> | FollowerRole | OfflineRole;

export type RoleTransition =
  /** Nothing to do. */
  | { readonly kind: 'stay' }
  /** This broker leads and keeps leading: the leader core takes the registration. */
  | { readonly kind: 'update-leader' }
  | { readonly kind: 'become-leader' }
  | { readonly kind: 'become-follower'; readonly leaderId: number; readonly leaderEpoch: number }
  | { readonly kind: 'go-offline' };

export function roleTransition<C>(
  role: ReplicaRole<C>,
  registration: PartitionRegistration,
  localBrokerId: number,
): RoleTransition {
  if (registration.leader === localBrokerId)
    return role.kind === 'leader' ? { kind: 'update-leader' } : { kind: 'become-leader' };
  if (registration.leader < 0) return role.kind === 'offline' ? { kind: 'stay' } : { kind: 'go-offline' };
  if (
    role.kind === 'follower' &&
    role.core.leaderId === registration.leader &&
    role.core.leaderEpoch === registration.leaderEpoch
  )
    return { kind: 'stay' };
  return { kind: 'become-follower', leaderId: registration.leader, leaderEpoch: registration.leaderEpoch };
}

/** The leader epoch the replica works in; -1 offline. */
export function roleLeaderEpoch<C>(role: ReplicaRole<C>): number {
  return role.kind === 'offline' ? -1 : role.core.leaderEpoch;
}
