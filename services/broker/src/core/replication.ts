/**
 * Every local replica of a broker, both roles, as one pure state machine in etcd-raft's shape: no
 * I/O, no timers. The shell steps it with metadata registrations, produce appends, follower
 * fetches it serves, the answers its own fetchers get, AlterPartition answers, and `tick(nowMs)`
 * from its one timer; after each step it takes the `ready()` (replication-ready.ts) and carries it
 * out: follower log writes, acks=all answers, wake-ups, AlterPartition sends, fetcher re-plans, the
 * high-watermark checkpoint, retention and compaction passes.
 *
 * The core reads each local log through `ReplicaLog` (as etcd-raft reads its Storage) and never
 * writes one: leaders' appends are the produce path's, reported with `onLeaderAppend`; followers'
 * writes come out in the Ready.
 *
 * Per partition it holds the role (replica-role.ts): a `PartitionLeader` with its producer state,
 * a `PartitionFollower`, or offline with the last high watermark. acks=all waits live in the
 * leader's AckWaiters and nowhere else: their completions carry the shell's reply handle (`C`).
 *
 * One tick, several cadences (tick-schedule.ts), each Kafka's:
 * - `ack-expiry` every 100 ms: waiting acks=all produces past their timeout fail;
 * - `isr-check` every replica.lag.time.max.ms / 2 (>= 10 ms): ISR shrink, and a pending
 *   AlterPartition that is not on the wire is sent again;
 * - `producer-expiry` every producer.id.expiration.check.interval.ms (10 min);
 * - `checkpoint` every replica.high.watermark.checkpoint.interval.ms (5 s), when anything moved;
 * - `retention` every log.retention.check.interval.ms, `compaction` every log.cleaner.backoff.ms;
 * - `flush` every log.flush.scheduler.interval.ms: the shell flushes the logs due (flush.ms, or a
 *   rolled segment a flush missed); `recovery-point-checkpoint` every
 *   log.flush.offset.checkpoint.interval.ms and `log-start-checkpoint` every
 *   log.flush.start.offset.checkpoint.interval.ms (60 s each): the shell writes what trails.
 *
 * Flushes themselves are the shell's (it fdatasyncs off the event loop, after appends and at
 * `flush`); what they mean is decided here: `onLogFlushed` tells a leadership how far its log is
 * on disk, and with durable acks (partition-leader.ts) the high watermark waits for that and for
 * the flushed offsets followers send with their fetches.
 */
import type { EpochEndOffset } from '@sluice/log';
import { ApiError } from '@sluice/protocol';
import type { AckContextArgs } from './ack-waiters';
import type { Acks } from './acks';
import { assert } from './assert';
import {
  answerOffsetForLeaderEpoch,
  type OffsetForLeaderEpochAnswer,
  type OffsetForLeaderEpochQuestion,
} from './offset-for-leader-epoch';
import {
  PartitionFollower,
  type EpochEndQuery,
  type FollowerFetchAnswer,
  type FollowerFetchPosition,
  type FollowerLocalLog,
  type FollowerStep,
} from './partition-follower';
import {
  PartitionLeader,
  type AlterPartitionOutcome,
  type AlterPartitionProposal,
  type AlterPartitionResult,
  type AwaitAcksOutcome,
  type FollowerFetch,
  type FollowerFetchOutcome,
  type LeaderLogView,
  type PartitionRegistration,
  type ReplicationEffects,
} from './partition-leader';
import { ProducerStateManager, type ProducerAppendPlan } from './producer-state';
import { producerBatchesInLog, producerStateFromOf, type BatchReadableLog } from './producer-state-rebuild';
import { roleLeaderEpoch, roleTransition, type LeaderRole, type ReplicaRole } from './replica-role';
import { ReadyBuilder, type ReplicationReady } from './replication-ready';
import { TickSchedule } from './tick-schedule';

/** What the core reads of a local log; `PartitionLog` satisfies it. */
export interface ReplicaLog extends LeaderLogView, FollowerLocalLog, BatchReadableLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
}

