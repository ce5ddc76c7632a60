/**
 * The leader side of one partition's replication (Kafka's Partition + Replica, leader half), as a
 * pure state machine: no I/O, no timers; the shell passes `nowMs` and the log's view, and acts on
 * what comes back (answer produces, send AlterPartition).
 *
 * High watermark (Kafka 4's Partition.maybeIncrementLeaderHW):
 * - the minimum log end offset over the *maximal* ISR (see isr-state.ts), also over replicas
 *   outside the ISR that are caught up and eligible (they are about to join, so waiting for them
 *   avoids acknowledging records the next ISR would lack);
 * - frozen while the committed ISR is smaller than min(min.insync.replicas, replication factor)
 *   (KIP-966: a record under the high watermark must be on at least min ISR replicas);
 * - never moves backwards while this broker leads.
 *
 * Kafka does not apply Raft's "commit only entries of the current term" rule to partitions, and
 * neither do we: a follower's fetch offset is only believed after the divergence check (its last
 * fetched epoch must end at or after its fetch offset in the leader's epoch cache), so every offset
 * below the high watermark is on each ISR member *as the leader has it*, whatever epoch wrote it.
 * What Kafka does keep, and we do too, is that clients are told OFFSET_NOT_AVAILABLE for
 * ListOffsets while the high watermark is still below the first offset of this leader's epoch:
 * a new leader's high watermark may lag the old leader's, and "latest" must not go backwards.
 *
 * Durable acks (`durable.acks.enable`, sluice's; Redpanda's write.caching=false): the high
 * watermark, which answers acks=all and bounds what consumers read, also waits until
 * - a majority of the replicas, the leader counted, have fdatasynced the records (Raft's commit
 *   rule, over flushed offsets: the leader's own from its flushes, each follower's from its
 *   fetches), and
 * - every replica the in-memory rule above waits for (the maximal ISR and the caught-up joiners)
 *   has fdatasynced them. Kafka's controller elects any ISR member once every replica has died;
 *   Raft's election would pick the longest log among a majority, but this one does not look, so
 *   each ISR member must hold on disk whatever was acknowledged. For the same reason a replica
 *   joins the ISR only once it has flushed up to the high watermark.
 * When every replica loses its page cache at once, whichever ISR member is elected still has
 * every acknowledged record.
 */
import { ApiError } from '@sluice/protocol';
import type { EpochEndOffset } from '@sluice/log';
import { AckWaiters, type AckCompletion, type AckContextArgs } from './ack-waiters';
import type { Acks } from './acks';
import { assert, assertInt32Epoch, assertOffset } from './assert';
import {
  afterFetch,
  initialFollowerProgress,
  isCaughtUp,
  UNKNOWN_OFFSET,
  type FollowerProgress,
} from './follower-progress';
import { committedIsr, isInflight, maximalIsr, pendingExpand, pendingShrink, type IsrState } from './isr-state';
import { checkCurrentLeaderEpoch } from './leader-epoch-fencing';
import { defaultReplicationConfig, validateReplicationConfig, type ReplicationConfig } from './replication-config';

/** What the leader needs from its own log; `PartitionLog` satisfies it. */
export interface LeaderLogView {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** Kafka's OffsetForLeaderEpoch on the local epoch cache; null for an unknown epoch. */
  endOffsetForEpoch(epoch: number): EpochEndOffset | null;
  /** The latest epoch in the local epoch cache; null for an empty cache. */
  latestEpoch(): number | null;
}

