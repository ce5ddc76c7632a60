/**
 * A consumer's membership in a consumer group, the KIP-848 way: the client heartbeats its
 * subscription and what it owns; the coordinator computes the assignment and answers with the
 * partitions this member may own at its member epoch. The client only reconciles:
 * - partitions no longer assigned are revoked first (their consumed positions committed when
 *   auto commit is on), then the next heartbeat reports what it still owns, which lets the
 *   coordinator hand them to others;
 * - newly assigned partitions start at the group's committed offset, else auto.offset.reset.
 * Fenced (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID): every partition is dropped without committing
 * and the member rejoins at epoch 0. Coordinator moved or loading: find it again and retry.
 *
 * Wake-ups: once a member, the client also holds a ConsumerGroupWakeups stream to the coordinator,
 * which tells it when its next heartbeat would learn something (a new target assignment,
 * partitions it waits for released); it then heartbeats at once instead of at its next interval.
 * The stream carries no state: everything still goes through the heartbeat. A broken or refused
 * stream only means waiting for the interval again; it is reopened with backoff (after
 * UNIMPLEMENTED, an older coordinator, not for a minute).
 *
 * The consumer side is behind `GroupConsumerHooks` so this file holds the protocol only.
 */
import { randomUUID } from 'node:crypto';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { fromGrpcError, unaryCall, type ClientSecurity } from '@sluice/proto';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupWakeupsResponse__Output,
  CoordinatorClient,
  TopicPartitions,
  UnaryMethodName,
  UnaryRequest,
  UnaryResponse,
} from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import type { TopicPartition } from './accumulator';
import { parseBootstrap } from './controller-channel';
import { topicRegexSource } from './topic-regex';
import { apiErrorFromName, isStreamCredentialExpired } from './errors';
import { backoffMs } from './producer-config';
import { SharedCoordinators } from './shared-coordinators';

type CoordinatorMethod = UnaryMethodName<CoordinatorClient>;

export interface GroupOptions {
  /** TLS and bearer token; default: the process default (plaintext unless set). */
  readonly security?: ClientSecurity;
  readonly groupId: string;
  /** Coordinator addresses (any of them answers FindCoordinator). */
  readonly coordinators: string | readonly string[];
  /** group.instance.id: static membership. */
  readonly groupInstanceId?: string;
  /** group.remote.assignor: uniform or range; default the group's. */
  readonly groupRemoteAssignor?: string;
  /** max.poll.interval.ms, sent as the rebalance timeout (Kafka default 300000). */
  readonly rebalanceTimeoutMs?: number;
  readonly clientId?: string;
  readonly requestTimeoutMs?: number;
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
  /**
   * Whether to hold a ConsumerGroupWakeups stream (see above); default true. Off: the member hears
   * of changes only on its heartbeats, as a plain KIP-848 client.
   */
  readonly wakeups?: boolean;
}

/** How long a coordinator that answered the wake-up stream UNIMPLEMENTED is not asked again. */
const WAKEUPS_UNIMPLEMENTED_RETRY_MS = 60_000;

export interface CommittedPosition {
  readonly topicPartition: TopicPartition;
  readonly offset: number;
}

/** What the membership asks of the consumer it drives. */
export interface GroupConsumerHooks {
  /** The partitions the consumer now owns (assigned + kept); it starts fetching new ones from `start`. */
  setAssignment(owned: readonly TopicPartition[], start: ReadonlyMap<string, number | null>): void;
  /** Positions to commit for these partitions (what poll() handed out). */
  positions(partitions: readonly TopicPartition[]): CommittedPosition[];
  /** Whether positions of revoked partitions are committed before they go (enable.auto.commit). */
  readonly autoCommit: boolean;
  /** When the application last called poll() (ms since the epoch). */
  lastPollMs(): number;
}