export interface ReplicationOptions {
  readonly localBrokerId: number;
  /** `replica.lag.time.max.ms`. */
  readonly replicaLagTimeMaxMs: number;
  /** `log.retention.check.interval.ms`. */
  readonly retentionCheckIntervalMs: number;
  /** `log.cleaner.backoff.ms`. */
  readonly logCleanerBackoffMs: number;
  /** `replica.high.watermark.checkpoint.interval.ms`; default 5000. */
  readonly highWatermarkCheckpointIntervalMs?: number;
  /** `producer.id.expiration.check.interval.ms`; default 600000. */
  readonly producerExpiryCheckIntervalMs?: number;
  /** Bound on acks=all produces waiting in one partition; default 10000. */
  readonly maxPendingAcksPerPartition?: number;
  /** `log.flush.scheduler.interval.ms`; default 1000. */
  readonly logFlushSchedulerIntervalMs?: number;
  /** `log.flush.offset.checkpoint.interval.ms`; default 60000. */
  readonly recoveryPointCheckpointIntervalMs?: number;
  /** `log.flush.start.offset.checkpoint.interval.ms`; default 60000. */
  readonly logStartOffsetCheckpointIntervalMs?: number;
  /** When the schedule starts counting. */
  readonly nowMs: number;
}

/** What a registration step needs besides the registration: from the same metadata image. */
export interface RegistrationContext {
  readonly nowMs: number;
  /** The topic's `min.insync.replicas`, or the broker's. */
  readonly minInsyncReplicas: number;
  /** Brokers that may not join an ISR now (fenced, shutting down). */
  readonly ineligibleReplicaIds: readonly number[];
  /** Registered broker epochs (KIP-903 fetch fencing). */
  readonly brokerEpochs: ReadonlyMap<number, number>;
  /** The topic's `durable.acks.enable`, or the broker's; default false. */
  readonly durableAcks?: boolean;
}

/** Kafka's defaults for the cadences this core owns. */
export const ACK_EXPIRY_INTERVAL_MS = 100;
export const DEFAULT_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS = 5_000;
export const DEFAULT_PRODUCER_EXPIRY_CHECK_INTERVAL_MS = 600_000;
export const DEFAULT_MAX_PENDING_ACKS_PER_PARTITION = 10_000;
export const DEFAULT_LOG_FLUSH_SCHEDULER_INTERVAL_MS = 1_000;
export const DEFAULT_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS = 60_000;
export const DEFAULT_LOG_START_OFFSET_CHECKPOINT_INTERVAL_MS = 60_000;

type Job =
  | 'ack-expiry'
  | 'isr-check'
  | 'producer-expiry'
  | 'checkpoint'
  | 'retention'
  | 'compaction'
  | 'flush'
  | 'recovery-point-checkpoint'
  | 'log-start-checkpoint';

interface Slot<C> {
  readonly partition: string;
  readonly log: ReplicaLog;
  role: ReplicaRole<C>;
  /** An AlterPartition of the current leadership is on the wire (at most one is). */
  alterPartitionOnWire: boolean;
  /** The topic's durable.acks.enable, from the last registration step. */
  durableAcks: boolean;
}

const STALE: FollowerStep = { logWrites: [], backoff: false, changed: false };

/**
 * The replicas' health as Kafka's ReplicaManager gauges count it, from the leaders' committed ISR
 * (what the controller has): under-replicated (ISR smaller than the replica set), under min ISR
 * (below the effective min.insync.replicas: acks=all is refused), at min ISR (one more loss and it
 * is). Only leaders count, so each partition is counted once in the cluster.
 */
export interface ReplicaHealth {
  /** Local replicas, any role. */
  readonly partitions: number;
  readonly leaders: number;
  readonly offline: number;
  readonly underReplicated: number;
  readonly underMinIsr: number;
  readonly atMinIsr: number;
  /** acks=all produces waiting for followers, over every partition led here. */
  readonly pendingAcks: number;
}

