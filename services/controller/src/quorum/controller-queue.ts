/**
 * The controller's single event queue (Kafka's QuorumController): every write is decided on
 * the leader, one at a time, against the latest image including records still in flight; its
 * records are proposed as one atomic Raft entry; the caller is answered once that entry has
 * committed and been applied. JavaScript's run-to-completion makes "decide, extend the
 * speculative image, propose" one uninterruptible step, so decisions never interleave.
 *
 * A new leader first commits an empty activation batch: once it is applied, every entry of
 * earlier terms is in the image, and decisions start from there. If a proposal fails the queue
 * deactivates and re-activates, so the speculative image never runs ahead on records that will
 * not commit.
 */
import { ApiError } from '@sluice/protocol';
import { MetadataDelta, type MetadataImage, type MetadataRecord } from '@sluice/metadata';
import { untimedRequest, type RequestPhases } from '@sluice/runtime';
import { encodeMetadataEntry } from '../state/entry-codec';
import type { MetadataStateMachine } from '../state/metadata-state-machine';
import type { QuorumPort } from './quorum-port';

/** What a core decision returns: records to commit atomically, the answer, and an audit summary. */
export interface Decision<R> {
  readonly records: readonly MetadataRecord[];
  readonly response: R;
  readonly summary?: unknown;
}

export type Decide<R> = (image: MetadataImage, nowMs: number) => Decision<R> | ApiError;

export interface WriteOutcome<R> {
  readonly response: R;
  /** Raft index of the committed entry; undefined when the decision wrote nothing. */
  readonly offset: number | undefined;
  readonly summary: unknown;
  readonly recordCount: number;
}

export interface QueueOptions {
  /** How long a write waits for this node's activation after it won an election. */
  readonly activationWaitMs: number;
  /** Writes waiting or in flight at once; beyond that REQUEST_TIMED_OUT (retriable). */
  readonly maxPendingWrites: number;
  readonly clock: () => number;
  /** Where each follower/unknown-leader refusal points the caller. */
  readonly addressOf: (nodeId: number) => string | undefined;
  readonly onActivated?: (nowMs: number) => void;
  readonly onDeactivated?: () => void;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

type QueueState = 'inactive' | 'activating' | 'active';

export class ControllerQueue {
  private state: QueueState = 'inactive';
  private generation = 0;
  private speculative: MetadataImage;
  private lastProposal: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private waiters: { resolve: () => void; reject: (error: ApiError) => void; timer: NodeJS.Timeout }[] = [];
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly quorum: QuorumPort,
    private readonly stateMachine: MetadataStateMachine,
    private readonly options: QueueOptions,
  ) {
    this.speculative = stateMachine.image;
    this.unsubscribe = quorum.onLeaderChange((leaderId) => this.leaderChanged(leaderId));
    this.leaderChanged(quorum.leaderId());
  }

  get isActive(): boolean {
    return this.state === 'active';
  }

  /** The latest image including in-flight records (leader only; followers see the applied one). */
  get latestImage(): MetadataImage {
    return this.state === 'active' ? this.speculative : this.stateMachine.image;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.deactivate(new ApiError('NOT_CONTROLLER', 'controller is shutting down'));
  }

  private leaderChanged(leaderId: number | null): void {
    if (this.closed) return;
    if (leaderId === this.quorum.nodeId) {
      if (this.state === 'inactive') this.activate();
    } else if (this.state !== 'inactive') {
      this.deactivate(this.notController());
    } else {
      this.rejectWaiters(this.notController());
    }
  }

