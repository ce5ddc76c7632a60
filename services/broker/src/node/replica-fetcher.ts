/**
 * Follower replication I/O (Kafka's ReplicaFetcherThread, one per leader broker). Every decision is
 * the follower core's (core/partition-follower.ts): this loop asks it what to send, sends it, and
 * steps it with the answer. A partition that just became follower first asks the leader where its
 * latest epoch ends (OffsetForLeaderEpoch) and truncates, round by round; then the partitions long-
 * poll Fetch together with this broker's replica id, and each answer goes back to its follower
 * (which appends, follows the high watermark and log start offset, truncates on a diverging epoch,
 * or starts over below the leader's log start). Errors back off instead of hammering the leader.
 *
 * Each fetch carries the follower's flushed offset (its log's recovery point). For partitions with
 * durable acks the leader waits for it, so before each fetch the fetcher waits for the flush round
 * that covers what the previous answer appended (LogFlusher: one round for every partition, off
 * the event loop): the next fetch then reports it at once.
 *
 * The Fetch requests go on one ReplicaFetchStream to the leader (replica-fetch-transport.ts: a fetch
 * session, falling back to unary Fetch for a leader that does not serve it or while a broken
 * stream backs off); OffsetForLeaderEpoch, rare, stays unary.
 *
 * The follower side of the replication throttle (core/replication-throttle.ts): while this
 * broker's follower side owes bytes, a throttled partition is left out of the fetch (the others
 * go as always, and the long poll is cut short so it is asked again once paid); when it goes, the
 * throttled partitions of the request share one second's worth of the rate, and what they
 * received is charged to it.
 */
import type { EpochEndOffset } from '@sluice/log';
import { unaryCall } from '@sluice/proto';
import type { BrokerClient, FetchPartitionResult__Output, FetchRequest, FetchTopic } from '@sluice/proto';
import { CorruptRecordError, iterateBatches } from '@sluice/protocol';
import type { Logger } from '@sluice/runtime';
import type {
  EpochEndQuery,
  FetchedRecords,
  FollowerFetchAnswer,
  FollowerFetchPosition,
  PartitionFollower,
} from '../core/partition-follower';
import { haltOnBrokenInvariant } from './invariant-halt';
import type { PartitionReplica } from './partition-replica';
import { ReplicaFetchTransport, type ReplicaFetchTransportKind } from './replica-fetch-transport';

/** The follower half of the replica manager, as the fetchers step it. */
export interface FollowerReplicas {
  /** The follower partitions of this leader now. */
  followersOf(leaderId: number): PartitionReplica[];
  truncationQuery(
    replica: PartitionReplica,
  ): { readonly follower: PartitionFollower; readonly query: EpochEndQuery } | null;
  onEpochEnd(
    replica: PartitionReplica,
    follower: PartitionFollower,
    query: EpochEndQuery,
    answer: EpochEndOffset,
  ): { readonly backoff: boolean };
  fetchPosition(
    replica: PartitionReplica,
  ): { readonly follower: PartitionFollower; readonly position: FollowerFetchPosition } | null;
  onFetchAnswer(
    replica: PartitionReplica,
    follower: PartitionFollower,
    position: FollowerFetchPosition,
    answer: FollowerFetchAnswer,
  ): { readonly backoff: boolean };
  /**
   * Before a follower starts over at its leader's local log start because what lies below is in
   * remote storage (OFFSET_MOVED_TO_TIERED_STORAGE): fetch the leader epochs and producer state as
   * of there, to be restored by the start over. Rejects while remote storage cannot answer.
   */
  prepareStartOverFromRemote(replica: PartitionReplica, leaderLocalLogStartOffset: number): Promise<void>;
  /** Resolves once the durable-acks partitions among these are flushed to their log end (or given up). */
  flushBeforeFetch(replicas: readonly PartitionReplica[]): Promise<void>;
  /** Whether the follower side of the replication throttle applies to this replica now. */
  followerThrottled(replica: PartitionReplica): boolean;
}

/** The follower side of the broker's replication throttle, shared by every fetcher. */
export interface FollowerThrottle {
  waitMs(nowMs: number): number;
  maxReadBytes(): number;
  heldBack(): void;
  record(bytes: number, nowMs: number): void;
}

