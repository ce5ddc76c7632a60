import { LeaderEpochCache, type EpochEntry } from '@sluice/log';
import {
  PartitionLeader,
  type BecomeLeaderInput,
  type LeaderLogView,
  type PartitionRegistration,
} from '../src/core/partition-leader';
import type { ReplicationConfig } from '../src/core/replication-config';

/** A realistic clock origin: Kafka-style "never caught up" must not look recent. */
export const T0 = 1_700_000_000_000;

export function epochLogView(entries: readonly EpochEntry[], logEndOffset: number, logStartOffset = 0): LeaderLogView {
  const cache = new LeaderEpochCache(entries);
  return {
    logStartOffset,
    logEndOffset,
    endOffsetForEpoch: (epoch) => {
      const answer = cache.endOffsetFor(epoch, logEndOffset);
      return answer.epoch === -1 ? null : answer;
    },
    latestEpoch: () => cache.latestEpoch(),
  };
}

export interface LeaderHarnessOptions {
  replicas?: readonly number[];
  isr?: readonly number[];
  leaderEpoch?: number;
  partitionEpoch?: number;
  logEndOffset?: number;
  highWatermark?: number;
  config?: Partial<ReplicationConfig>;
  ineligible?: number[];
}

/** Broker 1 leads epoch 5 (default) of a partition replicated on 1, 2, 3. */
export function makeLeader(options: LeaderHarnessOptions = {}): {
  leader: PartitionLeader;
  registration: PartitionRegistration;
} {
  const registration: PartitionRegistration = {
    leader: 1,
    leaderEpoch: options.leaderEpoch ?? 5,
    partitionEpoch: options.partitionEpoch ?? 10,
    replicas: options.replicas ?? [1, 2, 3],
    isr: options.isr ?? options.replicas ?? [1, 2, 3],
  };
  const input: BecomeLeaderInput = {
    localBrokerId: 1,
    registration,
    logEndOffset: options.logEndOffset ?? 0,
    highWatermark: options.highWatermark ?? 0,
    nowMs: T0,
    config: { replicaLagTimeMaxMs: 30_000, minInsyncReplicas: 1, maxPendingAcks: 100, ...options.config },
    ineligibleReplicaIds: options.ineligible ?? [],
  };
  return { leader: new PartitionLeader(input), registration };
}

/** The leader's log as seen by fetch handling: epoch 5 from `epochStart`, earlier epochs below. */
export function viewOf(leader: PartitionLeader, entries?: readonly EpochEntry[]): LeaderLogView {
  return epochLogView(entries ?? [{ epoch: leader.leaderEpoch, startOffset: 0 }], leader.logEndOffset);
}

export function fetchFrom(replicaId: number, fetchOffset: number, leaderEpoch = 5) {
  return {
    replicaId,
    fetchOffset,
    lastFetchedEpoch: fetchOffset > 0 ? leaderEpoch : null,
    currentLeaderEpoch: leaderEpoch,
    logStartOffset: 0,
  };
}
