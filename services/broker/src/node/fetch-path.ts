/**
 * Fetch on the leader (Kafka's ReplicaManager.fetchMessages): followers (replica id >= 0) are
 * stepped through the replication core before the read (fencing, divergence, their position, the
 * ISR and high watermark) and read up to the log end; consumers read up to the high watermark.
 * A long poll waits, bounded, until enough bytes are there: every partition's change (append,
 * high watermark move, role change) wakes it to read again.
 *
 * The leader side of the replication throttle (core/replication-throttle.ts): a throttled
 * follower's read of a listed partition is held back (answered empty) while the leader side owes
 * bytes, and the long poll then reads again once they are paid; a read that goes is bounded by a
 * second's worth of the rate and charged to it. Other partitions of the same fetch are unaffected.
 *
 * A Fetch answer (`fetchAnswer`: the unary Fetch and ReplicaFetchStream) answers what the log
 * holds with located reads (log-records-source.ts): the answer's encoder reads those batches
 * straight into the frame it sends, from the file or from the leader's recent appends, so the
 * records get no Buffer of their own and no copy. A follower's read of the tail spanning several
 * appends was copied twice (joined into one Buffer, then into the frame): docs/performance.md
 * section 27. FetchRecords and tiered reads get Buffers, as before (`fetch`).
 */
// Requests as they arrive (`__Output`: int64 as strings, defaults filled); answers as sent.
import type {
  FetchAnswer,
  FetchPartitionAnswer,
  FetchPartition__Output as FetchPartition,
  FetchPartitionResult,
  FetchRequest__Output as FetchRequest,
  FetchResponse,
} from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { untimedRequest, type RequestPhases } from '@sluice/runtime';
import { assert } from '../core/assert';
import { errorFields } from './error-fields';
import { LogRecordsSource } from './log-records-source';
import type { ReplicationThrottle } from '../core/replication-throttle';
import type { PartitionReplica } from './partition-replica';
import type { ReplicationDriver } from './replication-driver';
import type { TopicTraffic } from './topic-traffic';

/** Bounds on one request: a client cannot make the broker wait or read without limit. */
const MAX_FETCH_WAIT_MS = 30_000;
const DEFAULT_FETCH_MAX_BYTES = 50 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface FetchPathOptions {
  readonly driver: ReplicationDriver;
  readonly leaderOf: (topic: string, partition: number) => PartitionReplica | ApiError;
  readonly nowMs: () => number;
  readonly traffic: TopicTraffic;
  /** Tiered storage: the remote reader of a partition this broker leads, when its topic tiers. */
  readonly remoteOf?: (replica: PartitionReplica) => RemoteReads | undefined;
  /** The replication throttle (its leader side applies here); absent: nothing is throttled. */
  readonly throttle?: ReplicationThrottle;
}

/** What the fetch path needs from a partition's tiering task. */
export interface RemoteReads {
  /** The first offset readable anywhere (the log start offset consumers see). */
  logStartOffset(): number;
  read(offset: number, maxBytes: number): Promise<{ readonly records: Buffer }>;
}

/** One partition of a fetch answer, with its topic: what a follower hold looks at. */
export interface AnsweredPartition {
  readonly topic: string;
  readonly result: FetchPartitionAnswer;
}

/**
 * A follower fetch's hold (ReplicaFetchStream's fetch session): after a wake-up, whether these
 * answers carry news the follower must hear now; when not, the fetch waits on for the rest of its
 * max wait. Given every partition at the first wake-up, then only the partitions that changed
 * since (the others' answers are the ones it already looked at).
 */
export type FollowerHold = (answered: readonly AnsweredPartition[]) => boolean;

/**
 * A partition's answer as the fetch path builds it: records read into a Buffer, or (reads of the
 * log, `fetchAnswer` only) located, to be read into the answer's frame.
 */
type PartitionAnswer = Omit<Required<FetchPartitionResult>, 'records'> & { records: Buffer | LogRecordsSource };

/** One read of every asked partition, kept so that a wake-up re-reads only what changed. */
interface Read {
  readonly response: FetchAnswer;
  bytes: number;
  errors: boolean;
  throttleWaitMs: number;
}

/** A consumer read below the local log start, answered from the object store after the local reads. */
interface PendingRemoteRead {
  readonly result: PartitionAnswer;
  readonly remote: RemoteReads;
  readonly fetchOffset: number;
  readonly maxBytes: number;
}

