/**
 * The shell around the replication core (core/replication.ts): the only code that steps it, and
 * the only code that carries out its Ready, right after each step, in the Ready's order: follower
 * log writes, acks=all answers, wake-ups, AlterPartition sends, fetcher re-plans, the
 * high-watermark checkpoint, retention and compaction, the flush scheduler's checks and the
 * checkpoint passes. It owns the broker's one replication timer, which ticks the core every
 * `tickIntervalMs`. Log flushes run in the LogFlusher (off the event loop); their results come
 * back here as `onLogsFlushed` steps.
 *
 * Steps never nest: a step taken while a Ready is being carried out (a fetcher starting inside a
 * re-plan asks its first question) leaves its Ready to the drain already running.
 */
import { CorruptRecordError } from '@sluice/protocol';
import { LogError } from '@sluice/log';
import type { Logger } from '@sluice/runtime';
import { assert } from '../core/assert';
import type { AlterPartitionProposal, AlterPartitionResult } from '../core/partition-leader';
import { Replication } from '../core/replication';
import type { AlterPartitionSend, PartitionLogWrite, ReplicationReady, RoleChange } from '../core/replication-ready';
import type { BrokerBatchTracing } from './batch-tracing';
import { haltOnBrokenInvariant } from './invariant-halt';
import type { LogFlusher } from './log-flusher';
import type { LogLifecycle } from './log-lifecycle';
import type { AckReply, PartitionReplica } from './partition-replica';
import type { TopicTraffic } from './topic-traffic';

export interface ReplicationDriverOptions {
  readonly brokerId: number;
  readonly log: Logger;
  readonly replicaLagTimeMaxMs: number;
  readonly retentionCheckIntervalMs: number;
  readonly logCleanerBackoffMs: number;
  /** log.flush.scheduler.interval.ms, log.flush.offset.checkpoint.interval.ms, log.flush.start.offset.checkpoint.interval.ms. */
  readonly logFlushSchedulerIntervalMs?: number;
  readonly recoveryPointCheckpointIntervalMs?: number;
  readonly logStartOffsetCheckpointIntervalMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms. */
  readonly highWatermarkCheckpointIntervalMs?: number;
  readonly lifecycle: LogLifecycle;
  readonly flusher: LogFlusher;
  /** Sends one AlterPartition item to the controller; resolves with its answer. */
  readonly alterPartition: (
    replica: PartitionReplica,
    proposal: AlterPartitionProposal,
  ) => Promise<AlterPartitionResult>;
  /** Follower partitions changed (leader or epoch): the fetchers re-plan. */
  readonly onFollowersChanged: () => void;
  readonly nowMs: () => number;
  /** Spans of appends, replication and high-watermark advances (no-ops without a tracer). */
  readonly tracing: BrokerBatchTracing;
  /** Follower appends count as replication bytes in. */
  readonly traffic: TopicTraffic;
}

export class ReplicationDriver {
  readonly core: Replication<AckReply>;
  private readonly replicas = new Map<string, PartitionReplica>();
  /**
   * The same replicas by topic, then partition: the request paths look a partition up by the
   * request's (topic, partition) for every partition of every fetch round, and this spares them
   * building and hashing a `topic-partition` string each time.
   */
  private readonly byTopic = new Map<string, Map<number, PartitionReplica>>();
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  /** Set by stop: the last high-watermark checkpoint is written synchronously. */
  private stopping = false;
  /** Follower log writes that failed since start; the follower steps compare it to ask for a backoff. */
  private followerWriteFailures = 0;

  constructor(private readonly options: ReplicationDriverOptions) {
    this.core = new Replication<AckReply>({
      localBrokerId: options.brokerId,
      replicaLagTimeMaxMs: options.replicaLagTimeMaxMs,
      retentionCheckIntervalMs: options.retentionCheckIntervalMs,
      logCleanerBackoffMs: options.logCleanerBackoffMs,
      logFlushSchedulerIntervalMs: options.logFlushSchedulerIntervalMs,
      recoveryPointCheckpointIntervalMs: options.recoveryPointCheckpointIntervalMs,
      logStartOffsetCheckpointIntervalMs: options.logStartOffsetCheckpointIntervalMs,
      highWatermarkCheckpointIntervalMs: options.highWatermarkCheckpointIntervalMs,
      nowMs: options.nowMs(),
    });
  }

  replica(key: string): PartitionReplica | undefined {
    return this.replicas.get(key);
  }

  /** `replica(\`${topic}-${partition}\`)` without building the key. */
  replicaOf(topic: string, partition: number): PartitionReplica | undefined {
    return this.byTopic.get(topic)?.get(partition);
  }

