/**
 * The load the fault tests run while they break things: an idempotent acks=all Producer writing
 * numbered records (`r<index>`, keyed so every partition gets some) with a bound on outstanding
 * sends, and tailing Consumers reading every partition from offset 0 all along. `stop()` ends
 * the writer (every send gets its outcome), the producer and the tailers; `readBack()` reads
 * the whole topic with a fresh consumer. Together they make the History the checker judges.
 */
import { Consumer, Producer, type ProducerOptions } from '@sluice/client';
import { ApiError } from '@sluice/protocol';
import { sleep } from '../wait';
import {
  recordValue,
  type AckedRecord,
  type FailedRecord,
  type History,
  type LoggedRecord,
  type ObservedRecord,
} from './history';

export interface WorkloadOptions {
  /** Broker addresses. */
  readonly bootstrap: string;
  readonly topic: string;
  readonly partitions: number;
  /** Outstanding sends at most (back-pressure on top of buffer.memory); default 500. */
  readonly maxPending?: number;
  /** Distinct keys (records spread over partitions by murmur2 of the key); default 64. */
  readonly keys?: number;
  /** Tailing consumers; default 1. */
  readonly tailingConsumers?: number;
  /** Over the workload's producer settings (acks=all, idempotent, delivery.timeout.ms 90 s). */
  readonly producer?: Partial<Omit<ProducerOptions, 'bootstrap'>>;
  /** A pause of 1 ms after this many sends, so the writer shares the event loop; default 50. */
  readonly yieldEverySends?: number;
}

/** The error's Kafka name; a delivery timeout also names the last error it saw. */
export function failureName(error: unknown): string {
  if (error instanceof ApiError) {
    const last = /last error ([A-Z_]+)/.exec(error.message)?.[1];
    return last === undefined ? error.errorName : `${error.errorName} after ${last}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export class Workload {
  private readonly producer: Producer;
  private readonly tailers: Consumer[] = [];
  private readonly acked: AckedRecord[] = [];
  private readonly failed: FailedRecord[] = [];
  private readonly observed: ObservedRecord[] = [];
  private sentCount = 0;
  private writing = true;
  private tailing = true;
  private readonly running: Promise<void>[] = [];
  private stopped: Promise<void> | undefined;
  private readonly ackedPerPartition: number[] = [];
  /** Errors the tailing consumers' polls raised (they retry). */
  tailErrors = 0;

  private constructor(private readonly options: WorkloadOptions) {
    this.producer = new Producer({
      bootstrap: options.bootstrap,
      acks: 'all',
      lingerMs: 5,
      deliveryTimeoutMs: 90_000,
      requestTimeoutMs: 5_000,
      retryBackoffMs: 50,
      retryBackoffMaxMs: 500,
      ...options.producer,
    });
  }

  static start(options: WorkloadOptions): Workload {
    const workload = new Workload(options);
    workload.running.push(workload.write());
    for (let i = 0; i < (options.tailingConsumers ?? 1); i++) workload.running.push(workload.tail(`tail-${i}`));
    return workload;
  }

  get sent(): number {
    return this.sentCount;
  }

  get acknowledged(): number {
    return this.acked.length;
  }

  /** Acknowledgements so far of records written to `partition`. */
  acknowledgedIn(partition: number): number {
    return this.ackedPerPartition[partition] ?? 0;
  }

  get failures(): number {
    return this.failed.length;
  }

  /** Records the tailing consumers have seen so far. */
  get seen(): number {
    return this.observed.length;
  }

  /** The producer's counters (retries, requests, metadata refreshes). */
  producerStats(): ReturnType<Producer['stats']> {
    return this.producer.stats();
  }

  private async write(): Promise<void> {
    const { topic } = this.options;
    const maxPending = this.options.maxPending ?? 500;
    const keys = this.options.keys ?? 64;
    const yieldEvery = this.options.yieldEverySends ?? 50;
    const pending = new Set<Promise<void>>();
    while (this.writing) {
      const index = this.sentCount++;
      const sent = this.producer
        .send({ topic, key: `k${index % keys}`, value: recordValue(index) })
        .then(
          (meta) => {
            this.acked.push({ index, partition: meta.partition, offset: meta.offset });
            this.ackedPerPartition[meta.partition] = (this.ackedPerPartition[meta.partition] ?? 0) + 1;
          },
          (error: unknown) => void this.failed.push({ index, error: failureName(error) }),
        )
        .finally(() => pending.delete(sent));
      pending.add(sent);
      if (pending.size >= maxPending) await Promise.race(pending);
      if (index % yieldEvery === 0) await sleep(1);
    }
    await Promise.all(pending);
  }

  private async tail(name: string): Promise<void> {
    const consumer = new Consumer({
      bootstrap: this.options.bootstrap,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 200,
      requestTimeoutMs: 5_000,
    });
    this.tailers.push(consumer);
    consumer.assign(
      Array.from({ length: this.options.partitions }, (_, partition) => ({ topic: this.options.topic, partition })),
    );
    while (this.tailing) {
      try {
        for (const record of await consumer.poll(200))
          this.observed.push({
            consumer: name,
            partition: record.partition,
            offset: record.offset,
            value: record.value?.toString() ?? '',
          });
      } catch {
        this.tailErrors++;
        await sleep(100);
      }
    }
  }

  /** Ends the writer (waits for every send's outcome), closes the producer and the tailers; idempotent. */
  stop(closeTimeoutMs = 30_000): Promise<void> {
    this.stopped ??= this.stopOnce(closeTimeoutMs);
    return this.stopped;
  }

  private async stopOnce(closeTimeoutMs: number): Promise<void> {
    this.writing = false;
    await this.running[0];
    await this.producer.close({ timeoutMs: closeTimeoutMs });
    this.tailing = false;
    await Promise.all(this.running.slice(1));
    await Promise.all(this.tailers.map((consumer) => consumer.close()));
  }

  /**
   * Reads every partition from offset 0 up to its end offset with a fresh consumer (bounded by
   * `timeoutMs`), and returns the whole history. Throws when the end is not reached in time.
   */
  async readBack(timeoutMs = 60_000): Promise<History> {
    const reader = new Consumer({ bootstrap: this.options.bootstrap, autoOffsetReset: 'earliest' });
    const log: LoggedRecord[] = [];
    try {
      const assignment = Array.from({ length: this.options.partitions }, (_, partition) => ({
        topic: this.options.topic,
        partition,
      }));
      reader.assign(assignment);
      const ends = await reader.endOffsets(assignment);
      const total = [...ends.values()].reduce((sum, end) => sum + end.offset, 0);
      const deadline = Date.now() + timeoutMs;
      while (log.length < total && Date.now() < deadline)
        for (const record of await reader.poll(500))
          log.push({ partition: record.partition, offset: record.offset, value: record.value?.toString() ?? '' });
      if (log.length < total) throw new Error(`read ${log.length} of ${total} records back within ${timeoutMs} ms`);
    } finally {
      await reader.close();
    }
    return { sent: this.sentCount, acked: this.acked, failed: this.failed, observed: this.observed, log };
  }
}
