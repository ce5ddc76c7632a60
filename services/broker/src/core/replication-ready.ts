/**
 * What the replication core hands its shell after a step (etcd-raft's `Ready`, for a broker's
 * partitions). The shell takes it with `ready()` right after every step and does, in this order:
 *
 * 1. `logWrites`, in order, to the follower logs. A write that fails (a corrupt batch, a failed
 *    disk) is reported with `onFollowerLogWriteFailed` and the partition's later writes in this
 *    Ready are skipped; the follower re-reads its log and truncates again.
 * 2. `acks`: answer each acks=all produce through its context (null error: replicated).
 * 3. `changed`: wake whoever waits on these partitions (long-poll fetches, share fetches).
 * 4. `alterPartitions`: send each to the controller; feed the answer to `onAlterPartitionResult`,
 *    a transport failure to `onAlterPartitionFailed`.
 * 5. `followersChanged`: re-plan the replica fetchers.
 * 6. `highWatermarkCheckpoint`: write it (replication-offset-checkpoint), then report
 *    `onHighWatermarkCheckpointWritten`.
 * 7. `retention`, `compaction`: run them on these partitions, never at or above `maxOffset`.
 * 8. `flushCheck`: flush (off the event loop) every log due one; `recoveryPointCheckpoint`,
 *    `logStartCheckpoint`: write each log's checkpoint file that trails (off the event loop).
 *
 * `roleChanges` are for the shell's log. There is no `advance()`: nothing in a Ready waits for a
 * durable write before something else may leave (a follower's appends become visible to its leader
 * only through its next fetch, which reads the log after they are applied).
 */
import type { AckCompletion } from './ack-waiters';
import type { FollowerLogWrite, PartitionFollower } from './partition-follower';
import type { AlterPartitionProposal, PartitionLeader } from './partition-leader';

export interface RoleChange {
  readonly partition: string;
  readonly role: 'leader' | 'follower' | 'offline';
  /** -1 when offline. */
  readonly leaderId: number;
  readonly leaderEpoch: number;
}

export interface AlterPartitionSend<C> {
  readonly partition: string;
  /** The leadership that proposes it; its answer is for that leadership only. */
  readonly leader: PartitionLeader<C>;
  readonly proposal: AlterPartitionProposal;
}

export interface PartitionLogWrite {
  readonly partition: string;
  /** The followership that decided it. */
  readonly follower: PartitionFollower;
  readonly write: FollowerLogWrite;
}

/** A retention or compaction pass: each partition below its high watermark. */
export interface LogMaintenance {
  readonly nowMs: number;
  readonly partitions: readonly { readonly partition: string; readonly maxOffset: number }[];
}

export interface ReplicationReady<C> {
  readonly roleChanges: readonly RoleChange[];
  readonly logWrites: readonly PartitionLogWrite[];
  readonly acks: readonly AckCompletion<C>[];
  readonly changed: readonly string[];
  readonly alterPartitions: readonly AlterPartitionSend<C>[];
  readonly followersChanged: boolean;
  /** Every partition's high watermark, when one changed since the last written checkpoint. */
  readonly highWatermarkCheckpoint: ReadonlyMap<string, number> | null;
  readonly retention: LogMaintenance | null;
  readonly compaction: LogMaintenance | null;
  /** The flush scheduler's tick: every hosted log, whether it is due a flush at this time. */
  readonly flushCheck: { readonly nowMs: number } | null;
  readonly recoveryPointCheckpoint: boolean;
  readonly logStartCheckpoint: boolean;
}

/** Collects one Ready across the steps between two `ready()` calls. */
export class ReadyBuilder<C> {
  private roleChanges: RoleChange[] = [];
  private logWrites: PartitionLogWrite[] = [];
  private acks: AckCompletion<C>[] = [];
  private changed = new Set<string>();
  private alterPartitions: AlterPartitionSend<C>[] = [];
  private followersChanged = false;
  private highWatermarkCheckpoint: ReadonlyMap<string, number> | null = null;
  private retention: LogMaintenance | null = null;
  private compaction: LogMaintenance | null = null;
  private flushCheckValue: { readonly nowMs: number } | null = null;
  private recoveryPointCheckpoint = false;
  private logStartCheckpoint = false;

  isEmpty(): boolean {
    return (
      this.roleChanges.length === 0 &&
      this.logWrites.length === 0 &&
      this.acks.length === 0 &&
      this.changed.size === 0 &&
      this.alterPartitions.length === 0 &&
      !this.followersChanged &&
      this.highWatermarkCheckpoint === null &&
      this.retention === null &&
      this.compaction === null &&
      this.flushCheckValue === null &&
      !this.recoveryPointCheckpoint &&
      !this.logStartCheckpoint
    );
  }

  roleChange(change: RoleChange): void {
    this.roleChanges.push(change);
    this.followersChanged = true;
    this.changed.add(change.partition);
  }

  logWrite(write: PartitionLogWrite): void {
    this.logWrites.push(write);
  }

  ack(completions: readonly AckCompletion<C>[]): void {
    for (const completion of completions) this.acks.push(completion);
  }

  partitionChanged(partition: string): void {
    this.changed.add(partition);
  }

  alterPartition(send: AlterPartitionSend<C>): void {
    this.alterPartitions.push(send);
  }

  checkpoint(highWatermarks: ReadonlyMap<string, number>): void {
    this.highWatermarkCheckpoint = highWatermarks;
  }

  retain(pass: LogMaintenance): void {
    this.retention = pass;
  }

  compact(pass: LogMaintenance): void {
    this.compaction = pass;
  }

  flushCheck(nowMs: number): void {
    this.flushCheckValue = { nowMs };
  }

  checkpointRecoveryPoints(): void {
    this.recoveryPointCheckpoint = true;
  }

  checkpointLogStartOffsets(): void {
    this.logStartCheckpoint = true;
  }

  /** The Ready so far; the builder starts empty again. */
  take(): ReplicationReady<C> {
    const ready: ReplicationReady<C> = {
      roleChanges: this.roleChanges,
      logWrites: this.logWrites,
      acks: this.acks,
      changed: [...this.changed],
      alterPartitions: this.alterPartitions,
      followersChanged: this.followersChanged,
      highWatermarkCheckpoint: this.highWatermarkCheckpoint,
      retention: this.retention,
      compaction: this.compaction,
      flushCheck: this.flushCheckValue,
      recoveryPointCheckpoint: this.recoveryPointCheckpoint,
      logStartCheckpoint: this.logStartCheckpoint,
    };
    this.roleChanges = [];
    this.logWrites = [];
    this.acks = [];
    this.changed = new Set();
    this.alterPartitions = [];
    this.followersChanged = false;
    this.highWatermarkCheckpoint = null;
    this.retention = null;
    this.compaction = null;
    this.flushCheckValue = null;
    this.recoveryPointCheckpoint = false;
    this.logStartCheckpoint = false;
    return ready;
  }
}
