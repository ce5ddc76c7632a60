/**
 * One local replica of a partition: its PartitionLog and whether this broker leads it (with the
 * PartitionLeader core for that leader epoch) or follows another broker. The follower's high
 * watermark is what its leader last said, never above the local log end.
 */
import type { PartitionLog } from '@sluice/log';
import type { PartitionLeader } from '../core/partition-leader';
import type { ProducerStateManager } from '../core/producer-state';

export type ReplicaRole =
  | { readonly kind: 'leader'; readonly core: PartitionLeader }
  | { readonly kind: 'follower'; readonly leaderId: number; readonly leaderEpoch: number; truncated: boolean }
  | { readonly kind: 'offline' };

export class PartitionReplica {
  role: ReplicaRole = { kind: 'offline' };
  /** The high watermark as a follower last heard it (a leader's lives in its core). */
  followerHighWatermark = 0;
  /** Idempotent producers' state while this broker leads (rebuilt from the log on becoming leader). */
  producerState: ProducerStateManager | undefined;
  /** An AlterPartition for this partition is on the wire. */
  alterInFlight = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly partition: number,
    readonly log: PartitionLog,
  ) {}

  get key(): string {
    return `${this.topic}-${this.partition}`;
  }

  get leaderEpoch(): number {
    if (this.role.kind === 'leader') return this.role.core.leaderEpoch;
    if (this.role.kind === 'follower') return this.role.leaderEpoch;
    return -1;
  }

  get highWatermark(): number {
    return this.role.kind === 'leader'
      ? this.role.core.highWatermark
      : Math.min(this.followerHighWatermark, this.log.logEndOffset);
  }

  /** Long-poll fetches wait on this; fires on appends and high watermark moves. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
