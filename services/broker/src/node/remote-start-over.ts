/**
 * A follower below its leader's local log start of a tiered partition (a new replica, or one
 * restarted on an empty disk after the leader's local segments went): the leader answers
 * OFFSET_MOVED_TO_TIERED_STORAGE with its local log start, and the follower starts over there, as
 * Kafka's ReplicaFetcherTierStateMachine does. Before that start over this reads, from remote
 * storage, the leader epochs and the cumulative producer state as of the offset below it
 * (`prepare`, async, in the fetcher); once the follower core's start over has emptied the log at
 * that offset, they go into the log (`restore`): the epoch cache, and the producer snapshot the
 * replica loads when it becomes leader (so a producer's retry of a batch that is only remote is
 * still recognised as a duplicate).
 */
import { encodeProducerSnapshot, producerSnapshotThrough, type RemoteLogAuxState } from '@sluice/tiering';
import type { Logger } from '@sluice/runtime';
import type { PartitionReplica } from './partition-replica';
import type { RemoteLogManager } from './remote-log-manager';

interface PreparedStart {
  readonly startOffset: number;
  /** Null: nothing remote holds the offset below the start (a plain start over). */
  readonly aux: RemoteLogAuxState | null;
}

export class RemoteStartOver {
  /** At most one per partition hosted here (keyed by partition, replaced by the next prepare). */
  private readonly prepared = new Map<string, PreparedStart>();

  constructor(
    private readonly remoteLogs: RemoteLogManager | null,
    private readonly log: Logger,
  ) {}

  async prepare(replica: PartitionReplica, startOffset: number): Promise<void> {
    // Without remote storage configured here the start over is the plain one (the leader's local
    // log start, no producer state below it), as before tiered storage.
    if (this.remoteLogs === null) return;
    const aux = await this.remoteLogs.remoteLogAuxState(replica.topicId, replica.partition, startOffset);
    this.prepared.set(replica.key, { startOffset, aux });
  }

  /** After the follower core stepped this replica: restores what `prepare` read, if it started over. */
  restore(replica: PartitionReplica): void {
    const prepared = this.prepared.get(replica.key);
    if (prepared === undefined) return;
    this.prepared.delete(replica.key);
    const log = replica.log;
    const { startOffset, aux } = prepared;
    // The start over did not happen (a stale answer): the next one prepares again.
    if (aux === null || log.logStartOffset !== startOffset || log.logEndOffset !== startOffset) return;
    log.restoreLeaderEpochs(aux.leaderEpochs);
    if (aux.producerSnapshot !== null) {
      log.writeProducerSnapshot(
        startOffset - 1,
        encodeProducerSnapshot(producerSnapshotThrough(aux.producerSnapshot, startOffset - 1)).toString('utf8'),
      );
    } else {
      this.log.warn(
        { partition: replica.key, problem: aux.producerSnapshotProblem },
        'remote producer snapshot unusable; producer state below the start is not restored',
      );
    }
    this.log.info(
      {
        partition: replica.key,
        startOffset,
        remoteSegment: aux.segment.id.uploadId,
        leaderEpochs: aux.leaderEpochs.length,
        producers: aux.producerSnapshot?.producers.length ?? 0,
      },
      'follower started from remote storage: leader epochs and producer state restored',
    );
  }
}