type Status = 'joining' | 'member' | 'leaving' | 'closed';

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class GroupMembership {
  readonly groupId: string;
  readonly memberId: string = randomUUID();
  private readonly bootstrap: readonly string[];
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  /** This process's coordinator clients and FindCoordinator answers, shared with its other members. */
  private readonly coordinators: SharedCoordinators;
  private coordinatorsReleased = false;
  private coordinatorAddress: string | null = null;
  private memberEpoch = 0;
  private status: Status = 'joining';
  private subscription: readonly string[] = [];
  /** subscribe(RegExp): the pattern's source, resolved to topics by the coordinator; null with topic names. */
  private subscriptionRegex: string | null = null;
  private subscriptionSent = false;
  private owned = new Map<string, TopicPartition>();
  private heartbeatIntervalMs = 1_000;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private failures = 0;
  private pollTimedOut = false;
  private lastError: ApiError | null = null;
  /** The open wake-up stream and the coordinator it goes to; null: none (see ensureWakeups). */
  private wakeupStream: {
    readonly call: ClientReadableStream<ConsumerGroupWakeupsResponse__Output>;
    readonly address: string;
  } | null = null;
  private wakeupFailures = 0;
  /** Not before this time (ms since the epoch) is a broken wake-up stream reopened. */
  private wakeupRetryAtMs = 0;
  /** A wake-up came while a heartbeat was out: heartbeat again as soon as it is answered. */
  private wokenWhileRunning = false;
  /**
   * Heartbeats sent, reconciliations made, wake-ups heard, failed calls to the coordinator by
   * `method error` (tests and benches read these).
   */
  stats = { heartbeats: 0, revoked: 0, assigned: 0, fenced: 0, wakeups: 0, failedCalls: new Map<string, number>() };

  constructor(
    private readonly options: GroupOptions,
    private readonly hooks: GroupConsumerHooks,
  ) {
    if (typeof options.groupId !== 'string' || options.groupId === '')
      throw new ApiError('INVALID_GROUP_ID', 'group.id must be a non-empty string');
    this.groupId = options.groupId;
    this.bootstrap = parseBootstrap(options.coordinators);
    this.coordinators = SharedCoordinators.acquire(options.security);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.retryBackoffMaxMs = options.retryBackoffMaxMs ?? 1_000;
  }

  get epoch(): number {
    return this.memberEpoch;
  }

  /** The last error a heartbeat or commit met (cleared by the next success). */
  get error(): ApiError | null {
    return this.lastError;
  }

  ownedPartitions(): TopicPartition[] {
    return [...this.owned.values()];
  }

  /** Topic names, or a pattern the coordinator matches against every topic name (see topic-regex.ts). */
  subscribe(topics: readonly string[] | RegExp): void {
    if (this.status === 'closed' || this.status === 'leaving')
      throw new ApiError('INVALID_REQUEST', 'the consumer is closed');
    const hadNames = this.subscription.length > 0;
    const hadPattern = this.subscriptionRegex !== null;
    // As Kafka's consumer: topic names and a pattern are exclusive (the wire cannot clear a pattern).
    if ((topics instanceof RegExp && hadNames) || (!(topics instanceof RegExp) && hadPattern)) {
      throw new ApiError(
        'INVALID_REQUEST',
        'subscriptions to topic names and to a pattern are mutually exclusive; use a new consumer to switch',
      );
    }
    if (topics instanceof RegExp) {
      this.subscriptionRegex = topicRegexSource(topics);
      this.subscription = [];
    } else {
      if (topics.length === 0 || topics.some((t) => typeof t !== 'string' || t === ''))
        throw new ApiError('INVALID_REQUEST', 'subscribe needs at least one topic name');
      this.subscription = [...new Set(topics)].sort();
      this.subscriptionRegex = null;
    }
    this.subscriptionSent = false;
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.status === 'closed' || this.status === 'leaving') return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.beat(), delayMs);
  }

  private async beat(): Promise<void> {
    if (this.running !== null) return;
    this.running = this.heartbeatOnce().finally(() => {
      this.running = null;
      if (this.wokenWhileRunning) {
        this.wokenWhileRunning = false;
        this.schedule(0);
      }
    });
    await this.running;
  }

  /** Whether a wake-up stream is open to the coordinator (tests read this). */
  get wakeupStreamOpen(): boolean {
    return this.wakeupStream !== null;
  }

  /** A wake-up from the coordinator: heartbeat now (or right after the one out). */
  private woken(): void {
    this.stats.wakeups++;
    if (this.running !== null) this.wokenWhileRunning = true;
    else this.schedule(0);
  }

  /** Opens the wake-up stream to the current coordinator when it is not open there (and not backing off). */
  private ensureWakeups(): void {
    const address = this.coordinatorAddress;
    if (this.options.wakeups === false || this.status !== 'member' || this.memberEpoch <= 0 || address === null) return;
    if (this.wakeupStream !== null && this.wakeupStream.address === address) return;
    if (Date.now() < this.wakeupRetryAtMs) return;
    this.closeWakeups();
    const call = this.client(address).ConsumerGroupWakeups({ groupId: this.groupId, memberId: this.memberId });
    const stream = { call, address };
    this.wakeupStream = stream;
    call.on('data', () => {
      this.wakeupFailures = 0;
      this.woken();
    });
    const broken = (error: ApiError | null): void => {
      if (this.wakeupStream !== stream) return;
      this.wakeupStream = null;
      // Ended by the coordinator (a newer stream of ours, or it stopped): reopen on the next heartbeat.
      if (error === null) return;
      // Its token expired (KIP-368): reopen now, once, as the new call asks the token source afresh;
      // a refusal of that one (no fresh token) backs off as any failure.
      if (isStreamCredentialExpired(error) && this.wakeupFailures === 0) {
        this.wakeupFailures++;
        this.wakeupRetryAtMs = 0;
        return this.ensureWakeups();
      }
      this.wakeupFailures++;
      this.wakeupRetryAtMs =
        Date.now() +
        (error.errorName === 'UNSUPPORTED_VERSION' || /UNIMPLEMENTED/.test(error.message)
          ? WAKEUPS_UNIMPLEMENTED_RETRY_MS
          : backoffMs(this.wakeupFailures, this.retryBackoffMs, this.retryBackoffMaxMs));
    };
    call.on('error', (error: unknown) => broken(error instanceof ApiError ? error : fromGrpcError(error)));
    call.on('end', () => broken(null));
  }

  private closeWakeups(): void {
    const stream = this.wakeupStream;
    this.wakeupStream = null;
    stream?.call.cancel();
  }

  /**
   * The application polls again after max.poll.interval.ms passed without a poll: rejoin. (Kafka's
   * consumer leaves the group when poll() is not called within max.poll.interval.ms, so a stuck
   * application does not hold partitions that others could consume.)
   */
  onPoll(): void {
    if (this.pollTimedOut) {
      this.pollTimedOut = false;
      this.schedule(0);
    }
  }

  private async heartbeatOnce(): Promise<void> {
    if (
      this.status === 'closed' ||
      this.status === 'leaving' ||
      (this.subscription.length === 0 && this.subscriptionRegex === null) ||
      this.pollTimedOut
    )
      return;
    const rebalanceTimeoutMs = this.options.rebalanceTimeoutMs ?? 300_000;
    if (this.memberEpoch > 0 && Date.now() - this.hooks.lastPollMs() > rebalanceTimeoutMs) {
      this.pollTimedOut = true;
      const epoch = this.options.groupInstanceId === undefined ? -1 : -2;
      await this.call('ConsumerGroupHeartbeat', { ...this.leaveRequest(), memberEpoch: epoch }).catch(() => undefined);
      this.owned.clear();
      this.hooks.setAssignment([], new Map());
      this.memberEpoch = 0;
      this.lastError = new ApiError(
        'REBALANCE_IN_PROGRESS',
        `poll() was not called for max.poll.interval.ms ${rebalanceTimeoutMs}: left the group; the next poll() rejoins`,
      );
      return;
    }
    const joining = this.memberEpoch === 0;
    // The names (or the pattern) go only with a join or a change, as the wire allows ("unchanged"
    // otherwise): not encoded, decoded and (a pattern) compiled again on every heartbeat.
    const sendNames = joining || !this.subscriptionSent;
    const request: ConsumerGroupHeartbeatRequest = {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: this.memberEpoch,
      instanceId: this.options.groupInstanceId ?? '',
      rackId: '',
      clientId: this.options.clientId ?? 'sluice-client',
      rebalanceTimeoutMs: joining ? rebalanceTimeoutMs : 0,
      subscribedTopicNames: sendNames ? [...this.subscription] : [],
      subscribedTopicNamesSet: sendNames,
      // '' means "unchanged" to the coordinator; subscribe() refuses to switch between names and a pattern.
      subscribedTopicRegex: sendNames ? (this.subscriptionRegex ?? '') : '',
      serverAssignor: this.options.groupRemoteAssignor ?? '',
      owned: joining ? [] : this.ownedList(),
      ownedSet: true,
    };
    try {
      const response = await this.call('ConsumerGroupHeartbeat', request);
      this.stats.heartbeats++;
      this.failures = 0;
      this.lastError = null;
      this.subscriptionSent = true;
      this.status = 'member';
      this.memberEpoch = response.memberEpoch;
      this.heartbeatIntervalMs = Math.max(50, response.heartbeatIntervalMs);
      const changed = response.assignmentSet ? await this.reconcile(response.assignment) : false;
      // After a revocation or new partitions the coordinator wants to hear at once what we own.
      this.schedule(changed ? 0 : this.heartbeatIntervalMs);
      this.ensureWakeups();
    } catch (error) {
      const apiError = error instanceof ApiError ? error : fromGrpcError(error);
      this.lastError = apiError;
      if (apiError.errorName === 'FENCED_MEMBER_EPOCH' || apiError.errorName === 'UNKNOWN_MEMBER_ID') {
        // Fenced: whatever we own may already be someone else's; drop it without committing.
        this.stats.fenced++;
        this.closeWakeups();
        this.owned.clear();
        this.hooks.setAssignment([], new Map());
        this.memberEpoch = 0;
        this.schedule(0);
        return;
      }
      if (
        [
          'NOT_COORDINATOR',
          'COORDINATOR_NOT_AVAILABLE',
          'COORDINATOR_LOAD_IN_PROGRESS',
          'NETWORK_EXCEPTION',
          'REQUEST_TIMED_OUT',
        ].includes(apiError.errorName)
      ) {
        this.dropCoordinator(null);
      }
      this.failures++;
      this.schedule(
        apiError.retriable || apiError.errorName === 'NOT_COORDINATOR'
          ? backoffMs(this.failures, this.retryBackoffMs, this.retryBackoffMaxMs)
          : this.heartbeatIntervalMs,
      );
    }
  }

  /** Applies the coordinator's answer; true when ownership changed. */
  private async reconcile(assignment: readonly { topic: string; partitions: readonly number[] }[]): Promise<boolean> {
    const target = new Map<string, TopicPartition>();
    for (const entry of assignment)
      for (const partition of entry.partitions)
        target.set(key(entry.topic, partition), { topic: entry.topic, partition });
    const revoked = [...this.owned].filter(([k]) => !target.has(k)).map(([, tp]) => tp);
    const added = [...target].filter(([k]) => !this.owned.has(k)).map(([, tp]) => tp);
    if (revoked.length === 0 && added.length === 0) return false;
    if (revoked.length > 0) {
      if (this.hooks.autoCommit) await this.commit(this.hooks.positions(revoked)).catch(() => undefined);
      for (const tp of revoked) this.owned.delete(key(tp.topic, tp.partition));
      this.stats.revoked += revoked.length;
    }
    const start = new Map<string, number | null>();
    if (added.length > 0) {
      const committed = await this.fetchCommitted(added).catch(() => new Map<string, number>());
      for (const tp of added) {
        this.owned.set(key(tp.topic, tp.partition), tp);
        start.set(key(tp.topic, tp.partition), committed.get(key(tp.topic, tp.partition)) ?? null);
      }
      this.stats.assigned += added.length;
    }
    this.hooks.setAssignment([...this.owned.values()], start);
    return true;
  }

  /** Commits positions at the current member epoch; rejects with the first partition error. */
  async commit(positions: readonly CommittedPosition[]): Promise<void> {
    if (positions.length === 0) return;
    const topics = new Map<string, { partition: number; offset: number; leaderEpoch: number; metadata: string }[]>();
    for (const { topicPartition, offset } of positions) {
      const list = topics.get(topicPartition.topic) ?? [];
      list.push({ partition: topicPartition.partition, offset, leaderEpoch: -1, metadata: '' });
      topics.set(topicPartition.topic, list);
    }
    const response = await this.callRetrying('OffsetCommit', {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: this.memberEpoch,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    });
    for (const topic of response.topics) {
      for (const p of topic.partitions) if (p.errorName !== '') throw apiErrorFromName(p.errorName, p.errorMessage);
    }
  }

  /** The group's committed offsets for these partitions (absent: none committed). */
  async fetchCommitted(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const response = await this.callRetrying('OffsetFetch', {
      groupId: this.groupId,
      partitions: [...byTopic].map(([topic, list]) => ({ topic, partitions: list })),
    });
    const result = new Map<string, number>();
    for (const o of response.offsets)
      if (Number(o.offset) >= 0) result.set(key(o.topic, o.partition), Number(o.offset));
    return result;
  }

  /** Leaves the group (epoch -1, or -2 for a static member so its partitions wait for it). */
  async leave(): Promise<void> {
    if (this.status === 'closed') return;
    const wasMember = this.status === 'member' && this.memberEpoch > 0;
    this.status = 'leaving';
    clearTimeout(this.timer);
    this.closeWakeups();
    await this.running?.catch(() => undefined);
    if (wasMember) {
      const epoch = this.options.groupInstanceId === undefined ? -1 : -2;
      await this.call('ConsumerGroupHeartbeat', { ...this.leaveRequest(), memberEpoch: epoch }).catch(() => undefined);
    }
    this.owned.clear();
    this.status = 'closed';
    // Once, though leave() may be called again while the first is still out.
    if (!this.coordinatorsReleased) {
      this.coordinatorsReleased = true;
      this.coordinators.release();
    }
  }

  private leaveRequest(): ConsumerGroupHeartbeatRequest {
    return {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: -1,
      instanceId: this.options.groupInstanceId ?? '',
      rackId: '',
      clientId: '',
      rebalanceTimeoutMs: 0,
      subscribedTopicNames: [],
      subscribedTopicNamesSet: false,
      subscribedTopicRegex: '',
      serverAssignor: '',
      owned: [],
      ownedSet: false,
    };
  }

  private ownedList(): TopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const tp of this.owned.values()) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
  }

  private client(address: string): CoordinatorClient {
    return this.coordinators.client(address);
  }

  /**
   * The coordinator did not serve us (moved, loading, unreachable): forget its address, here and
   * in the process's cache when it still holds it, and go to `hint` (NOT_COORDINATOR's) or find it again.
   */
  private dropCoordinator(hint: string | null): void {
    if (this.coordinatorAddress !== null)
      this.coordinators.forget(this.groupId, this.bootstrap, this.coordinatorAddress);
    this.coordinatorAddress = hint;
  }

  /**
   * A commit or offset fetch: retried on retriable errors (coordinator moved, restarting or
   * loading; unreachable) with backoff until request.timeout.ms. Member-epoch errors are final.
   */
  private async callRetrying<M extends CoordinatorMethod>(
    method: M,
    request: UnaryRequest<CoordinatorClient, M>,
  ): Promise<UnaryResponse<CoordinatorClient, M>> {
    const deadline = Date.now() + this.requestTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call(method, request);
      } catch (error) {
        const apiError = error instanceof ApiError ? error : fromGrpcError(error);
        const retriable = apiError.retriable || apiError.errorName === 'NOT_COORDINATOR';
        if (!retriable || Date.now() >= deadline || this.status === 'closed') throw apiError;
        if (apiError.errorName !== 'NOT_COORDINATOR') this.dropCoordinator(null);
        await new Promise((resolve) =>
          setTimeout(
            resolve,
            Math.min(
              Math.max(0, deadline - Date.now()),
              backoffMs(attempt, this.retryBackoffMs, this.retryBackoffMaxMs),
            ),
          ),
        );
      }
    }
  }

  /** One call to the group's coordinator, finding it first when unknown. */
  private async call<M extends CoordinatorMethod>(
    method: M,
    request: UnaryRequest<CoordinatorClient, M>,
  ): Promise<UnaryResponse<CoordinatorClient, M>> {
    this.coordinatorAddress ??= await this.findCoordinator();
    try {
      return await unaryCall(this.client(this.coordinatorAddress), method, request, {
        timeoutMs: this.requestTimeoutMs,
      });
    } catch (error) {
      const apiError = error instanceof ApiError ? error : fromGrpcError(error);
      const failed = `${method} ${apiError.errorName}`;
      this.stats.failedCalls.set(failed, (this.stats.failedCalls.get(failed) ?? 0) + 1);
      if (apiError.errorName === 'NOT_COORDINATOR') this.dropCoordinator(apiError.detail.coordinatorAddress ?? null);
      throw apiError;
    }
  }

  private findCoordinator(): Promise<string> {
    return this.coordinators.find(this.groupId, this.bootstrap, this.requestTimeoutMs);
  }
}