export class FetchPath {
  constructor(private readonly options: FetchPathOptions) {}

  /**
   * The long poll's waits are the request's `remote` phase; the reads are `local`.
   *
   * The asked partitions are watched once for the whole long poll, and a follower's wake-up
   * re-reads only the partitions that changed: one fetch round costs one pass over the asked
   * partitions plus the changes, not a pass per wake-up (a follower of thousands of partitions was
   * woken by every append and high-watermark move of any of them, and each wake-up stepped every
   * partition again). As in Kafka, a follower's position is taken when its request arrives (the
   * first pass); a partition re-read later is stepped again with the same position. A consumer's
   * wake-up reads everything again, as before.
   */
  async fetch(
    request: FetchRequest,
    phases: RequestPhases = untimedRequest,
    hold?: FollowerHold,
  ): Promise<FetchResponse> {
    // Without located reads every records field is a Buffer: this is a FetchResponse.
    return (await this.poll(request, phases, hold, false)) as FetchResponse;
  }

  /**
   * The answer of the unary Fetch RPC and of ReplicaFetchStream: as `fetch`, with the reads of the
   * log (consumers' and followers') located rather than read (LogRecordsSource), for the answer's
   * encoder to read into its frame. The answer must be encoded soon (the same request): a read
   * whose log changed meanwhile is located again then (log-records-source.ts).
   */
  fetchAnswer(
    request: FetchRequest,
    phases: RequestPhases = untimedRequest,
    hold?: FollowerHold,
  ): Promise<FetchAnswer> {
    return this.poll(request, phases, hold, true);
  }

  private async poll(
    request: FetchRequest,
    phases: RequestPhases,
    hold: FollowerHold | undefined,
    locateReads: boolean,
  ): Promise<FetchAnswer> {
    const now = this.options.nowMs;
    const deadline = now() + Math.min(Math.max(0, request.maxWaitMs), MAX_FETCH_WAIT_MS);
    const minBytes = Math.max(0, request.minBytes);
    const follower = request.replicaId >= 0;
    let read = await this.readOnce(request, locateReads);
    // Watched from after the first read, as before: a change that read caused (a follower's fetch
    // moving the high watermark) is in its answer already and wakes nobody. Subscribed only once
    // the poll is going to wait (no await comes between that read and the first wait), so a fetch
    // answered at once subscribes to nothing.
    let watch: ChangeWatch | undefined;
    try {
      let firstWake = true;
      for (;;) {
        const waitMs = deadline - now();
        if (read.bytes >= minBytes || read.errors || waitMs <= 0) return this.counted(request, read.response);
        // A throttled read held back: look again once its bytes are paid, within the long poll.
        const pollMs = read.throttleWaitMs > 0 ? Math.min(waitMs, Math.ceil(read.throttleWaitMs)) : waitMs;
        watch ??= new ChangeWatch(request, this.options.driver);
        const woken = await phases.remote(watch.next(pollMs));
        // Whatever changed until now is in the next read (a whole one, or these partitions').
        const changed = watch.takeChanged();
        if (!woken && pollMs < waitMs) {
          read = await this.readOnce(request, locateReads);
          firstWake = true;
          continue;
        }
        if (!woken) return this.counted(request, (await this.readOnce(request, locateReads)).response);
        if (!follower) {
          read = await this.readOnce(request, locateReads);
          continue;
        }
        // A follower also needs to hear a moved high watermark promptly (acks=all on the others),
        // unless its hold says the news can wait for records.
        if (read.throttleWaitMs > 0) {
          read = await this.readOnce(request, locateReads);
          firstWake = true;
        } else this.reread(request, read, changed, locateReads);
        if (hold === undefined) return this.counted(request, read.response);
        if (hold(firstWake ? allAnswered(read.response) : this.answeredAt(request, read.response, changed)))
          return this.counted(request, read.response);
        firstWake = false;
      }
    } finally {
      watch?.close();
    }
  }

