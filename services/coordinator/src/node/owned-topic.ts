/**
 * The partitions of one internal compacted topic (`__consumer_offsets`, `__share_group_state`)
 * that this coordinator owns, each with its in-memory shard: ownership follows leadership of the
 * paired broker, a partition taken over is replayed from its log start before it serves, and
 * operations on a partition run one at a time, in arrival order, on its shard.
 *
 * Writes are group-committed, as Kafka's CoordinatorRuntime coalesces them: an operation's records
 * join the partition's pending write and the next operation runs at once on the (not yet durable)
 * shard, while one acks=all write at a time goes to the paired broker carrying every record
 * gathered since the previous one. No operation answers before every record produced up to and
 * including it is committed, records or not (an answer never reveals state the log may lose). So
 * a 10,000-member join costs a few writes per broker round trip instead of one round trip per
 * heartbeat. A failed write drops the partition, failing every operation whose records were in
 * it or after it; the next ownership check loads it again from the log, which undoes what was
 * applied in memory.
 *
 * The paired broker refuses writes (NOT_LEADER_OR_FOLLOWER) once it no longer leads the
 * partition, so a coordinator that lost a partition cannot write behind its successor's back.
 */
import { apiErrorFromName } from '@sluice/client';
import { unaryCall } from '@sluice/proto';
import type { BrokerClient, MetadataResponse__Output } from '@sluice/proto';
import { ApiError, decodeRecordBatches } from '@sluice/protocol';
import { untimedRequest, type Logger, type RequestPhases } from '@sluice/runtime';
import { planWrite, type WriteLimits } from './write-plan';

/** How a shard kind is kept in its topic. */
export interface ShardCodec<S, R> {
  readonly topic: string;
  newShard(partition: number): S;
  /** Applies one record read back from the log. */
  replay(shard: S, key: Buffer | null, value: Buffer | null): void;
  encode(record: R): { key: Buffer; value: Buffer | null };
  /** After a load, before serving (e.g. arm session timers). */
  afterLoad?(shard: S, nowMs: number): void;
}

export type PartitionStatus = 'loading' | 'active';

export interface OwnedPartition<S> {
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly shard: S;
  status: PartitionStatus;
  /** Operations run one at a time per partition, in arrival order. */
  queue: Promise<void>;
  /** Set when the partition was dropped or is being reloaded: queued work answers NOT_COORDINATOR. */
  dropped: boolean;
  /** Records applied in memory and not yet sent: the next write (null: none). */
  pending: PendingWrite | null;
  /** The write on its way to the broker (at most one per partition), or null. */
  inFlight: PendingWrite | null;
}

/** Records of consecutive operations, written together; `durable` settles once they are committed. */
interface PendingWrite {
  readonly encoded: { key: Buffer; value: Buffer | null }[];
  bytes: number;
  readonly durable: Promise<void>;
  settle(error?: unknown): void;
}

function newPendingWrite(): PendingWrite {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const durable = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Operations that wait on it attach their own handlers; this one keeps a failure without
  // waiters from surfacing as an unhandled rejection.
  durable.catch(() => undefined);
  return {
    encoded: [],
    bytes: 0,
    durable,
    settle: (error?: unknown) => (error === undefined ? resolve() : reject(error)),
  };
}

export interface OwnedTopicOptions {
  readonly nodeId: number;
  readonly broker: BrokerClient;
  readonly log: Logger;
  /** How writes are cut into batches and requests (see write-plan.ts); read on every write, so it may change. */
  readonly writeLimits: () => WriteLimits;
  /** Told when a write was refused as MESSAGE_TOO_LARGE (e.g. re-read the topic's limit). */
  readonly onMessageTooLarge?: () => void;
  /** Told when a partition finished loading, so readiness need not wait for the next ownership check. */
  readonly onLoaded?: () => void;
}

const WRITE_TIMEOUT_MS = 10_000;
const FETCH_MAX_BYTES = 8 * 1024 * 1024;

