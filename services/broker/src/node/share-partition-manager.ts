/**
 * The partition leader's share group shell (KIP-932; Kafka's SharePartitionManager): serves
 * ShareFetch and ShareAcknowledge on top of the pure `SharePartition` core, one per (share group,
 * topic, partition) this broker leads, created on first use.
 *
 * - State: read through the `ShareStatePersister` (the share coordinator) on first use, keyed with
 *   the partition's leader epoch; nothing stored -> start at `share.auto.offset.reset` (latest, as
 *   Kafka) and write that as a snapshot.
 * - Every step's `update` is written before the answer leaves. Steps of one share partition decide
 *   one at a time (a bounded queue per share partition), synchronously on the core; their updates
 *   are group-committed (`ShareStateWriteQueue`): while one write is out, the updates decided
 *   meanwhile merge into the next, so writes go out one at a time, in order, about one per round
 *   trip to the share coordinator however many members acquire and acknowledge.
 * - A failed (or timed-out) write drops the in-memory state: the callers' partitions (every step
 *   merged into that write or decided after it) get the
 *   persister's error (e.g. COORDINATOR_NOT_AVAILABLE, FENCED_STATE_EPOCH, REQUEST_TIMED_OUT) and
 *   no records, and the next use reloads what the store has, so nothing the client was not told
 *   about takes effect. A timed-out write still outstanding blocks the reload (the partition answers
 *   COORDINATOR_NOT_AVAILABLE) until it settles, so a late write cannot land under a fresh state.
 * - A timer per share partition at the earliest lock deadline releases expired locks (+ write).
 * - Leadership loss (the replica's role object or leader epoch changes, or it goes offline): the
 *   share partition is dropped; requests get NOT_LEADER_OR_FOLLOWER. The new leader reloads.
 * - The log start offset moving up (retention) is applied before each step (`onLogStartOffset`).
 * - Long poll: a ShareFetch that acquired nothing waits up to max_wait_ms for appends, high
 *   watermark moves, or released locks on its partitions.
 */
import type { ShareStateKey, ShareStatePersister } from '@sluice/client';
import type {
  ShareAcknowledgePartitionResult,
  ShareAcknowledgeRequest__Output,
  ShareAcknowledgeResponse,
  ShareFetchPartitionResult,
  ShareFetchRequest__Output,
  ShareFetchResponse,
  ShareFetchTopic__Output,
  ShareFetchTopicResult,
} from '@sluice/proto';
import { ApiError, type ShareStateSnapshot, type ShareStateUpdate } from '@sluice/protocol';
import { untimedRequest, type Logger, type RequestPhases } from '@sluice/runtime';
import {
  initialShareStartOffset,
  SharePartition,
  validateSharePartitionConfig,
  type AcknowledgeType,
  type AcknowledgementBatch,
  type AcquiredRange,
  type OffsetRange,
  type ShareAutoOffsetReset,
  type SharePartitionConfig,
} from '../core/share-partition';
import { haltOnBrokenInvariant } from './invariant-halt';
import type { PartitionReplica, ReplicaRole } from './partition-replica';
import { noShareMetrics, type ShareMetrics } from './share-metrics';
import { availableBatches, bytesPerOffsetOf, coveringFromAvailable, readCovering } from './share-log-reads';
import { ShareStateWriteQueue } from './share-state-write-queue';
import { FINAL_SHARE_SESSION_EPOCH, ShareSessions } from './share-sessions';
import { endShareSpan, recordAcquireSpan, startAcknowledgeSpan } from './share-tracing';

export interface SharePartitionManagerOptions {
  readonly brokerId: number;
  readonly log: Logger;
  readonly config: SharePartitionConfig;
  /** null: no share coordinator is configured; share requests answer COORDINATOR_NOT_AVAILABLE with `unavailableReason`. */
  readonly persister: ShareStatePersister | null;
  readonly unavailableReason?: string;
  /** The local leader replica of a partition, or UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER. */
  readonly leaderOf: (topic: string, partition: number) => PartitionReplica | ApiError;
  readonly metrics?: ShareMetrics;
  /** A share group's `share.auto.offset.reset`; default latest (Kafka's default). */
  readonly autoOffsetReset?: (groupId: string) => ShareAutoOffsetReset;
  readonly nowMs?: () => number;
  /** Bound on share partitions held in memory; idle ones are evicted first. Default 10,000. */
  readonly maxSharePartitions?: number;
  /** Bound on steps waiting for one share partition. Default 256. */
  readonly maxQueuedStepsPerPartition?: number;
  /** Bound on share sessions (group x member). Default 10,000. */
  readonly maxSessions?: number;
  /** Bound on ShareFetch requests parked in a long poll; past it they answer at once. Default 1,000. */
  readonly maxParkedFetches?: number;
  /** A persister read or write not settled after this long fails the step. Default 15,000. */
  readonly persisterTimeoutMs?: number;
}