/** One partition's registration as the metadata log has it. */
export interface PartitionRegistration {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface BecomeLeaderInput {
  readonly localBrokerId: number;
  readonly registration: PartitionRegistration;
  /** The local log's end offset now: this epoch's first offset. */
  readonly logEndOffset: number;
  /** The checkpointed high watermark (clamped to the log end offset). */
  readonly highWatermark: number;
  /** What the local log has fdatasynced (its recovery point); default 0. */
  readonly flushedOffset?: number;
  readonly nowMs: number;
  readonly config?: ReplicationConfig;
  /** Brokers that may not join the ISR now (fenced, shutting down). */
  readonly ineligibleReplicaIds?: Iterable<number>;
  /** Registered broker epochs from the metadata image, to fence fetches of a broker's past life. */
  readonly brokerEpochs?: ReadonlyMap<number, number>;
}

export interface FollowerFetch {
  readonly replicaId: number;
  readonly fetchOffset: number;
  /** Epoch of the follower's last record; null when its log has none. */
  readonly lastFetchedEpoch: number | null;
  /** The leader epoch the follower believes current; null when not sent. */
  readonly currentLeaderEpoch: number | null;
  readonly logStartOffset: number;
  /** The fetching broker's registration epoch (KIP-903); null when not sent. */
  readonly brokerEpoch?: number | null;
  /** What the follower has fdatasynced (its log's recovery point); null when not sent. */
  readonly flushedOffset?: number | null;
}

/** An ISR change to send to the controller (Kafka's AlterPartition item). */
export interface AlterPartitionProposal {
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
}

/** The controller's answer to our proposal: the resulting state, or an error. */
export type AlterPartitionResult =
  | {
      readonly ok: true;
      readonly leaderEpoch: number;
      readonly partitionEpoch: number;
      readonly isr: readonly number[];
    }
  | { readonly ok: false; readonly error: ApiError };

/** What a step changed, for the shell to act on. */
export interface ReplicationEffects<C = undefined> {
  readonly highWatermark: number;
  readonly highWatermarkAdvanced: boolean;
  /** acks=all produces now answered (successfully or not). */
  readonly completions: readonly AckCompletion<C>[];
  /** An AlterPartition to send now (at most one is ever in flight). */
  readonly alterPartition: AlterPartitionProposal | null;
}

export type FollowerFetchOutcome<C = undefined> =
  | { readonly kind: 'error'; readonly error: ApiError }
  /** The follower's log diverged: answer with this epoch end so it truncates (KIP-595 style). */
  | { readonly kind: 'diverging'; readonly divergingEpoch: EpochEndOffset }
  | ({ readonly kind: 'accepted' } & ReplicationEffects<C>);

export type AwaitAcksOutcome<C = undefined> =
  | { readonly kind: 'done'; readonly completion: AckCompletion<C> }
  | { readonly kind: 'waiting'; readonly waiterId: number };

export type MetadataUpdateOutcome<C = undefined> =
  | { readonly kind: 'stale' }
  /** Another broker leads now, or a newer leader epoch began: discard this state. */
  | { readonly kind: 'resigned'; readonly completions: readonly AckCompletion<C>[] }
  | ({ readonly kind: 'updated' } & ReplicationEffects<C>);

export type AlterPartitionOutcome<C = undefined> =
  { readonly kind: 'ignored'; readonly reason: string } | ({ readonly kind: 'applied' } & ReplicationEffects<C>);

/**
 * `C` is the context the shell attaches to each acks=all wait (see AckCompletion); the pure tests
 * use none.
 */
export class PartitionLeader<C = undefined> {
  readonly localBrokerId: number;
  readonly leaderEpoch: number;
  /** The log end offset when this leadership began (Kafka's leaderEpochStartOffset). */
  readonly leaderEpochStartOffset: number;
  private readonly config: ReplicationConfig;
  private partitionEpochValue: number;
  private replicas: readonly number[];
  private isrState: IsrState;
  private readonly followers = new Map<number, FollowerProgress>();
  private ineligible: ReadonlySet<number>;
  private brokerEpochs: ReadonlyMap<number, number>;
  private leaderLogEndOffset: number;
  /** What the local log has fdatasynced: the leader's own flushed offset. */
  private leaderFlushedOffset: number;
  private durableAcksValue: boolean;
  private highWatermarkValue: number;
  private readonly waiters: AckWaiters<C>;
  private resigned = false;

