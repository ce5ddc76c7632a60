import { RaftInvariantError } from './errors';
import type { Membership, NodeId } from './types';

/**
 * Everything a Raft node needs besides its storage. Time is counted in ticks (the shell decides
 * how long a tick is); randomness comes only from `rng` so a seeded run replays exactly.
 */
export interface RaftConfig {
  readonly id: NodeId;
  /** Fixed voter set (dynamic reconfiguration is not supported). Must be non-empty. */
  readonly voters: readonly NodeId[];
  /** Non-voting followers (brokers, coordinators). Never vote, never count toward quorum. */
  readonly observers?: readonly NodeId[];
  /**
   * Base election timeout. Each follower draws its actual timeout uniformly from
   * [electionTimeoutTicks, 2 * electionTimeoutTicks) so that split votes resolve.
   */
  readonly electionTimeoutTicks: number;
  /** A leader sends heartbeats this often; must be well below electionTimeoutTicks. */
  readonly heartbeatIntervalTicks: number;
  /** Uniform in [0, 1), like Math.random but injected (and seeded in tests). */
  readonly rng: () => number;
  /** Ask "could I win?" before bumping the term, so a partitioned node cannot inflate terms. Default true. */
  readonly preVote?: boolean;
  /** Leader steps down without contact from a quorum within an election timeout; also enables the leader lease. Default true. */
  readonly checkQuorum?: boolean;
  /** Max unacknowledged append messages in flight to one follower (optimistic pipelining). Default 64. */
  readonly maxInflightAppends?: number;
  /** Max unacknowledged entry bytes in flight to one follower. Default 16 MiB. */
  readonly maxInflightBytes?: number;
  /** Max entry bytes in one append message; one larger entry is still sent alone. Default 1 MiB. */
  readonly maxAppendBytes?: number;
  /** Max entries in one append message. Default 1024. */
  readonly maxAppendEntries?: number;
  /** The proposal queue bound: entries the leader holds that are not yet committed. Default 10_000. */
  readonly maxUncommittedEntries?: number;
  /** Max entry bytes handed to the application to apply in one Ready. Default 4 MiB. */
  readonly maxApplyBytesPerReady?: number;
  /** Messages waiting for the next Ready; beyond this new messages are dropped (Raft tolerates loss). Default 4096. */
  readonly maxOutboxMessages?: number;
}

export interface ResolvedRaftConfig {
  readonly id: NodeId;
  readonly membership: Membership;
  readonly electionTimeoutTicks: number;
  readonly heartbeatIntervalTicks: number;
  readonly rng: () => number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxInflightAppends: number;
  readonly maxInflightBytes: number;
  readonly maxAppendBytes: number;
  readonly maxAppendEntries: number;
  readonly maxUncommittedEntries: number;
  readonly maxApplyBytesPerReady: number;
  readonly maxOutboxMessages: number;
}

export const RAFT_DEFAULTS = Object.freeze({
  preVote: true,
  checkQuorum: true,
  maxInflightAppends: 64,
  maxInflightBytes: 16 * 1024 * 1024,
  maxAppendBytes: 1024 * 1024,
  maxAppendEntries: 1024,
  maxUncommittedEntries: 10_000,
  maxApplyBytesPerReady: 4 * 1024 * 1024,
  maxOutboxMessages: 4096,
});

function requirePositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RaftInvariantError(`raft config: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Validates the config and fills defaults. Throws on anything that could not work. */
export function resolveRaftConfig(config: RaftConfig): ResolvedRaftConfig {
  const voters = [...config.voters];
  const observers = [...(config.observers ?? [])];
  const all = [...voters, ...observers];
  if (voters.length === 0) throw new RaftInvariantError('raft config: voters must not be empty');
  for (const id of all) requirePositiveInteger('node id', id);
  if (new Set(all).size !== all.length) {
    throw new RaftInvariantError(
      `raft config: node ids must be distinct across voters and observers: ${all.join(',')}`,
    );
  }
  if (!all.includes(config.id)) {
    throw new RaftInvariantError(`raft config: id ${config.id} is neither a voter nor an observer`);
  }
  const electionTimeoutTicks = requirePositiveInteger('electionTimeoutTicks', config.electionTimeoutTicks);
  const heartbeatIntervalTicks = requirePositiveInteger('heartbeatIntervalTicks', config.heartbeatIntervalTicks);
  if (heartbeatIntervalTicks >= electionTimeoutTicks) {
    throw new RaftInvariantError('raft config: heartbeatIntervalTicks must be below electionTimeoutTicks');
  }
  return {
    id: config.id,
    membership: { voters: voters.sort((a, b) => a - b), observers: observers.sort((a, b) => a - b) },
    electionTimeoutTicks,
    heartbeatIntervalTicks,
    rng: config.rng,
    preVote: config.preVote ?? RAFT_DEFAULTS.preVote,
    checkQuorum: config.checkQuorum ?? RAFT_DEFAULTS.checkQuorum,
    maxInflightAppends: requirePositiveInteger(
      'maxInflightAppends',
      config.maxInflightAppends ?? RAFT_DEFAULTS.maxInflightAppends,
    ),
    maxInflightBytes: requirePositiveInteger(
      'maxInflightBytes',
      config.maxInflightBytes ?? RAFT_DEFAULTS.maxInflightBytes,
    ),
    maxAppendBytes: requirePositiveInteger('maxAppendBytes', config.maxAppendBytes ?? RAFT_DEFAULTS.maxAppendBytes),
    maxAppendEntries: requirePositiveInteger(
      'maxAppendEntries',
      config.maxAppendEntries ?? RAFT_DEFAULTS.maxAppendEntries,
    ),
    maxUncommittedEntries: requirePositiveInteger(
      'maxUncommittedEntries',
      config.maxUncommittedEntries ?? RAFT_DEFAULTS.maxUncommittedEntries,
    ),
    maxApplyBytesPerReady: requirePositiveInteger(
      'maxApplyBytesPerReady',
      config.maxApplyBytesPerReady ?? RAFT_DEFAULTS.maxApplyBytesPerReady,
    ),
    maxOutboxMessages: requirePositiveInteger(
      'maxOutboxMessages',
      config.maxOutboxMessages ?? RAFT_DEFAULTS.maxOutboxMessages,
    ),
  };
}

export function membershipEquals(a: Membership, b: Membership): boolean {
  const same = (x: readonly NodeId[], y: readonly NodeId[]): boolean => {
    if (x.length !== y.length) return false;
    const sx = [...x].sort((p, q) => p - q);
    const sy = [...y].sort((p, q) => p - q);
    return sx.every((v, i) => v === sy[i]);
  };
  return same(a.voters, b.voters) && same(a.observers, b.observers);
}