  /**
   * A follower's partitions that changed since `read`, read again in request order against what
   * is left of the byte budget (followers never read from remote storage, so this is synchronous).
   */
  private reread(request: FetchRequest, read: Read, changed: readonly number[], locateReads: boolean): void {
    if (changed.length === 0) return;
    const held = { throttleWaitMs: 0 };
    const nowMs = this.options.nowMs();
    let budget = Math.max(0, (request.maxBytes > 0 ? request.maxBytes : DEFAULT_FETCH_MAX_BYTES) - read.bytes);
    for (const index of changed) {
      const { topicIndex, partitionIndex } = this.locate(request, index);
      const topic = request.topics[topicIndex]!;
      const answers = read.response.topics![topicIndex]!.partitions!;
      const before = answers[partitionIndex]!;
      const planned = this.readPartition(
        topic.name,
        topic.partitions[partitionIndex]!,
        request,
        budget,
        nowMs,
        held,
        locateReads,
      );
      assert(!('remote' in planned), 'a follower read went to remote storage');
      answers[partitionIndex] = planned;
      read.bytes += planned.records.length - (before.records?.length ?? 0);
      budget = Math.max(0, budget - planned.records.length);
      // The read before had no errors (it would have been answered), so only these can.
      if (planned.errorName !== '' || planned.divergingEpoch !== null) read.errors = true;
    }
    read.throttleWaitMs = held.throttleWaitMs;
  }

  private answeredAt(request: FetchRequest, response: FetchAnswer, indexes: readonly number[]): AnsweredPartition[] {
    return indexes.map((index) => {
      const { topicIndex, partitionIndex } = this.locate(request, index);
      return {
        topic: request.topics[topicIndex]!.name,
        result: response.topics![topicIndex]!.partitions![partitionIndex]!,
      };
    });
  }

  /** The request's `index`-th asked partition (flat, in request order) as topic and partition indexes. */
  private locate(request: FetchRequest, index: number): { topicIndex: number; partitionIndex: number } {
    let rest = index;
    for (let topicIndex = 0; topicIndex < request.topics.length; topicIndex++) {
      const count = request.topics[topicIndex]!.partitions.length;
      if (rest < count) return { topicIndex, partitionIndex: rest };
      rest -= count;
    }
    throw new Error(`asked partition ${index} is not in the request`);
  }

  /** Counts the answer's bytes (once per partition) as consumer or replication traffic. */
  private counted(request: FetchRequest, response: FetchAnswer): FetchAnswer {
    const { traffic } = this.options;
    for (const topic of response.topics ?? []) {
      for (const partition of topic.partitions ?? []) {
        const bytes = partition.records?.length ?? 0;
        if (request.replicaId >= 0) traffic.replicationOut(bytes);
        else traffic.fetchedOut(topic.name ?? '', bytes);
      }
    }
    return response;
  }