  constructor(input: BecomeLeaderInput) {
    const { registration, localBrokerId, nowMs } = input;
    this.config = validateReplicationConfig(input.config ?? defaultReplicationConfig);
    assert(registration.leader === localBrokerId, `broker ${localBrokerId} is not the leader (${registration.leader})`);
    assert(
      registration.isr.includes(localBrokerId),
      `leader ${localBrokerId} is not in the ISR ${registration.isr.join(',')}`,
    );
    assertInt32Epoch(registration.leaderEpoch, 'leader epoch');
    assertInt32Epoch(registration.partitionEpoch, 'partition epoch');
    assertOffset(input.logEndOffset, 'log end offset');
    assertOffset(input.highWatermark, 'high watermark');
    this.localBrokerId = localBrokerId;
    this.leaderEpoch = registration.leaderEpoch;
    this.partitionEpochValue = registration.partitionEpoch;
    this.replicas = [...registration.replicas];
    this.isrState = committedIsr(registration.isr);
    this.ineligible = new Set(input.ineligibleReplicaIds ?? []);
    this.brokerEpochs = new Map(input.brokerEpochs ?? []);
    this.leaderLogEndOffset = input.logEndOffset;
    this.leaderFlushedOffset = Math.min(input.flushedOffset ?? 0, input.logEndOffset);
    assertOffset(this.leaderFlushedOffset, 'flushed offset');
    this.durableAcksValue = this.config.durableAcks ?? false;
    this.leaderEpochStartOffset = input.logEndOffset;
    this.highWatermarkValue = Math.min(input.highWatermark, input.logEndOffset);
    this.waiters = new AckWaiters<C>(this.config.maxPendingAcks);
    for (const id of this.replicas) {
      if (id !== localBrokerId)
        this.followers.set(id, initialFollowerProgress(id, registration.isr.includes(id), nowMs));
    }
    this.checkInvariants();
  }

  get highWatermark(): number {
    return this.highWatermarkValue;
  }
  get logEndOffset(): number {
    return this.leaderLogEndOffset;
  }
  /** The leader's own flushed offset. */
  get flushedOffset(): number {
    return this.leaderFlushedOffset;
  }
  get durableAcks(): boolean {
    return this.durableAcksValue;
  }
  get partitionEpoch(): number {
    return this.partitionEpochValue;
  }
  /** The last ISR the controller committed. */
  get isr(): readonly number[] {
    return this.isrState.isr;
  }
  /** The partition's assigned replicas (the replication factor is its length). */
  get replicaCount(): number {
    return this.replicas.length;
  }
  /** The partition's assigned replicas as this leader knows them. */
  get replicaIds(): readonly number[] {
    return this.replicas;
  }
  get maximalIsr(): readonly number[] {
    return maximalIsr(this.isrState);
  }
  get isrChangeInFlight(): boolean {
    return isInflight(this.isrState);
  }
  get pendingAcks(): number {
    return this.waiters.size;
  }
  /** The proposal in flight, to resend after a transport failure. */
  pendingAlterPartition(): AlterPartitionProposal | null {
    return this.isrState.kind === 'committed' ? null : this.proposal(this.isrState.proposedIsr);
  }
  followerProgress(replicaId: number): FollowerProgress | undefined {
    return this.followers.get(replicaId);
  }

  /** Kafka's effective min ISR: min.insync.replicas, but never more than the replication factor. */
  get effectiveMinIsr(): number {
    return Math.min(this.config.minInsyncReplicas, this.replicas.length);
  }

  /** Refused before appending (Kafka checks the committed ISR): NOT_ENOUGH_REPLICAS for acks=all. */
  checkProduce(acks: Acks): ApiError | null {
    this.ensureLeading();
    if (acks !== -1) return null;
    const inSync = this.isrState.isr.length;
    if (inSync < this.effectiveMinIsr) {
      return new ApiError(
        'NOT_ENOUGH_REPLICAS',
        `the ISR has ${inSync} replica${inSync === 1 ? '' : 's'} (${this.isrState.isr.join(',')}), min.insync.replicas needs ${this.effectiveMinIsr}`,
      );
    }
    return null;
  }

  /** Kafka's ListOffsets guard: OFFSET_NOT_AVAILABLE until the high watermark reaches this epoch. */
  checkOffsetsAvailable(): ApiError | null {
    this.ensureLeading();
    if (this.highWatermarkValue >= this.leaderEpochStartOffset) return null;
    return new ApiError(
      'OFFSET_NOT_AVAILABLE',
      `the high watermark ${this.highWatermarkValue} is below leader epoch ${this.leaderEpoch}'s start offset ${this.leaderEpochStartOffset}`,
    );
  }