  private activate(): void {
    const generation = ++this.generation;
    this.state = 'activating';
    const started = this.options.clock();
    this.quorum.propose(encodeMetadataEntry([])).then(
      () => {
        if (generation !== this.generation || this.closed) return;
        this.speculative = this.stateMachine.image;
        this.lastProposal = Promise.resolve();
        this.state = 'active';
        const now = this.options.clock();
        this.options.log?.('controller activated', {
          term: this.quorum.term(),
          appliedIndex: this.stateMachine.appliedIndex,
          activationMs: now - started,
        });
        this.options.onActivated?.(now);
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) {
          clearTimeout(waiter.timer);
          waiter.resolve();
        }
      },
      (error: unknown) => {
        if (generation !== this.generation || this.closed) return;
        this.state = 'inactive';
        this.options.log?.('activation failed', { error: String(error) });
        if (this.quorum.leaderId() === this.quorum.nodeId)
          setTimeout(() => this.retryActivation(generation), 50).unref();
        else this.rejectWaiters(this.notController());
      },
    );
  }

  private retryActivation(generation: number): void {
    if (this.closed || generation !== this.generation || this.state !== 'inactive') return;
    if (this.quorum.leaderId() === this.quorum.nodeId) this.activate();
  }

  private deactivate(error: ApiError): void {
    this.generation++;
    const wasActive = this.state !== 'inactive';
    this.state = 'inactive';
    this.speculative = this.stateMachine.image;
    this.rejectWaiters(error);
    if (wasActive) this.options.onDeactivated?.();
  }

  private rejectWaiters(error: ApiError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  /** NOT_CONTROLLER naming the leader this node knows of (Kafka's controller redirect). */
  notController(): ApiError {
    const leaderId = this.quorum.leaderId();
    if (leaderId === null || leaderId === this.quorum.nodeId) {
      return new ApiError(
        'NOT_CONTROLLER',
        `node ${this.quorum.nodeId} is not the active controller and no leader is known yet`,
        {
          leaderId: '-1',
          leaderAddress: '',
        },
      );
    }
    const address = this.options.addressOf(leaderId) ?? '';
    return new ApiError(
      'NOT_CONTROLLER',
      `node ${this.quorum.nodeId} is not the active controller; the leader is node ${leaderId} at ${address}`,
      {
        leaderId: String(leaderId),
        leaderAddress: address,
      },
    );
  }

  /**
   * Before a read served from the applied image: a node that won an election but has not
   * activated yet may still lack entries earlier terms committed (it learns their commit only
   * with its activation batch), so it answers once activated (or NOT_CONTROLLER after
   * `activationWaitMs`, or when it loses the leadership meanwhile). Followers and an active
   * leader answer at once; a follower's image may lag, which callers that need every committed
   * write avoid by reading from the leader.
   */
  async readBarrier(): Promise<void> {
    if (this.state === 'active' || this.closed || this.quorum.leaderId() !== this.quorum.nodeId) return;
    await this.whenActive();
  }

  private async whenActive(): Promise<void> {
    if (this.state === 'active') return;
    if (this.closed || this.quorum.leaderId() !== this.quorum.nodeId) throw this.notController();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.timer !== timer);
        reject(
          new ApiError(
            'NOT_CONTROLLER',
            `node ${this.quorum.nodeId} won the election but has not caught up within ${this.options.activationWaitMs} ms`,
            { leaderId: String(this.quorum.nodeId), leaderAddress: this.options.addressOf(this.quorum.nodeId) ?? '' },
          ),
        );
      }, this.options.activationWaitMs);
      this.waiters.push({ resolve, reject, timer });
    });
  }

  /**
   * Decides, proposes and waits for the commit. Rejects with the decision's ApiError (nothing
   * written), NOT_CONTROLLER (not the leader, or leadership lost before commit), or
   * REQUEST_TIMED_OUT when the queue is full. Waiting for the commit is the request's `remote`
   * phase in `phases` (the quorum replicating the entry).
   */
  async write<R>(decide: Decide<R>, phases: RequestPhases = untimedRequest): Promise<WriteOutcome<R>> {
    if (this.pending >= this.options.maxPendingWrites) {
      throw new ApiError(
        'REQUEST_TIMED_OUT',
        `controller queue is full (${this.options.maxPendingWrites} writes pending); retry later`,
      );
    }
    this.pending++;
    try {
      await this.whenActive();
      // From here to propose() nothing awaits: the decision and the speculative image move together.
      const generation = this.generation;
      const decision = decide(this.speculative, this.options.clock());
      if (decision instanceof ApiError) throw decision;
      if (decision.records.length === 0) {
        // Answer only after whatever this decision saw in flight has committed.
        await phases.remote(this.lastProposal);
        if (generation !== this.generation) throw this.notController();
        return { response: decision.response, offset: undefined, summary: decision.summary, recordCount: 0 };
      }
      const delta = new MetadataDelta(this.speculative);
      try {
        for (const record of decision.records) delta.replay(record);
      } catch (error) {
        // The core proposed records the image rejects: a core bug; write nothing.
        throw new ApiError(
          'UNKNOWN_SERVER_ERROR',
          `controller produced records that do not apply: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const entry = encodeMetadataEntry(decision.records);
      this.speculative = delta.apply();
      const proposal = this.quorum.propose(entry);
      this.lastProposal = proposal.catch(() => undefined);
      let index: number;
      try {
        ({ index } = await phases.remote(proposal));
      } catch (error) {
        if (generation === this.generation) {
          this.deactivate(this.notController());
          if (this.quorum.leaderId() === this.quorum.nodeId) this.activate();
        }
        if (error instanceof ApiError) throw error;
        throw this.notController();
      }
      const rejection = this.stateMachine.rejectionAt(index);
      if (rejection !== undefined)
        throw new ApiError('UNKNOWN_SERVER_ERROR', `entry ${index} was not applied: ${rejection}`);
      return {
        response: decision.response,
        offset: index,
        summary: decision.summary,
        recordCount: decision.records.length,
      };
    } finally {
      this.pending--;
    }
  }
}
