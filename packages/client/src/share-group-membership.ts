/**
 * A share consumer's membership in a share group (KIP-932's ShareGroupHeartbeat): the client
 * heartbeats its subscription; the coordinator answers with the partitions this member fetches
 * from (several members may share a partition: the partition leader hands records out under
 * locks, so there is nothing to revoke and no owned list to report). A new assignment applies at
 * once; listeners hear every change.
 *
 * Fenced (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID, e.g. after the session timed out): the
 * assignment is dropped and the member rejoins at epoch 0. Coordinator moved, loading or
 * unreachable: it is found again (FindCoordinator through the locator) with bounded backoff.
 *
 * The ShareConsumer uses `assignment()` / `onAssignmentChange` to know which partitions to
 * ShareFetch from; this file holds the protocol only.
 */
import { randomUUID } from 'node:crypto';
import { unaryCall, type ClientSecurity } from '@sluice/proto';
import type { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse__Output } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import type { TopicPartition } from './accumulator';
import { asApiError, COORDINATOR_RETRIABLE_ERRORS, CoordinatorLocator } from './coordinator-locator';
import { backoffMs } from './producer-config';

export interface ShareGroupOptions {
  /** TLS and bearer token; default: the process default (plaintext unless set). */
  readonly security?: ClientSecurity;
  readonly groupId: string;
  /** Coordinator addresses (any of them answers FindCoordinator). */
  readonly coordinators: string | readonly string[];
  readonly clientId?: string;
  /** client.rack */
  readonly rackId?: string;
  readonly requestTimeoutMs?: number;
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
}

export type ShareAssignmentListener = (assignment: readonly TopicPartition[]) => void;

type Status = 'idle' | 'running' | 'stopping' | 'closed';

/** Listeners beyond this are refused: each is called on every change, so they must stay few. */
const MAX_LISTENERS = 64;

export class ShareGroupMembership {
  readonly groupId: string;
  readonly memberId: string = randomUUID();
  private readonly locator: CoordinatorLocator;
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  private coordinatorAddress: string | null = null;
  private epoch = 0;
  private status: Status = 'idle';
  private subscription: readonly string[] = [];
  private subscriptionSent = false;
  private assigned: TopicPartition[] = [];
  private readonly listeners = new Set<ShareAssignmentListener>();
  private heartbeatIntervalMs = 1_000;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private failures = 0;
  private lastError: ApiError | null = null;
  /** Heartbeats answered and times fenced (tests read these). */
  stats = { heartbeats: 0, fenced: 0, assignmentChanges: 0 };

  constructor(private readonly options: ShareGroupOptions) {
    if (typeof options.groupId !== 'string' || options.groupId === '')
      throw new ApiError('INVALID_GROUP_ID', 'group.id must be a non-empty string');
    this.groupId = options.groupId;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.retryBackoffMaxMs = options.retryBackoffMaxMs ?? 1_000;
    this.locator = new CoordinatorLocator(options.coordinators, this.requestTimeoutMs, options.security);
  }

  /** The member epoch (0 until joined, and again after being fenced). */
  get memberEpoch(): number {
    return this.epoch;
  }

  /** The last error a heartbeat met (cleared by the next success). */
  get error(): ApiError | null {
    return this.lastError;
  }

  /** The partitions this member fetches from now, sorted. */
  assignment(): TopicPartition[] {
    return this.assigned.map((tp) => ({ ...tp }));
  }