  /** Records that the local log grew to `logEndOffset` (a leader append). */
  onLeaderAppend(logEndOffset: number, nowMs: number): ReplicationEffects<C> {
    this.ensureLeading();
    assertOffset(logEndOffset, 'log end offset');
    assert(
      logEndOffset >= this.leaderLogEndOffset,
      `leader log end offset went back from ${this.leaderLogEndOffset} to ${logEndOffset}`,
    );
    this.leaderLogEndOffset = logEndOffset;
    return this.reevaluate(nowMs, null);
  }

  /** The local log fdatasynced up to `flushedOffset` (it never goes back while this broker leads). */
  onLeaderFlushed(flushedOffset: number, nowMs: number): ReplicationEffects<C> {
    this.ensureLeading();
    assertOffset(flushedOffset, 'flushed offset');
    assert(
      flushedOffset <= this.leaderLogEndOffset,
      `flushed offset ${flushedOffset} is past the log end ${this.leaderLogEndOffset}`,
    );
    this.leaderFlushedOffset = Math.max(this.leaderFlushedOffset, flushedOffset);
    return this.reevaluate(nowMs, null);
  }

  /** The topic's durable.acks.enable changed: from now on the high watermark follows it. */
  setDurableAcks(enabled: boolean, nowMs: number): ReplicationEffects<C> {
    this.ensureLeading();
    this.durableAcksValue = enabled;
    return this.reevaluate(nowMs, null);
  }

  /**
   * An acks=all produce whose last record is at `lastOffset` (for a deduplicated retry: the
   * original batch's). Completes at once when the high watermark already covers it; otherwise
   * `context` comes back with the completion.
   */
  awaitAcks(lastOffset: number, deadlineMs: number, ...contextArgs: AckContextArgs<C>): AwaitAcksOutcome<C> {
    this.ensureLeading();
    const context = contextArgs[0] as C;
    assertOffset(lastOffset, 'last offset');
    assert(
      lastOffset < this.leaderLogEndOffset,
      `offset ${lastOffset} is not in the log (end ${this.leaderLogEndOffset})`,
    );
    const requiredOffset = lastOffset + 1;
    const done = (error: ApiError | null): AwaitAcksOutcome<C> => ({
      kind: 'done',
      completion: { waiterId: 0, requiredOffset, error, context },
    });
    if (this.highWatermarkValue >= requiredOffset) return done(null);
    const underMin = this.underMinIsrError();
    if (underMin !== null) return done(underMin);
    if (this.waiters.isFull())
      return done(
        new ApiError('REQUEST_TIMED_OUT', `${this.waiters.size} acks=all produces already waiting on this partition`),
      );
    return { kind: 'waiting', waiterId: this.waiters.add(requiredOffset, deadlineMs, context) };
  }

  /** Times out waiting produces (REQUEST_TIMED_OUT); their records stay in the log. */
  expireAcks(nowMs: number): AckCompletion<C>[] {
    this.ensureLeading();
    return this.waiters.expire(nowMs);
  }