/** Bounds on one request. */
const MAX_SHARE_FETCH_WAIT_MS = 30_000;
const DEFAULT_SHARE_FETCH_MAX_BYTES = 50 * 1024 * 1024;
const DEFAULT_MAX_RECORDS = 500;

const ACKNOWLEDGE_TYPES: ReadonlySet<string> = new Set<AcknowledgeType>(['ACCEPT', 'RELEASE', 'REJECT']);

export interface ShareLag {
  readonly group: string;
  readonly topic: string;
  records: number;
}

/** One share partition's shell state. */
class ShareEntry {
  core: SharePartition | null = null;
  dropped = false;
  /** The tail of the step queue (settles when the last step has decided), and how many steps are queued or not yet durable. */
  tail: Promise<void> = Promise.resolve();
  queued = 0;
  /** Set once by the manager right after construction. */
  writes!: ShareStateWriteQueue;
  /** A write that timed out and has not settled yet: no reload until it has. */
  unsettledWrite: Promise<void> | null = null;
  timer: NodeJS.Timeout | undefined;
  timerAtMs: number | null = null;
  /** Stored bytes per offset of the batches last found available: sizes the next log read. */
  bytesPerOffset = 0;
  lastUsedMs = 0;
  readonly waiters = new Set<() => void>();
  unsubscribe: () => void = () => undefined;

  constructor(
    readonly keyString: string,
    readonly key: ShareStateKey,
    readonly replica: PartitionReplica,
    readonly role: ReplicaRole,
    readonly leaderEpoch: number,
  ) {}

  /** Still the same leadership this entry was built for. */
  current(): boolean {
    return !this.dropped && this.replica.role === this.role && this.replica.leaderEpoch === this.leaderEpoch;
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

interface PartitionWork {
  readonly topic: string;
  readonly partition: number;
  readonly acknowledgements: readonly AcknowledgementBatch[];
  /** null: fetch from it; else why not (the partition's fetch error). */
  fetchError: ApiError | null;
  acknowledgeError: ApiError | null;
  records: Buffer[];
  acquired: AcquiredRange[];
  leaderEpoch: number;
}

/**
 * A step's decision, made synchronously on the core: the update to write (null: nothing durable
 * changed), and the rest of the step, run once everything it depends on is written.
 */
interface StepDecision<T> {
  readonly update: ShareStateUpdate | null;
  readonly afterDurable: () => T;
  /**
   * Work that needs nothing written but should not hold the write back: run once the write is
   * on its way (two macrotasks after the decision; the queue sends on the first), so it overlaps
   * the round trip to the share coordinator instead of following it.
   */
  readonly whileWriting?: () => void;
}

const ignore = (): void => undefined;

/** A step's `whileWriting`, unless its share partition is gone; a failure is left to `afterDurable`, which does the work again and answers it. */
function runWhileWriting(entry: ShareEntry, whileWriting: () => void): void {
  if (!entry.current()) return;
  try {
    whileWriting();
  } catch {
    // Off the request's path: afterDurable repeats the work and reports what fails.
  }
}

function toError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  haltOnBrokenInvariant(error);
  return new ApiError('UNKNOWN_SERVER_ERROR', error instanceof Error ? error.message : String(error));
}

export class SharePartitionManager {
  private readonly entries = new Map<string, ShareEntry>();
  private readonly sessions: ShareSessions;
  private readonly config: SharePartitionConfig;
  private readonly metrics: ShareMetrics;
  private readonly now: () => number;
  private readonly maxSharePartitions: number;
  private readonly maxQueuedSteps: number;
  private readonly maxParkedFetches: number;
  private readonly persisterTimeoutMs: number;
  private parkedFetches = 0;
  private stopped = false;

