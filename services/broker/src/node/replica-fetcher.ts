/**
 * Follower replication (Kafka's ReplicaFetcherThread, one per leader broker): before fetching,
 * a partition that just became follower asks the leader where its latest epoch ends
 * (OffsetForLeaderEpoch) and truncates (core/follower-truncation); then it long-polls Fetch
 * with its replica id from its log end offset, appends what comes back as the leader stamped it,
 * takes the leader's high watermark, and truncates again on a diverging epoch.
 */
import { unaryCall } from '@sluice/proto';
import type { BrokerClient, FetchRequest, FetchTopic } from '@sluice/proto';
import type { Logger } from '@sluice/runtime';
import { followerTruncation } from '../core/follower-truncation';
import type { PartitionReplica } from './partition-replica';

export interface ReplicaFetcherOptions {
  readonly brokerId: number;
  readonly leaderId: number;
  readonly client: BrokerClient;
  readonly log: Logger;
  /** The follower partitions of this leader now. */
  readonly partitions: () => PartitionReplica[];
  readonly brokerEpoch: () => number;
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly backoffMs: number;
}

/** Errors after which the follower waits for the metadata log rather than hammering the leader. */
const BACKOFF_ERRORS = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'UNKNOWN_LEADER_EPOCH',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'OFFSET_OUT_OF_RANGE',
]);