  /**
   * A follower's fetch (Kafka's Partition.fetchRecords for a follower, minus the read): fences
   * stale epochs, answers a diverging epoch instead of believing a fetch offset off our log, and
   * otherwise moves the follower's position, the ISR and the high watermark.
   */
  onFollowerFetch(fetch: FollowerFetch, log: LeaderLogView, nowMs: number): FollowerFetchOutcome<C> {
    this.ensureLeading();
    assert(
      log.logEndOffset === this.leaderLogEndOffset,
      `log end offset ${log.logEndOffset} differs from the tracked ${this.leaderLogEndOffset}`,
    );
    const error = (e: ApiError): FollowerFetchOutcome<C> => ({ kind: 'error', error: e });
    const fenced = checkCurrentLeaderEpoch(this.leaderEpoch, fetch.currentLeaderEpoch);
    if (fenced !== null) return error(fenced);
    const progress = this.followers.get(fetch.replicaId);
    if (progress === undefined) {
      // Kafka: with a matching epoch the (replica, epoch) pair may just be unknown to us yet
      // (a reassignment in the metadata log we have not applied), so the follower retries.
      const where = `replica ${fetch.replicaId} is not a follower of this partition (replicas ${this.replicas.join(',')})`;
      return error(
        fetch.currentLeaderEpoch !== null
          ? new ApiError('UNKNOWN_LEADER_EPOCH', where)
          : new ApiError('NOT_LEADER_OR_FOLLOWER', where),
      );
    }
    const registeredEpoch = this.brokerEpochs.get(fetch.replicaId);
    if (
      fetch.brokerEpoch !== undefined &&
      fetch.brokerEpoch !== null &&
      fetch.brokerEpoch >= 0 &&
      registeredEpoch !== undefined &&
      registeredEpoch > fetch.brokerEpoch
    ) {
      // KIP-903: a fetch from before the broker restarted (it may have lost data since) must not
      // move its position or bring it back into the ISR.
      return error(
        new ApiError(
          'NOT_LEADER_OR_FOLLOWER',
          `replica ${fetch.replicaId} fetched with broker epoch ${fetch.brokerEpoch}, registered ${registeredEpoch}`,
        ),
      );
    }
    const outOfRange = (): FollowerFetchOutcome<C> =>
      error(
        new ApiError(
          'OFFSET_OUT_OF_RANGE',
          `fetch offset ${fetch.fetchOffset} is outside ${log.logStartOffset}..${log.logEndOffset}`,
        ),
      );
    if (!Number.isSafeInteger(fetch.fetchOffset) || fetch.fetchOffset < log.logStartOffset) return outOfRange();
    // The divergence check comes before the end-of-log check, as in Kafka: a deposed leader
    // fetches past our end with records we never had and must learn where to truncate.
    if (fetch.lastFetchedEpoch !== null && fetch.lastFetchedEpoch >= 0) {
      const epochEnd = this.endOffsetForEpoch(fetch.lastFetchedEpoch, log);
      if (epochEnd === null) {
        return error(
          new ApiError(
            'OFFSET_OUT_OF_RANGE',
            `the end of last fetched epoch ${fetch.lastFetchedEpoch} is unknown to the leader`,
          ),
        );
      }
      if (epochEnd.epoch < fetch.lastFetchedEpoch || epochEnd.endOffset < fetch.fetchOffset) {
        return { kind: 'diverging', divergingEpoch: { epoch: epochEnd.epoch, endOffset: epochEnd.endOffset } };
      }
    }
    if (fetch.fetchOffset > log.logEndOffset) return outOfRange();
    this.followers.set(
      fetch.replicaId,
      afterFetch(progress, {
        fetchOffset: fetch.fetchOffset,
        logStartOffset: fetch.logStartOffset,
        leaderLogEndOffset: this.leaderLogEndOffset,
        nowMs,
        flushedOffset: fetch.flushedOffset,
      }),
    );
    const expand = this.canExpandWith(fetch.replicaId) ? this.startExpand(fetch.replicaId) : null;
    return { kind: 'accepted', ...this.reevaluate(nowMs, expand) };
  }

  /**
   * Where `epoch` ends in our log (OffsetForLeaderEpoch, and the divergence check of follower
   * fetches), as Kafka's epoch cache answers it: the largest epoch <= `epoch` and the start of the
   * next one, our log end for our own epoch, null when the cache cannot tell.
   *
   * Kafka records the leader epoch at leaderEpochStartOffset when the leadership begins
   * (makeLeader's maybeAssignEpochStartOffset); PartitionLog records it at the leadership's first
   * append. Until then we answer as if it were recorded. Without it, a leader whose epoch cache is
   * empty (its log started over at the old leader's log start) or older than a follower's last
   * epoch answers "unknown", the follower's fetch gets OFFSET_OUT_OF_RANGE, its truncation to its
   * high watermark changes nothing when that is its log end, and it asks again forever: it never
   * fetches, never rejoins the ISR, and with min.insync.replicas above the ISR no acks=all produce
   * is taken that would append and record the epoch.
   */
  endOffsetForEpoch(epoch: number, log: LeaderLogView): EpochEndOffset | null {
    this.ensureLeading();
    const recorded = log.endOffsetForEpoch(epoch);
    const latest = log.latestEpoch();
    if (latest !== null && latest >= this.leaderEpoch) return recorded;
    // Not recorded yet, so nothing was appended in this leadership: the log ends where it began.
    assert(
      log.logEndOffset === this.leaderEpochStartOffset,
      `leader epoch ${this.leaderEpoch} is not in the epoch cache, yet the log grew from ${this.leaderEpochStartOffset} to ${log.logEndOffset}`,
    );
    if (epoch > this.leaderEpoch) return null;
    if (epoch === this.leaderEpoch) return { epoch, endOffset: log.logEndOffset };
    // Below our epoch, an answer of the cache is Kafka's too: a later epoch is recorded, or `epoch`
    // is the latest and ends at the log end, our start offset. Without one, everything recorded is
    // older than `epoch` (or nothing is), so our epoch is the next: the largest recorded epoch
    // (Kafka's floor entry; `epoch` itself when none is) ends at our start offset.
    if (recorded !== null) return recorded;
    return { epoch: latest ?? epoch, endOffset: this.leaderEpochStartOffset };
  }

