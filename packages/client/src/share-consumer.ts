/**
 * `ShareConsumer`: a member of a share group (KIP-932, Kafka 4's KafkaShareConsumer). Records of
 * the partitions the share group assigns are handed out by the partition leaders one member at a
 * time, each under a time-limited lock, and acknowledged one by one:
 * - ACCEPT: processed, never delivered again; RELEASE: deliver again (to anyone);
 *   REJECT: not processable, archived. A record whose lock runs out, or whose member leaves,
 *   is delivered again, up to the group's delivery count limit (`deliveryCount` on each record).
 * - `share.acknowledgement.mode` implicit (the default): every record the previous poll()
 *   returned is ACCEPTed by the next poll(), commitSync() or close().
 *   explicit: the application calls acknowledge(record, type) for every record; poll() refuses to
 *   run while a record of the previous poll() is unacknowledged (Kafka's IllegalStateException,
 *   here INVALID_REQUEST); close() releases what was not acknowledged.
 * - Acknowledgements ride on the next ShareFetch to the broker that delivered the record, or go
 *   out with commitSync() (ShareAcknowledge). close() ends every share session (epoch -1), which
 *   releases the member's remaining locks at once.
 * - commitSync() in implicit mode fetches ahead: to a broker this member would fetch from next
 *   anyway (it leads assigned partitions, nothing of it is buffered or in flight) the ACCEPTs go
 *   on a ShareFetch that does not wait (max_wait_ms 0) instead of a ShareAcknowledge. The leader
 *   writes the acknowledgements and the acquisition in one share state write (and answers once
 *   both are durable), so a poll-process-commit loop pays one write per round instead of two, and
 *   the next poll() finds its records buffered. Same guarantees: commitSync still answers per
 *   partition only once its acknowledgements are durable. The cost: those records are locked
 *   (and counted as delivered) from the commit on; a member that closes before polling them
 *   releases them with that delivery counted, as any record fetched ahead.
 *
 * Which partitions to fetch comes from the share group membership: by default a
 * ShareGroupMembership heartbeating to the coordinators named by `coordinators` (subscribe() sets
 * its topics); tests may inject another as `membership`.
 *
 * One ShareFetch per leader broker is in flight at a time; its records are buffered until poll()
 * hands them out, and that broker is fetched from again only once they all were (bounded buffer).
 * An answer is decoded on the next macrotask (or by the poll() that needs it first), not before the
 * request settles: a commitSync answers once its acknowledgements are durable, and the records it
 * fetched ahead are decoded while the application works on the next poll's.
 * Requests to one broker are sent one after another, so share session epochs arrive in order.
 */
import { fromGrpcError, unaryCall } from '@sluice/proto';
import type {
  ShareAcknowledgeResponse__Output,
  ShareFetchPartitionResult__Output,
  ShareFetchResponse__Output,
  ShareFetchTopic,
} from '@sluice/proto';
import { ApiError, decodeRecordBatch, iterateBatches } from '@sluice/protocol';
import { processRecord, recordReceiveSpans } from './consumer-tracing';
import { EndToEndLatencyHistogram } from './end-to-end-latency';
import { ClusterMetadata } from './cluster-metadata';
import type { ConsumerRecord } from './consumer';
import { apiErrorFromName } from './errors';
import type { FetchClientOptions } from './fetch-client-options';
import { Wakeup } from './wakeup';
import { PartitionAcknowledgements, type AcknowledgementRange } from './share-acknowledgements';
import { backoffMs } from './producer-config';
import { ShareGroupMembership } from './share-group-membership';

export type ShareAcknowledgementMode = 'implicit' | 'explicit';
/** What a share consumer answers for a record (KIP-932's AcknowledgeType; the wire carries the name). */
export type ShareAcknowledgeType = 'ACCEPT' | 'RELEASE' | 'REJECT';

/** A request topic being filled in (its partitions list always present). */
type ShareFetchTopicDraft = Required<ShareFetchTopic>;

export interface ShareTopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** What the share group membership (ShareGroupHeartbeat) gives this consumer. */
export interface ShareGroupMembershipLike {
  readonly memberId: string;
  /** The partitions currently assigned to this member. */
  assignment(): readonly ShareTopicPartition[];
  start(): void;
  close(): Promise<void>;
  /** Absent: the membership's topics are fixed (an injected test membership). */
  subscribe?(topics: readonly string[]): void;
}

