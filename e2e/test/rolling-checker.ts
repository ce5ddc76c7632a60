/**
 * The checker the node-agent e2e runs while pods roll (rollout restart, helm upgrade, helm
 * rollback): an idempotent acks=all producer, a consumer tailing every partition, and a KIP-848
 * group consumer committing what it processed, so a coordinator's restart is really exercised.
 *
 * verify() reads the whole log back and proves: every acknowledged record is in the log once and
 * in order; nothing the tail saw vanished and it saw no gap; no send failed; the group's committed
 * offsets (the member's own commits and the coordinators' answers, sampled) never went backwards;
 * the group processed every record in the log and committed up to its end.
 */
import { sleep, waitFor } from '@sluice/local-cluster';
import { Admin, Consumer, Producer, type ConsumerRecord, type RecordMetadata } from '../../packages/client/src';

/** Sends in flight at most (the writer waits for one to settle beyond this). */
const MAX_PENDING = 200;
/** How often the coordinators' view of the group's offsets is sampled. */
const COMMIT_SAMPLE_INTERVAL_MS = 200;
/** Commit regressions and other examples kept for the failure message. */
const MAX_EXAMPLES = 10;

export interface RollingCheckerOptions {
  readonly brokers: readonly string[];
  readonly controllers: readonly string[];
  readonly coordinators: readonly string[];
  readonly topic: string;
  readonly partitions: number;
  readonly groupId: string;
}

export class RollingChecker {
  readonly acked: { index: number; meta: RecordMetadata }[] = [];
  readonly failed: { index: number; error: unknown }[] = [];
  sentCount = 0;
  /** When the group member's commits succeeded (ms since the epoch), in order. */
  readonly commitTimesMs: number[] = [];
  /** Values the group member processed, with how often (a restart may hand some out again). */
  readonly groupProcessed = new Map<string, number>();
  private readonly commitRegressions: string[] = [];
  /** The highest offset per partition the member's commits were acknowledged for. */
  private readonly memberCommitted = new Map<number, number>();
  /** The highest offset per partition the coordinators answered, sampled. */
  private readonly sampledCommitted = new Map<number, number>();
  private readonly tailSeen = new Map<string, string>();
  private readonly tailNext = new Map<number, number>();
  private readonly tailGaps: string[] = [];
  private writing = true;
  private tailing = true;
  private grouping = true;
  private sampling = true;
  private readonly producer: Producer;
  private readonly tail: Consumer;
  private readonly group: Consumer;
  private readonly admin: Admin;
  private readonly loops: {
    writer: Promise<void>;
    tailer: Promise<void>;
    member: Promise<void>;
    sampler: Promise<void>;
  };

  constructor(private readonly options: RollingCheckerOptions) {
    const { brokers, topic, partitions } = options;
    this.producer = new Producer({
      bootstrap: [...brokers],
      acks: 'all',
      lingerMs: 5,
      deliveryTimeoutMs: 120_000,
      requestTimeoutMs: 5_000,
      retryBackoffMs: 50,
      retryBackoffMaxMs: 500,
    });
    this.tail = new Consumer({
      bootstrap: [...brokers],
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 200,
      requestTimeoutMs: 5_000,
    });
    this.tail.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    this.group = new Consumer({
      bootstrap: [...brokers],
      groupId: options.groupId,
      coordinators: [...options.coordinators],
      enableAutoCommit: false,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 200,
      requestTimeoutMs: 5_000,
      clientId: 'rolling-checker',
    });
    this.group.subscribe([topic]);
    this.admin = new Admin({
      bootstrap: [...options.controllers],
      coordinators: [...options.coordinators],
      timeoutMs: 5_000,
    });
    this.loops = { writer: this.write(), tailer: this.tailLog(), member: this.consume(), sampler: this.sample() };
  }

  private async write(): Promise<void> {
    const pending = new Set<Promise<void>>();
    while (this.writing) {
      const index = this.sentCount++;
      const sent = this.producer
        .send({ topic: this.options.topic, key: `k${index % 64}`, value: `r${index}` })
        .then(
          (meta) => void this.acked.push({ index, meta }),
          (error: unknown) => void this.failed.push({ index, error }),
        )
        .finally(() => pending.delete(sent));
      pending.add(sent);
      if (pending.size >= MAX_PENDING) await Promise.race(pending);
      if (index % 20 === 0) await sleep(5);
    }
    await Promise.all(pending);
  }