  /** ISR members (not the leader) that have not been caught up within replica.lag.time.max.ms. */
  isrShrinkCandidates(nowMs: number): number[] {
    this.ensureLeading();
    return this.isrState.isr.filter((id) => {
      if (id === this.localBrokerId) return false;
      const progress = this.followers.get(id);
      return (
        progress === undefined || !isCaughtUp(progress, this.leaderLogEndOffset, nowMs, this.config.replicaLagTimeMaxMs)
      );
    });
  }

  /** Replicas outside the committed ISR that may join it now (Kafka's isFollowerInSync). */
  isrExpandCandidates(): number[] {
    this.ensureLeading();
    return [...this.followers.keys()].filter(
      (id) => !this.isrState.isr.includes(id) && this.isInSync(id) && !this.ineligible.has(id),
    );
  }

  /** Kafka's periodic maybeShrinkIsr: proposes dropping lagging members unless a change is in flight. */
  maybeShrinkIsr(nowMs: number): ReplicationEffects<C> {
    this.ensureLeading();
    let proposal: AlterPartitionProposal | null = null;
    if (!isInflight(this.isrState)) {
      const outOfSync = this.isrShrinkCandidates(nowMs);
      if (outOfSync.length > 0) {
        const pending = pendingShrink(this.isrState, outOfSync);
        this.isrState = pending;
        proposal = this.proposal(pending.proposedIsr);
      }
    }
    return this.reevaluate(nowMs, proposal);
  }

  /** The controller's answer to the proposal in flight (Kafka's handleAlterPartitionUpdate/Error). */
  onAlterPartitionResult(result: AlterPartitionResult, nowMs: number): AlterPartitionOutcome<C> {
    this.ensureLeading();
    if (this.isrState.kind === 'committed') return { kind: 'ignored', reason: 'no AlterPartition in flight' };
    if (!result.ok) {
      // Only these say the controller did not apply the change, so the committed ISR is still
      // right. Anything else leaves the change pending until the metadata log tells the truth.
      if (result.error.errorName === 'INELIGIBLE_REPLICA') {
        this.isrState = committedIsr(this.isrState.isr);
        return { kind: 'applied', ...this.reevaluate(nowMs, null) };
      }
      return { kind: 'ignored', reason: `${result.error.errorName}: wait for the metadata log` };
    }
    if (result.leaderEpoch !== this.leaderEpoch)
      return { kind: 'ignored', reason: `leader epoch ${result.leaderEpoch} is not ours (${this.leaderEpoch})` };
    if (result.partitionEpoch < this.partitionEpochValue) {
      return {
        kind: 'ignored',
        reason: `partition epoch ${result.partitionEpoch} is older than ours (${this.partitionEpochValue})`,
      };
    }
    assert(result.isr.includes(this.localBrokerId), 'the controller left the leader out of the ISR');
    this.isrState = committedIsr(result.isr);
    this.partitionEpochValue = result.partitionEpoch;
    return { kind: 'applied', ...this.reevaluate(nowMs, null) };
  }

