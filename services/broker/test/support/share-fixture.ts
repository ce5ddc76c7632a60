/**
 * Test support for share groups on one broker: a ReplicaManager on a real directory where broker 1
 * alone leads every partition of topic `q` (so the high watermark follows the log end), a
 * SharePartitionManager over it with an in-memory persister, and request helpers.
 */
import { MetadataDelta, MetadataImage } from '@sluice/metadata';
import type { ShareAcknowledgeResponse, ShareFetchResponse } from '@sluice/proto';
import { randomKafkaUuid, silentLogger } from '@sluice/runtime';
import type { AcknowledgeType, SharePartitionConfig } from '../../src/core/share-partition';
import { ReplicaManager } from '../../src/node/replica-manager';
import { SharePartitionManager, type SharePartitionManagerOptions } from '../../src/node/share-partition-manager';
import { InMemoryShareStatePersister } from './in-memory-share-persister';
import { batch } from './local-brokers';
import { received } from './wire';

export const TOPIC = 'q';
const TOPIC_ID = randomKafkaUuid();

/** Topic q with `partitions` partitions, each led by `leader` at `leaderEpoch`; replicas (and ISR) [1] when broker 1 leads, else [1, 2]. */
export function shareImage(
  partitions: number,
  leader = 1,
  leaderEpoch = 0,
  offset = 1,
  replicaIds?: readonly number[],
): MetadataImage {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  for (const brokerId of [1, 2]) {
    delta.replay({
      type: 'BrokerRegistration',
      brokerId,
      brokerEpoch: 1,
      incarnationId: randomKafkaUuid(),
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 1 }],
      rack: null,
      fenced: false,
    });
  }
  delta.replay({ type: 'Topic', name: TOPIC, topicId: TOPIC_ID });
  const replicas = [...(replicaIds ?? (leader === 1 ? [1] : [1, 2]))];
  for (let p = 0; p < partitions; p++) {
    delta.replay({
      type: 'Partition',
      topicId: TOPIC_ID,
      partitionId: p,
      replicas,
      isr: replicas,
      leader,
      leaderEpoch,
      partitionEpoch: leaderEpoch,
    });
  }
  return delta.apply({ lastContainedOffset: offset, lastContainedEpoch: 1 });
}

export class ShareFixture {
  readonly replicas: ReplicaManager;
  readonly persister: InMemoryShareStatePersister;
  shares: SharePartitionManager;
  private next = 0;

  constructor(
    logDir: string,
    readonly partitions: number,
    private readonly managerOptions: Partial<SharePartitionManagerOptions> & { config?: SharePartitionConfig } = {},
    persister = new InMemoryShareStatePersister(),
  ) {
    this.persister = persister;
    this.replicas = new ReplicaManager({
      brokerId: 1,
      logDir,
      log: silentLogger(),
      maxMessageBytes: 1024 * 1024 + 12,
      minInsyncReplicas: 1,
      replicaLagTimeMaxMs: 30_000,
      alterPartition: () => Promise.reject(new Error('not expected')),
      onFollowersChanged: () => undefined,
    });
    this.replicas.setFenced(false);
    this.replicas.applyImage(shareImage(partitions));
    this.shares = this.newManager();
  }

  /** A fresh SharePartitionManager (a restarted broker's) over the same log and persister. */
  newManager(): SharePartitionManager {
    return new SharePartitionManager({
      brokerId: 1,
      log: silentLogger(),
      config: { recordLockDurationMs: 30_000, deliveryCountLimit: 5, maxInFlightRecords: 2_000 },
      persister: this.persister,
      leaderOf: (topic, partition) => this.replicas.leaderOf(topic, partition),
      autoOffsetReset: () => 'earliest',
      ...this.managerOptions,
    });
  }

  restartShares(): void {
    this.shares.stop();
    this.shares = this.newManager();
  }

  /** Appends `count` records (values value-<n>) to partition `partition`; returns the base offset. */
  async produce(partition: number, count: number): Promise<number> {
    const first = this.next;
    this.next += count;
    const response = await this.replicas.produce(
      received('Produce', {
        acks: 1,
        timeoutMs: 1_000,
        topics: [{ name: TOPIC, partitions: [{ partition, records: batch(first, count) }] }],
      }),
    );
    const result = response.topics![0]!.partitions![0]!;
    if (result.errorName !== '') throw new Error(`produce failed: ${result.errorName} ${result.errorMessage}`);
    return Number(result.baseOffset);
  }

  fetch(
    memberId: string,
    epoch: number,
    partitions: readonly { partition: number; acks?: readonly [number, number, AcknowledgeType | string][] }[],
    options: { maxWaitMs?: number; maxRecords?: number; groupId?: string; topic?: string } = {},
  ): Promise<ShareFetchResponse> {
    return this.shares.shareFetch(
      received('ShareFetch', {
        groupId: options.groupId ?? 'g',
        memberId,
        shareSessionEpoch: epoch,
        maxWaitMs: options.maxWaitMs ?? 0,
        minBytes: 1,
        maxBytes: 1024 * 1024,
        maxRecords: options.maxRecords ?? 500,
        topics: [
          {
            name: options.topic ?? TOPIC,
            partitions: partitions.map((p) => ({
              partition: p.partition,
              acknowledgements: (p.acks ?? []).map(([firstOffset, lastOffset, acknowledgeType]) => ({
                firstOffset,
                lastOffset,
                acknowledgeType,
              })),
            })),
          },
        ],
      }),
    );
  }

  acknowledge(
    memberId: string,
    epoch: number,
    partition: number,
    acks: readonly [number, number, AcknowledgeType | string][],
  ): Promise<ShareAcknowledgeResponse> {
    return this.shares.shareAcknowledge(
      received('ShareAcknowledge', {
        groupId: 'g',
        memberId,
        shareSessionEpoch: epoch,
        topics: [
          {
            name: TOPIC,
            partitions: [
              {
                partition,
                acknowledgements: acks.map(([firstOffset, lastOffset, acknowledgeType]) => ({
                  firstOffset,
                  lastOffset,
                  acknowledgeType,
                })),
              },
            ],
          },
        ],
      }),
    );
  }

  stop(): void {
    this.shares.stop();
    this.replicas.stop();
  }
}

/** The acquired offsets of a ShareFetch answer, per partition, with delivery counts. */
export function acquiredOffsets(
  response: ShareFetchResponse,
): { partition: number; offset: number; deliveryCount: number }[] {
  const out: { partition: number; offset: number; deliveryCount: number }[] = [];
  for (const topic of response.topics ?? []) {
    for (const p of topic.partitions ?? []) {
      for (const r of p.acquiredRecords ?? []) {
        for (let o = Number(r.firstOffset); o <= Number(r.lastOffset); o++)
          out.push({ partition: p.partition!, offset: o, deliveryCount: r.deliveryCount! });
      }
    }
  }
  return out;
}