export class Replication<C = undefined> {
  private readonly slots = new Map<string, Slot<C>>();
  /** followersByLeader's answer until a slot's role changes or a slot comes or goes. */
  private followersByLeaderMemo: ReadonlyMap<number, readonly string[]> | null = null;
  private readonly schedule: TickSchedule<Job>;
  private readonly pending = new ReadyBuilder<C>();
  private fencedValue = true;
  private isrShrinksValue = 0;
  private isrExpandsValue = 0;
  private lastCheckpoint: ReadonlyMap<string, number> = new Map();

  constructor(private readonly options: ReplicationOptions) {
    assert(Number.isInteger(options.localBrokerId) && options.localBrokerId >= 0, 'the broker id must be >= 0');
    this.schedule = new TickSchedule<Job>(
      {
        'ack-expiry': ACK_EXPIRY_INTERVAL_MS,
        // Kafka's cadence for isr-expiration; a tick every few ms would only burn the CPU.
        'isr-check': Math.max(10, Math.floor(options.replicaLagTimeMaxMs / 2)),
        'producer-expiry': options.producerExpiryCheckIntervalMs ?? DEFAULT_PRODUCER_EXPIRY_CHECK_INTERVAL_MS,
        checkpoint: options.highWatermarkCheckpointIntervalMs ?? DEFAULT_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS,
        retention: options.retentionCheckIntervalMs,
        compaction: options.logCleanerBackoffMs,
        flush: options.logFlushSchedulerIntervalMs ?? DEFAULT_LOG_FLUSH_SCHEDULER_INTERVAL_MS,
        'recovery-point-checkpoint':
          options.recoveryPointCheckpointIntervalMs ?? DEFAULT_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS,
        'log-start-checkpoint':
          options.logStartOffsetCheckpointIntervalMs ?? DEFAULT_LOG_START_OFFSET_CHECKPOINT_INTERVAL_MS,
      },
      options.nowMs,
    );
  }

  /** How often the shell's timer must call `tick`. */
  get tickIntervalMs(): number {
    return this.schedule.tickIntervalMs;
  }

  // ------------------------------------------------------------------ partitions

  /** A local replica with its log (opened by the shell), offline until a registration says more. */
  addPartition(partition: string, log: ReplicaLog, checkpointedHighWatermark: number): void {
    assert(!this.slots.has(partition), `partition ${partition} is already hosted`);
    const highWatermark = Math.min(Math.max(0, checkpointedHighWatermark), log.logEndOffset);
    this.slots.set(partition, {
      partition,
      log,
      role: { kind: 'offline', highWatermark },
      alterPartitionOnWire: false,
      durableAcks: false,
    });
    this.followersByLeaderMemo = null;
  }

  /**
   * Forgets a replica this broker no longer hosts (a committed reassignment removed it; Kafka's
   * StopReplica with delete). It must have gone offline first, so no leadership, follower or
   * waiting acknowledgement refers to it; the next high-watermark checkpoint leaves it out.
   */
  removePartition(partition: string): void {
    const slot = this.slot(partition);
    assert(slot.role.kind === 'offline', `${partition}: only an offline replica is removed, not a ${slot.role.kind}`);
    this.slots.delete(partition);
    this.followersByLeaderMemo = null;
  }

  /** Whether the partition's acks=all waits for fdatasync (its topic's durable.acks.enable). */
  isDurable(partition: string): boolean {
    return this.slot(partition).durableAcks;
  }

  role(partition: string): ReplicaRole<C> {
    return this.slot(partition).role;
  }

  /** Committed and local: a leader's high watermark, or what a follower last heard, within its log. */
  highWatermark(partition: string): number {
    const slot = this.slot(partition);
    const role = slot.role;
    if (role.kind === 'leader') return role.core.highWatermark;
    if (role.kind === 'follower') return role.core.highWatermark(slot.log);
    return Math.min(role.highWatermark, slot.log.logEndOffset);
  }

  leaderEpoch(partition: string): number {
    return roleLeaderEpoch(this.slot(partition).role);
  }

