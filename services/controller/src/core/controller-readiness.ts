/**
 * What a controller's readiness (grpc.health.v1, service `sluice.v1.Controller`) means: this node
 * is a voter of a quorum with a known leader, it heard from that leader recently, and the metadata
 * it applied is within a small bound of the leader's commit. A StatefulSet rolling update then
 * restarts the next controller only once this one could vote for and take over current metadata
 * again: restarting it while it still replays would leave the quorum one voter short of a
 * caught-up majority. The leader is caught up by definition (its commit is the quorum's).
 */

export interface ControllerReadiness {
  readonly ready: boolean;
  /** Why not, for logs; '' when ready. */
  readonly reason: string;
}

/** The bounds, configurable (`controller.readiness.*`). */
export interface ControllerReadinessLimits {
  /** Committed entries this node may have left to apply and still be ready. */
  readonly maxLagOffsets: number;
  /** How long ago the leader may have last reached this follower and it still be ready. */
  readonly maxLeaderSilenceMs: number;
}

/** The defaults of controller.readiness.max.lag.offsets and controller.readiness.leader.silence.max.ms (config.ts). */
export const DEFAULT_CONTROLLER_READINESS_LIMITS: ControllerReadinessLimits = {
  maxLagOffsets: 100,
  maxLeaderSilenceMs: 2_000,
};

/** What the Raft shell knows, sampled at `nowMs`. */
export interface ControllerRaftState {
  readonly nodeId: number;
  readonly isVoter: boolean;
  readonly leaderId: number | null;
  /** The highest commit the current leader told this node (Raft's leaderCommitIndex). */
  readonly leaderCommitOffset: number;
  /** The last metadata offset this node applied. */
  readonly appliedOffset: number;
  /** When a message from the current leader last arrived; null: none since this node started. */
  readonly lastLeaderContactMs: number | null;
  readonly nowMs: number;
}

export function controllerReadiness(
  state: ControllerRaftState,
  limits: ControllerReadinessLimits,
): ControllerReadiness {
  if (!state.isVoter) return { ready: false, reason: 'not a voter of the quorum' };
  if (state.leaderId === null) return { ready: false, reason: 'no known quorum leader' };
  if (state.leaderId === state.nodeId) return { ready: true, reason: '' };
  if (state.lastLeaderContactMs === null)
    return { ready: false, reason: `no message from leader ${state.leaderId} yet` };
  const silenceMs = state.nowMs - state.lastLeaderContactMs;
  if (silenceMs > limits.maxLeaderSilenceMs)
    return {
      ready: false,
      reason: `leader ${state.leaderId} silent for ${silenceMs} ms (bound ${limits.maxLeaderSilenceMs} ms)`,
    };
  const lagOffsets = state.leaderCommitOffset - state.appliedOffset;
  if (lagOffsets > limits.maxLagOffsets)
    return {
      ready: false,
      reason: `applied offset ${state.appliedOffset} is ${lagOffsets} behind leader ${state.leaderId}'s commit ${state.leaderCommitOffset} (bound ${limits.maxLagOffsets})`,
    };
  return { ready: true, reason: '' };
}