  private async tailLog(): Promise<void> {
    while (this.tailing) {
      for (const record of await this.tail.poll(200)) {
        const expected = this.tailNext.get(record.partition) ?? 0;
        if (record.offset !== expected)
          this.tailGaps.push(`partition ${record.partition}: expected offset ${expected}, got ${record.offset}`);
        this.tailNext.set(record.partition, record.offset + 1);
        this.tailSeen.set(`${record.partition}/${record.offset}`, record.value?.toString() ?? '');
      }
    }
  }

  /**
   * A committed offset seen: it must not be below one this source saw before, nor below what the
   * member had committed (acknowledged) before this source asked (`floor`).
   */
  private noteCommitted(
    high: Map<number, number>,
    partition: number,
    offset: number,
    floor: number,
    source: string,
  ): void {
    const before = Math.max(high.get(partition) ?? -1, floor);
    if (offset < before && this.commitRegressions.length < MAX_EXAMPLES)
      this.commitRegressions.push(`partition ${partition}: ${offset} after ${before} (${source})`);
    high.set(partition, Math.max(high.get(partition) ?? -1, offset));
  }

  /** The highest offset the group has committed for a partition, as the member or a sample saw it. */
  private committed(partition: number): number {
    return Math.max(this.memberCommitted.get(partition) ?? 0, this.sampledCommitted.get(partition) ?? 0);
  }

  /**
   * The group member: process, then commit at the member epoch. A commit refused while its
   * coordinator restarts or the partition moves (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, a
   * fenced epoch) is retried on the next round, from the positions poll() handed out.
   */
  private async consume(): Promise<void> {
    while (this.grouping) {
      const records = await this.group.poll(200).catch(() => [] as ConsumerRecord[]);
      for (const record of records) {
        const value = record.value?.toString() ?? '';
        this.groupProcessed.set(value, (this.groupProcessed.get(value) ?? 0) + 1);
      }
      const next = new Map<number, number>();
      for (const record of records)
        next.set(record.partition, Math.max(next.get(record.partition) ?? 0, record.offset + 1));
      try {
        if (next.size === 0) {
          await this.group.commitAsync();
        } else {
          const owned = new Set(this.group.group?.ownedPartitions().map((tp) => tp.partition) ?? []);
          const positions = [...next].filter(([partition]) => owned.has(partition));
          if (positions.length === 0) continue;
          await this.group.commitSync(
            positions.map(([partition, offset]) => ({
              topicPartition: { topic: this.options.topic, partition },
              offset,
            })),
          );
          for (const [partition, offset] of positions)
            this.noteCommitted(this.memberCommitted, partition, offset, -1, 'member commit');
          // Only commits that carried offsets count as the group making progress.
          this.commitTimesMs.push(Date.now());
        }
      } catch {
        // Retried next round (above).
      }
    }
  }

  /** The coordinators' answer for the group's offsets, sampled: it must only move forward. */
  private async sample(): Promise<void> {
    while (this.sampling) {
      const floor = new Map(this.memberCommitted);
      const offsets = await this.admin.listGroupOffsets(this.options.groupId).catch(() => []);
      for (const o of offsets)
        if (o.topic === this.options.topic)
          this.noteCommitted(this.sampledCommitted, o.partition, o.offset, floor.get(o.partition) ?? -1, 'sampled');
      await sleep(COMMIT_SAMPLE_INTERVAL_MS);
    }
  }

  /** Waits for a successful group commit after `sinceMs` (the group resumed). */
  async waitForCommitAfter(sinceMs: number, what: string, timeoutMs: number): Promise<void> {
    await waitFor(what, () => this.commitTimesMs.some((t) => t > sinceMs), timeoutMs, 200);
  }

  /** The longest time between two successful group commits (the group's longest stall). */
  longestCommitGapMs(): number {
    let longest = 0;
    for (let i = 1; i < this.commitTimesMs.length; i++)
      longest = Math.max(longest, (this.commitTimesMs[i] as number) - (this.commitTimesMs[i - 1] as number));
    return longest;
  }