  /**
   * Local reads first, in request order against the byte budget; reads below a tiered partition's
   * local log start are planned against the budget too (their maxBytes reserved), then run in
   * parallel, one ranged read per partition, so many cold partitions cost one round trip.
   */
  private async readOnce(request: FetchRequest, locateReads: boolean): Promise<Read> {
    const held = { throttleWaitMs: 0 };
    let budget = request.maxBytes > 0 ? request.maxBytes : DEFAULT_FETCH_MAX_BYTES;
    let errors = false;
    const nowMs = this.options.nowMs();
    const remoteReads: PendingRemoteRead[] = [];
    const results: PartitionAnswer[] = [];
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p): PartitionAnswer => {
        const planned = this.readPartition(topic.name, p, request, budget, nowMs, held, locateReads);
        const result = 'remote' in planned ? planned.result : planned;
        if ('remote' in planned) {
          remoteReads.push(planned);
          budget = Math.max(0, budget - planned.maxBytes);
        } else {
          budget = Math.max(0, budget - result.records.length);
        }
        results.push(result);
        return result;
      }),
    }));
    await Promise.all(
      remoteReads.map(async (pending) => {
        try {
          pending.result.records = (await pending.remote.read(pending.fetchOffset, pending.maxBytes)).records;
        } catch (error) {
          Object.assign(pending.result, errorFields(error), { records: EMPTY });
        }
      }),
    );
    let bytes = 0;
    for (const result of results) {
      if (result.errorName !== '' || result.divergingEpoch !== null) errors = true;
      bytes += result.records.length;
    }
    return { response: { topics }, bytes, errors, throttleWaitMs: held.throttleWaitMs };
  }

  /** A follower's read, held back or bounded and charged when the leader side throttles it. */
  private followerRead(
    replica: PartitionReplica,
    followerInSync: boolean,
    fetchOffset: number,
    maxBytes: number,
    nowMs: number,
    held: { throttleWaitMs: number },
    locateReads: boolean,
  ): Buffer | LogRecordsSource {
    const log = replica.log;
    // A follower reads up to the log end (as it is now: a located read stays within it).
    const read = (bytes: number): Buffer | LogRecordsSource =>
      locateReads
        ? LogRecordsSource.locate(log, fetchOffset, bytes, log.logEndOffset)
        : log.read(fetchOffset, bytes).records;
    const throttle = this.options.throttle;
    if (throttle === undefined || !throttle.isThrottled('leader', replica.topic, replica.partition, followerInSync))
      return read(maxBytes);
    const waitMs = throttle.waitMs('leader', nowMs);
    if (waitMs > 0) {
      throttle.heldBack('leader');
      held.throttleWaitMs = held.throttleWaitMs === 0 ? waitMs : Math.min(held.throttleWaitMs, waitMs);
      return EMPTY;
    }
    const records = read(Math.min(maxBytes, throttle.maxReadBytes('leader')));
    throttle.record('leader', records.length, nowMs);
    return records;
  }

  /**
   * Kafka's OFFSET_MOVED_TO_TIERED_STORAGE: a follower asks for an offset below this leader's local
   * log start that remote storage holds. It then rebuilds its leader epochs and producer state from
   * remote storage and starts at the local log start (the answer's log start offset). Null otherwise.
   */
  private movedToTieredStorage(replica: PartitionReplica, fetchOffset: number): ApiError | null {
    if (!(fetchOffset < replica.log.logStartOffset)) return null;
    const remote = this.options.remoteOf?.(replica);
    if (remote === undefined || fetchOffset < remote.logStartOffset()) return null;
    return new ApiError(
      'OFFSET_MOVED_TO_TIERED_STORAGE',
      `fetch offset ${fetchOffset} is in remote storage; the local log starts at ${replica.log.logStartOffset}`,
    );
  }

  private readPartition(
    topic: string,
    p: FetchPartition,
    request: FetchRequest,
    budget: number,
    nowMs: number,
    held: { throttleWaitMs: number },
    locateReads: boolean,
  ): PartitionAnswer | PendingRemoteRead {
    const failed = (error: unknown): PartitionAnswer => ({
      partition: p.partition,
      ...errorFields(error),
      highWatermark: -1,
      logStartOffset: -1,
      records: EMPTY,
      divergingEpoch: null,
      leaderEpoch: -1,
    });
    const replica = this.options.leaderOf(topic, p.partition);
    if (replica instanceof ApiError) return failed(replica);
    const role = replica.role;
    if (role.kind !== 'leader')
      return failed(new ApiError('NOT_LEADER_OR_FOLLOWER', `not the leader of ${replica.key}`));
    const core = role.core;
    const fetchOffset = Number(p.fetchOffset);
    const maxBytes = Math.min(budget, p.partitionMaxBytes > 0 ? p.partitionMaxBytes : budget);
    const log = replica.log;
    try {
      if (request.replicaId >= 0) {
        const outcome = this.options.driver.step((replication) =>
          replication.onFollowerFetch(
            replica.key,
            role,
            {
              replicaId: request.replicaId,
              fetchOffset,
              lastFetchedEpoch: p.lastFetchedEpoch >= 0 ? p.lastFetchedEpoch : null,
              currentLeaderEpoch: p.currentLeaderEpoch >= 0 ? p.currentLeaderEpoch : null,
              logStartOffset: Number(p.logStartOffset),
              brokerEpoch: Number(request.replicaEpoch),
              // Absent in an older follower's fetch: the default 0 then reads as "nothing flushed".
              flushedOffset: Number(p.flushedOffset) >= 0 ? Number(p.flushedOffset) : null,
            },
            nowMs,
          ),
        );
        // The log start offset tells a follower that fell below it where to start over.
        if (outcome.kind === 'error') {
          const error =
            outcome.error.errorName === 'OFFSET_OUT_OF_RANGE'
              ? (this.movedToTieredStorage(replica, fetchOffset) ?? outcome.error)
              : outcome.error;
          return { ...failed(error), logStartOffset: log.logStartOffset };
        }
        if (outcome.kind === 'diverging') {
          return {
            partition: p.partition,
            errorName: '',
            errorMessage: '',
            highWatermark: core.highWatermark,
            logStartOffset: log.logStartOffset,
            records: EMPTY,
            divergingEpoch: outcome.divergingEpoch,
            leaderEpoch: core.leaderEpoch,
          };
        }
        const read =
          fetchOffset < log.logEndOffset && maxBytes > 0
            ? this.followerRead(
                replica,
                core.isr.includes(request.replicaId),
                fetchOffset,
                maxBytes,
                nowMs,
                held,
                locateReads,
              )
            : EMPTY;
        return {
          partition: p.partition,
          errorName: '',
          errorMessage: '',
          highWatermark: core.highWatermark,
          logStartOffset: log.logStartOffset,
          records: read,
          divergingEpoch: null,
          leaderEpoch: core.leaderEpoch,
        };
      }
      if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== core.leaderEpoch) {
        return failed(
          new ApiError(
            p.currentLeaderEpoch < core.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH',
            `leader epoch is ${core.leaderEpoch}, request has ${p.currentLeaderEpoch}`,
          ),
        );
      }
      const highWatermark = core.highWatermark;
      const remote = fetchOffset < log.logStartOffset ? this.options.remoteOf?.(replica) : undefined;
      if (remote !== undefined && maxBytes > 0 && fetchOffset >= remote.logStartOffset()) {
        // Below the local log start of a tiered partition: the object store has it (same bytes).
        return {
          remote,
          fetchOffset,
          maxBytes,
          result: {
            partition: p.partition,
            errorName: '',
            errorMessage: '',
            highWatermark,
            logStartOffset: remote.logStartOffset(),
            records: EMPTY,
            divergingEpoch: null,
            leaderEpoch: core.leaderEpoch,
          },
        };
      }
      // As Kafka: out of range only outside the log; between the high watermark and the log end
      // (a new leader's high watermark may still trail the old one's) the answer is just empty.
      const read =
        maxBytes > 0 && fetchOffset < highWatermark
          ? locateReads
            ? LogRecordsSource.locate(log, fetchOffset, maxBytes, highWatermark)
            : log.read(fetchOffset, maxBytes, { maxOffset: highWatermark }).records
          : EMPTY;
      if (fetchOffset >= highWatermark && (fetchOffset > log.logEndOffset || fetchOffset < log.logStartOffset)) {
        return failed(
          new ApiError(
            'OFFSET_OUT_OF_RANGE',
            `fetch offset ${fetchOffset} is outside ${log.logStartOffset}..${log.logEndOffset}`,
          ),
        );
      }
      return {
        partition: p.partition,
        errorName: '',
        errorMessage: '',
        highWatermark,
        // Consumers see the log start of the whole log (remote included); followers the local one.
        logStartOffset: this.options.remoteOf?.(replica)?.logStartOffset() ?? log.logStartOffset,
        records: read,
        divergingEpoch: null,
        leaderEpoch: core.leaderEpoch,
      };
    } catch (error) {
      return failed(error);
    }
  }
}