export interface ReplicaFetcherOptions {
  readonly brokerId: number;
  readonly leaderId: number;
  readonly client: BrokerClient;
  readonly log: Logger;
  readonly replicas: FollowerReplicas;
  readonly brokerEpoch: () => number;
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly backoffMs: number;
  readonly throttle: FollowerThrottle;
  /** replica.fetch.stream.enable: fetch on a ReplicaFetchStream (default true) or unary Fetch only. */
  readonly useStream?: boolean;
  readonly nowMs?: () => number;
}

/** OffsetForLeaderEpoch rounds for one partition before its turn passes to the fetch (more next loop). */
const MAX_TRUNCATION_ROUNDS_PER_LOOP = 64;
const OFFSET_FOR_LEADER_EPOCH_TIMEOUT_MS = 5_000;

export class ReplicaFetcher {
  private running = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly transport: ReplicaFetchTransport;

  constructor(private readonly options: ReplicaFetcherOptions) {
    this.transport = new ReplicaFetchTransport({
      client: options.client,
      leaderId: options.leaderId,
      log: options.log,
      useStream: options.useStream ?? true,
      ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
    });
  }

  /** How the latest fetch reached the leader, and the transport's counters. */
  transportState(): { readonly kind: ReplicaFetchTransportKind } & ReplicaFetchTransport['counters'] {
    return { kind: this.transport.kind, ...this.transport.counters };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop().finally(() => (this.running = false));
  }