  /**
   * A newer registration from the metadata log. Same leader and leader epoch with a newer
   * partition epoch: adopt its replicas and ISR (dropping any change in flight, as Kafka). A new
   * leader or leader epoch ends this leadership; older partition epochs are stale.
   */
  applyRegistration(
    registration: PartitionRegistration,
    nowMs: number,
    ineligibleReplicaIds?: Iterable<number>,
  ): MetadataUpdateOutcome<C> {
    this.ensureLeading();
    if (ineligibleReplicaIds !== undefined) this.ineligible = new Set(ineligibleReplicaIds);
    if (registration.leaderEpoch < this.leaderEpoch) return { kind: 'stale' };
    if (registration.leader !== this.localBrokerId || registration.leaderEpoch > this.leaderEpoch) {
      return { kind: 'resigned', completions: this.resign() };
    }
    if (registration.partitionEpoch < this.partitionEpochValue) return { kind: 'stale' };
    // The same partition epoch is news only when it changes the replicas: an AlterPartition
    // answer that completed a reassignment (the controller's ISR change and its completion in one
    // batch) gave us this epoch and the final ISR but not the final replicas. Ignoring it kept a
    // removed replica among the followers: caught up, it was proposed back into the ISR, refused
    // by the controller, and the pending ISR held the high watermark forever (acks=all stalled).
    if (
      registration.partitionEpoch === this.partitionEpochValue &&
      sameMembers(registration.replicas, this.replicas) &&
      sameMembers(registration.isr, this.isrState.isr)
    )
      return { kind: 'stale' };
    assert(registration.isr.includes(this.localBrokerId), 'the leader is not in its own ISR');
    this.partitionEpochValue = registration.partitionEpoch;
    this.replicas = [...registration.replicas];
    this.isrState = committedIsr(registration.isr);
    for (const id of [...this.followers.keys()]) if (!this.replicas.includes(id)) this.followers.delete(id);
    for (const id of this.replicas) {
      if (id === this.localBrokerId) continue;
      const inIsr = registration.isr.includes(id);
      const previous = this.followers.get(id);
      // Kafka's resetReplicaState for a re-elected leader: positions stay, lag clocks restart.
      this.followers.set(
        id,
        previous === undefined
          ? initialFollowerProgress(id, inIsr, nowMs)
          : {
              ...previous,
              lastFetchLeaderLogEndOffset: this.leaderLogEndOffset,
              lastFetchTimeMs: inIsr ? nowMs : null,
              lastCaughtUpTimeMs: inIsr ? nowMs : null,
            },
      );
    }
    return { kind: 'updated', ...this.reevaluate(nowMs, null) };
  }

  /** Which brokers may not join the ISR now (fenced or in controlled shutdown). */
  setIneligibleReplicas(ids: Iterable<number>): void {
    this.ensureLeading();
    this.ineligible = new Set(ids);
  }

  /** Brokers' registration epochs from the metadata image (KIP-903 fetch fencing). */
  setBrokerEpochs(epochs: ReadonlyMap<number, number>): void {
    this.ensureLeading();
    this.brokerEpochs = new Map(epochs);
  }

  /** Ends this leadership: every waiting produce fails with NOT_LEADER_OR_FOLLOWER. */
  resign(): AckCompletion<C>[] {
    this.ensureLeading();
    this.resigned = true;
    return this.waiters.failAll(
      new ApiError(
        'NOT_LEADER_OR_FOLLOWER',
        `leadership of epoch ${this.leaderEpoch} ended before the records were replicated`,
      ),
    );
  }

  private reevaluate(nowMs: number, alterPartition: AlterPartitionProposal | null): ReplicationEffects<C> {
    const completions: AckCompletion<C>[] = [];
    const underMin = this.underMinIsrError();
    if (underMin !== null) completions.push(...this.waiters.failAll(underMin));
    const highWatermarkAdvanced = this.maybeIncrementHighWatermark(nowMs);
    completions.push(...this.waiters.completeUpTo(this.highWatermarkValue));
    this.checkInvariants();
    return { highWatermark: this.highWatermarkValue, highWatermarkAdvanced, completions, alterPartition };
  }