  /**
   * Follower partitions grouped by the broker they fetch from. Every fetcher asks before every
   * fetch round, so the grouping is kept until a role changes or a partition comes or goes (a
   * follower's leader is fixed for its PartitionFollower's life): a walk over every hosted
   * partition per round was a per-partition cost paid per fetch.
   */
  followersByLeader(): ReadonlyMap<number, readonly string[]> {
    if (this.followersByLeaderMemo !== null) return this.followersByLeaderMemo;
    const byLeader = new Map<number, string[]>();
    for (const slot of this.slots.values()) {
      if (slot.role.kind !== 'follower') continue;
      const leaderId = slot.role.core.leaderId;
      const list = byLeader.get(leaderId) ?? [];
      list.push(slot.partition);
      byLeader.set(leaderId, list);
    }
    for (const list of byLeader.values()) Object.freeze(list);
    this.followersByLeaderMemo = byLeader;
    return byLeader;
  }

  get fenced(): boolean {
    return this.fencedValue;
  }

  /**
   * Committed ISR changes of partitions led here since start: one that dropped a member is a
   * shrink, one that added a member an expand (whether this leader's AlterPartition or the
   * controller, fencing a broker, changed it). Kafka's IsrShrinksPerSec / IsrExpandsPerSec.
   */
  get isrShrinks(): number {
    return this.isrShrinksValue;
  }
  get isrExpands(): number {
    return this.isrExpandsValue;
  }

  /** Counted now, over every local replica (linear in them: for a scrape, not a request path). */
  replicaHealth(): ReplicaHealth {
    let leaders = 0;
    let offline = 0;
    let underReplicated = 0;
    let underMinIsr = 0;
    let atMinIsr = 0;
    let pendingAcks = 0;
    for (const slot of this.slots.values()) {
      const role = slot.role;
      if (role.kind === 'offline') offline++;
      if (role.kind !== 'leader') continue;
      const core = role.core;
      const inSync = core.isr.length;
      leaders++;
      if (inSync < core.replicaCount) underReplicated++;
      if (inSync < core.effectiveMinIsr) underMinIsr++;
      else if (inSync === core.effectiveMinIsr) atMinIsr++;
      pendingAcks += core.pendingAcks;
    }
    return { partitions: this.slots.size, leaders, offline, underReplicated, underMinIsr, atMinIsr, pendingAcks };
  }

  /** A fenced broker takes no writes (Kafka: it leads nothing until unfenced). */
  setFenced(fenced: boolean): void {
    this.fencedValue = fenced;
  }

  // ------------------------------------------------------------------ metadata

  /** A partition's registration from the metadata image: become leader or follower, or update. */
  applyRegistration(partition: string, registration: PartitionRegistration, context: RegistrationContext): void {
    const slot = this.slot(partition);
    const durableAcks = context.durableAcks ?? false;
    if (slot.durableAcks !== durableAcks) {
      slot.durableAcks = durableAcks;
      // A dynamic config change reaches the leadership in place (the high watermark never goes back).
      if (slot.role.kind === 'leader')
        this.absorb(slot, slot.role, slot.role.core.setDurableAcks(durableAcks, context.nowMs));
    }
    const role = slot.role;
    const transition = roleTransition(role, registration, this.options.localBrokerId);
    switch (transition.kind) {
      case 'stay':
        return;
      case 'update-leader': {
        assert(role.kind === 'leader', `${partition}: only a leader updates its leadership`);
        const isrBefore = role.core.isr;
        const outcome = role.core.applyRegistration(registration, context.nowMs, context.ineligibleReplicaIds);
        if (outcome.kind !== 'resigned') {
          role.core.setBrokerEpochs(context.brokerEpochs);
          if (outcome.kind === 'updated') {
            this.countIsrChange(isrBefore, role.core.isr);
            this.absorb(slot, role, outcome);
          }
          return;
        }
        // A newer leader epoch of our own: its waiters fail, and the new epoch starts afresh.
        this.pending.ack(outcome.completions);
        this.becomeLeader(slot, registration, context, role.core.highWatermark);
        return;
      }
      case 'become-leader':
        this.becomeLeader(slot, registration, context, this.highWatermark(partition));
        return;
      case 'become-follower':
      case 'go-offline': {
        const highWatermark = this.highWatermark(partition);
        if (role.kind === 'leader') this.pending.ack(role.core.resign());
        this.setRole(
          slot,
          transition.kind === 'go-offline'
            ? { kind: 'offline', highWatermark }
            : {
                kind: 'follower',
                core: new PartitionFollower(
                  { leaderId: transition.leaderId, leaderEpoch: transition.leaderEpoch, highWatermark },
                  slot.log,
                ),
              },
        );
        return;
      }
    }
  }