export class OwnedTopic<S, R> {
  private readonly owned = new Map<number, OwnedPartition<S>>();

  constructor(
    private readonly codec: ShardCodec<S, R>,
    private readonly options: OwnedTopicOptions,
  ) {}

  get topic(): string {
    return this.codec.topic;
  }

  get(partition: number): OwnedPartition<S> | undefined {
    return this.owned.get(partition);
  }

  all(): OwnedPartition<S>[] {
    return [...this.owned.values()];
  }

  /** `topic-partition` of every owned partition still replaying its log. */
  loading(): string[] {
    return this.all()
      .filter((owned) => owned.status === 'loading')
      .map((owned) => `${this.codec.topic}-${owned.partition}`);
  }

  /** Brings ownership in line with leadership in `metadata` (partitions the paired broker leads). */
  follow(metadata: MetadataResponse__Output): void {
    const topic = metadata.topics.find((t) => t.name === this.codec.topic && t.errorName === '');
    const leading = new Map<number, number>();
    for (const p of topic?.partitions ?? [])
      if (p.leader === this.options.nodeId) leading.set(p.partition, p.leaderEpoch);
    for (const [partition, owned] of this.owned) {
      if (leading.get(partition) !== owned.leaderEpoch) this.drop(owned, 'leadership moved');
    }
    for (const [partition, leaderEpoch] of leading) if (!this.owned.has(partition)) this.load(partition, leaderEpoch);
  }

  drop(owned: OwnedPartition<S>, reason: string): void {
    owned.dropped = true;
    if (this.owned.get(owned.partition) === owned) this.owned.delete(owned.partition);
    this.options.log.info(
      { topic: this.codec.topic, partition: owned.partition, reason },
      'stopped coordinating partition',
    );
  }

  dropAll(reason: string): void {
    for (const owned of [...this.owned.values()]) this.drop(owned, reason);
  }

  private load(partition: number, leaderEpoch: number): void {
    const owned: OwnedPartition<S> = {
      partition,
      leaderEpoch,
      shard: this.codec.newShard(partition),
      status: 'loading',
      queue: Promise.resolve(),
      dropped: false,
      pending: null,
      inFlight: null,
    };
    this.owned.set(partition, owned);
    const startedMs = Date.now();
    owned.queue = this.replayPartition(owned).then(
      (records) => {
        if (owned.dropped) return;
        this.codec.afterLoad?.(owned.shard, Date.now());
        owned.status = 'active';
        this.options.log.info(
          { topic: this.codec.topic, partition, leaderEpoch, records, ms: Date.now() - startedMs },
          'coordinating partition',
        );
        this.options.onLoaded?.();
      },
      (error: unknown) => {
        this.options.log.warn(
          { err: error, topic: this.codec.topic, partition },
          'loading partition failed; will retry',
        );
        this.drop(owned, 'load failed');
      },
    );
  }