  /**
   * Kafka completes a waiting produce with NOT_ENOUGH_REPLICAS_AFTER_APPEND when the maximal ISR is
   * below min ISR; since the high watermark is frozen then, we say so at once instead of timing out.
   */
  private underMinIsrError(): ApiError | null {
    const size = maximalIsr(this.isrState).length;
    if (size >= this.effectiveMinIsr) return null;
    return new ApiError(
      'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
      `the ISR shrank to ${size} replica${size === 1 ? '' : 's'} after the append; min.insync.replicas needs ${this.effectiveMinIsr}`,
    );
  }

  private maybeIncrementHighWatermark(nowMs: number): boolean {
    if (this.isrState.isr.length < this.effectiveMinIsr) return false;
    const maximal = maximalIsr(this.isrState);
    // The replicas the high watermark waits for: the maximal ISR, and those about to join it.
    const counted = [...this.followers.values()].filter(
      (progress) =>
        maximal.includes(progress.replicaId) ||
        (isCaughtUp(progress, this.leaderLogEndOffset, nowMs, this.config.replicaLagTimeMaxMs) &&
          !this.ineligible.has(progress.replicaId)),
    );
    let candidate = this.leaderLogEndOffset;
    for (const progress of counted) candidate = Math.min(candidate, progress.logEndOffset);
    if (this.durableAcksValue) candidate = Math.min(candidate, this.durableOffset(counted));
    if (candidate <= this.highWatermarkValue) return false;
    this.highWatermarkValue = candidate;
    return true;
  }

  /**
   * Durable acks: the highest offset below which the records are fdatasynced on a majority of the
   * replicas (the leader counted) and on each of `counted` (see the header).
   */
  private durableOffset(counted: readonly FollowerProgress[]): number {
    const flushed = [this.leaderFlushedOffset];
    for (const id of this.replicas)
      if (id !== this.localBrokerId) flushed.push(this.followers.get(id)?.flushedOffset ?? UNKNOWN_OFFSET);
    flushed.sort((a, b) => b - a);
    const majority = Math.floor(this.replicas.length / 2) + 1;
    let offset = flushed[majority - 1] ?? UNKNOWN_OFFSET;
    for (const progress of counted) offset = Math.min(offset, progress.flushedOffset);
    return Math.min(offset, this.leaderFlushedOffset);
  }

  /**
   * Kafka's isFollowerInSync: has everything under the high watermark and this epoch's start; with
   * durable acks also on disk (an ISR member may be elected after every replica lost its cache).
   */
  private isInSync(replicaId: number): boolean {
    const progress = this.followers.get(replicaId);
    if (progress === undefined) return false;
    if (this.durableAcksValue && progress.flushedOffset < this.highWatermarkValue) return false;
    return progress.logEndOffset >= this.highWatermarkValue && progress.logEndOffset >= this.leaderEpochStartOffset;
  }

  private canExpandWith(replicaId: number): boolean {
    return (
      !isInflight(this.isrState) &&
      !this.isrState.isr.includes(replicaId) &&
      !this.ineligible.has(replicaId) &&
      this.isInSync(replicaId)
    );
  }

  private startExpand(replicaId: number): AlterPartitionProposal {
    const pending = pendingExpand(this.isrState, replicaId);
    this.isrState = pending;
    return this.proposal(pending.proposedIsr);
  }

  private proposal(newIsr: readonly number[]): AlterPartitionProposal {
    return { leaderEpoch: this.leaderEpoch, partitionEpoch: this.partitionEpochValue, newIsr: [...newIsr] };
  }

  private ensureLeading(): void {
    assert(!this.resigned, `leadership of epoch ${this.leaderEpoch} has ended`);
  }

  private checkInvariants(): void {
    assert(
      this.highWatermarkValue <= this.leaderLogEndOffset,
      `high watermark ${this.highWatermarkValue} above the log end ${this.leaderLogEndOffset}`,
    );
    assert(this.isrState.isr.includes(this.localBrokerId), 'the leader left its own ISR');
    assert(
      maximalIsr(this.isrState).every((id) => this.replicas.includes(id)),
      `ISR ${maximalIsr(this.isrState).join(',')} is not within the replicas ${this.replicas.join(',')}`,
    );
  }
}

/** Whether two replica id lists hold the same brokers (order aside). */
function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