  private becomeLeader(
    slot: Slot<C>,
    registration: PartitionRegistration,
    context: RegistrationContext,
    highWatermark: number,
  ): void {
    const log = slot.log;
    const core = new PartitionLeader<C>({
      localBrokerId: this.options.localBrokerId,
      registration,
      logEndOffset: log.logEndOffset,
      highWatermark: Math.min(highWatermark, log.logEndOffset),
      flushedOffset: Math.min(log.recoveryPoint, log.logEndOffset),
      nowMs: context.nowMs,
      config: {
        replicaLagTimeMaxMs: this.options.replicaLagTimeMaxMs,
        minInsyncReplicas: context.minInsyncReplicas,
        maxPendingAcks: this.options.maxPendingAcksPerPartition ?? DEFAULT_MAX_PENDING_ACKS_PER_PARTITION,
        durableAcks: slot.durableAcks,
      },
      ineligibleReplicaIds: context.ineligibleReplicaIds,
      brokerEpochs: context.brokerEpochs,
    });
    // Idempotence survives failover: the new leader rebuilds producer state from its log
    // (followers keep none; the whole log's batch headers are read once per leadership).
    const producers = new ProducerStateManager();
    producers.loadFromBatches(producerBatchesInLog(log), context.nowMs);
    this.setRole(slot, { kind: 'leader', core, producers, producerStateFrom: producerStateFromOf(log) });
  }

  /**
   * The shell kept a producer snapshot beside `leader`'s log (restored from remote storage, as of
   * the offset below its log start): rebuilds the producer state from it and the log, in place, so
   * the leadership (role identity) stays. Idempotent produce was refused meanwhile, so no producer
   * append is planned against the state being replaced. A leadership that ended is left alone.
   */
  reloadProducerState(partition: string, leader: LeaderRole<C>, nowMs: number): void {
    const slot = this.slot(partition);
    if (slot.role !== leader) return;
    leader.producers.loadFromBatches(producerBatchesInLog(slot.log), nowMs);
    leader.producerStateFrom = producerStateFromOf(slot.log);
  }

  /**
   * Nothing remote holds producer state below `leader`'s log start (no remote segment there, or its
   * snapshot unusable): what the log holds is all there is, so idempotent produce goes on.
   */
  settleProducerState(partition: string, leader: LeaderRole<C>): void {
    if (this.slot(partition).role !== leader) return;
    leader.producerStateFrom = 0;
  }

  private setRole(slot: Slot<C>, role: ReplicaRole<C>): void {
    slot.role = role;
    this.followersByLeaderMemo = null;
    slot.alterPartitionOnWire = false;
    this.pending.roleChange({
      partition: slot.partition,
      role: role.kind,
      leaderId:
        role.kind === 'leader' ? this.options.localBrokerId : role.kind === 'follower' ? role.core.leaderId : -1,
      leaderEpoch: roleLeaderEpoch(role),
    });
  }

  // ------------------------------------------------------------------ leader: produce

