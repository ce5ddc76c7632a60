/**
 * Group commit for the broker's partition logs: every fdatasync the broker issues while it runs
 * goes through here, off the event loop (PartitionLog.flushAsync on libuv's thread pool), so an
 * fsync of a large segment never stalls request handling.
 *
 * Appends and the flush scheduler `request` a log; a round starts on the next turn of the event
 * loop and takes every log requested so far, so one round (one fdatasync per file written) covers
 * every batch and every partition appended since the previous round began. Rounds run one at a
 * time: what is requested during a round waits for the next, which starts as soon as this one
 * ends. No timer: the scheduler's cadence is the replication core's tick (tick-schedule.ts).
 *
 * Bounds: the requested set holds each hosted partition at most once; at most
 * `maxConcurrentFlushes` logs sync at once (libuv's pool also serves other file I/O); waiters are
 * one per replica fetcher (`flushed` before each fetch of a durable partition).
 */
import { LogError } from '@sluice/log';
import type { Logger } from '@sluice/runtime';
import { assert } from '../core/assert';
import { haltOnBrokenInvariant } from './invariant-halt';
import type { PartitionReplica } from './partition-replica';

export interface LogFlusherOptions {
  readonly log: Logger;
  /** Most logs syncing at once within a round. */
  readonly maxConcurrentFlushes: number;
  /** After each round: the replicas whose recovery point moved (in request order). */
  readonly onFlushed: (replicas: readonly PartitionReplica[]) => void;
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

export class LogFlusher {
  private readonly requested = new Map<string, PartitionReplica>();
  /** Settles when the round that takes the currently requested logs has ended. */
  private nextRound = deferred();
  private running = false;
  private stopped = false;
  private roundsValue = 0;

  constructor(private readonly options: LogFlusherOptions) {
    assert(options.maxConcurrentFlushes >= 1, 'maxConcurrentFlushes must be >= 1');
  }

  /** Rounds run so far (metrics, tests). */
  get rounds(): number {
    return this.roundsValue;
  }

  /** Flush this log's unflushed records in the next round. */
  request(replica: PartitionReplica): void {
    if (this.stopped) return;
    this.requested.set(replica.key, replica);
    this.schedule();
  }

  /**
   * Requests these logs and resolves once a round has flushed them up to their end as of now (or
   * given up on them: a closed or failed log, a file gone; the caller reads each log's recovery
   * point for what is on disk). Resolves at once after `stop`.
   */
  flushed(replicas: readonly PartitionReplica[]): Promise<void> {
    if (this.stopped || replicas.length === 0) return Promise.resolve();
    for (const replica of replicas) this.requested.set(replica.key, replica);
    const done = this.nextRound.promise;
    this.schedule();
    return done;
  }

  /** No new rounds; waiters are released. A round in flight ends on its own (closed logs give up). */
  stop(): void {
    this.stopped = true;
    this.requested.clear();
    this.nextRound.resolve();
  }

  private schedule(): void {
    if (this.running || this.stopped || this.requested.size === 0) return;
    this.running = true;
    // The next turn: appends of this one (other partitions of a request, other requests read in
    // the same I/O callback) join the round.
    setImmediate(() =>
      this.round().catch((error: unknown) => {
        haltOnBrokenInvariant(error);
        this.options.log.error({ err: error }, 'flush round failed');
      }),
    );
  }

  private async round(): Promise<void> {
    const batch = [...this.requested.values()];
    this.requested.clear();
    const finished = this.nextRound;
    this.nextRound = deferred();
    const moved: PartitionReplica[] = [];
    try {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < batch.length) {
          const replica = batch[next++]!;
          if (await this.flushOne(replica)) moved.push(replica);
        }
      };
      await Promise.all(
        Array.from({ length: Math.min(this.options.maxConcurrentFlushes, batch.length) }, () => worker()),
      );
      this.roundsValue++;
      if (moved.length > 0 && !this.stopped) this.options.onFlushed(moved);
    } finally {
      finished.resolve();
      this.running = false;
      this.schedule();
    }
  }

  private async flushOne(replica: PartitionReplica): Promise<boolean> {
    try {
      return await replica.log.flushAsync();
    } catch (error) {
      // A failed fdatasync failed the log (LogStorageError): its partition is offline here.
      if (!(error instanceof LogError)) throw error;
      this.options.log.error({ partition: replica.key, err: error }, 'flush failed');
      return false;
    }
  }
}