  constructor(private readonly options: SharePartitionManagerOptions) {
    this.config = validateSharePartitionConfig(options.config);
    this.metrics = options.metrics ?? noShareMetrics;
    this.now = options.nowMs ?? Date.now;
    this.maxSharePartitions = options.maxSharePartitions ?? 10_000;
    this.maxQueuedSteps = options.maxQueuedStepsPerPartition ?? 256;
    this.maxParkedFetches = options.maxParkedFetches ?? 1_000;
    this.persisterTimeoutMs = options.persisterTimeoutMs ?? 15_000;
    this.sessions = new ShareSessions(options.maxSessions ?? 10_000);
  }

  /** Share partitions held in memory (for tests and /metrics). */
  get sharePartitionCount(): number {
    return this.entries.size;
  }

  /**
   * For a scrape: records locked now (acquired, not yet acknowledged), and the share groups' lag per
   * group and topic: records from each share partition's start offset up to its high watermark
   * (not yet acknowledged or archived, delivered or not), as `sluice share describe` shows it.
   */
  shareGauges(): { readonly lockedRecords: number; readonly lag: ReadonlyMap<string, ShareLag> } {
    let lockedRecords = 0;
    const lag = new Map<string, ShareLag>();
    for (const entry of this.entries.values()) {
      const core = entry.core;
      if (core === null || !entry.current()) continue;
      lockedRecords += core.acquiredRecords;
      const key = `${entry.key.groupId}\u0000${entry.key.topic}`;
      const records = Math.max(0, entry.replica.highWatermark - core.startOffset);
      const found = lag.get(key);
      if (found === undefined) lag.set(key, { group: entry.key.groupId, topic: entry.key.topic, records });
      else found.records += records;
    }
    return { lockedRecords, lag };
  }

  /** The in-memory state of a share partition, if loaded (tests, diagnostics). */
  sharePartition(groupId: string, topic: string, partition: number): SharePartition | null {
    const entry = this.entries.get(entryKey(groupId, topic, partition));
    return entry !== undefined && entry.current() ? entry.core : null;
  }

  stop(): void {
    this.stopped = true;
    for (const entry of [...this.entries.values()]) this.drop(entry);
  }

  // ------------------------------------------------------------------ ShareFetch

  /** Share state writes and the long poll are the request's `remote` phase. */
  async shareFetch(
    request: ShareFetchRequest__Output,
    phases: RequestPhases = untimedRequest,
  ): Promise<ShareFetchResponse> {
    this.checkAvailable();
    checkGroupAndMember(request.groupId, request.memberId);
    const works = this.parseTopics(request.topics);
    const sessionPartitions = this.sessions.begin(request.groupId, request.memberId, request.shareSessionEpoch, true);
    for (const work of works) sessionPartitions.add(entryKey(request.groupId, work.topic, work.partition));
    // The acknowledgements decide first (the steps queue in call order), but the acquisitions do
    // not wait for them to be written: both share a write, and the answer waits for both.
    const acknowledged = Promise.all(
      works.map((work) => this.acknowledgePartition(request.groupId, request.memberId, work, phases)),
    );
    if (request.shareSessionEpoch === FINAL_SHARE_SESSION_EPOCH) {
      await acknowledged;
      await this.closeSession(request.groupId, request.memberId);
      return { topics: fetchResults(works) };
    }
    const maxWaitMs = Math.min(Math.max(0, request.maxWaitMs), MAX_SHARE_FETCH_WAIT_MS);
    const maxRecords = Math.min(
      request.maxRecords > 0 ? request.maxRecords : DEFAULT_MAX_RECORDS,
      this.config.maxInFlightRecords,
    );
    const maxBytes = request.maxBytes > 0 ? request.maxBytes : DEFAULT_SHARE_FETCH_MAX_BYTES;
    const deadlineMs = this.now() + maxWaitMs;
    for (;;) {
      let budget = maxBytes;
      let acquiredAny = false;
      for (const work of works) {
        if (work.fetchError !== null || budget <= 0) continue;
        const bytes = await this.acquirePartition(request.groupId, request.memberId, work, maxRecords, budget, phases);
        budget -= bytes;
        if (work.acquired.length > 0) acquiredAny = true;
      }
      const waitMs = deadlineMs - this.now();
      if (acquiredAny || waitMs <= 0 || this.stopped || works.every((w) => w.fetchError !== null)) break;
      if (this.parkedFetches >= this.maxParkedFetches) break;
      await phases.remote(this.waitForWork(request.groupId, works, waitMs));
    }
    await acknowledged;
    return { topics: fetchResults(works) };
  }