  /** Reads the partition from its log start to the high watermark into the shard. */
  private async replayPartition(owned: OwnedPartition<S>): Promise<number> {
    const topic = this.codec.topic;
    const broker = this.options.broker;
    const listed = await unaryCall(
      broker,
      'ListOffsets',
      {
        topics: [
          {
            name: topic,
            partitions: [{ partition: owned.partition, timestamp: -2, currentLeaderEpoch: owned.leaderEpoch }],
          },
        ],
      },
      { timeoutMs: 5_000 },
    );
    const start = listed.topics[0]?.partitions[0];
    if (start === undefined || start.errorName !== '')
      throw apiErrorFromName(
        start?.errorName ?? 'UNKNOWN_SERVER_ERROR',
        start?.errorMessage ?? 'no ListOffsets answer',
      );
    let offset = Number(start.offset);
    let replayed = 0;
    for (;;) {
      if (owned.dropped) return replayed;
      const response = await unaryCall(
        broker,
        'Fetch',
        {
          replicaId: -1,
          replicaEpoch: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: FETCH_MAX_BYTES,
          topics: [
            {
              name: topic,
              partitions: [
                {
                  partition: owned.partition,
                  fetchOffset: offset,
                  currentLeaderEpoch: owned.leaderEpoch,
                  lastFetchedEpoch: -1,
                  logStartOffset: -1,
                  partitionMaxBytes: FETCH_MAX_BYTES,
                },
              ],
            },
          ],
        },
        { timeoutMs: 10_000 },
      );
      const result = response.topics[0]?.partitions[0];
      if (result === undefined || result.errorName !== '')
        throw apiErrorFromName(result?.errorName ?? 'UNKNOWN_SERVER_ERROR', result?.errorMessage ?? 'no Fetch answer');
      const highWatermark = Number(result.highWatermark);
      for (const batch of decodeRecordBatches(result.records)) {
        for (const record of batch.records) {
          if (record.offset < offset) continue;
          this.codec.replay(owned.shard, record.key, record.value);
          replayed++;
        }
        offset = Math.max(offset, batch.baseOffset + batch.lastOffsetDelta + 1);
      }
      if (offset >= highWatermark) return replayed;
      if (result.records.length === 0)
        throw new ApiError(
          'COORDINATOR_LOAD_IN_PROGRESS',
          `no progress loading ${topic}-${owned.partition} at offset ${offset} (high watermark ${highWatermark})`,
        );
    }
  }

  /**
   * Runs `operation` on the partition's shard after everything queued before it and answers once
   * every record produced up to and including it is committed (acks=all), its own records joining
   * the partition's next write. A failed write drops the partition (reload). `phases`: the request
   * waits in `queue` behind earlier operations, and in `remote` until its records and those before
   * them are committed; `onWritten` sees each write's records once they are committed.
   */
  enqueue<T>(
    owned: OwnedPartition<S>,
    operation: (shard: S) => { readonly records: readonly R[]; readonly response: T },
    phases: RequestPhases = untimedRequest,
    onWritten?: (records: readonly R[]) => void,
  ): Promise<T> {
    phases.enter('queue');
    const executed = owned.queue.then(async () => {
      // Bounded memory ahead of the log: past one request's worth of pending bytes, operations
      // wait for the write in flight (which then sends the pending ones) before running.
      while (
        !owned.dropped &&
        owned.inFlight !== null &&
        (owned.pending?.bytes ?? 0) >= this.options.writeLimits().maxRequestBytes
      )
        await owned.inFlight.durable.catch(() => undefined);
      phases.enter('local');
      if (owned.dropped)
        throw new ApiError(
          'NOT_COORDINATOR',
          `${this.codec.topic}-${owned.partition} moved away from node ${this.options.nodeId}`,
        );
      const { records, response } = operation(owned.shard);
      if (records.length > 0) return { durable: this.append(owned, records, onWritten), response };
      // No records of its own: it answers from state that holds whatever ran before it, so it
      // waits for that to be committed, and fails as retriable if that write fails.
      const before = owned.pending?.durable ?? owned.inFlight?.durable;
      const durable = before?.catch((error: unknown) => {
        throw this.earlierWriteFailed(owned, error);
      });
      return { durable: durable ?? Promise.resolve(), response };
    });
    owned.queue = executed.then(
      () => undefined,
      () => undefined,
    );
    return executed.then(async ({ durable, response }) => {
      await phases.remote(durable);
      return response;
    });
  }

  /** Adds `records` to the partition's pending write, starting it when none is in flight. */
  private append(
    owned: OwnedPartition<S>,
    records: readonly R[],
    onWritten?: (records: readonly R[]) => void,
  ): Promise<void> {
    const pending = (owned.pending ??= newPendingWrite());
    for (const record of records) {
      const encoded = this.codec.encode(record);
      pending.encoded.push(encoded);
      pending.bytes += encoded.key.length + (encoded.value?.length ?? 0);
    }
    if (onWritten !== undefined) {
      const mine = [...records];
      pending.durable.then(
        () => onWritten(mine),
        () => undefined,
      );
    }
    if (owned.inFlight === null) this.sendPending(owned);
    return pending.durable;
  }

