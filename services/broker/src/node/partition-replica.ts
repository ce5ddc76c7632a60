/**
 * One local replica of a partition as the shell holds it: its PartitionLog and the readers waiting
 * on it. Its role (leader with the PartitionLeader core, follower with the PartitionFollower core,
 * or offline) and high watermark are the replication core's; this only reads them.
 */
import type { PartitionLog } from '@sluice/log';
import type { ApiError } from '@sluice/protocol';
import type { OffsetForLeaderEpochAnswer, OffsetForLeaderEpochQuestion } from '../core/offset-for-leader-epoch';
import type { ReplicaRole as CoreReplicaRole } from '../core/replica-role';
import type { Replication } from '../core/replication';

/** How the shell answers an acks=all produce: the context its waits carry through the core. */
export type AckReply = (error: ApiError | null) => void;

export type ReplicaRole = CoreReplicaRole<AckReply>;

export class PartitionReplica {
  private readonly listeners = new Set<() => void>();
  /**
   * `topic-partition`, the replication core's name for it. Built once: every fetch round looks
   * every asked partition up by it, and a string built per lookup (hashed afresh each time) was a
   * fifth of a broker's CPU at 6,000 partitions.
   */
  readonly key: string;

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly partition: number,
    readonly log: PartitionLog,
    private readonly replication: Replication<AckReply>,
  ) {
    this.key = `${topic}-${partition}`;
  }

  /** One object per leadership or followership: compare identities to notice a change. */
  get role(): ReplicaRole {
    return this.replication.role(this.key);
  }

  get leaderEpoch(): number {
    return this.replication.leaderEpoch(this.key);
  }

  /** The leader's high watermark, or the one a follower last heard (never above its log end). */
  get highWatermark(): number {
    return this.replication.highWatermark(this.key);
  }

  /** A follower's OffsetForLeaderEpoch, answered by the leadership (Replication.offsetForLeaderEpoch). */
  offsetForLeaderEpoch(question: OffsetForLeaderEpochQuestion): OffsetForLeaderEpochAnswer {
    return this.replication.offsetForLeaderEpoch(this.key, question);
  }

  /** Long-poll fetches wait on this; fires on appends, high watermark moves and role changes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