  /** Calls `listener` with the whole new assignment on every change; returns the unsubscribe. */
  onAssignmentChange(listener: ShareAssignmentListener): () => void {
    if (this.listeners.size >= MAX_LISTENERS)
      throw new ApiError('INVALID_REQUEST', `at most ${MAX_LISTENERS} assignment listeners`);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets the subscription; sent with the next heartbeat (at once when started). */
  subscribe(topics: readonly string[]): void {
    if (this.status === 'closed') throw new ApiError('INVALID_REQUEST', 'the share group membership is closed');
    if (topics.length === 0 || topics.some((t) => typeof t !== 'string' || t === ''))
      throw new ApiError('INVALID_REQUEST', 'subscribe needs at least one topic name');
    this.subscription = [...new Set(topics)].sort();
    this.subscriptionSent = false;
    if (this.status === 'running') this.schedule(0);
  }

  /** Starts heartbeating (joins once subscribed). */
  start(): void {
    if (this.status === 'closed') throw new ApiError('INVALID_REQUEST', 'the share group membership is closed');
    if (this.status === 'running') return;
    this.status = 'running';
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.status !== 'running') return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.beat(), delayMs);
  }

  private async beat(): Promise<void> {
    if (this.running !== null) return;
    this.running = this.heartbeatOnce().finally(() => {
      this.running = null;
    });
    await this.running;
  }

  private async heartbeatOnce(): Promise<void> {
    if (this.status !== 'running' || this.subscription.length === 0) return;
    const joining = this.epoch === 0;
    const request: ShareGroupHeartbeatRequest = {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: this.epoch,
      rackId: this.options.rackId ?? '',
      clientId: this.options.clientId ?? 'sluice-client',
      subscribedTopicNames: [...this.subscription],
      subscribedTopicNamesSet: joining || !this.subscriptionSent,
    };
    try {
      const response = await this.call(request);
      if (this.status !== 'running') return;
      this.stats.heartbeats++;
      this.failures = 0;
      this.lastError = null;
      this.subscriptionSent = true;
      this.epoch = response.memberEpoch;
      this.heartbeatIntervalMs = Math.max(50, response.heartbeatIntervalMs);
      if (response.assignmentSet)
        this.setAssignment(
          response.assignment.flatMap((entry) =>
            entry.partitions.map((partition) => ({ topic: entry.topic, partition })),
          ),
        );
      this.schedule(this.heartbeatIntervalMs);
    } catch (error) {
      const apiError = asApiError(error);
      this.lastError = apiError;
      if (apiError.errorName === 'FENCED_MEMBER_EPOCH' || apiError.errorName === 'UNKNOWN_MEMBER_ID') {
        this.stats.fenced++;
        this.epoch = 0;
        this.setAssignment([]);
        this.schedule(0);
        return;
      }
      this.failures++;
      if (COORDINATOR_RETRIABLE_ERRORS.has(apiError.errorName)) {
        this.schedule(backoffMs(this.failures, this.retryBackoffMs, this.retryBackoffMaxMs));
      } else {
        // Not ours to fix (e.g. GROUP_ID_NOT_FOUND: the id is a consumer group's): keep trying slowly, `error` says why.
        this.schedule(this.heartbeatIntervalMs);
      }
    }
  }

  private setAssignment(next: TopicPartition[]): void {
    next.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    const same =
      next.length === this.assigned.length &&
      next.every((tp, i) => tp.topic === this.assigned[i]!.topic && tp.partition === this.assigned[i]!.partition);
    if (same) return;
    this.assigned = next;
    this.stats.assignmentChanges++;
    const snapshot = this.assignment();
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch {
        // A listener's failure is its own; the membership goes on.
      }
    }
  }

  /** Leaves the group (epoch -1) and stops heartbeating; start() joins again as a new member epoch. */
  async leave(): Promise<void> {
    if (this.status === 'closed') return;
    const wasMember = this.epoch > 0;
    this.status = 'stopping';
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    if (wasMember) {
      await this.call({
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: -1,
        rackId: '',
        clientId: '',
        subscribedTopicNames: [],
        subscribedTopicNamesSet: false,
      }).catch(() => undefined);
    }
    this.epoch = 0;
    this.setAssignment([]);
    this.status = 'idle';
  }

  /** Leaves and releases the connections; the membership cannot be used again. */
  async close(): Promise<void> {
    if (this.status === 'closed') return;
    await this.leave();
    this.status = 'closed';
    this.listeners.clear();
    this.locator.close();
  }

  /** One heartbeat to the group's coordinator, finding it first when unknown. */
  private async call(request: ShareGroupHeartbeatRequest): Promise<ShareGroupHeartbeatResponse__Output> {
    this.coordinatorAddress ??= await this.locator.find(this.groupId, 'GROUP');
    try {
      return await unaryCall(this.locator.client(this.coordinatorAddress), 'ShareGroupHeartbeat', request, {
        timeoutMs: this.requestTimeoutMs,
      });
    } catch (error) {
      const apiError = asApiError(error);
      if (apiError.errorName === 'NOT_COORDINATOR')
        this.coordinatorAddress = apiError.detail.coordinatorAddress ?? null;
      else if (COORDINATOR_RETRIABLE_ERRORS.has(apiError.errorName)) this.coordinatorAddress = null;
      throw apiError;
    }
  }
}