  /** The leadership to append to, or why not (fenced, not the leader, NOT_ENOUGH_REPLICAS). */
  leaderForProduce(partition: string, acks: Acks): LeaderRole<C> | ApiError {
    const role = this.slot(partition).role;
    const me = this.options.localBrokerId;
    if (this.fencedValue) return new ApiError('NOT_LEADER_OR_FOLLOWER', `broker ${me} is fenced`);
    if (role.kind !== 'leader')
      return new ApiError('NOT_LEADER_OR_FOLLOWER', `broker ${me} does not lead ${partition}`);
    return role.core.checkProduce(acks) ?? role;
  }

  /** The produce path appended to the leader's log (and `plan`'s producer state goes with it). */
  onLeaderAppend(
    partition: string,
    leader: LeaderRole<C>,
    append: { readonly plan: ProducerAppendPlan | null; readonly firstOffset: number },
    nowMs: number,
  ): void {
    const slot = this.leaderSlot(partition, leader);
    if (append.plan !== null) leader.producers.commitAppend(append.plan, append.firstOffset);
    this.absorb(slot, leader, leader.core.onLeaderAppend(slot.log.logEndOffset, nowMs));
    this.pending.partitionChanged(partition);
  }

  /** An acks=all produce waits until the high watermark passes `lastOffset`; `context` comes back in `acks`. */
  awaitAcks(
    partition: string,
    leader: LeaderRole<C>,
    lastOffset: number,
    deadlineMs: number,
    ...context: AckContextArgs<C>
  ): AwaitAcksOutcome<C> {
    this.leaderSlot(partition, leader);
    return leader.core.awaitAcks(lastOffset, deadlineMs, ...context);
  }

  /**
   * The shell fdatasynced the partition's log up to `flushedOffset` (its recovery point). A leader
   * counts it towards durable acks; a follower sends its recovery point with its next fetch.
   */
  onLogFlushed(partition: string, flushedOffset: number, nowMs: number): void {
    const slot = this.slot(partition);
    const role = slot.role;
    if (role.kind !== 'leader') return;
    this.absorb(slot, role, role.core.onLeaderFlushed(Math.min(flushedOffset, slot.log.logEndOffset), nowMs));
  }

  // ------------------------------------------------------------------ leader: follower fetches

  /** A follower's fetch, before the read: fencing, divergence, its position, ISR and high watermark. */
  onFollowerFetch(
    partition: string,
    leader: LeaderRole<C>,
    fetch: FollowerFetch,
    nowMs: number,
  ): FollowerFetchOutcome<C> {
    const slot = this.leaderSlot(partition, leader);
    const outcome = leader.core.onFollowerFetch(fetch, slot.log, nowMs);
    if (outcome.kind === 'accepted') this.absorb(slot, leader, outcome);
    return outcome;
  }

  /**
   * A follower's OffsetForLeaderEpoch (Kafka answers it from the leader only): the fencing check,
   * then where the epoch ends in our log as the leadership knows it (see
   * PartitionLeader.endOffsetForEpoch: its own epoch counts from its start, appended to or not).
   */
  offsetForLeaderEpoch(partition: string, question: OffsetForLeaderEpochQuestion): OffsetForLeaderEpochAnswer {
    const slot = this.slot(partition);
    const role = slot.role;
    if (role.kind !== 'leader') {
      return {
        kind: 'error',
        error: new ApiError(
          'NOT_LEADER_OR_FOLLOWER',
          `broker ${this.options.localBrokerId} does not lead ${partition}`,
        ),
      };
    }
    return answerOffsetForLeaderEpoch(role.core.leaderEpoch, question, {
      endOffsetForEpoch: (epoch) => role.core.endOffsetForEpoch(epoch, slot.log),
    });
  }

  /** The controller's answer to an AlterPartition of `leader`; ignored once that leadership ended. */
  onAlterPartitionResult(
    partition: string,
    leader: PartitionLeader<C>,
    result: AlterPartitionResult,
    nowMs: number,
  ): AlterPartitionOutcome<C> {
    const slot = this.slots.get(partition);
    const role = slot?.role;
    if (slot === undefined || role?.kind !== 'leader' || role.core !== leader)
      return { kind: 'ignored', reason: 'the leadership that sent it has ended' };
    slot.alterPartitionOnWire = false;
    const isrBefore = leader.isr;
    const outcome = leader.onAlterPartitionResult(result, nowMs);
    if (outcome.kind === 'applied') {
      this.countIsrChange(isrBefore, leader.isr);
      this.absorb(slot, role, outcome);
    }
    return outcome;
  }