  // ------------------------------------------------------------------ ShareAcknowledge

  /** Share state writes are the request's `remote` phase. */
  async shareAcknowledge(
    request: ShareAcknowledgeRequest__Output,
    phases: RequestPhases = untimedRequest,
  ): Promise<ShareAcknowledgeResponse> {
    this.checkAvailable();
    checkGroupAndMember(request.groupId, request.memberId);
    const works = this.parseTopics(request.topics);
    const sessionPartitions = this.sessions.begin(request.groupId, request.memberId, request.shareSessionEpoch, false);
    for (const work of works) sessionPartitions.add(entryKey(request.groupId, work.topic, work.partition));
    await Promise.all(works.map((work) => this.acknowledgePartition(request.groupId, request.memberId, work, phases)));
    if (request.shareSessionEpoch === FINAL_SHARE_SESSION_EPOCH)
      await this.closeSession(request.groupId, request.memberId);
    const byTopic = new Map<string, ShareAcknowledgePartitionResult[]>();
    for (const work of works) {
      const error = work.acknowledgeError;
      const list = byTopic.get(work.topic) ?? [];
      list.push({ partition: work.partition, errorName: error?.errorName ?? '', errorMessage: error?.message ?? '' });
      byTopic.set(work.topic, list);
    }
    return { topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
  }

  // ------------------------------------------------------------------ request parts

  private checkAvailable(): void {
    if (this.stopped) throw new ApiError('NOT_LEADER_OR_FOLLOWER', `broker ${this.options.brokerId} is shutting down`);
    if (this.options.persister === null) {
      throw new ApiError(
        'COORDINATOR_NOT_AVAILABLE',
        this.options.unavailableReason ??
          `broker ${this.options.brokerId} has no share coordinator (set share.coordinator.addresses)`,
      );
    }
  }

  /** The request's partitions with their acknowledgements checked; bad ones carry INVALID_REQUEST and are left alone. */
  private parseTopics(topics: readonly ShareFetchTopic__Output[]): PartitionWork[] {
    const works: PartitionWork[] = [];
    const seen = new Set<string>();
    for (const topic of topics) {
      for (const p of topic.partitions) {
        const key = `${topic.name}-${p.partition}`;
        if (seen.has(key)) throw new ApiError('INVALID_REQUEST', `partition ${key} appears twice in the request`);
        seen.add(key);
        const parsed = parseAcknowledgements(p.acknowledgements);
        const work: PartitionWork = {
          topic: topic.name,
          partition: p.partition,
          acknowledgements: parsed instanceof ApiError ? [] : parsed,
          fetchError: null,
          acknowledgeError: null,
          records: [],
          acquired: [],
          leaderEpoch: -1,
        };
        if (parsed instanceof ApiError) {
          work.fetchError = parsed;
          work.acknowledgeError = parsed;
        }
        works.push(work);
      }
    }
    return works;
  }

  private async acknowledgePartition(
    groupId: string,
    memberId: string,
    work: PartitionWork,
    phases: RequestPhases,
  ): Promise<void> {
    if (work.fetchError !== null) return;
    const entry = this.entryFor(groupId, work.topic, work.partition);
    if (entry instanceof ApiError) {
      work.fetchError = entry;
      if (work.acknowledgements.length > 0) work.acknowledgeError = entry;
      return;
    }
    work.leaderEpoch = entry.leaderEpoch;
    if (work.acknowledgements.length === 0) return;
    const span = startAcknowledgeSpan(
      { groupId, topic: work.topic, partition: work.partition, brokerId: this.options.brokerId },
      memberId,
      work.acknowledgements,
    );
    try {
      await this.step(
        entry,
        (core) => {
          const before = core.inFlight();
          const outcome = core.acknowledge(memberId, work.acknowledgements, this.now());
          return {
            update: outcome.update,
            afterDurable: () => {
              const refused = outcome.results.find((r) => r !== null);
              if (refused !== undefined && refused !== null) work.acknowledgeError = refused;
              outcome.results.forEach((result, i) => {
                if (result !== null) return;
                const batch = work.acknowledgements[i]!;
                const records = batch.lastOffset - batch.firstOffset + 1;
                this.metrics.acknowledged(batch.type, records);
                if (batch.type === 'REJECT') this.metrics.archived(records);
                if (batch.type === 'RELEASE')
                  this.metrics.archived(countAtLimit(before, batch, core.deliveryCountLimit));
              });
              entry.notify();
            },
          };
        },
        phases,
      );
    } catch (error) {
      work.acknowledgeError = toError(error);
    } finally {
      endShareSpan(span, work.acknowledgeError?.errorName);
    }
  }

  /** Acquires records for `memberId` on one partition; returns the bytes read. */
  private async acquirePartition(
    groupId: string,
    memberId: string,
    work: PartitionWork,
    maxRecords: number,
    budget: number,
    phases: RequestPhases,
  ): Promise<number> {
    const entry = this.entryFor(groupId, work.topic, work.partition);
    if (entry instanceof ApiError) {
      work.fetchError = entry;
      return 0;
    }
    work.leaderEpoch = entry.leaderEpoch;
    try {
      return await this.step(
        entry,
        (core): StepDecision<number> => {
          const replica = entry.replica;
          const highWatermark = replica.highWatermark;
          const nowMs = this.now();
          // A new leader's high watermark may trail the window (records acquired under the old
          // leader): nothing is handed out until it caught up, so every acquired record is readable.
          if (highWatermark < core.endOffset || !core.canAcquire(highWatermark, nowMs))
            return { update: null, afterDurable: () => 0 };
          const available = availableBatches(
            replica.log,
            core.endOffset,
            highWatermark,
            budget,
            maxRecords,
            entry.bytesPerOffset,
          );
          if (available.batches.length > 0) entry.bytesPerOffset = bytesPerOffsetOf(available);
          const outcome = core.acquire(memberId, available.ranges, maxRecords, nowMs);
          // Committed records below the high watermark do not change: they may be gathered while
          // the acquisition is written, and they leave only once it is durable (afterDurable).
          let covering: Buffer | null = null;
          const readAcquired = (): Buffer =>
            (covering ??=
              coveringFromAvailable(available, outcome.acquired) ??
              readCovering(replica.log, outcome.acquired, highWatermark));
          return {
            update: outcome.update,
            ...(outcome.acquired.length === 0 ? {} : { whileWriting: () => void readAcquired() }),
            afterDurable: () => {
              if (outcome.acquired.length === 0) return 0;
              const records = readAcquired();
              recordAcquireSpan(
                { groupId, topic: work.topic, partition: work.partition, brokerId: this.options.brokerId },
                memberId,
                records,
                outcome.acquired,
                nowMs,
              );
              work.acquired.push(...outcome.acquired);
              work.records.push(records);
              this.metrics.acquired(outcome.acquired.reduce((n, r) => n + r.lastOffset - r.firstOffset + 1, 0));
              for (const range of outcome.acquired)
                this.metrics.delivered(range.deliveryCount, range.lastOffset - range.firstOffset + 1);
              return records.length;
            },
          };
        },
        phases,
      );
    } catch (error) {
      work.fetchError = toError(error);
      return 0;
    }
  }

  /** Session close: acknowledgements were applied; every lock the member holds here is released. */
  private async closeSession(groupId: string, memberId: string): Promise<void> {
    const keys = this.sessions.close(groupId, memberId);
    await Promise.all(
      [...keys].map(async (key) => {
        const entry = this.entries.get(key);
        if (entry === undefined || !entry.current()) return;
        try {
          await this.step(entry, (core) => {
            const outcome = core.releaseMember(memberId);
            return {
              update: outcome.update,
              afterDurable: () => {
                this.metrics.archived(
                  outcome.released
                    .filter((r) => r.state === 'ARCHIVED')
                    .reduce((n, r) => n + r.lastOffset - r.firstOffset + 1, 0),
                );
                if (outcome.released.length > 0) entry.notify();
              },
            };
          });
        } catch (error) {
          haltOnBrokenInvariant(error);
          // The locks run out on their own; the state was dropped and reloads on next use.
          this.options.log.warn(
            { groupId, memberId, sharePartition: key, err: error },
            "releasing a closed share session's records failed",
          );
        }
      }),
    );
  }

  /** Waits for an append, high watermark move, or released lock on `works`' partitions (or `waitMs`). */
  private waitForWork(groupId: string, works: readonly PartitionWork[], waitMs: number): Promise<void> {
    this.parkedFetches++;
    return new Promise((resolve) => {
      const unsubscribes: (() => void)[] = [];
      const done = (): void => {
        clearTimeout(timer);
        for (const unsubscribe of unsubscribes) unsubscribe();
        this.parkedFetches--;
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      for (const work of works) {
        if (work.fetchError !== null) continue;
        const entry = this.entries.get(entryKey(groupId, work.topic, work.partition));
        if (entry === undefined) continue;
        unsubscribes.push(entry.replica.onChange(done));
        entry.waiters.add(done);
        unsubscribes.push(() => entry.waiters.delete(done));
      }
    });
  }

  // ------------------------------------------------------------------ share partitions

  /** The share partition's entry for the current leadership, created on first use. */
  private entryFor(groupId: string, topic: string, partition: number): ShareEntry | ApiError {
    const replica = this.options.leaderOf(topic, partition);
    if (replica instanceof ApiError) return replica;
    const keyString = entryKey(groupId, topic, partition);
    let entry = this.entries.get(keyString);
    if (entry !== undefined && !entry.current()) {
      this.drop(entry);
      entry = undefined;
    }
    if (entry === undefined) {
      if (this.entries.size >= this.maxSharePartitions && !this.evictIdle()) {
        return new ApiError(
          'REQUEST_TIMED_OUT',
          `broker ${this.options.brokerId} holds ${this.entries.size} share partitions with records in flight, its bound; retry later`,
        );
      }
      const created = new ShareEntry(
        keyString,
        { groupId, topic, partition },
        replica,
        replica.role,
        replica.leaderEpoch,
      );
      // Twice the step bound: each step may add its own update and a log start offset move.
      created.writes = new ShareStateWriteQueue(
        (update) => this.write(created, update, 'update'),
        2 * this.maxQueuedSteps,
      );
      created.unsubscribe = replica.onChange(() => {
        if (!created.current()) this.drop(created);
      });
      this.entries.set(keyString, created);
      entry = created;
    }
    entry.lastUsedMs = this.now();
    return entry;
  }

  /** Evicts the least recently used share partition with nothing acquired and nothing queued. */
  private evictIdle(): boolean {
    let victim: ShareEntry | undefined;
    for (const entry of this.entries.values()) {
      const idle =
        entry.queued === 0 &&
        entry.writes.isIdle &&
        entry.unsettledWrite === null &&
        (entry.core === null || entry.core.nextDeadlineMs() === null);
      if (idle && (victim === undefined || entry.lastUsedMs < victim.lastUsedMs)) victim = entry;
    }
    if (victim === undefined) return false;
    this.drop(victim);
    return true;
  }

  private drop(entry: ShareEntry): void {
    entry.dropped = true;
    entry.core = null;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.unsubscribe();
    if (this.entries.get(entry.keyString) === entry) this.entries.delete(entry.keyString);
    entry.notify();
  }

  /**
   * Runs `decide` on the share partition's core, after the steps queued before it have decided
   * (bounded), with the state loaded and the log start offset applied; queues its update for
   * writing; runs its `afterDurable` once that (and everything before it) is written. The next
   * step decides as soon as this one has, so its update can share this one's write. Throws the
   * step's ApiError.
   */
  private step<T>(
    entry: ShareEntry,
    decide: (core: SharePartition) => StepDecision<T>,
    phases: RequestPhases = untimedRequest,
  ): Promise<T> {
    if (entry.queued >= this.maxQueuedSteps) {
      return Promise.reject(
        new ApiError(
          'REQUEST_TIMED_OUT',
          `share partition ${entry.keyString} has ${entry.queued} requests queued, its bound; retry later`,
        ),
      );
    }
    entry.queued++;
    const decided = entry.tail.then(async () => {
      if (!entry.current()) throw notLeader(entry);
      const core = await this.load(entry);
      // From here to the enqueue nothing awaits: no other step sees the core half-changed.
      try {
        const logStart = core.onLogStartOffset(entry.replica.log.logStartOffset);
        // Covered by this step's own wait below: writes go in order, and a failure fails every later one.
        if (logStart.update !== null) entry.writes.enqueue(logStart.update).catch(ignore);
        const decision = decide(core);
        const durable = decision.update === null ? entry.writes.idle() : entry.writes.enqueue(decision.update);
        const whileWriting = decision.whileWriting;
        if (whileWriting !== undefined) setImmediate(() => setImmediate(() => runWhileWriting(entry, whileWriting)));
        return { decision, durable };
      } catch (error) {
        // The core may hold a change that will never be written: reload rather than build on it.
        if (entry.core === core) entry.core = null;
        throw error;
      }
    });
    entry.tail = decided.then(ignore, ignore);
    const run = decided.then(async ({ decision, durable }) => {
      await phases.remote(durable);
      if (!entry.current()) throw notLeader(entry);
      this.armLockTimer(entry);
      return decision.afterDurable();
    });
    void run.then(ignore, ignore).finally(() => {
      entry.queued--;
    });
    return run;
  }

  private async load(entry: ShareEntry): Promise<SharePartition> {
    if (entry.core !== null) return entry.core;
    if (entry.unsettledWrite !== null) {
      throw new ApiError(
        'COORDINATOR_NOT_AVAILABLE',
        `share partition ${entry.keyString}: an earlier state write has not settled yet; retry`,
      );
    }
    const stored = await this.withTimeout(this.persister().read(entry.key, entry.leaderEpoch), 'read');
    if (!entry.current()) throw notLeader(entry);
    let core: SharePartition;
    if (stored === null) {
      const reset = this.options.autoOffsetReset?.(entry.key.groupId) ?? 'latest';
      const log = entry.replica.log;
      const startOffset = initialShareStartOffset(reset, {
        logStartOffset: log.logStartOffset,
        highWatermark: Math.max(log.logStartOffset, entry.replica.highWatermark),
      });
      core = SharePartition.initialize(startOffset, { config: this.config });
      await this.write(entry, core.snapshot(), 'snapshot');
    } else {
      const restored = SharePartition.fromSnapshot(stored, { config: this.config });
      if (!restored.ok) throw restored.error;
      core = restored.partition;
      if (restored.update !== null) await this.write(entry, restored.update, 'update');
    }
    if (!entry.current()) throw notLeader(entry);
    entry.core = core;
    this.options.log.debug(
      {
        sharePartition: entry.keyString,
        startOffset: core.startOffset,
        endOffset: core.endOffset,
        leaderEpoch: entry.leaderEpoch,
      },
      'share partition loaded',
    );
    return core;
  }

  private async write(
    entry: ShareEntry,
    state: ShareStateSnapshot | ShareStateUpdate,
    kind: 'snapshot' | 'update',
  ): Promise<void> {
    const startedMs = performance.now();
    const written = this.persister().write(entry.key, entry.leaderEpoch, state, kind);
    try {
      await this.withTimeout(written, 'write', () => {
        // A late success or failure of this write must not meet a state loaded meanwhile.
        entry.unsettledWrite = written.then(
          () => undefined,
          () => undefined,
        );
        void entry.unsettledWrite.then(() => {
          entry.unsettledWrite = null;
        });
      });
      this.metrics.persisterWrite((performance.now() - startedMs) / 1000, 'ok');
    } catch (error) {
      const apiError = toError(error);
      this.metrics.persisterWrite((performance.now() - startedMs) / 1000, apiError.errorName);
      entry.core = null;
      clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.timerAtMs = null;
      this.options.log.warn(
        { sharePartition: entry.keyString, err: apiError },
        'share state write failed; the share partition reloads on next use',
      );
      throw apiError;
    }
  }

  private withTimeout<T>(
    promise: Promise<T>,
    what: 'read' | 'write',
    onTimeout: () => void = () => undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        onTimeout();
        reject(
          new ApiError('REQUEST_TIMED_OUT', `share state ${what} did not finish within ${this.persisterTimeoutMs} ms`),
        );
      }, this.persisterTimeoutMs);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(toError(error));
        },
      );
    });
  }

  private persister(): ShareStatePersister {
    const persister = this.options.persister;
    if (persister === null) throw new ApiError('COORDINATOR_NOT_AVAILABLE', 'no share state persister');
    return persister;
  }

  private armLockTimer(entry: ShareEntry): void {
    const deadlineMs = entry.core?.nextDeadlineMs() ?? null;
    if (deadlineMs === entry.timerAtMs && (deadlineMs === null || entry.timer !== undefined)) return;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.timerAtMs = deadlineMs;
    if (deadlineMs === null || this.stopped) return;
    entry.timer = setTimeout(
      () => {
        entry.timer = undefined;
        entry.timerAtMs = null;
        if (!entry.current() || entry.core === null) return;
        this.step(entry, (core) => {
          const outcome = core.expireLocks(this.now());
          return {
            update: outcome.update,
            afterDurable: () => {
              const records = (state: string): number =>
                outcome.released
                  .filter((r) => r.state === state)
                  .reduce((n, r) => n + r.lastOffset - r.firstOffset + 1, 0);
              this.metrics.lockExpired(records('AVAILABLE') + records('ARCHIVED'));
              this.metrics.archived(records('ARCHIVED'));
              if (outcome.released.length > 0) entry.notify();
            },
          };
        }).catch((error: unknown) => {
          haltOnBrokenInvariant(error);
          this.options.log.warn(
            { sharePartition: entry.keyString, err: error },
            'releasing expired share locks failed',
          );
        });
      },
      Math.max(0, deadlineMs - this.now()) + 1,
    );
  }
}