  /**
   * Stops writing, lets the group commit up to the end of every partition, stops everything and
   * checks the history. Prints one line starting with `label`, then `timings`.
   */
  async stopAndVerify(label: string, timings: string): Promise<void> {
    const { topic, partitions } = this.options;
    this.writing = false;
    await this.loops.writer;
    await this.producer.close({ timeoutMs: 60_000 });
    this.tailing = false;
    await this.loops.tailer;
    this.tail.close();

    const assignment = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const reader = new Consumer({ bootstrap: [...this.options.brokers], autoOffsetReset: 'earliest' });
    const all: ConsumerRecord[] = [];
    let ends: Map<string, { offset: number }>;
    try {
      reader.assign(assignment);
      ends = await reader.endOffsets(assignment);
      const total = [...ends.values()].reduce((sum, end) => sum + end.offset, 0);
      const deadline = Date.now() + 60_000;
      while (all.length < total && Date.now() < deadline) all.push(...(await reader.poll(500)));
      expect(all.length).toBe(total);
    } finally {
      reader.close();
    }
    const groupCaughtUp = (): boolean =>
      assignment.every((tp) => this.committed(tp.partition) >= (ends.get(Consumer.key(tp))?.offset ?? 0));
    await waitFor('the group to commit up to the end of every partition', groupCaughtUp, 60_000, 200).catch(
      () => undefined, // asserted below, with the numbers
    );
    this.grouping = false;
    await this.loops.member;
    await this.group.close();
    this.sampling = false;
    await this.loops.sampler;
    this.admin.close();

    const byPosition = new Map(all.map((r) => [`${r.partition}/${r.offset}`, r.value?.toString() ?? '']));
    const lost = this.acked.filter((a) => byPosition.get(`${a.meta.partition}/${a.meta.offset}`) !== `r${a.index}`);
    const counts = new Map<string, number>();
    for (const r of all) counts.set(r.value?.toString() ?? '', (counts.get(r.value?.toString() ?? '') ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1);
    const unprocessed = [...byPosition].filter(([, value]) => !this.groupProcessed.has(value));
    const processedAgain = [...this.groupProcessed.values()].filter((n) => n > 1).length;
    const stats = this.producer.stats();
    process.stdout.write(
      `${label}: ${timings}; sent ${this.sentCount}, acknowledged ${this.acked.length}, ` +
        `lost ${lost.length}, duplicated ${duplicated.length}, failed ${this.failed.length}, retries ${stats.retries}, ` +
        `${all.length} in the log, ${this.tailSeen.size} seen by the tailing consumer; group: ` +
        `${this.groupProcessed.size} processed (${processedAgain} again after a restart), ${this.commitTimesMs.length} commits, ` +
        `${this.commitRegressions.length} went backwards, longest commit gap ${this.longestCommitGapMs()} ms\n`,
    );
    expect(this.acked.length + this.failed.length).toBe(this.sentCount);
    expect(this.failed.map((f) => `${f.index}: ${String(f.error)}`).slice(0, MAX_EXAMPLES)).toEqual([]);
    expect(lost.slice(0, MAX_EXAMPLES).map((a) => `r${a.index} at ${a.meta.partition}/${a.meta.offset}`)).toEqual([]);
    expect(duplicated.slice(0, MAX_EXAMPLES)).toEqual([]);
    for (let partition = 0; partition < partitions; partition++) {
      const indexes = all
        .filter((r) => r.partition === partition)
        .sort((a, b) => a.offset - b.offset)
        .map((r) => Number(r.value?.toString().slice(1)));
      const outOfOrder = indexes.findIndex((index, i) => i > 0 && index <= (indexes[i - 1] as number));
      expect({ partition, outOfOrder }).toEqual({ partition, outOfOrder: -1 });
    }
    expect([...this.tailSeen].filter(([position, value]) => byPosition.get(position) !== value).slice(0, 10)).toEqual(
      [],
    );
    expect(this.tailGaps.slice(0, MAX_EXAMPLES)).toEqual([]);
    expect(this.commitRegressions).toEqual([]);
    expect(unprocessed.slice(0, MAX_EXAMPLES)).toEqual([]);
    expect(
      assignment.map((tp) => ({
        partition: tp.partition,
        committed: this.committed(tp.partition),
      })),
    ).toEqual(assignment.map((tp) => ({ partition: tp.partition, committed: ends.get(Consumer.key(tp))?.offset })));
  }
}