  /** The AlterPartition never got an answer; the next ISR check sends it again. */
  onAlterPartitionFailed(partition: string, leader: PartitionLeader<C>): void {
    const slot = this.slots.get(partition);
    if (slot?.role.kind === 'leader' && slot.role.core === leader) slot.alterPartitionOnWire = false;
  }

  // ------------------------------------------------------------------ follower

  /** The follower's next OffsetForLeaderEpoch question; null when it does not truncate now. */
  truncationQuery(partition: string): { readonly follower: PartitionFollower; readonly query: EpochEndQuery } | null {
    const slot = this.slots.get(partition);
    if (slot?.role.kind !== 'follower') return null;
    const follower = slot.role.core;
    const query = follower.truncationQuery(slot.log);
    return query === null ? null : { follower, query };
  }

  onEpochEnd(
    partition: string,
    follower: PartitionFollower,
    query: EpochEndQuery,
    answer: EpochEndOffset,
  ): FollowerStep {
    const slot = this.followerSlot(partition, follower);
    if (slot === null) return STALE;
    return this.absorbFollower(slot, follower, follower.onEpochEnd(query, answer, slot.log));
  }

  /** Where the follower fetches from; null when it does not fetch now (truncating, not a follower). */
  fetchPosition(
    partition: string,
  ): { readonly follower: PartitionFollower; readonly position: FollowerFetchPosition } | null {
    const slot = this.slots.get(partition);
    if (slot?.role.kind !== 'follower') return null;
    const follower = slot.role.core;
    const position = follower.fetchPosition(slot.log);
    return position === null ? null : { follower, position };
  }

  onFetchAnswer(
    partition: string,
    follower: PartitionFollower,
    position: FollowerFetchPosition,
    answer: FollowerFetchAnswer,
  ): FollowerStep {
    const slot = this.followerSlot(partition, follower);
    if (slot === null) return STALE;
    return this.absorbFollower(slot, follower, follower.onFetchAnswer(position, answer, slot.log));
  }

  /** A log write of `follower` failed in the shell: the follower starts again from its log. */
  onFollowerLogWriteFailed(partition: string, follower: PartitionFollower): void {
    const slot = this.followerSlot(partition, follower);
    if (slot !== null) follower.onLogWriteFailure(slot.log);
  }

  // ------------------------------------------------------------------ time

  tick(nowMs: number): void {
    const due = this.schedule.due(nowMs);
    if (due.size === 0) return;
    for (const slot of this.slots.values()) {
      const role = slot.role;
      if (role.kind !== 'leader') continue;
      if (due.has('ack-expiry')) this.pending.ack(role.core.expireAcks(nowMs));
      if (due.has('isr-check')) {
        this.absorb(slot, role, role.core.maybeShrinkIsr(nowMs));
        const proposal = role.core.pendingAlterPartition();
        if (proposal !== null) this.sendAlterPartition(slot, role, proposal);
      }
      if (due.has('producer-expiry')) role.producers.expire(nowMs);
    }
    if (due.has('checkpoint')) this.checkpointIfMoved();
    if (due.has('retention')) this.pending.retain({ nowMs, partitions: this.maintenanceTargets() });
    if (due.has('compaction')) this.pending.compact({ nowMs, partitions: this.maintenanceTargets() });
    if (due.has('flush')) this.pending.flushCheck(nowMs);
    if (due.has('recovery-point-checkpoint')) this.pending.checkpointRecoveryPoints();
    if (due.has('log-start-checkpoint')) this.pending.checkpointLogStartOffsets();
  }

