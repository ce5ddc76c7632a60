/**
 * Metadata images into replica roles (Kafka's ReplicaManager.applyDelta): for every partition with
 * this broker among its replicas, open its log on first sight (with the checkpointed high
 * watermark), then step the replication core with the registration, which decides become leader /
 * become follower / update (core/replica-role.ts). Changed topic configs reach the open logs. A
 * replica a committed reassignment removed from this broker goes offline and its log is deleted.
 * The image also tells a partition that does not exist from one this broker does not lead.
 */
import { NO_LEADER, type MetadataImage } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import type { RegistrationContext } from '../core/replication';
import type { LogLifecycle } from './log-lifecycle';
import { PartitionReplica } from './partition-replica';
import type { ReplicationDriver } from './replication-driver';

export interface ReplicaTransitionsOptions {
  readonly brokerId: number;
  /** The broker's min.insync.replicas; a topic's config wins. */
  readonly minInsyncReplicas: number;
  /** The broker's durable.acks.enable; a topic's config wins. */
  readonly durableAcks: boolean;
  readonly driver: ReplicationDriver;
  readonly lifecycle: LogLifecycle;
  readonly nowMs: () => number;
}

export class ReplicaTransitions {
  private imageValue: MetadataImage | undefined;

  constructor(private readonly options: ReplicaTransitionsOptions) {}

  get image(): MetadataImage | undefined {
    return this.imageValue;
  }

  applyImage(image: MetadataImage): void {
    const previous = this.imageValue;
    this.imageValue = image;
    const { brokerId, driver, lifecycle } = this.options;
    const brokers = image.cluster.brokers();
    const ineligibleReplicaIds = brokers.filter((b) => b.fenced).map((b) => b.brokerId);
    const brokerEpochs = new Map(brokers.map((b) => [b.brokerId, b.brokerEpoch]));
    const nowMs = this.options.nowMs();
    // Kafka's dynamic topic configs: an open log takes its topic's changed settings.
    const configsChanged = previous !== undefined && previous.configs !== image.configs;
    // Replicas a committed reassignment removed from this broker: offline in the step below, then
    // their logs deleted.
    const removedKeys: string[] = [];
    // One step for the whole image: the fetchers re-plan once, after every partition moved.
    driver.step((core) => {
      for (const topic of image.topics.topics()) {
        if (configsChanged) {
          const open = Array.from({ length: topic.partitionCount }, (_, p) => driver.replica(`${topic.name}-${p}`));
          lifecycle.updateConfigs(
            image,
            topic.name,
            open.filter((r) => r !== undefined),
          );
        }
        const context: RegistrationContext = {
          nowMs,
          minInsyncReplicas: this.minIsr(image, topic.name),
          ineligibleReplicaIds,
          brokerEpochs,
          durableAcks: this.durableAcks(image, topic.name),
        };
        for (let p = 0; p < topic.partitionCount; p++) {
          const reg = topic.partition(p);
          if (reg === undefined) continue;
          if (!reg.replicas.includes(brokerId)) {
            // A reassignment removed this broker: a replica still open here goes offline (a
            // leader resigns and fails its waiting acks, a follower stops fetching), so nothing
            // is served or acknowledged from it, and then its log is deleted (below).
            const removed = driver.replica(`${topic.name}-${p}`);
            if (removed !== undefined) removedKeys.push(removed.key);
            if (removed !== undefined && core.role(removed.key).kind !== 'offline') {
              core.applyRegistration(
                removed.key,
                {
                  leader: NO_LEADER,
                  leaderEpoch: reg.leaderEpoch,
                  partitionEpoch: reg.partitionEpoch,
                  replicas: [...reg.replicas],
                  isr: [...reg.isr],
                },
                context,
              );
            }
            continue;
          }
          // An offline log directory opens nothing new: such a replica is simply not hosted here.
          const replica = this.ensureReplica(image, topic.name, topic.topicId, p);
          if (replica === undefined) continue;
          core.applyRegistration(
            replica.key,
            {
              leader: reg.leader,
              leaderEpoch: reg.leaderEpoch,
              partitionEpoch: reg.partitionEpoch,
              replicas: [...reg.replicas],
              isr: [...reg.isr],
            },
            context,
          );
        }
      }
    });
    // The image is committed metadata: the removal can no longer be undone, so the data goes.
    // (A later reassignment back onto this broker starts a fresh replica that catches up.)
    for (const key of removedKeys) {
      const replica = driver.remove(key);
      void lifecycle.deleteLog(replica);
    }
  }

  /** The local leader replica, or UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER (also for share groups). */
  leaderOf(topic: string, partition: number): PartitionReplica | ApiError {
    const replica = this.options.driver.replicaOf(topic, partition);
    // Kafka's offline replica: whatever its role, nothing of it is served from a failed disk.
    if (replica !== undefined && this.options.lifecycle.offline !== null) return this.options.lifecycle.offlineError();
    if (replica === undefined || replica.role.kind !== 'leader') {
      const known = this.imageValue?.topics.topicByName(topic);
      if (known === undefined || partition < 0 || partition >= known.partitionCount) {
        return new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} does not exist`);
      }
      return new ApiError(
        'NOT_LEADER_OR_FOLLOWER',
        `broker ${this.options.brokerId} does not lead ${topic}-${partition}`,
      );
    }
    return replica;
  }

  private minIsr(image: MetadataImage, topic: string): number {
    const value = image.configs.value('topic', topic, 'min.insync.replicas');
    const parsed = value === undefined ? NaN : Number(value);
    return Number.isSafeInteger(parsed) && parsed >= 1 ? parsed : this.options.minInsyncReplicas;
  }

  private durableAcks(image: MetadataImage, topic: string): boolean {
    const value = image.configs.value('topic', topic, 'durable.acks.enable')?.trim().toLowerCase();
    return value === 'true' ? true : value === 'false' ? false : this.options.durableAcks;
  }

  /** The open replica, opening its log on first sight; undefined when the log directory is (or just went) offline. */
  private ensureReplica(
    image: MetadataImage,
    topic: string,
    topicId: string,
    partition: number,
  ): PartitionReplica | undefined {
    const { driver, lifecycle } = this.options;
    const key = `${topic}-${partition}`;
    const existing = driver.replica(key);
    if (existing !== undefined) return existing;
    if (lifecycle.offline !== null) return undefined;
    let log;
    try {
      log = lifecycle.open(key, lifecycle.configFor(image, topic));
    } catch (error) {
      if (error instanceof ApiError && error.errorName === 'KAFKA_STORAGE_ERROR') return undefined;
      throw error;
    }
    const replica = new PartitionReplica(topic, topicId, partition, log, driver.core);
    // Below the checkpointed high watermark everything was committed: a safe truncation floor.
    driver.add(replica, lifecycle.checkpointedHighWatermarks.get(key) ?? 0);
    return replica;
  }
}