  stop(): void {
    this.stopped = true;
    this.transport.close();
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const partitions = this.options.replicas.followersOf(this.options.leaderId);
      if (partitions.length === 0) return;
      let backoff = false;
      try {
        for (const replica of partitions) backoff = (await this.truncate(replica)) || backoff;
        backoff = (await this.fetchOnce(partitions)) || backoff;
      } catch (error) {
        haltOnBrokenInvariant(error);
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

  /** OffsetForLeaderEpoch rounds while the follower truncates; true when the fetcher should back off. */
  private async truncate(replica: PartitionReplica): Promise<boolean> {
    for (let round = 0; round < MAX_TRUNCATION_ROUNDS_PER_LOOP; round++) {
      const asked = this.options.replicas.truncationQuery(replica);
      if (asked === null) return false;
      const answer = await unaryCall(
        this.options.client,
        'OffsetForLeaderEpoch',
        {
          replicaId: this.options.brokerId,
          topics: [
            {
              name: replica.topic,
              partitions: [
                {
                  partition: replica.partition,
                  currentLeaderEpoch: asked.query.currentLeaderEpoch,
                  leaderEpoch: asked.query.epoch,
                },
              ],
            },
          ],
        },
        { timeoutMs: OFFSET_FOR_LEADER_EPOCH_TIMEOUT_MS },
      );
      const item = answer.topics[0]?.partitions[0];
      if (item === undefined) throw new Error('OffsetForLeaderEpoch answered nothing');
      if (item.errorName !== '')
        throw new Error(`OffsetForLeaderEpoch ${replica.key}: ${item.errorName} ${item.errorMessage}`);
      const step = this.options.replicas.onEpochEnd(replica, asked.follower, asked.query, {
        epoch: item.leaderEpoch,
        endOffset: Number(item.endOffset),
      });
      if (step.backoff) return true;
    }
    return false;
  }

  /** One Fetch round; true when the fetcher should pause (errors only). */
  private async fetchOnce(partitions: readonly PartitionReplica[]): Promise<boolean> {
    await this.options.replicas.flushBeforeFetch(partitions);
    if (this.stopped) return false;
    const byTopic = new Map<string, Required<FetchTopic>>();
    // What each partition was asked as: an answer goes back to that follower, which drops it if stale.
    const sent = new Map<
      string,
      { replica: PartitionReplica; follower: PartitionFollower; position: FollowerFetchPosition }
    >();
    const { throttle } = this.options;
    const now = this.options.nowMs ?? Date.now;
    const throttleWaitMs = throttle.waitMs(now());
    const throttled = new Set(
      partitions.filter((replica) => this.options.replicas.followerThrottled(replica)).map((replica) => replica.key),
    );
    const heldBack = throttled.size > 0 && throttleWaitMs > 0;
    // One second's worth of the rate, shared by the throttled partitions of this request.
    const throttledMaxBytes =
      throttled.size === 0
        ? this.options.maxBytes
        : Math.max(1, Math.min(this.options.maxBytes, Math.floor(throttle.maxReadBytes() / throttled.size)));
    for (const replica of partitions) {
      if (heldBack && throttled.has(replica.key)) {
        throttle.heldBack();
        continue;
      }
      const asked = this.options.replicas.fetchPosition(replica);
      if (asked === null) continue;
      sent.set(replica.key, { replica, ...asked });
      let topic = byTopic.get(replica.topic);
      if (topic === undefined) byTopic.set(replica.topic, (topic = { name: replica.topic, partitions: [] }));
      topic.partitions.push({
        partition: replica.partition,
        fetchOffset: asked.position.fetchOffset,
        currentLeaderEpoch: asked.position.currentLeaderEpoch,
        lastFetchedEpoch: asked.position.lastFetchedEpoch,
        logStartOffset: asked.position.logStartOffset,
        partitionMaxBytes: throttled.has(replica.key) ? throttledMaxBytes : this.options.maxBytes,
        flushedOffset: asked.position.flushedOffset,
      });
    }
    if (sent.size === 0) {
      if (!heldBack) return true;
      // Only throttled partitions, all held back: wait until their bytes are paid (no backoff).
      await this.sleep(Math.min(this.options.maxWaitMs, Math.ceil(throttleWaitMs)));
      return false;
    }
    const request: FetchRequest = {
      replicaId: this.options.brokerId,
      replicaEpoch: this.options.brokerEpoch(),
      // A held-back partition is asked again once paid, not after a whole long poll.
      maxWaitMs: heldBack
        ? Math.max(0, Math.min(this.options.maxWaitMs, Math.ceil(throttleWaitMs)))
        : this.options.maxWaitMs,
      minBytes: 1,
      maxBytes: this.options.maxBytes,
      topics: [...byTopic.values()],
    };
    const response = await this.transport.fetch(request, this.options.maxWaitMs + 5_000);
    let backoff = false;
    for (const topic of response.topics) {
      for (const item of topic.partitions) {
        // By key, not a scan of the request's partitions per answered one (quadratic at thousands).
        const asked = sent.get(`${topic.name}-${item.partition}`);
        if (asked === undefined) continue;
        const replica = asked.replica;
        const answer = followerAnswer(item);
        if (throttled.has(replica.key)) throttle.record(item.records.length, now());
        if (answer.errorName !== '')
          this.options.log.debug(
            { partition: replica.key, error: answer.errorName, message: item.errorMessage },
            'follower fetch error',
          );
        if (
          answer.errorName === 'OFFSET_MOVED_TO_TIERED_STORAGE' &&
          answer.logStartOffset > asked.position.fetchOffset
        ) {
          try {
            await this.options.replicas.prepareStartOverFromRemote(replica, answer.logStartOffset);
          } catch (error) {
            haltOnBrokenInvariant(error);
            // Kafka's fetcher backs off too: starting without them would lose producer state.
            this.options.log.warn(
              { partition: replica.key, leaderLocalLogStartOffset: answer.logStartOffset, err: error },
              'could not read the leader epochs and producer state from remote storage; will retry',
            );
            backoff = true;
            continue;
          }
        }
        const step = this.options.replicas.onFetchAnswer(replica, asked.follower, asked.position, answer);
        if (step.backoff) backoff = true;
      }
    }
    return backoff;
  }
}

/** A Fetch answer item as the follower core takes it: the batches' offsets read from their headers. */
function followerAnswer(item: FetchPartitionResult__Output): FollowerFetchAnswer {
  let records: FetchedRecords | null = null;
  let errorName = item.errorName;
  if (errorName === '' && item.records.length > 0) {
    try {
      let baseOffset = -1;
      let nextOffset = -1;
      for (const batch of iterateBatches(item.records)) {
        if (baseOffset < 0) baseOffset = batch.baseOffset;
        nextOffset = batch.nextOffset;
      }
      records = { bytes: item.records, baseOffset, nextOffset };
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      errorName = 'CORRUPT_MESSAGE';
    }
  }
  const divergingEpoch = item.divergingEpoch;
  return {
    errorName,
    highWatermark: Number(item.highWatermark),
    logStartOffset: Number(item.logStartOffset),
    divergingEpoch:
      divergingEpoch === null || divergingEpoch === undefined
        ? null
        : { epoch: divergingEpoch.epoch, endOffset: Number(divergingEpoch.endOffset) },
    records,
  };
}
