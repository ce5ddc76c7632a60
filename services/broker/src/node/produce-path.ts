/**
 * Produce on the leader (Kafka's ReplicaManager.appendRecords): per partition, check leadership
 * and acks against the ISR, check the batches (CRC, keys on a compacted topic), deduplicate an
 * idempotent producer's retry, append to the log, and tell the replication core; acks=all then
 * waits in the core until the high watermark passes the last offset, and is answered through the
 * reply it carries (core/ack-waiters.ts: the only place acks=all waits are kept).
 */
import { isCompacted } from '@sluice/log';
import { ApiError, decodeRecordBatches, iterateBatches } from '@sluice/protocol';
import { untimedRequest, type RequestPhases } from '@sluice/runtime';
import { parseAcks, type Acks } from '../core/acks';
import { producerBatchOf, type ProducerBatch } from '../core/producer-state';
// Requests as they arrive (`__Output`: int64 as strings, defaults filled); answers as sent.
import type { ProducePartitionResult, ProduceRequest__Output as ProduceRequest, ProduceResponse } from '@sluice/proto';
import type { BrokerBatchTracing } from './batch-tracing';
import { errorFields } from './error-fields';
import type { LeaderRole } from '../core/replica-role';
import type { AckReply, PartitionReplica } from './partition-replica';
import type { ReplicationDriver } from './replication-driver';
import type { TopicTraffic } from './topic-traffic';

/** Bound on one request: a client cannot make the broker hold an answer without limit. */
const MAX_PRODUCE_TIMEOUT_MS = 300_000;

export interface ProducePathOptions {
  readonly driver: ReplicationDriver;
  /** After each append to a leader's log (its flush, when due or for durable acks). */
  readonly afterAppend: (replica: PartitionReplica) => void;
  readonly leaderOf: (topic: string, partition: number) => PartitionReplica | ApiError;
  readonly nowMs: () => number;
  readonly tracing: BrokerBatchTracing;
  readonly traffic: TopicTraffic;
  /** log.dir.min.free.bytes: KAFKA_STORAGE_ERROR while the log directory is that full (null: go on). */
  readonly diskSpaceRefusal?: () => ApiError | null;
  /** log.dir.throttle.free.bytes: how long to hold this answer back (0: not at all). */
  readonly diskThrottleMs?: () => number;
  /**
   * Tiered storage: the retriable refusal of producer batches while this leadership restores the
   * producer state below its log start from remote storage (null: go on).
   */
  readonly producerStateRefusal?: (replica: PartitionReplica, leader: LeaderRole<AckReply>) => ApiError | null;
}

/** `answer` after `delayMs` (a bounded timer per throttled request: never more than log.dir.throttle.max.ms). */
function holdBack<T>(answer: T, delayMs: number): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(answer), delayMs));
}

/** Whether a data batch in `records` holds a record with a null key (decompresses as needed). */
function hasKeylessRecord(records: Buffer): boolean {
  return decodeRecordBatches(records, { verifyCrc: false }).some(
    (batch) => !batch.isControl && batch.records.some((record) => record.key === null),
  );
}

export class ProducePath {
  constructor(private readonly options: ProducePathOptions) {}