  /**
   * Partitions retention and compaction may work on, each below its high watermark (Kafka deletes
   * or cleans nothing at or above it: a leader's followers may still fetch there, and a follower's
   * uncommitted suffix may still be truncated).
   */
  maintenanceTargets(): { partition: string; maxOffset: number }[] {
    const targets: { partition: string; maxOffset: number }[] = [];
    for (const slot of this.slots.values()) {
      if (slot.role.kind !== 'offline')
        targets.push({ partition: slot.partition, maxOffset: this.highWatermark(slot.partition) });
    }
    return targets;
  }

  onHighWatermarkCheckpointWritten(highWatermarks: ReadonlyMap<string, number>): void {
    this.lastCheckpoint = highWatermarks;
  }

  /**
   * The broker stops: the high watermarks go to the checkpoint (if moved), every waiting acks=all
   * produce fails with NOT_LEADER_OR_FOLLOWER, and every replica goes offline.
   */
  shutdown(): void {
    this.checkpointIfMoved();
    for (const slot of this.slots.values()) {
      const role = slot.role;
      if (role.kind === 'offline') continue;
      const highWatermark = this.highWatermark(slot.partition);
      if (role.kind === 'leader') this.pending.ack(role.core.resign());
      slot.role = { kind: 'offline', highWatermark };
      this.followersByLeaderMemo = null;
      slot.alterPartitionOnWire = false;
      this.pending.partitionChanged(slot.partition);
    }
  }

  // ------------------------------------------------------------------ ready

  hasReady(): boolean {
    return !this.pending.isEmpty();
  }

  /** Everything to do since the last call (see replication-ready.ts for the order). */
  ready(): ReplicationReady<C> {
    return this.pending.take();
  }

  // ------------------------------------------------------------------ helpers

  private slot(partition: string): Slot<C> {
    const slot = this.slots.get(partition);
    assert(slot !== undefined, `partition ${partition} is not hosted here`);
    return slot;
  }

  /** The leader steps come from the produce and fetch paths synchronously, so the role is current. */
  private leaderSlot(partition: string, leader: LeaderRole<C>): Slot<C> {
    const slot = this.slot(partition);
    assert(slot.role === leader, `${partition}: a step for a leadership that is no longer current`);
    return slot;
  }

  /** Follower steps come back from the network: an answer for a follower that ended is stale. */
  private followerSlot(partition: string, follower: PartitionFollower): Slot<C> | null {
    const slot = this.slots.get(partition);
    return slot?.role.kind === 'follower' && slot.role.core === follower ? slot : null;
  }

  private countIsrChange(before: readonly number[], after: readonly number[]): void {
    if (before.some((id) => !after.includes(id))) this.isrShrinksValue++;
    if (after.some((id) => !before.includes(id))) this.isrExpandsValue++;
  }

  private absorb(slot: Slot<C>, leader: LeaderRole<C>, effects: ReplicationEffects<C>): void {
    this.pending.ack(effects.completions);
    if (effects.highWatermarkAdvanced) this.pending.partitionChanged(slot.partition);
    if (effects.alterPartition !== null) this.sendAlterPartition(slot, leader, effects.alterPartition);
  }

  private sendAlterPartition(slot: Slot<C>, leader: LeaderRole<C>, proposal: AlterPartitionProposal): void {
    if (slot.alterPartitionOnWire) return;
    slot.alterPartitionOnWire = true;
    this.pending.alterPartition({ partition: slot.partition, leader: leader.core, proposal });
  }

  private absorbFollower(slot: Slot<C>, follower: PartitionFollower, step: FollowerStep): FollowerStep {
    for (const write of step.logWrites) this.pending.logWrite({ partition: slot.partition, follower, write });
    if (step.changed) this.pending.partitionChanged(slot.partition);
    return step;
  }

  private checkpointIfMoved(): void {
    const current = new Map<string, number>();
    for (const partition of this.slots.keys()) current.set(partition, this.highWatermark(partition));
    const last = this.lastCheckpoint;
    if (current.size === last.size && [...current].every(([partition, hw]) => last.get(partition) === hw)) return;
    this.pending.checkpoint(current);
  }
}
