/**
 * A leader of a tiered partition whose producer state does not reach below its local log start
 * (it became leader after starting from remote storage and its log start has since moved past the
 * restored snapshot, or its snapshot is gone or never was): the producers whose batches all lie
 * below that start are only in remote storage. Answering their retries from the local log alone
 * would take a duplicate for a new batch (UNKNOWN_PRODUCER_ID, OUT_OF_ORDER_SEQUENCE_NUMBER, or
 * worse, an append). So until the producer state is restored, idempotent and transactional batches
 * are refused with the retriable LEADER_NOT_AVAILABLE (the leadership is not ready yet; clients
 * retry), and this loads, once per leadership, the cumulative producer snapshot of the remote
 * segment holding the offset below the log start, keeps it beside the log and has the core rebuild
 * the producer state from it and the log. Batches without a producer id are not held up.
 *
 * While the object store or the metadata topic does not answer, it asks again after a backoff
 * (doubling, with jitter, up to MAX_RETRY_BACKOFF_MS): starting without the state would forget
 * producers. Nothing remote below the log start (no copied segment there, or an unusable snapshot)
 * settles the state as what the log holds, as a replica's start over does.
 */
import { encodeProducerSnapshot, producerSnapshotThrough } from '@sluice/tiering';
import { ApiError } from '@sluice/protocol';
import type { Logger } from '@sluice/runtime';
import type { LeaderRole } from '../core/replica-role';
import type { AckReply, PartitionReplica } from './partition-replica';
import type { RemoteLogManager } from './remote-log-manager';
import type { ReplicationDriver } from './replication-driver';

const FIRST_RETRY_BACKOFF_MS = 200;
const MAX_RETRY_BACKOFF_MS = 10_000;
/** A log start moving during a load makes it start again; bounded so a racing retention cannot spin. */
const MAX_ATTEMPTS_PER_LOAD = 3;

interface Loading {
  /** Whether a load is running now (then no second one starts for this leadership). */
  running: boolean;
  /** After a failure, the next load may not start before this. */
  notBeforeMs: number;
  failures: number;
}

export interface RemoteProducerStateOptions {
  readonly remoteLogs: RemoteLogManager | null;
  readonly driver: ReplicationDriver;
  readonly log: Logger;
  readonly nowMs: () => number;
  readonly random?: () => number;
}

export class RemoteProducerState {
  /**
   * One entry per leadership still waiting, keyed by its role object: a new leadership is a new
   * key, an ended one is collected (at most one entry per partition led here).
   */
  private readonly loading = new WeakMap<LeaderRole<AckReply>, Loading>();
  private readonly random: () => number;

  constructor(private readonly options: RemoteProducerStateOptions) {
    this.random = options.random ?? Math.random;
  }

  /**
   * Null when `leader` may take producer batches now; otherwise the retriable refusal, and a load
   * of the remote producer state is under way (or due after its backoff).
   */
  refusal(replica: PartitionReplica, leader: LeaderRole<AckReply>): ApiError | null {
    if (leader.producerStateFrom === 0) return null;
    const remoteLogs = this.options.remoteLogs;
    // Not tiered: nothing below the log start exists anywhere, the log is all there is.
    if (remoteLogs === null || remoteLogs.tieringConfigOf(replica.topic) === null) return null;
    this.ensureLoading(replica, leader);
    return new ApiError(
      'LEADER_NOT_AVAILABLE',
      `${replica.key}: the leader is restoring producer state below its log start ${leader.producerStateFrom} from remote storage`,
    );
  }

  private ensureLoading(replica: PartitionReplica, leader: LeaderRole<AckReply>): void {
    let entry = this.loading.get(leader);
    if (entry === undefined) {
      entry = { running: false, notBeforeMs: 0, failures: 0 };
      this.loading.set(leader, entry);
    }
    if (entry.running || this.options.nowMs() < entry.notBeforeMs) return;
    const loading = entry;
    loading.running = true;
    void this.load(replica, leader).then(
      () => {
        this.loading.delete(leader);
      },
      (error: unknown) => {
        loading.running = false;
        loading.failures++;
        const backoffMs = Math.min(MAX_RETRY_BACKOFF_MS, FIRST_RETRY_BACKOFF_MS * 2 ** (loading.failures - 1));
        const waitMs = Math.round(backoffMs * (0.5 + this.random() / 2));
        loading.notBeforeMs = this.options.nowMs() + waitMs;
        this.options.log.warn(
          { partition: replica.key, err: error, retryInMs: waitMs },
          'could not restore producer state from remote storage; idempotent produce waits',
        );
      },
    );
  }

  private async load(replica: PartitionReplica, leader: LeaderRole<AckReply>): Promise<void> {
    const remoteLogs = this.options.remoteLogs!;
    const { driver } = this.options;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_LOAD; attempt++) {
      const startOffset = replica.log.logStartOffset;
      const aux = await remoteLogs.remoteLogAuxState(replica.topicId, replica.partition, startOffset);
      // The leadership ended meanwhile: the next one decides afresh.
      if (driver.core.role(replica.key) !== leader) return;
      if (aux === null || aux.producerSnapshot === null) {
        this.options.log.warn(
          {
            partition: replica.key,
            startOffset,
            problem: aux?.producerSnapshotProblem ?? 'no remote segment below the log start',
          },
          'no remote producer state below the log start; producer state is what the log holds',
        );
        driver.step((core) => core.settleProducerState(replica.key, leader));
        return;
      }
      // Retention moved the start while the objects were read: the snapshot must end just below it.
      if (replica.log.logStartOffset !== startOffset) continue;
      const through = producerSnapshotThrough(aux.producerSnapshot, startOffset - 1);
      replica.log.writeProducerSnapshot(startOffset - 1, encodeProducerSnapshot(through).toString('utf8'));
      driver.step((core) => core.reloadProducerState(replica.key, leader, this.options.nowMs()));
      this.options.log.info(
        {
          partition: replica.key,
          startOffset,
          remoteSegment: aux.segment.id.uploadId,
          producers: through.producers.length,
        },
        'leader restored producer state below its log start from remote storage',
      );
      return;
    }
    throw new Error(`${replica.key}: the log start kept moving while the remote producer state was read`);
  }
}
