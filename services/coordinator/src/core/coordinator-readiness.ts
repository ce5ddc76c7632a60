/**
 * What the coordinator's readiness (grpc.health.v1, service `sluice.v1.Coordinator`) means: its
 * last ownership check read the paired broker's metadata, that metadata has both internal topics,
 * and every partition of `__consumer_offsets` and `__share_group_state` it owns is loaded. While
 * one is still replaying, its groups answer COORDINATOR_LOAD_IN_PROGRESS, so a StatefulSet rolling
 * update must not move on to the next coordinator yet (the whole server's status, service '',
 * stays SERVING from the first ownership check on: the process runs and FindCoordinator answers).
 */

export interface CoordinatorReadiness {
  readonly ready: boolean;
  /** Why not, for logs; '' when ready. */
  readonly reason: string;
}

export interface CoordinatorOwnership {
  /** The last ownership check read the paired broker's metadata. */
  readonly metadataRead: boolean;
  /** That metadata has both internal topics (the paired broker may lag the controller that created them). */
  readonly knowsInternalTopics: boolean;
  /** `topic-partition` of every owned partition still replaying its log. */
  readonly loading: readonly string[];
}

/** Partitions named in a not-ready reason at most. */
const MAX_NAMED_PARTITIONS = 5;

export function coordinatorReadiness(state: CoordinatorOwnership): CoordinatorReadiness {
  if (!state.metadataRead) return { ready: false, reason: 'paired broker metadata not read' };
  if (!state.knowsInternalTopics) return { ready: false, reason: 'internal topics not in the metadata yet' };
  const count = state.loading.length;
  if (count === 0) return { ready: true, reason: '' };
  const named = state.loading.slice(0, MAX_NAMED_PARTITIONS).join(', ');
  return {
    ready: false,
    reason: `loading ${count} partition${count === 1 ? '' : 's'} (${named}${count > MAX_NAMED_PARTITIONS ? ', ...' : ''})`,
  };
}
