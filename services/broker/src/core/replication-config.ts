/**
 * The Kafka settings the leader-side replication rules read, with Kafka's defaults. Names follow
 * Kafka's keys (`replica.lag.time.max.ms` -> `replicaLagTimeMaxMs`).
 */
export interface ReplicationConfig {
  /** `replica.lag.time.max.ms`: a follower not caught up for longer leaves the ISR. */
  readonly replicaLagTimeMaxMs: number;
  /** `min.insync.replicas` (topic): acks=all needs an ISR at least this large. */
  readonly minInsyncReplicas: number;
  /** Bound on acks=all produces waiting for the high watermark in one partition. */
  readonly maxPendingAcks: number;
  /**
   * `durable.acks.enable` (topic, sluice): the high watermark, and so every acks=all answer, also
   * waits for the records to be fdatasynced (see partition-leader.ts). Default false (Kafka's).
   */
  readonly durableAcks?: boolean;
}

export const defaultReplicationConfig: ReplicationConfig = {
  replicaLagTimeMaxMs: 30_000,
  minInsyncReplicas: 1,
  maxPendingAcks: 10_000,
};

export function validateReplicationConfig(config: ReplicationConfig): ReplicationConfig {
  const positive = (value: number, key: string): void => {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`${key} must be a positive integer, got ${value}`);
  };
  positive(config.replicaLagTimeMaxMs, 'replica.lag.time.max.ms');
  positive(config.minInsyncReplicas, 'min.insync.replicas');
  positive(config.maxPendingAcks, 'maxPendingAcks');
  return config;
}