function entryKey(groupId: string, topic: string, partition: number): string {
  return `${groupId}\u0000${topic}\u0000${partition}`;
}

function notLeader(entry: ShareEntry): ApiError {
  return new ApiError(
    'NOT_LEADER_OR_FOLLOWER',
    `this broker no longer leads ${entry.key.topic}-${entry.key.partition} at leader epoch ${entry.leaderEpoch}`,
  );
}

function checkGroupAndMember(groupId: string, memberId: string): void {
  if (typeof groupId !== 'string' || groupId.length === 0)
    throw new ApiError('INVALID_GROUP_ID', 'a share group id must be a non-empty string');
  if (typeof memberId !== 'string' || memberId.length === 0)
    throw new ApiError('INVALID_REQUEST', 'a share group member id must be a non-empty string');
}

/** The wire's acknowledgement batches, or INVALID_REQUEST (bad type, bad or unsorted ranges). */
function parseAcknowledgements(
  batches: ShareFetchTopic__Output['partitions'][number]['acknowledgements'],
): AcknowledgementBatch[] | ApiError {
  const out: AcknowledgementBatch[] = [];
  let previousLast = -1;
  for (const b of batches) {
    const firstOffset = Number(b.firstOffset);
    const lastOffset = Number(b.lastOffset);
    const where = `acknowledgement batch ${String(b.firstOffset)}..${String(b.lastOffset)}`;
    if (!ACKNOWLEDGE_TYPES.has(b.acknowledgeType))
      return new ApiError('INVALID_REQUEST', `${where} has type '${b.acknowledgeType}', not ACCEPT, RELEASE or REJECT`);
    if (
      !Number.isSafeInteger(firstOffset) ||
      !Number.isSafeInteger(lastOffset) ||
      firstOffset < 0 ||
      firstOffset > lastOffset
    )
      return new ApiError('INVALID_REQUEST', `invalid ${where}`);
    if (firstOffset <= previousLast)
      return new ApiError('INVALID_REQUEST', `${where} overlaps or precedes the batch before it`);
    out.push({ firstOffset, lastOffset, type: b.acknowledgeType as AcknowledgeType });
    previousLast = lastOffset;
  }
  return out;
}