  /**
   * Validates and appends every partition of `request` before it returns (nothing on that path
   * awaits), so requests are sequenced in the logs in the order this is called: ProduceStream
   * relies on that to keep a stream's requests in arrival order. The promise settles once acks
   * allow. A whole-request refusal (bad acks) is thrown before anything is appended. Once
   * appended, a request that waits for followers (acks=all) is in its `remote` phase.
   */
  appendProduce(request: ProduceRequest, phases: RequestPhases = untimedRequest): Promise<ProduceResponse> {
    const acks = parseAcks(request.acks);
    if (acks instanceof ApiError) throw acks;
    const timeoutMs = Math.min(Math.max(0, request.timeoutMs), MAX_PRODUCE_TIMEOUT_MS);
    const appended = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) =>
        this.producePartition(topic.name, p.partition, p.records, acks, timeoutMs),
      ),
    }));
    // Read after the appends: a disk filling up slows producers down (the answer is held back,
    // and says for how long) before log.dir.min.free.bytes refuses them.
    const throttleTimeMs = this.options.diskThrottleMs?.() ?? 0;
    const answered = Promise.all(
      appended.map(async (topic) => ({ name: topic.name, partitions: await Promise.all(topic.partitions) })),
    ).then((topics) => (throttleTimeMs > 0 ? holdBack({ topics, throttleTimeMs }, throttleTimeMs) : { topics }));
    const waiting =
      throttleTimeMs > 0 ||
      appended.some((topic) => topic.partitions.some((partition) => partition instanceof Promise));
    return waiting ? phases.remote(answered) : answered;
  }

  /** Appends now (synchronously); the answer is a promise only while acks=all waits. */
  private producePartition(
    topic: string,
    partition: number,
    records: Buffer,
    acks: Acks,
    timeoutMs: number,
  ): ProducePartitionResult | Promise<ProducePartitionResult> {
    const failed = (error: unknown): ProducePartitionResult => ({
      partition,
      ...errorFields(error),
      baseOffset: -1,
      logAppendTime: -1,
      logStartOffset: -1,
    });
    const replica = this.options.leaderOf(topic, partition);
    if (replica instanceof ApiError) return failed(replica);
    const { driver } = this.options;
    const leader = driver.core.leaderForProduce(replica.key, acks);
    if (leader instanceof ApiError) return failed(leader);
    const full = this.options.diskSpaceRefusal?.() ?? null;
    if (full !== null) return failed(full);
    let headers: ProducerBatch[];
    try {
      headers = [...iterateBatches(records, { verifyCrc: true })].map(producerBatchOf);
      // Kafka's LogValidator: a compacted topic refuses records without a key (compaction could
      // only drop them).
      if (isCompacted(replica.log.config) && hasKeylessRecord(records)) {
        return failed(new ApiError('INVALID_RECORD', `compacted topic ${topic} cannot accept a record without a key`));
      }
    } catch (error) {
      return failed(error);
    }
    if (headers.some((header) => header.producerId >= 0)) {
      const restoring = this.options.producerStateRefusal?.(replica, leader) ?? null;
      if (restoring !== null) return failed(restoring);
    }
    const decision = leader.producers.prepareAppend(headers);
    if (decision.kind === 'error') return failed(decision.error);
    let firstOffset: number;
    let lastOffset: number;
    if (decision.kind === 'duplicate') {
      // A retried batch: answer with the offsets it got the first time, append nothing.
      firstOffset = decision.firstOffset;
      lastOffset = decision.lastOffset;
    } else {
      let info;
      // Undefined unless a tracer is registered and a record of the batch is sampled.
      const traced = this.options.tracing.beginLeaderAppend(replica, records, leader.core.leaderEpoch);
      try {
        // The request's bytes are the leader's from here on (stamped in place, never changed
        // again): the log keeps them to answer its followers' reads of the tail from memory. Their
        // CRCs were verified above (iterateBatches), so the log does not compute them again.
        info = replica.log.append(records, {
          leaderEpoch: leader.core.leaderEpoch,
          keepInMemory: true,
          crcVerified: true,
        });
      } catch (error) {
        traced?.failed(error instanceof ApiError ? error.errorName : 'KAFKA_STORAGE_ERROR');
        return failed(error);
      }
      firstOffset = info.firstOffset;
      lastOffset = info.lastOffset;
      // Before the core steps: with a one-replica ISR the high watermark passes the batch at once.
      traced?.appended(firstOffset, lastOffset);
      this.options.traffic.producedIn(topic, info.sizeBytes, info.recordCount);
      driver.step((core) =>
        core.onLeaderAppend(replica.key, leader, { plan: decision.plan, firstOffset }, this.options.nowMs()),
      );
      this.options.afterAppend(replica);
    }
    const ok: ProducePartitionResult = {
      partition,
      errorName: '',
      errorMessage: '',
      baseOffset: firstOffset,
      logAppendTime: -1,
      logStartOffset: replica.log.logStartOffset,
    };
    if (acks !== -1) return ok;
    const answer = (error: ApiError | null): ProducePartitionResult =>
      error === null ? ok : { ...failed(error), baseOffset: firstOffset };
    const deadlineMs = this.options.nowMs() + timeoutMs;
    return new Promise<ApiError | null>((reply) => {
      const outcome = driver.step((core) => core.awaitAcks(replica.key, leader, lastOffset, deadlineMs, reply));
      if (outcome.kind === 'done') reply(outcome.completion.error);
    }).then(answer);
  }
}