  replicaList(): PartitionReplica[] {
    return [...this.replicas.values()];
  }

  /** A newly opened local replica; the core hosts it offline until a registration says more. */
  add(replica: PartitionReplica, checkpointedHighWatermark: number): void {
    assert(!this.replicas.has(replica.key), `replica ${replica.key} is already open`);
    this.replicas.set(replica.key, replica);
    let partitions = this.byTopic.get(replica.topic);
    if (partitions === undefined) this.byTopic.set(replica.topic, (partitions = new Map()));
    partitions.set(replica.partition, replica);
    this.core.addPartition(replica.key, replica.log, checkpointedHighWatermark);
  }

  /** Closes the books on an offline replica the broker no longer hosts; the caller deletes its log. */
  remove(key: string): PartitionReplica {
    const replica = this.replicas.get(key);
    assert(replica !== undefined, `replica ${key} is not open`);
    this.step((core) => core.removePartition(key));
    this.replicas.delete(key);
    const partitions = this.byTopic.get(replica.topic);
    partitions?.delete(replica.partition);
    if (partitions?.size === 0) this.byTopic.delete(replica.topic);
    return replica;
  }

  /** Steps the core, then carries out what it decided. */
  step<T>(run: (core: Replication<AckReply>) => T): T {
    const result = run(this.core);
    this.drain();
    return result;
  }

  /** A follower step; `logWriteFailed` when the shell could not apply one of its log writes. */
  stepFollower<T>(run: (core: Replication<AckReply>) => T): { readonly result: T; readonly logWriteFailed: boolean } {
    const failuresBefore = this.followerWriteFailures;
    const result = this.step(run);
    return { result, logWriteFailed: this.followerWriteFailures !== failuresBefore };
  }