/**
 * The asked partitions a long poll watches, subscribed once for the whole poll: which of them
 * changed (append, high-watermark move, role change) since last taken, by their flat index in
 * request order. Bounded by the request's partitions.
 */
class ChangeWatch {
  private readonly unsubscribes: (() => void)[] = [];
  private readonly changed = new Set<number>();
  private wake: (() => void) | undefined;

  constructor(request: FetchRequest, driver: ReplicationDriver) {
    let index = 0;
    for (const topic of request.topics) {
      for (const p of topic.partitions) {
        const at = index++;
        const replica = driver.replicaOf(topic.name, p.partition);
        if (replica !== undefined)
          this.unsubscribes.push(
            replica.onChange(() => {
              this.changed.add(at);
              this.wake?.();
            }),
          );
      }
    }
  }

  /** Resolves true once something changed (at once if something already did), false after `waitMs`. */
  next(waitMs: number): Promise<boolean> {
    if (this.changed.size > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (woken: boolean): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(woken);
      };
      const timer = setTimeout(() => done(false), waitMs);
      this.wake = () => done(true);
    });
  }

  /** The partitions that changed since the last take, in request order; forgets them. */
  takeChanged(): number[] {
    const changed = [...this.changed].sort((a, b) => a - b);
    this.changed.clear();
    return changed;
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }
}

function allAnswered(response: FetchAnswer): AnsweredPartition[] {
  const answered: AnsweredPartition[] = [];
  for (const topic of response.topics ?? [])
    for (const result of topic.partitions ?? []) answered.push({ topic: topic.name ?? '', result });
  return answered;
}