  /** Sends the pending write, and when it is committed the one gathered meanwhile. */
  private sendPending(owned: OwnedPartition<S>): void {
    const write = owned.pending;
    if (write === null || owned.inFlight !== null) return;
    owned.pending = null;
    owned.inFlight = write;
    this.write(owned, write.encoded).then(
      () => {
        owned.inFlight = null;
        write.settle();
        this.sendPending(owned);
      },
      (error: unknown) => {
        owned.inFlight = null;
        this.drop(owned, 'write failed');
        if (error instanceof ApiError && error.errorName === 'MESSAGE_TOO_LARGE') this.options.onMessageTooLarge?.();
        const failure =
          error instanceof ApiError
            ? error
            : new ApiError(
                'COORDINATOR_NOT_AVAILABLE',
                `writing ${this.codec.topic}-${owned.partition} failed: ${String(error)}`,
              );
        write.settle(failure);
        // Applied in memory after the failed records: never written, undone by the reload.
        const after = owned.pending;
        owned.pending = null;
        after?.settle(this.earlierWriteFailed(owned, failure));
      },
    );
  }

  /** What an operation gets when a write it depends on, but that did not hold its records, failed. */
  private earlierWriteFailed(owned: OwnedPartition<S>, error: unknown): ApiError {
    const cause = error instanceof ApiError ? `${error.errorName}: ${error.message}` : String(error);
    return new ApiError(
      'COORDINATOR_NOT_AVAILABLE',
      `an earlier write of ${this.codec.topic}-${owned.partition} failed (${cause}); the partition reloads, retry`,
    );
  }

  /**
   * One write: the records of one or more operations in order, as batches under the topic's
   * max.message.bytes, in as few Produce requests as the request limit allows (one, unless the
   * write passes it). Each request is one all-or-nothing append on the leader. Across requests,
   * and across a leader failover during replication, only a prefix of the write may survive; each
   * operation's records are ordered so that any prefix replays to a consistent state (a group's
   * target assignment counts only once its TargetAssignmentEpoch record, the last one, is there),
   * so the same holds for consecutive operations, and the failed write reloads the partition from
   * the log (see sendPending), so memory never runs ahead of the log for long.
   */
  private async write(
    owned: OwnedPartition<S>,
    encoded: readonly { key: Buffer; value: Buffer | null }[],
  ): Promise<void> {
    const payloads = planWrite(encoded, Date.now(), this.options.writeLimits());
    for (const [index, payload] of payloads.entries()) {
      if (owned.dropped)
        throw new ApiError(
          'NOT_COORDINATOR',
          `${this.codec.topic}-${owned.partition} moved away from node ${this.options.nodeId} during a write (${index} of ${payloads.length} requests written)`,
        );
      const response = await unaryCall(
        this.options.broker,
        'Produce',
        {
          acks: -1,
          timeoutMs: WRITE_TIMEOUT_MS,
          topics: [{ name: this.codec.topic, partitions: [{ partition: owned.partition, records: payload }] }],
        },
        { timeoutMs: WRITE_TIMEOUT_MS + 1_000 },
      );
      const result = response.topics[0]?.partitions[0];
      if (result === undefined) throw new ApiError('UNKNOWN_SERVER_ERROR', 'the broker answered nothing for the write');
      if (result.errorName !== '') throw apiErrorFromName(result.errorName, result.errorMessage);
    }
  }

  /** Marks everything dropped (stop): queued work answers NOT_COORDINATOR. */
  stop(): void {
    for (const owned of this.owned.values()) owned.dropped = true;
  }
}