export interface ShareConsumerOptions extends FetchClientOptions {
  /** group.id of the share group. */
  readonly groupId: string;
  /** Coordinator addresses (any of them answers FindCoordinator): the default membership's. */
  readonly coordinators?: string | readonly string[];
  /** `client.id`, sent in heartbeats. */
  readonly clientId?: string;
  /** Replaces the coordinator-backed membership (tests: a fixed assignment). */
  readonly membership?: ShareGroupMembershipLike;
  /** `share.acknowledgement.mode`, default implicit. */
  readonly acknowledgementMode?: ShareAcknowledgementMode;
  /** `max.poll.records`, default 500 (also the most records one ShareFetch acquires per partition). */
  readonly maxPollRecords?: number;
}

export interface ShareConsumerRecord extends ConsumerRecord {
  /** How many times this record has been delivered, this delivery included. */
  readonly deliveryCount: number;
}

/** A record handed out by poll() and who delivered it, until it is acknowledged. */
interface Delivered {
  readonly record: ShareConsumerRecord;
  readonly brokerId: number;
  type: ShareAcknowledgeType | null;
}

interface BrokerState {
  /** The epoch the next request carries: 0 opens a session. */
  sessionEpoch: number;
  /** The tail of this broker's request chain. */
  tail: Promise<void>;
  fetching: boolean;
  /** A ShareAcknowledge on its own is queued (acknowledgements for a broker no longer fetched from). */
  acking: boolean;
  /** Records received from this broker not yet handed out. */
  buffered: Delivered[];
  /**
   * Partitions' answers received from this broker and not yet decoded into `buffered` (at most
   * one ShareFetch's worth: a broker is fetched from only when nothing of it is left). Decoded on
   * the next macrotask, or by poll() if it comes first, so a commitSync's fetch-ahead answers as
   * soon as it arrives instead of after decoding its records.
   */
  undecoded: { readonly topic: string; readonly result: ShareFetchPartitionResult__Output }[];
  retryAtMs: number;
  failures: number;
}

const LEADER_ERRORS = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'NETWORK_EXCEPTION',
  'REQUEST_TIMED_OUT',
]);
const SESSION_ERRORS = new Set(['SHARE_SESSION_NOT_FOUND', 'INVALID_SHARE_SESSION_EPOCH']);
const MAX_SESSION_EPOCH = 0x7fffffff;

const keyOf = (topic: string, partition: number): string => `${topic}-${partition}`;
/** One partition's acknowledgements taken for a request, kept to put back if it fails. */
interface Taken {
  readonly topic: string;
  readonly partition: number;
  readonly ranges: readonly AcknowledgementRange[];
}
/**
 * The offsets one answer's records were delivered for. They come in increasing order, so one
 * number tells a new offset from a repeat; a set is built only when an offset goes back.
 */
class OffsetsSeen {
  count = 0;
  private highest = -1;
  private readonly offsets: number[] = [];
  private set: Set<number> | null = null;

  /** false: `offset` was seen already. */
  add(offset: number): boolean {
    if (offset <= this.highest) {
      this.set ??= new Set(this.offsets);
      if (this.set.has(offset)) return false;
    } else this.highest = offset;
    this.offsets.push(offset);
    this.set?.add(offset);
    this.count++;
    return true;
  }

  has(offset: number): boolean {
    this.set ??= new Set(this.offsets);
    return this.set.has(offset);
  }
}

/** Records of this broker wait to be handed out (decoded or not). */
const hasRecords = (state: BrokerState): boolean => state.buffered.length > 0 || state.undecoded.length > 0;

export class ShareConsumer {
  readonly metadata: ClusterMetadata;
  readonly groupId: string;
  readonly acknowledgementMode: ShareAcknowledgementMode;
  private readonly membership: ShareGroupMembershipLike;
  /** Per topic, record creation (CreateTime) to this member receiving it from poll(). */
  readonly endToEndLatency = new EndToEndLatencyHistogram();
  private readonly maxPollRecords: number;
  private readonly fetchMaxWaitMs: number;
  private readonly fetchMinBytes: number;
  private readonly fetchMaxBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  private readonly checkCrcs: boolean;
  private readonly brokers = new Map<number, BrokerState>();
  /** Acknowledgements to send, by broker, then partition key (`topic-partition`). */
  private readonly pending = new Map<number, Map<string, PartitionAcknowledgements>>();
  /** What the previous poll() returned. */
  private lastPolled: Delivered[] = [];
  /** Acknowledgement errors the brokers answered since the last commitSync(), by partition key. */
  private ackErrors = new Map<string, ApiError>();
  private fatal: ApiError | null = null;
  private readonly wakeup = new Wakeup();
  private metadataRefresh: Promise<void> | null = null;
  private decodeScheduled = false;
  private closed = false;

