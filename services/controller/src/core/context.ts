/** What every core operation sees: the image, the soft state and the controller's settings. */
import type { MetadataImage } from '@sluice/metadata';
import type { BrokerHeartbeatManager } from './broker-heartbeats';
import type { MoveScanState } from './broker-partitions';
import type { PlacementBroker } from './replica-placer';
import type { Rng } from './rng';

export interface CoreSettings {
  readonly clusterId: string;
  /** Static unclean.leader.election.enable, used when neither topic nor cluster config sets it. */
  readonly uncleanLeaderElectionEnable: boolean;
  /** num.partitions: partitions of a created topic that names none. */
  readonly defaultNumPartitions: number;
  /** default.replication.factor: replication factor of a created topic that names none. */
  readonly defaultReplicationFactor: number;
  /** PartitionChange records a fence, re-registration or controlled-shutdown step writes at most. */
  readonly maxPartitionChangesPerOperation: number;
  /** Static min.insync.replicas, used when neither topic nor cluster config sets it (eligible leader replicas). */
  readonly minInsyncReplicas: number;
}

export interface CoreContext {
  readonly image: MetadataImage;
  readonly heartbeats: BrokerHeartbeatManager;
  /** Where bounded moves off leaving brokers resume (soft state, like `heartbeats`). */
  readonly moveScan: MoveScanState;
  readonly settings: CoreSettings;
  readonly rng: Rng;
}

/** May this broker lead, join an ISR or receive new replicas: registered, unfenced, not shutting down. */
export function isEligibleBroker(ctx: CoreContext, brokerId: number): boolean {
  const broker = ctx.image.cluster.broker(brokerId);
  return broker !== undefined && !broker.fenced && !ctx.heartbeats.inControlledShutdown(brokerId, broker.brokerEpoch);
}

/** Brokers new replicas may be placed on, by id. */
export function usableBrokers(ctx: CoreContext): PlacementBroker[] {
  return ctx.image.cluster
    .brokers()
    .filter((broker) => isEligibleBroker(ctx, broker.brokerId))
    .map((broker) => ({ brokerId: broker.brokerId, rack: broker.rack }));
}