  /** Starts the one timer. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      try {
        this.step((core) => core.tick(this.options.nowMs()));
      } catch (error) {
        haltOnBrokenInvariant(error);
        throw error;
      }
    }, this.core.tickIntervalMs);
  }

  /** Stops the timer; the core checkpoints, fails waiting produces and takes every replica offline. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    this.step((core) => core.shutdown());
    this.replicas.clear();
    this.byTopic.clear();
  }

  /** The flusher moved these logs' recovery points: leaders count them towards durable acks. */
  onLogsFlushed(replicas: readonly PartitionReplica[]): void {
    const nowMs = this.options.nowMs();
    this.step((core) => {
      for (const replica of replicas)
        if (this.replicas.get(replica.key) === replica)
          core.onLogFlushed(replica.key, replica.log.recoveryPoint, nowMs);
    });
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.core.hasReady()) this.apply(this.core.ready());
    } finally {
      this.draining = false;
    }
  }

  private apply(ready: ReplicationReady<AckReply>): void {
    for (const change of ready.roleChanges) {
      this.logRoleChange(change);
      // A new leader of a durable partition counts what its log has flushed: records recovered
      // after a crash (above the checkpointed recovery point) are flushed again before they count.
      const replica = this.replicas.get(change.partition);
      if (change.role === 'leader' && replica !== undefined && this.core.isDurable(change.partition))
        if (replica.log.recoveryPoint < replica.log.logEndOffset) this.options.flusher.request(replica);
    }
    this.applyLogWrites(ready.logWrites);
    for (const completion of ready.acks) completion.context(completion.error);
    for (const key of ready.changed) {
      const replica = this.replicas.get(key);
      if (replica === undefined) continue;
      replica.changed();
      this.options.tracing.onHighWatermark(replica, replica.highWatermark);
    }
    for (const send of ready.alterPartitions) this.sendAlterPartition(send);
    if (ready.followersChanged) this.options.onFollowersChanged();
    const checkpoint = ready.highWatermarkCheckpoint;
    if (checkpoint !== null) this.writeHighWatermarkCheckpoint(checkpoint);
    const { lifecycle } = this.options;
    const replicaOf = (key: string): PartitionReplica | undefined => this.replicas.get(key);
    if (ready.retention !== null) lifecycle.runRetention(ready.retention, replicaOf);
    if (ready.compaction !== null) lifecycle.runCompaction(ready.compaction, replicaOf);
    if (ready.flushCheck !== null)
      lifecycle.runFlushCheck(ready.flushCheck.nowMs, this.replicaList(), this.options.flusher);
    if (ready.recoveryPointCheckpoint) this.inBackground(lifecycle.checkpointRecoveryPoints(this.replicaList()));
    if (ready.logStartCheckpoint) this.inBackground(lifecycle.checkpointLogStartOffsets(this.replicaList()));
  }

  /** Off the event loop on its cadence; at stop, synchronously (the process is about to exit). */
  private writeHighWatermarkCheckpoint(checkpoint: ReadonlyMap<string, number>): void {
    const { lifecycle } = this.options;
    if (this.stopping) {
      if (lifecycle.writeCheckpoint(checkpoint)) this.core.onHighWatermarkCheckpointWritten(checkpoint);
      return;
    }
    this.inBackground(
      lifecycle.writeCheckpointAsync(checkpoint).then((written) => {
        if (written) this.step((core) => core.onHighWatermarkCheckpointWritten(checkpoint));
      }),
    );
  }

  private inBackground(work: Promise<void>): void {
    work.catch((error: unknown) => {
      haltOnBrokenInvariant(error);
      this.options.log.error({ err: error }, 'background log work failed');
    });
  }

  private logRoleChange(change: RoleChange): void {
    this.options.tracing.forget(change.partition);
    const fields = { partition: change.partition, leader: change.leaderId, leaderEpoch: change.leaderEpoch };
    if (change.role === 'leader') this.options.log.info(fields, 'became leader');
    else if (change.role === 'follower') this.options.log.info(fields, 'became follower');
    else this.options.log.info(fields, 'no leader; replica offline');
  }

  /**
   * In order; a write the log refuses (a corrupt batch, a failed disk: LogError or
   * CorruptRecordError) is the partition's problem, not the broker's: its follower starts over
   * from its log, its later writes here are skipped, and the fetcher backs off.
   */
  private applyLogWrites(writes: readonly PartitionLogWrite[]): void {
    const failed = new Set<string>();
    const offline = this.options.lifecycle.offline;
    for (const { partition, follower, write } of writes) {
      if (failed.has(partition)) continue;
      const replica = this.replicas.get(partition);
      assert(replica !== undefined, `a log write for ${partition}, which is not open`);
      const log = replica.log;
      if (offline !== null) {
        // Nothing more is written to a directory an I/O error took offline (a fetch answer that
        // was in flight when it happened lands here).
        failed.add(partition);
        this.followerWriteFailures++;
        this.core.onFollowerLogWriteFailed(partition, follower);
        continue;
      }
      try {
        switch (write.kind) {
          case 'truncate':
            this.options.log.info({ partition, from: log.logEndOffset, to: write.offset }, 'follower truncating');
            log.truncateTo(write.offset);
            break;
          case 'start-over':
            this.options.log.warn(
              { partition, logEndOffset: log.logEndOffset, leaderLogStartOffset: write.offset },
              "follower below the leader's log start offset; starting over there",
            );
            log.truncateFullyAndStartAt(write.offset);
            break;
          case 'append':
            this.options.tracing.followerAppend(replica, follower.leaderId, write.records, () =>
              log.appendAsFollower(write.records),
            );
            this.options.traffic.replicationIn(write.records.length);
            assert(
              log.logEndOffset === write.logEndOffsetAfter,
              `${partition}: the follower append ended at ${log.logEndOffset}, the core expected ${write.logEndOffsetAfter}`,
            );
            this.options.lifecycle.afterAppend(
              replica,
              this.core.isDurable(partition),
              this.options.flusher,
              this.options.nowMs(),
            );
            break;
          case 'advance-log-start':
            log.advanceLogStartOffset(write.offset);
            break;
        }
      } catch (error) {
        if (!(error instanceof LogError || error instanceof CorruptRecordError)) throw error;
        failed.add(partition);
        this.followerWriteFailures++;
        this.options.log.warn({ partition, write: write.kind, err: error }, 'follower log write failed');
        this.core.onFollowerLogWriteFailed(partition, follower);
      }
    }
  }

  private sendAlterPartition(send: AlterPartitionSend<AckReply>): void {
    const replica = this.replicas.get(send.partition);
    assert(replica !== undefined, `an AlterPartition for ${send.partition}, which is not open`);
    this.options
      .alterPartition(replica, send.proposal)
      .then(
        (result) => {
          const outcome = this.step((core) =>
            core.onAlterPartitionResult(send.partition, send.leader, result, this.options.nowMs()),
          );
          if (outcome.kind === 'ignored')
            this.options.log.debug(
              { partition: send.partition, reason: outcome.reason },
              'AlterPartition answer ignored',
            );
        },
        (error: unknown) => {
          this.step((core) => core.onAlterPartitionFailed(send.partition, send.leader));
          this.options.log.warn({ partition: send.partition, err: error }, 'AlterPartition failed; will retry');
        },
      )
      .catch((error: unknown) => {
        haltOnBrokenInvariant(error);
        this.options.log.error({ partition: send.partition, err: error }, 'AlterPartition answer could not be applied');
      });
  }
}