  constructor(options: ShareConsumerOptions) {
    const atLeast = (key: string, value: number, min: number): number => {
      if (!Number.isSafeInteger(value) || value < min)
        throw new ApiError('INVALID_CONFIG', `${key}=${value} must be an integer >= ${min}`);
      return value;
    };
    if (typeof options.groupId !== 'string' || options.groupId.length === 0)
      throw new ApiError('INVALID_CONFIG', 'group.id must be a non-empty string');
    const mode = options.acknowledgementMode ?? 'implicit';
    if (mode !== 'implicit' && mode !== 'explicit')
      throw new ApiError('INVALID_CONFIG', `share.acknowledgement.mode=${String(mode)} must be implicit or explicit`);
    if (options.membership === undefined && (options.coordinators === undefined || options.coordinators.length === 0)) {
      throw new ApiError(
        'INVALID_CONFIG',
        'a ShareConsumer needs the group coordinators (`coordinators`) to join its share group',
      );
    }
    this.groupId = options.groupId;
    this.acknowledgementMode = mode;
    this.membership =
      options.membership ??
      new ShareGroupMembership({
        groupId: options.groupId,
        coordinators: options.coordinators as string | readonly string[],
        ...(options.security === undefined ? {} : { security: options.security }),
        ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
        ...(options.requestTimeoutMs === undefined
          ? {}
          : { requestTimeoutMs: Math.min(options.requestTimeoutMs, 10_000) }),
      });
    this.maxPollRecords = atLeast('max.poll.records', options.maxPollRecords ?? 500, 1);
    this.fetchMaxWaitMs = atLeast('fetch.max.wait.ms', options.fetchMaxWaitMs ?? 500, 0);
    this.fetchMinBytes = atLeast('fetch.min.bytes', options.fetchMinBytes ?? 1, 0);
    this.fetchMaxBytes = atLeast('fetch.max.bytes', options.fetchMaxBytes ?? 52_428_800, 1);
    this.requestTimeoutMs = atLeast('request.timeout.ms', options.requestTimeoutMs ?? 30_000, 1);
    this.retryBackoffMs = atLeast('retry.backoff.ms', options.retryBackoffMs ?? 100, 0);
    this.retryBackoffMaxMs = atLeast('retry.backoff.max.ms', options.retryBackoffMaxMs ?? 1_000, this.retryBackoffMs);
    this.checkCrcs = options.checkCrcs ?? true;
    this.metadata = new ClusterMetadata({
      bootstrap: options.bootstrap,
      ...(options.security === undefined ? {} : { security: options.security }),
      metadataMaxAgeMs: options.metadataMaxAgeMs,
      requestTimeoutMs: Math.min(this.requestTimeoutMs, 5_000),
      listenerName: options.listenerName,
    });
    this.membership.start();
  }

  get memberId(): string {
    return this.membership.memberId;
  }

  /** The topics this member's share group should hand it records of (Kafka's subscribe). */
  subscribe(topics: readonly string[]): void {
    this.ensureOpen();
    if (this.membership.subscribe === undefined)
      throw new ApiError(
        'INVALID_REQUEST',
        'this share group membership has a fixed assignment: subscribe() is not possible',
      );
    this.membership.subscribe(topics);
  }

  /** The partitions the share group assigns this member now. */
  assignment(): readonly ShareTopicPartition[] {
    return this.membership.assignment();
  }

  // ------------------------------------------------------------------ poll

