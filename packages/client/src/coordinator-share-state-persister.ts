/**
 * The partition leaders' ShareStatePersister over the share coordinator (KIP-932's default
 * persister): each share partition's state lives with the coordinator that FindCoordinator(SHARE)
 * names for `group:topic:partition`; the answer is cached per key (bounded).
 *
 * Retries: a moved, loading or unreachable coordinator (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE, network errors, the coordinator's own write not reaching its ISR) is
 * found again and asked again with bounded backoff until request.timeout.ms, then the call
 * rejects with COORDINATOR_NOT_AVAILABLE (or REQUEST_TIMED_OUT). Fencing (FENCED_LEADER_EPOCH,
 * FENCED_STATE_EPOCH) and INVALID_REQUEST are final: retrying cannot change them.
 *
 * Retrying a write whose answer was lost is safe: a snapshot replaces the state, and an update
 * sets absolute states for its offsets, so applying it twice gives the same state. The leader
 * writes one share partition's changes one at a time, so nothing of its own overtakes a retry.
 */
import { unaryCall } from '@sluice/proto';
import type { CoordinatorClient, ShareStateRange, UnaryRequest, UnaryResponse } from '@sluice/proto';
import type { DurableRecordState, ShareStateSnapshot, ShareStateUpdate } from '@sluice/protocol';
import { ApiError } from '@sluice/protocol';
import { asApiError, COORDINATOR_RETRIABLE_ERRORS, CoordinatorLocator } from './coordinator-locator';
import { apiErrorFromName } from './errors';
import { backoffMs } from './producer-config';
import { shareStateKeyString, type ShareStateKey, type ShareStatePersister } from './share-state-persister';

export interface CoordinatorShareStatePersisterOptions {
  /** Coordinator addresses (any of them answers FindCoordinator). */
  readonly coordinators: string | readonly string[];
  /** Total time one read or write may take, retries included. Default 30000. */
  readonly requestTimeoutMs?: number;
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
  /** Most share partitions whose coordinator address is remembered. Default 10000. */
  readonly maxCachedCoordinators?: number;
}

const FENCING_ERRORS: ReadonlySet<string> = new Set(['FENCED_LEADER_EPOCH', 'FENCED_STATE_EPOCH']);

export class CoordinatorShareStatePersister implements ShareStatePersister {
  private readonly locator: CoordinatorLocator;
  private readonly requestTimeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  private readonly maxCached: number;
  /** share key -> coordinator address; oldest first (Map order), trimmed to maxCached. */
  private readonly coordinators = new Map<string, string>();
  private closed = false;
  /** Calls retried (tests and metrics read this). */
  stats = { retries: 0 };

  constructor(options: CoordinatorShareStatePersisterOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.retryBackoffMaxMs = options.retryBackoffMaxMs ?? 1_000;
    this.maxCached = options.maxCachedCoordinators ?? 10_000;
    if (!(this.requestTimeoutMs > 0) || !(this.maxCached >= 1))
      throw new RangeError('requestTimeoutMs and maxCachedCoordinators must be positive');
    this.locator = new CoordinatorLocator(options.coordinators, Math.min(this.requestTimeoutMs, 10_000));
  }

  async read(key: ShareStateKey, leaderEpoch: number): Promise<ShareStateSnapshot | null> {
    const response = await this.call(key, 'ReadShareGroupState', {
      groupId: key.groupId,
      topic: key.topic,
      partition: key.partition,
      leaderEpoch,
    });
    if (!response.found) return null;
    return {
      stateEpoch: response.stateEpoch,
      startOffset: Number(response.startOffset),
      ranges: response.ranges.map((r) => ({
        firstOffset: Number(r.firstOffset),
        lastOffset: Number(r.lastOffset),
        state: r.state as DurableRecordState,
        deliveryCount: r.deliveryCount,
      })),
    };
  }

  async write(
    key: ShareStateKey,
    leaderEpoch: number,
    state: ShareStateSnapshot | ShareStateUpdate,
    kind: 'snapshot' | 'update',
  ): Promise<void> {
    const ranges: ShareStateRange[] = state.ranges.map((r) => ({
      firstOffset: String(r.firstOffset),
      lastOffset: String(r.lastOffset),
      state: r.state,
      deliveryCount: r.deliveryCount,
    }));
    await this.call(key, 'WriteShareGroupState', {
      groupId: key.groupId,
      topic: key.topic,
      partition: key.partition,
      leaderEpoch,
      stateEpoch: state.stateEpoch,
      startOffset: String(state.startOffset),
      ranges,
      snapshot: kind === 'snapshot',
    });
  }

  close(): void {
    this.closed = true;
    this.locator.close();
    this.coordinators.clear();
  }

  /** One request to the key's share coordinator, retried as the header says. */
  private async call<M extends 'ReadShareGroupState' | 'WriteShareGroupState'>(
    key: ShareStateKey,
    method: M,
    request: UnaryRequest<CoordinatorClient, M>,
  ): Promise<UnaryResponse<CoordinatorClient, M>> {
    const keyString = shareStateKeyString(key);
    const deadline = Date.now() + this.requestTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new ApiError('COORDINATOR_NOT_AVAILABLE', 'the share state persister is closed');
      let failure: ApiError;
      try {
        const address = this.coordinators.get(keyString) ?? (await this.locator.find(keyString, 'SHARE'));
        this.remember(keyString, address);
        const remainingMs = Math.max(1, deadline - Date.now());
        const response = await unaryCall(this.locator.client(address), method, request, {
          timeoutMs: Math.min(remainingMs, this.requestTimeoutMs),
        });
        if (response.errorName === '') return response;
        failure = apiErrorFromName(response.errorName, response.errorMessage);
      } catch (error) {
        failure = asApiError(error);
      }
      if (failure.errorName === 'NOT_COORDINATOR' && failure.detail.coordinatorAddress !== undefined)
        this.remember(keyString, failure.detail.coordinatorAddress);
      else this.coordinators.delete(keyString);
      const retriable = COORDINATOR_RETRIABLE_ERRORS.has(failure.errorName) && !FENCING_ERRORS.has(failure.errorName);
      if (!retriable) throw failure;
      const waitMs = backoffMs(attempt, this.retryBackoffMs, this.retryBackoffMaxMs);
      if (Date.now() + waitMs >= deadline) {
        if (failure.errorName === 'REQUEST_TIMED_OUT') throw failure;
        throw new ApiError(
          'COORDINATOR_NOT_AVAILABLE',
          `${method} for ${keyString} gave up after ${this.requestTimeoutMs} ms: ${failure.message}`,
        );
      }
      this.stats.retries++;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  private remember(keyString: string, address: string): void {
    this.coordinators.delete(keyString);
    this.coordinators.set(keyString, address);
    if (this.coordinators.size > this.maxCached)
      this.coordinators.delete(this.coordinators.keys().next().value as string);
  }
}