export class ReplicaFetcher {
  private running = false;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: ReplicaFetcherOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop().finally(() => (this.running = false));
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const partitions = this.options.partitions();
      if (partitions.length === 0) return;
      let backoff = false;
      try {
        for (const replica of partitions)
          if (replica.role.kind === 'follower' && !replica.role.truncated) await this.truncate(replica);
        backoff = await this.fetchOnce(partitions.filter((r) => r.role.kind === 'follower' && r.role.truncated));
      } catch (error) {
        this.options.log.debug({ leader: this.options.leaderId, err: error }, 'replica fetch failed');
        backoff = true;
      }
      if (backoff && !this.stopped) await this.sleep(this.options.backoffMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** OffsetForLeaderEpoch until the truncation is complete; the log then matches the leader's prefix. */
  private async truncate(replica: PartitionReplica): Promise<void> {
    const role = replica.role;
    if (role.kind !== 'follower') return;
    for (let round = 0; round < 64; round++) {
      const latest = replica.log.latestEpoch();
      if (latest === null) break;
      const answer = await unaryCall(
        this.options.client,
        'OffsetForLeaderEpoch',
        {
          replicaId: this.options.brokerId,
          topics: [
            {
              name: replica.topic,
              partitions: [{ partition: replica.partition, currentLeaderEpoch: role.leaderEpoch, leaderEpoch: latest }],
            },
          ],
        },
        { timeoutMs: 5_000 },
      );
      const item = answer.topics[0]?.partitions[0];
      if (item === undefined) throw new Error('OffsetForLeaderEpoch answered nothing');
      if (item.errorName !== '')
        throw new Error(`OffsetForLeaderEpoch ${replica.key}: ${item.errorName} ${item.errorMessage}`);
      if (replica.role !== role) return; // became leader or follows someone else now
      const decision = followerTruncation(
        { epoch: item.leaderEpoch, endOffset: Number(item.endOffset) },
        replica.log,
        replica.highWatermark,
      );
      this.truncateTo(replica, decision.truncateToOffset);
      if (decision.complete) break;
    }
    if (replica.role === role) role.truncated = true;
  }

  private truncateTo(replica: PartitionReplica, offset: number): void {
    if (offset >= replica.log.logEndOffset) return;
    this.options.log.info(
      { partition: replica.key, from: replica.log.logEndOffset, to: offset },
      'follower truncating',
    );
    replica.log.truncateTo(offset);
    replica.followerHighWatermark = Math.min(replica.followerHighWatermark, offset);
  }

  /**
   * Kafka's follower maybeIncrementLogStartOffset: the follower moves its log start offset up to
   * the leader's (retention or DeleteRecords there), never past its own high watermark; its own
   * retention pass then deletes the segments wholly below it.
   */
  private followLogStartOffset(replica: PartitionReplica, leaderLogStartOffset: number): void {
    if (!Number.isSafeInteger(leaderLogStartOffset)) return;
    const target = Math.min(leaderLogStartOffset, replica.highWatermark);
    if (target > replica.log.logStartOffset) replica.log.advanceLogStartOffset(target);
  }

  /**
   * Kafka's handleOutOfRangeError for a follower behind the leader's log start offset (retention
   * there deleted what it still needed): it deletes its log and starts over at the leader's log
   * start offset. Returns whether it did.
   */
  private restartBelowLeaderStart(replica: PartitionReplica, leaderLogStartOffset: number): boolean {
    if (!Number.isSafeInteger(leaderLogStartOffset) || leaderLogStartOffset <= replica.log.logEndOffset) return false;
    this.options.log.warn(
      { partition: replica.key, logEndOffset: replica.log.logEndOffset, leaderLogStartOffset },
      "follower below the leader's log start offset; starting over there",
    );
    replica.log.truncateFullyAndStartAt(leaderLogStartOffset);
    replica.followerHighWatermark = Math.max(replica.followerHighWatermark, leaderLogStartOffset);
    replica.changed();
    return true;
  }

  /** One Fetch round; true when the fetcher should pause (errors only). */
  private async fetchOnce(partitions: PartitionReplica[]): Promise<boolean> {
    if (partitions.length === 0) return true;
    const byTopic = new Map<string, Required<FetchTopic>>();
    // What each partition looked like when asked: an answer is used only if nothing changed since.
    const sent = new Map<PartitionReplica, { role: PartitionReplica['role']; fetchOffset: number }>();
    for (const replica of partitions) {
      const role = replica.role;
      if (role.kind !== 'follower') continue;
      sent.set(replica, { role, fetchOffset: replica.log.logEndOffset });
      let topic = byTopic.get(replica.topic);
      if (topic === undefined) byTopic.set(replica.topic, (topic = { name: replica.topic, partitions: [] }));
      topic.partitions.push({
        partition: replica.partition,
        fetchOffset: replica.log.logEndOffset,
        currentLeaderEpoch: role.leaderEpoch,
        lastFetchedEpoch: replica.log.latestEpoch() ?? -1,
        logStartOffset: replica.log.logStartOffset,
        partitionMaxBytes: this.options.maxBytes,
      });
    }
    const request: FetchRequest = {
      replicaId: this.options.brokerId,
      replicaEpoch: this.options.brokerEpoch(),
      maxWaitMs: this.options.maxWaitMs,
      minBytes: 1,
      maxBytes: this.options.maxBytes,
      topics: [...byTopic.values()],
    };
    const response = await unaryCall(this.options.client, 'Fetch', request, {
      timeoutMs: this.options.maxWaitMs + 5_000,
    });
    let backoff = false;
    for (const topic of response.topics) {
      for (const item of topic.partitions) {
        const replica = partitions.find((r) => r.topic === topic.name && r.partition === item.partition);
        if (replica === undefined || replica.role.kind !== 'follower') continue;
        const asked = sent.get(replica);
        // A new leader or epoch, or a truncation, since the request: this answer is stale.
        if (asked === undefined || asked.role !== replica.role || asked.fetchOffset !== replica.log.logEndOffset)
          continue;
        if (item.errorName !== '') {
          if (
            item.errorName === 'OFFSET_OUT_OF_RANGE' &&
            this.restartBelowLeaderStart(replica, Number(item.logStartOffset))
          )
            continue;
          if (BACKOFF_ERRORS.has(item.errorName)) backoff = true;
          this.options.log.debug(
            { partition: replica.key, error: item.errorName, message: item.errorMessage },
            'follower fetch error',
          );
          continue;
        }
        if (item.divergingEpoch !== null && item.divergingEpoch !== undefined) {
          const decision = followerTruncation(
            { epoch: item.divergingEpoch.epoch, endOffset: Number(item.divergingEpoch.endOffset) },
            replica.log,
            replica.highWatermark,
          );
          this.truncateTo(replica, decision.truncateToOffset);
          if (!decision.complete) replica.role.truncated = false;
          continue;
        }
        if (item.records.length > 0) replica.log.appendAsFollower(item.records);
        const highWatermark = Number(item.highWatermark);
        if (highWatermark >= 0)
          replica.followerHighWatermark = Math.max(
            replica.followerHighWatermark,
            Math.min(highWatermark, replica.log.logEndOffset),
          );
        this.followLogStartOffset(replica, Number(item.logStartOffset));
        replica.changed();
      }
    }
    return backoff;
  }
}