  /**
   * Up to `max.poll.records` records of the assigned partitions, waiting at most `timeoutMs`;
   * [] on timeout. Implicit mode first ACCEPTs what the previous poll returned; explicit mode
   * refuses (INVALID_REQUEST) while any of it is unacknowledged.
   */
  async poll(timeoutMs: number): Promise<ShareConsumerRecord[]> {
    this.ensureOpen();
    this.settleLastPolled('poll');
    const startMs = Date.now();
    const deadline = startMs + Math.max(0, timeoutMs);
    for (;;) {
      // An undecodable answer is this poll's error, as if it had been decoded on arrival.
      this.decodeAll();
      if (this.fatal !== null) {
        const error = this.fatal;
        this.fatal = null;
        throw error;
      }
      const records = this.drainBuffered();
      if (records.length > 0) return this.received(records, startMs);
      await this.ensureMetadata().catch(() => undefined);
      this.startFetches(deadline);
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) return [];
      await this.wakeup.wait(Math.min(left, this.fetchMaxWaitMs + 100));
    }
  }

  /**
   * Runs `handle(record)` inside a `process {topic}` span whose parent is the record's creation
   * context (its traceparent header). Without a tracing SDK it only calls the handler.
   */
  process<T>(record: ShareConsumerRecord, handle: (record: ShareConsumerRecord) => T | Promise<T>): Promise<T> {
    return processRecord(record, handle, { group: this.groupId });
  }

  /** What a poll returns passes here once: end-to-end times, and receive spans when tracing. */
  private received(records: ShareConsumerRecord[], startMs: number): ShareConsumerRecord[] {
    const nowMs = Date.now();
    for (const record of records) this.endToEndLatency.observe(record.topic, record.timestamp, nowMs);
    recordReceiveSpans(records, startMs, { group: this.groupId });
    return records;
  }

  /** Explicit mode: how a record of the last poll() was handled; sent with the next poll() or commitSync(). */
  acknowledge(record: ShareConsumerRecord, type: ShareAcknowledgeType = 'ACCEPT'): void {
    this.ensureOpen();
    if (this.acknowledgementMode !== 'explicit')
      throw new ApiError('INVALID_REQUEST', 'acknowledge() needs share.acknowledgement.mode=explicit');
    if (type !== 'ACCEPT' && type !== 'RELEASE' && type !== 'REJECT')
      throw new ApiError('INVALID_REQUEST', `acknowledge type ${String(type)} is not ACCEPT, RELEASE or REJECT`);
    const delivered = this.lastPolled.find(
      (d) =>
        d.record.topic === record.topic && d.record.partition === record.partition && d.record.offset === record.offset,
    );
    if (delivered === undefined)
      throw new ApiError(
        'INVALID_REQUEST',
        `record ${keyOf(record.topic, record.partition)}@${record.offset} was not returned by the last poll()`,
      );
    if (delivered.type !== null)
      throw new ApiError(
        'INVALID_REQUEST',
        `record ${keyOf(record.topic, record.partition)}@${record.offset} is already acknowledged (${delivered.type})`,
      );
    delivered.type = type;
    this.queueAck(delivered.brokerId, record.topic, record.partition, record.offset, type);
  }

  /**
   * Sends the pending acknowledgements (implicit mode: ACCEPTs what the last poll returned) and
   * waits for the answers. Returns, per partition acknowledged since the last commitSync, null or
   * the error the broker answered (e.g. INVALID_RECORD_STATE once the lock had run out).
   */
  async commitSync(): Promise<Map<string, ApiError | null>> {
    this.ensureOpen();
    if (this.acknowledgementMode === 'implicit') this.settleLastPolled('commit');
    const partitions = new Set<string>();
    for (const byPartition of this.pending.values()) for (const key of byPartition.keys()) partitions.add(key);
    for (const key of this.ackErrors.keys()) partitions.add(key);
    await Promise.all(
      [...this.pending.keys()].map((brokerId) => {
        const fetchAhead = this.fetchAheadPartitions(brokerId);
        if (fetchAhead === null) return this.enqueue(brokerId, () => this.sendAcknowledge(brokerId, false));
        const state = this.broker(brokerId);
        state.fetching = true;
        return this.enqueue(brokerId, () => this.fetchFrom(brokerId, fetchAhead, 0, true)).finally(() => {
          state.fetching = false;
          this.wakeup.notify();
        });
      }),
    );
    const results = new Map<string, ApiError | null>();
    for (const key of partitions) results.set(key, this.ackErrors.get(key) ?? null);
    this.ackErrors = new Map();
    return results;
  }

  /**
   * Implicit mode ACCEPTs what the last poll returned; then every share session is closed (epoch
   * -1, carrying the pending acknowledgements), releasing whatever else this member holds.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.acknowledgementMode === 'implicit') this.settleLastPolled('commit');
    this.closed = true;
    this.wakeup.notify();
    const brokerIds = new Set([
      ...this.pending.keys(),
      ...[...this.brokers].filter(([, b]) => b.sessionEpoch > 0 || b.fetching).map(([id]) => id),
    ]);
    await Promise.all(
      [...brokerIds].map((brokerId) =>
        this.enqueue(brokerId, () => this.sendAcknowledge(brokerId, true)).catch(() => undefined),
      ),
    );
    await this.membership.close().catch(() => undefined);
    this.metadata.close();
  }

  // ------------------------------------------------------------------ internals

  private ensureOpen(): void {
    if (this.closed) throw new ApiError('INVALID_REQUEST', 'the share consumer is closed');
  }

  /** Implicit: the previous poll's records become ACCEPTs. Explicit (before a poll): all must be acknowledged. */
  private settleLastPolled(when: 'poll' | 'commit'): void {
    if (this.acknowledgementMode === 'explicit') {
      const open = this.lastPolled.filter((d) => d.type === null);
      if (when === 'poll' && open.length > 0) {
        throw new ApiError(
          'INVALID_REQUEST',
          `${open.length} record(s) of the previous poll() are not acknowledged; acknowledge every record before polling again (share.acknowledgement.mode=explicit)`,
        );
      }
      if (when === 'poll') this.lastPolled = [];
      return;
    }
    // A poll's records come a partition at a time: its pending acknowledgements are looked up once per run.
    let acks: PartitionAcknowledgements | null = null;
    let acksBrokerId = -1;
    for (const d of this.lastPolled) {
      if (d.type !== null) continue;
      d.type = 'ACCEPT';
      const { topic, partition, offset } = d.record;
      if (acks === null || acksBrokerId !== d.brokerId || acks.topic !== topic || acks.partition !== partition) {
        acks = this.acknowledgementsOf(d.brokerId, topic, partition);
        acksBrokerId = d.brokerId;
      }
      acks.add(offset, 'ACCEPT');
    }
    this.lastPolled = [];
  }

  /** The pending acknowledgements of one partition fetched from `brokerId`. */
  private acknowledgementsOf(brokerId: number, topic: string, partition: number): PartitionAcknowledgements {
    let byPartition = this.pending.get(brokerId);
    if (byPartition === undefined) this.pending.set(brokerId, (byPartition = new Map()));
    const key = keyOf(topic, partition);
    let acks = byPartition.get(key);
    if (acks === undefined) byPartition.set(key, (acks = new PartitionAcknowledgements(topic, partition)));
    return acks;
  }

  private queueAck(
    brokerId: number,
    topic: string,
    partition: number,
    offset: number,
    type: ShareAcknowledgeType,
  ): void {
    this.acknowledgementsOf(brokerId, topic, partition).add(offset, type);
  }

  /** Takes the pending acknowledgements of `brokerId` as wire topics (sorted, merged ranges). */
  private takeAcks(
    brokerId: number,
    only?: ReadonlySet<string>,
  ): { topics: Map<string, ShareFetchTopicDraft>; taken: Map<string, Taken> } {
    const topics = new Map<string, ShareFetchTopicDraft>();
    const taken = new Map<string, Taken>();
    const byPartition = this.pending.get(brokerId);
    if (byPartition === undefined) return { topics, taken };
    for (const [key, acks] of byPartition) {
      if (only !== undefined && !only.has(key)) continue;
      byPartition.delete(key);
      const { topic, partition } = acks;
      const ranges = acks.take();
      taken.set(key, { topic, partition, ranges });
      let wire = topics.get(topic);
      if (wire === undefined) topics.set(topic, (wire = { name: topic, partitions: [] }));
      // Copies: `taken` keeps its ranges to put back, whatever the request's encoding does.
      wire.partitions.push({ partition, acknowledgements: ranges.map((r) => ({ ...r })) });
    }
    if (byPartition.size === 0) this.pending.delete(brokerId);
    return { topics, taken };
  }

  /** Puts acknowledgements back after a request that may not have reached the broker. */
  private requeue(brokerId: number, taken: Map<string, Taken>): void {
    for (const { topic, partition, ranges } of taken.values())
      this.acknowledgementsOf(brokerId, topic, partition).addRanges(ranges);
  }

  private broker(brokerId: number): BrokerState {
    let state = this.brokers.get(brokerId);
    if (state === undefined) {
      state = {
        sessionEpoch: 0,
        tail: Promise.resolve(),
        fetching: false,
        acking: false,
        buffered: [],
        undecoded: [],
        retryAtMs: 0,
        failures: 0,
      };
      this.brokers.set(brokerId, state);
    }
    return state;
  }

  /** Runs `send` after the requests to `brokerId` queued before it. */
  private enqueue(brokerId: number, send: () => Promise<void>): Promise<void> {
    const state = this.broker(brokerId);
    const run = state.tail.then(send);
    state.tail = run.catch(() => undefined);
    return run;
  }

  private nextEpoch(state: BrokerState): void {
    state.sessionEpoch = state.sessionEpoch >= MAX_SESSION_EPOCH ? 1 : state.sessionEpoch + 1;
  }

  private async ensureMetadata(): Promise<void> {
    const topics = [...new Set(this.membership.assignment().map((tp) => tp.topic))];
    if (topics.length === 0) return;
    const missing = topics.some((topic) => this.metadata.topic(topic) === undefined) || this.metadata.isStale();
    if (!missing) return;
    this.metadataRefresh ??= this.metadata.refresh(topics).finally(() => {
      this.metadataRefresh = null;
    });
    await this.metadataRefresh;
  }

  /** The assigned partitions, by the broker leading them (as far as the metadata knows). */
  private assignedByLeader(): Map<number, ShareTopicPartition[]> {
    const byBroker = new Map<number, ShareTopicPartition[]>();
    for (const tp of this.membership.assignment()) {
      const leader = this.metadata.leaderFor(tp.topic, tp.partition);
      if (leader === undefined) continue;
      const list = byBroker.get(leader.brokerId) ?? [];
      list.push(tp);
      byBroker.set(leader.brokerId, list);
    }
    return byBroker;
  }

  /**
   * commitSync's fetch ahead (see the header): the partitions to fetch from `brokerId` with its
   * pending ACCEPTs, or null when a ShareAcknowledge it is: explicit mode (a RELEASE must reach
   * other members, not come back to this one), anything but ACCEPT pending, acknowledgements for a
   * partition not fetched there, or a fetch the next poll would not make now (records buffered,
   * a request in flight, backing off, the broker's address unknown).
   */
  private fetchAheadPartitions(brokerId: number): ShareTopicPartition[] | null {
    if (this.acknowledgementMode !== 'implicit' || this.closed) return null;
    const state = this.broker(brokerId);
    if (state.fetching || state.acking || hasRecords(state) || state.retryAtMs > Date.now()) return null;
    if (!this.metadata.brokerAddresses().has(brokerId)) return null;
    const partitions = this.assignedByLeader().get(brokerId);
    if (partitions === undefined) return null;
    const assigned = new Set(partitions.map((tp) => keyOf(tp.topic, tp.partition)));
    for (const [key, acks] of this.pending.get(brokerId) ?? []) {
      if (!assigned.has(key) || !acks.onlyAccepts()) return null;
    }
    return partitions;
  }

  /** One ShareFetch per leader broker with assigned partitions, no buffered records and none in flight. */
  private startFetches(deadline: number): void {
    const byBroker = this.assignedByLeader();
    const nowMs = Date.now();
    for (const [brokerId, partitions] of byBroker) {
      const state = this.broker(brokerId);
      if (state.fetching || hasRecords(state) || state.retryAtMs > nowMs) continue;
      state.fetching = true;
      const maxWaitMs = Math.max(0, Math.min(this.fetchMaxWaitMs, deadline - nowMs));
      void this.enqueue(brokerId, () => this.fetchFrom(brokerId, partitions, maxWaitMs)).finally(() => {
        state.fetching = false;
        this.wakeup.notify();
      });
    }
    // A broker that leads none of the assigned partitions any more (the assignment moved) gets no
    // ShareFetch to carry its acknowledgements: send them on their own now, or those records stay
    // locked until their lock times out and are delivered again (Kafka acknowledges revoked partitions too).
    for (const [brokerId, byPartition] of this.pending) {
      if (byBroker.has(brokerId) || byPartition.size === 0) continue;
      const state = this.broker(brokerId);
      if (state.acking) continue;
      state.acking = true;
      void this.enqueue(brokerId, () => this.sendAcknowledge(brokerId, false))
        .catch(() => undefined)
        .finally(() => {
          state.acking = false;
        });
    }
  }

  /** `forCommit`: commitSync waits on this fetch, so a failed request is its acknowledgements' error too. */
  private async fetchFrom(
    brokerId: number,
    partitions: readonly ShareTopicPartition[],
    maxWaitMs: number,
    forCommit = false,
  ): Promise<void> {
    const state = this.broker(brokerId);
    const address = this.metadata.brokerAddresses().get(brokerId);
    if (address === undefined || this.closed) {
      // commitSync answers for these acknowledgements: on their own, with the error if they cannot go.
      if (forCommit) await this.sendAcknowledge(brokerId, false);
      return;
    }
    const assigned = new Set(partitions.map((tp) => keyOf(tp.topic, tp.partition)));
    // Acknowledgements for partitions no longer fetched here go out on their own first.
    if ([...(this.pending.get(brokerId)?.keys() ?? [])].some((key) => !assigned.has(key))) {
      const others = new Set([...(this.pending.get(brokerId)?.keys() ?? [])].filter((key) => !assigned.has(key)));
      await this.sendAcknowledge(brokerId, false, others);
    }
    const { topics: ackTopics, taken } = this.takeAcks(brokerId, assigned);
    const topics = new Map<string, ShareFetchTopicDraft>();
    for (const tp of partitions) {
      let wire = topics.get(tp.topic);
      if (wire === undefined) topics.set(tp.topic, (wire = { name: tp.topic, partitions: [] }));
      const acks =
        ackTopics.get(tp.topic)?.partitions.find((p) => p.partition === tp.partition)?.acknowledgements ?? [];
      wire.partitions.push({ partition: tp.partition, acknowledgements: acks });
    }
    const epoch = state.sessionEpoch;
    let response: ShareFetchResponse__Output;
    try {
      response = await unaryCall(
        this.metadata.client(address),
        'ShareFetch',
        {
          groupId: this.groupId,
          memberId: this.memberId,
          shareSessionEpoch: epoch,
          maxWaitMs,
          minBytes: this.fetchMinBytes,
          maxBytes: this.fetchMaxBytes,
          maxRecords: this.maxPollRecords,
          topics: [...topics.values()],
        },
        { timeoutMs: maxWaitMs + this.requestTimeoutMs },
      );
    } catch (error) {
      this.onRequestError(brokerId, error, taken);
      if (forCommit) {
        const apiError = error instanceof ApiError ? error : fromGrpcError(error);
        for (const key of taken.keys()) this.ackErrors.set(key, apiError);
      }
      return;
    }
    this.nextEpoch(state);
    state.failures = 0;
    let leaderMoved = false;
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        const key = keyOf(topic.name, p.partition);
        if (p.acknowledgeErrorName !== '')
          this.ackErrors.set(key, apiErrorFromName(p.acknowledgeErrorName, p.acknowledgeErrorMessage));
        else if (taken.has(key)) this.ackErrors.delete(key);
        if (p.errorName !== '') {
          if (LEADER_ERRORS.has(p.errorName)) leaderMoved = true;
          else if (!apiErrorFromName(p.errorName, p.errorMessage).retriable)
            this.fatal ??= apiErrorFromName(p.errorName, `${key}: ${p.errorMessage}`);
          continue;
        }
        this.deliver(state, topic.name, p);
      }
    }
    if (leaderMoved) {
      this.backOff(state);
      void this.metadata.refresh().catch(() => undefined);
    }
  }

  /** Keeps one partition's answer to decode off the request's path (see `undecoded`). */
  private deliver(state: BrokerState, topic: string, p: ShareFetchPartitionResult__Output): void {
    if (p.acquiredRecords.length === 0) return;
    state.undecoded.push({ topic, result: p });
    if (this.decodeScheduled) return;
    this.decodeScheduled = true;
    // While the application processes what it polled and its next commitSync is out, this event
    // loop is otherwise idle: the decoding happens then rather than before commitSync answers.
    setImmediate(() => {
      this.decodeScheduled = false;
      this.decodeAll();
    });
  }

  private decodeAll(): void {
    for (const [brokerId, state] of this.brokers) this.decodeBuffered(brokerId, state);
  }

  private decodeBuffered(brokerId: number, state: BrokerState): void {
    for (const { topic, result } of state.undecoded.splice(0)) this.decode(brokerId, state, topic, result);
  }

  /** Buffers the acquired records of one partition; acquired offsets without a record (compacted away) are rejected as gaps. */
  private decode(brokerId: number, state: BrokerState, topic: string, p: ShareFetchPartitionResult__Output): void {
    const ranges = p.acquiredRecords
      .map((r) => ({ first: Number(r.firstOffset), last: Number(r.lastOffset), deliveryCount: r.deliveryCount }))
      .sort((a, b) => a.first - b.first);
    // Records come in offset order: a cursor over the sorted ranges finds each one's delivery
    // count (from the start again should an offset ever go back).
    let cursor = 0;
    let previousOffset = -1;
    const deliveryCountOf = (offset: number): number | undefined => {
      if (offset < previousOffset) cursor = 0;
      previousOffset = offset;
      while (cursor < ranges.length && ranges[cursor]!.last < offset) cursor++;
      const range = ranges[cursor];
      return range !== undefined && offset >= range.first ? range.deliveryCount : undefined;
    };
    const seen = new OffsetsSeen();
    try {
      for (const view of iterateBatches(p.records)) {
        const batch = decodeRecordBatch(view, { verifyCrc: this.checkCrcs });
        if (batch.isControl) continue;
        const timestampType = batch.timestampType === 1 ? 'LogAppendTime' : 'CreateTime';
        for (const record of batch.records) {
          const deliveryCount = deliveryCountOf(record.offset);
          if (deliveryCount === undefined || !seen.add(record.offset)) continue;
          state.buffered.push({
            brokerId,
            type: null,
            record: {
              topic,
              partition: p.partition,
              offset: record.offset,
              timestamp: timestampType === 'LogAppendTime' ? batch.maxTimestamp : record.timestamp,
              timestampType,
              leaderEpoch: batch.partitionLeaderEpoch,
              key: record.key,
              value: record.value,
              headers: record.headers,
              deliveryCount,
            },
          });
        }
      }
    } catch (error) {
      // Undecodable records: released to be delivered again (the limit archives them eventually).
      for (const r of ranges)
        for (let o = r.first; o <= r.last; o++)
          if (!seen.has(o)) this.queueAck(brokerId, topic, p.partition, o, 'RELEASE');
      this.fatal ??= new ApiError('CORRUPT_MESSAGE', `${keyOf(topic, p.partition)}: ${(error as Error).message}`);
      return;
    }
    let acquired = 0;
    for (const r of ranges) acquired += r.last - r.first + 1;
    // Every acquired offset had its record (the usual case): no gap to look for.
    if (seen.count === acquired) return;
    for (const r of ranges)
      for (let o = r.first; o <= r.last; o++)
        if (!seen.has(o)) this.queueAck(brokerId, topic, p.partition, o, 'REJECT');
  }

  /** ShareAcknowledge with the pending acknowledgements (of `only`, when given); `final` closes the session. */
  private async sendAcknowledge(brokerId: number, final: boolean, only?: ReadonlySet<string>): Promise<void> {
    const state = this.broker(brokerId);
    const address = this.metadata.brokerAddresses().get(brokerId);
    const { topics, taken } = this.takeAcks(brokerId, only);
    if (address === undefined) {
      for (const key of taken.keys())
        this.ackErrors.set(
          key,
          new ApiError(
            'NOT_LEADER_OR_FOLLOWER',
            `broker ${brokerId} is not known any more; its records will be delivered again`,
          ),
        );
      return;
    }
    if (!final && topics.size === 0) return;
    // Nothing to close on a broker that never opened a session.
    if (final && topics.size === 0 && state.sessionEpoch === 0) return;
    let response: ShareAcknowledgeResponse__Output;
    try {
      response = await unaryCall(
        this.metadata.client(address),
        'ShareAcknowledge',
        {
          groupId: this.groupId,
          memberId: this.memberId,
          shareSessionEpoch: final ? -1 : state.sessionEpoch,
          topics: [...topics.values()],
        },
        { timeoutMs: this.requestTimeoutMs },
      );
    } catch (error) {
      const apiError = error instanceof ApiError ? error : fromGrpcError(error);
      if (final) {
        for (const key of taken.keys()) this.ackErrors.set(key, apiError);
        return;
      }
      // Requeued: they go again with the next request (a fresh session opens with ShareFetch).
      this.onRequestError(brokerId, apiError, taken);
      for (const key of taken.keys()) this.ackErrors.set(key, apiError);
      return;
    }
    if (final) state.sessionEpoch = 0;
    else this.nextEpoch(state);
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        const key = keyOf(topic.name, p.partition);
        if (p.errorName !== '') this.ackErrors.set(key, apiErrorFromName(p.errorName, p.errorMessage));
        else this.ackErrors.delete(key);
      }
    }
  }

  private onRequestError(brokerId: number, error: unknown, taken: Map<string, Taken>): void {
    const state = this.broker(brokerId);
    const apiError = error instanceof ApiError ? error : fromGrpcError(error);
    // Whatever the broker did with the request, a new session starts with epoch 0 (also after a
    // lost answer), and its acknowledgements go again with the next request (applied twice they
    // are INVALID_RECORD_STATE, which changes nothing).
    state.sessionEpoch = 0;
    this.requeue(brokerId, taken);
    this.backOff(state);
    if (SESSION_ERRORS.has(apiError.errorName)) return;
    if (apiError.retriable) void this.metadata.refresh().catch(() => undefined);
    else this.fatal ??= apiError;
  }

  private backOff(state: BrokerState): void {
    state.failures++;
    state.retryAtMs = Date.now() + backoffMs(state.failures, this.retryBackoffMs, this.retryBackoffMaxMs);
  }

  private drainBuffered(): ShareConsumerRecord[] {
    const out: Delivered[] = [];
    for (const [brokerId, state] of this.brokers) {
      this.decodeBuffered(brokerId, state);
      if (state.buffered.length === 0) continue;
      out.push(...state.buffered.splice(0, this.maxPollRecords - out.length));
      if (out.length >= this.maxPollRecords) break;
    }
    this.lastPolled = out;
    return out.map((d) => d.record);
  }
}