/** Offsets of `batch` the member held at the delivery limit: a RELEASE archives them. */
function countAtLimit(before: ReturnType<SharePartition['inFlight']>, batch: OffsetRange, limit: number): number {
  let count = 0;
  for (const s of before) {
    if (s.state !== 'ACQUIRED' || s.deliveryCount < limit) continue;
    const first = Math.max(s.firstOffset, batch.firstOffset);
    const last = Math.min(s.lastOffset, batch.lastOffset);
    if (first <= last) count += last - first + 1;
  }
  return count;
}

function fetchResults(works: readonly PartitionWork[]): ShareFetchTopicResult[] {
  const byTopic = new Map<string, ShareFetchPartitionResult[]>();
  for (const work of works) {
    const list = byTopic.get(work.topic) ?? [];
    list.push({
      partition: work.partition,
      errorName: work.fetchError?.errorName ?? '',
      errorMessage: work.fetchError?.message ?? '',
      acknowledgeErrorName: work.acknowledgeError?.errorName ?? '',
      acknowledgeErrorMessage: work.acknowledgeError?.message ?? '',
      // One partition's records are one buffer already: sent as is rather than copied again.
      records: work.records.length === 1 ? work.records[0]! : Buffer.concat(work.records),
      acquiredRecords: work.acquired.map((r) => ({
        firstOffset: r.firstOffset,
        lastOffset: r.lastOffset,
        deliveryCount: r.deliveryCount,
      })),
      leaderEpoch: work.leaderEpoch,
    });
    byTopic.set(work.topic, list);
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}
