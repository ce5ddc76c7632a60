/**
 * `RaftDriver`: the shell around one `RaftNode`. It owns the clock (a tick timer), the disk
 * (`DiskRaftStorage`), the network (a `RaftTransport`) and the application (`ReplicatedStateMachine`),
 * and runs the Ready loop strictly in the contract's order:
 *
 *   persist (fsync) -> send -> restore snapshot -> apply committed -> advance
 *
 * Everything up to "send" is synchronous (sync fs calls), so no message of a Ready can leave
 * before its state is on disk. The loop runs once per macrotask when something happened (tick,
 * message, proposal), so a burst of messages and proposals shares one Ready and one fsync.
 *
 * Proposals resolve once their last entry is committed and applied on this node. They reject
 * with NOT_CONTROLLER (detail: leaderId, leaderAddress) when this node is not the leader. A
 * leader that loses the leadership with proposals in flight keeps them for up to
 * `lostLeadershipWaitMs` and settles each by what the next leader does with its entry: applied
 * with its term -> resolved (the write happened, and its caller hears so instead of retrying it
 * into TOPIC_ALREADY_EXISTS); cut from this node's log or overwritten by another leader's entry
 * -> NOT_CONTROLLER, definitely not committed. Still undecided after that wait (no new leader
 * reached this node) -> NOT_CONTROLLER meaning "outcome unknown": the entry may still commit, so
 * the state machine's records should be safe to propose again (idempotent or guarded by epochs).
 * A proposal not applied within `proposalTimeoutMs` rejects with REQUEST_TIMED_OUT (also
 * outcome unknown). Nothing waits forever.
 */
import { ApiError } from '@sluice/protocol';
import { RaftNode } from '@sluice/raft';
import type { Entry, Message, RaftError, Ready, Role } from '@sluice/raft';
import { DiskRaftStorage } from './disk-storage';

/** A committed entry as the application sees it. Empty `data` is a leader's no-op entry. */
export interface CommittedEntry {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
}

export interface StateMachineSnapshot {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
}

/**
 * What the controller implements. `apply` receives every committed entry, in index order,
 * contiguous, no-ops (empty data) included, exactly once per process lifetime after the
 * snapshot it was restored from; after a restart, entries after the on-disk snapshot are
 * applied again to the restored state.
 */
export interface ReplicatedStateMachine {
  apply(entries: ReadonlyArray<CommittedEntry>): void;
  /** The state as of the last applied index; `index` must be an index it has applied. */
  takeSnapshot(): { index: number; data: Uint8Array };
  /** Replace the state. May be async; the Ready loop waits for it before applying more. */
  restoreSnapshot(snapshot: StateMachineSnapshot): void | Promise<void>;
}

/** Outbound half of the network. `send` must never block or throw; delivery is best effort. */
export interface RaftTransport {
  send(messages: readonly Message[]): void;
  close(): Promise<void>;
  /**
   * Optional: call `listener(peerId)` when an established connection to a peer closes (its
   * process died or restarted). The driver passes it to Raft as a hint to elect at once when
   * that peer led, rather than after an election timeout of silence.
   */
  onPeerConnectionLost?(listener: (peerId: number) => void): void;
}

/** The subset of a pino logger the driver uses. */
export interface RaftLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export type LeaderChangeListener = (leaderId: number | null, term: number) => void;

export type ReadCommittedResult =
  | { readonly kind: 'entries'; readonly entries: readonly CommittedEntry[] }
  | { readonly kind: 'snapshotNeeded'; readonly snapshot: StateMachineSnapshot };

export interface RaftDriverOptions {
  readonly nodeId: number;
  /** Voter id -> `host:port` of its controller listener (serves RaftPeer and the Controller API). */
  readonly voters: ReadonlyMap<number, string>;
  /** The metadata log directory (`<metadata.log.dir>/__cluster_metadata-0`). */
  readonly dataDir: string;
  readonly stateMachine: ReplicatedStateMachine;
  readonly transport: RaftTransport;
  readonly logger?: RaftLogger;
  /** Raft clock resolution. Default 25 ms (`controller.quorum.tick.ms`). */
  readonly tickMs?: number;
  /** Base election timeout; followers wait [t, 2t). Default 300 ms (`controller.quorum.election.timeout.ms`). */
  readonly electionTimeoutMs?: number;
  /** Default 50 ms (`controller.quorum.heartbeat.interval.ms`). */
  readonly heartbeatIntervalMs?: number;
  /** Snapshot + compact after this many applied entries. Default 20,000 (`metadata.snapshot.interval.entries`). */
  readonly snapshotEveryEntries?: number;
  /** Proposals awaiting commit on this node; beyond it `propose` rejects (retriable). Default 1,000. */
  readonly maxPendingProposals?: number;
  /** Default 10,000 ms. */
  readonly proposalTimeoutMs?: number;
  /**
   * How long proposals in flight when this node loses the leadership wait to learn whether the
   * next leader committed their entries (then: resolved, or a definite NOT_CONTROLLER) before
   * they reject with NOT_CONTROLLER "outcome unknown". Default 2,000 ms.
   */
  readonly lostLeadershipWaitMs?: number;
  /** The core's bound on uncommitted entries at the leader. Default 10,000. */
  readonly maxUncommittedEntries?: number;
  readonly segmentMaxBytes?: number;
  /**
   * 0 (default): the commit index is fsynced with every Ready like term and vote. > 0: a change
   * of the commit index alone is written at most this often (see DiskRaftStorage `lazyCommit`);
   * saves three fsyncs per commit advance per node at the price of re-learning up to this much
   * commit progress after a crash. Term and vote are always durable before any message leaves.
   */
  readonly commitFlushIntervalMs?: number;
  /** Uniform in [0, 1); seeded in tests. Default Math.random. */
  readonly rng?: () => number;
  /**
   * A broken invariant or a failed disk write: the driver has stopped and the process must
   * exit (continuing could break persist-before-send). Default: log it.
   */
  readonly onFatal?: (error: unknown) => void;
}

export const RAFT_DRIVER_DEFAULTS = Object.freeze({
  tickMs: 25,
  electionTimeoutMs: 300,
  heartbeatIntervalMs: 50,
  snapshotEveryEntries: 20_000,
  maxPendingProposals: 1_000,
  proposalTimeoutMs: 10_000,
  lostLeadershipWaitMs: 2_000,
  maxUncommittedEntries: 10_000,
});

interface PendingProposal {
  readonly index: number;
  readonly term: number;
  deadlineMs: number;
  /** Set when this node lost the leadership with the proposal in flight. */
  lostLeadership: boolean;
  resolve(value: { index: number }): void;
  reject(error: ApiError): void;
}

type DriverState = 'new' | 'starting' | 'running' | 'stopped' | 'failed';

const NOOP_LOGGER: RaftLogger = { info() {}, warn() {}, error() {}, debug() {} };

export class RaftDriver {
  readonly nodeId: number;
  private readonly options: RaftDriverOptions;
  private readonly log: RaftLogger;
  private readonly tickMs: number;
  private readonly snapshotEveryEntries: number;
  private readonly maxPendingProposals: number;
  private readonly proposalTimeoutMs: number;
  private readonly lostLeadershipWaitMs: number;
  private storage: DiskRaftStorage | null = null;
  private node: RaftNode | null = null;
  private state: DriverState = 'new';
  private ticker: ReturnType<typeof setInterval> | null = null;
  private readyScheduled = false;
  private loop: Promise<void> | null = null;
  /** Keyed by the proposal's last index; Map order is proposal order, hence deadline order. */
  private readonly pending = new Map<number, PendingProposal>();
  private readonly listeners = new Set<LeaderChangeListener>();
  private appliedIndex = 0;
  private role: Role = 'follower';
  private notified: { leaderId: number | null; term: number } = { leaderId: null, term: 0 };
  private droppedMisrouted = 0;
  /** Times a closed connection to the leader started an election early (stats, bench). */
  private leaderConnectionLosses = 0;
  private lastCommitFlushMs = 0;
  /** When a replication message from the leader of the time last arrived (readiness); null: none yet. */
  private lastLeaderContactMs: number | null = null;

  constructor(options: RaftDriverOptions) {
    if (!options.voters.has(options.nodeId))
      throw new Error(`node ${options.nodeId} is not among the voters ${[...options.voters.keys()].join(',')}`);
    this.options = options;
    this.nodeId = options.nodeId;
    this.log = options.logger ?? NOOP_LOGGER;
    this.tickMs = options.tickMs ?? RAFT_DRIVER_DEFAULTS.tickMs;
    this.snapshotEveryEntries = options.snapshotEveryEntries ?? RAFT_DRIVER_DEFAULTS.snapshotEveryEntries;
    this.maxPendingProposals = options.maxPendingProposals ?? RAFT_DRIVER_DEFAULTS.maxPendingProposals;
    this.proposalTimeoutMs = options.proposalTimeoutMs ?? RAFT_DRIVER_DEFAULTS.proposalTimeoutMs;
    this.lostLeadershipWaitMs = options.lostLeadershipWaitMs ?? RAFT_DRIVER_DEFAULTS.lostLeadershipWaitMs;
    for (const [name, value] of Object.entries({
      tickMs: this.tickMs,
      snapshotEveryEntries: this.snapshotEveryEntries,
      maxPendingProposals: this.maxPendingProposals,
    })) {
      if (!Number.isSafeInteger(value) || value <= 0)
        throw new RangeError(`raft driver: ${name} must be a positive integer, got ${value}`);
    }
  }

  // ---------------------------------------------------------------- life cycle

  /** Recovers from disk, restores the state machine from the local snapshot, starts ticking. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`raft driver ${this.nodeId} cannot start from state ${this.state}`);
    this.state = 'starting';
    try {
      await this.open();
    } catch (error) {
      this.state = 'failed';
      this.storage?.close();
      throw error;
    }
  }

  private async open(): Promise<void> {
    const voters = [...this.options.voters.keys()].sort((a, b) => a - b);
    const storage = DiskRaftStorage.open({
      dir: this.options.dataDir,
      membership: { voters, observers: [] },
      segmentMaxBytes: this.options.segmentMaxBytes,
      lazyCommit: (this.options.commitFlushIntervalMs ?? 0) > 0,
      onRepair: (what) => this.log.warn({ dir: this.options.dataDir, repair: what }, 'raft storage repaired on open'),
    });
    this.storage = storage;
    const snapshot = storage.snapshot();
    if (snapshot.metadata.index > 0) {
      await this.options.stateMachine.restoreSnapshot({
        index: snapshot.metadata.index,
        term: snapshot.metadata.term,
        data: snapshot.data,
      });
      this.appliedIndex = snapshot.metadata.index;
    }
    const tickMs = this.tickMs;
    const electionTimeoutTicks = Math.max(
      2,
      Math.round((this.options.electionTimeoutMs ?? RAFT_DRIVER_DEFAULTS.electionTimeoutMs) / tickMs),
    );
    const heartbeatIntervalTicks = Math.min(
      electionTimeoutTicks - 1,
      Math.max(1, Math.round((this.options.heartbeatIntervalMs ?? RAFT_DRIVER_DEFAULTS.heartbeatIntervalMs) / tickMs)),
    );
    this.node = new RaftNode(
      {
        id: this.nodeId,
        voters,
        electionTimeoutTicks,
        heartbeatIntervalTicks,
        rng: this.options.rng ?? Math.random,
        maxUncommittedEntries: this.options.maxUncommittedEntries ?? RAFT_DRIVER_DEFAULTS.maxUncommittedEntries,
      },
      storage,
    );
    this.notified = { leaderId: null, term: storage.hardState().term };
    this.options.transport.onPeerConnectionLost?.((peerId) => this.peerConnectionLost(peerId));
    this.state = 'running';
    this.ticker = setInterval(() => this.onTick(), tickMs);
    this.log.info(
      {
        nodeId: this.nodeId,
        term: storage.hardState().term,
        firstIndex: storage.firstIndex(),
        lastIndex: storage.lastIndex(),
        snapshotIndex: snapshot.metadata.index,
        electionTimeoutTicks,
        heartbeatIntervalTicks,
        tickMs,
      },
      'raft driver started',
    );
    this.scheduleReady();
  }

  /** Stops ticking, rejects pending proposals, waits for the Ready loop, closes transport and disk. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasFailed = this.state === 'failed';
    this.state = 'stopped';
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    this.rejectAllPending(
      () =>
        new ApiError(
          'NOT_CONTROLLER',
          `controller ${this.nodeId} is shutting down; outcome unknown`,
          this.leaderDetail(null),
        ),
    );
    if (this.loop !== null) await this.loop.catch(() => undefined);
    await this.options.transport.close();
    this.storage?.close();
    if (!wasFailed) this.log.info({ nodeId: this.nodeId }, 'raft driver stopped');
  }

  // ---------------------------------------------------------------- state

  /** The leader this node knows of; null during an election and when this driver is not running. */
  get leaderId(): number | null {
    return this.state === 'running' ? (this.node?.status().leaderId ?? null) : null;
  }

  get term(): number {
    return this.node?.status().term ?? 0;
  }

  isLeader(): boolean {
    return this.state === 'running' && this.node?.status().role === 'leader';
  }

  /**
   * While this node leads: its last Raft index and how far each other voter has replicated
   * (its match index); null otherwise. For the active controller's metrics.
   */
  voterProgress(): { readonly lastIndex: number; readonly matchByVoter: ReadonlyMap<number, number> } | null {
    const node = this.node;
    if (!this.isLeader() || node === null) return null;
    const matchByVoter = new Map<number, number>();
    for (const id of this.options.voters.keys()) {
      if (id === this.nodeId) continue;
      const progress = node.peerProgress(id);
      if (progress !== undefined) matchByVoter.set(id, progress.match);
    }
    return { lastIndex: node.status().lastIndex, matchByVoter };
  }

  /** `host:port` of a voter, from `voters`. */
  addressOf(nodeId: number): string | undefined {
    return this.options.voters.get(nodeId);
  }

  /** Called on every change of leader or term (after it is durable). Returns an unsubscribe function. */
  onLeaderChange(listener: LeaderChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * What readiness is decided from (core/controller-readiness.ts): the leader this node knows,
   * the highest commit that leader told it, what it applied, and when the leader last reached it.
   */
  readinessState(): {
    readonly leaderId: number | null;
    readonly leaderCommitIndex: number;
    readonly appliedIndex: number;
    readonly lastLeaderContactMs: number | null;
  } {
    const status = this.node?.status();
    return {
      leaderId: this.leaderId,
      leaderCommitIndex: status?.leaderCommitIndex ?? 0,
      appliedIndex: this.appliedIndex,
      lastLeaderContactMs: this.lastLeaderContactMs,
    };
  }

  /** Highest committed index this node has applied (and therefore persisted); what observers may read. */
  committedIndex(): number {
    return this.appliedIndex;
  }

  /**
   * Committed entries from `fromIndex` (at least one if any is available, then up to `maxBytes`),
   * or the snapshot when `fromIndex` was compacted away. Empty when `fromIndex` is beyond
   * `committedIndex()`.
   */
  readCommitted(fromIndex: number, maxBytes: number): ReadCommittedResult {
    const storage = this.requireStorage();
    if (fromIndex < storage.firstIndex()) {
      const snapshot = storage.snapshot();
      if (snapshot.metadata.index > 0) {
        return {
          kind: 'snapshotNeeded',
          snapshot: { index: snapshot.metadata.index, term: snapshot.metadata.term, data: snapshot.data },
        };
      }
      fromIndex = storage.firstIndex();
    }
    if (fromIndex > this.appliedIndex) return { kind: 'entries', entries: [] };
    return { kind: 'entries', entries: storage.entries(fromIndex, this.appliedIndex + 1, maxBytes) };
  }

  latestSnapshot(): StateMachineSnapshot | null {
    const snapshot = this.storage?.snapshot();
    if (snapshot === undefined || snapshot.metadata.index === 0) return null;
    return { index: snapshot.metadata.index, term: snapshot.metadata.term, data: snapshot.data };
  }

  /** Counters for metrics and tests. */
  stats(): {
    appliedIndex: number;
    pendingProposals: number;
    droppedMisroutedMessages: number;
    raftDroppedMessages: number;
    lastIndex: number;
    firstIndex: number;
    leaderConnectionLosses: number;
  } {
    const status = this.node?.status();
    return {
      appliedIndex: this.appliedIndex,
      pendingProposals: this.pending.size,
      droppedMisroutedMessages: this.droppedMisrouted,
      raftDroppedMessages: status?.droppedMessages ?? 0,
      lastIndex: status?.lastIndex ?? 0,
      firstIndex: status?.firstIndex ?? 0,
      leaderConnectionLosses: this.leaderConnectionLosses,
    };
  }

  // ---------------------------------------------------------------- inputs

  /** A message from the transport. Dropped when stopped or not addressed to this node. */
  receive(message: Message): void {
    if (this.state !== 'running' || this.node === null) return;
    if (message.to !== this.nodeId) {
      this.droppedMisrouted++;
      return;
    }
    try {
      this.node.step(message);
    } catch (error) {
      this.fail(error);
      return;
    }
    // Only what the leader sends to replicate carries its commit; votes and responses do not.
    const fromLeader =
      (message.type === 'append' || message.type === 'heartbeat' || message.type === 'snapshot') &&
      this.node.status().leaderId === message.from;
    if (fromLeader) this.lastLeaderContactMs = Date.now();
    this.scheduleReady();
  }

  /**
   * The connection to `peerId` closed. If it led, this follower campaigns now (see
   * RaftNode.peerConnectionLost: a hint under pre-vote, never a safety input).
   */
  peerConnectionLost(peerId: number): void {
    if (this.state !== 'running' || this.node === null || !this.options.voters.has(peerId)) return;
    const ledBefore = this.node.status().leaderId === peerId;
    try {
      this.node.peerConnectionLost(peerId);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (ledBefore) {
      this.leaderConnectionLosses++;
      this.log.info({ nodeId: this.nodeId, leaderId: peerId }, 'connection to the leader closed; electing now');
    }
    this.scheduleReady();
  }

  /** Appends entries; resolves with the last entry's index once committed and applied here. */
  propose(entries: readonly Uint8Array[]): Promise<{ index: number }> {
    if (this.state !== 'running' || this.node === null) {
      return Promise.reject(
        new ApiError('NOT_CONTROLLER', `controller ${this.nodeId} is not running`, this.leaderDetail(null)),
      );
    }
    if (entries.length === 0 || entries.some((entry) => entry.byteLength === 0)) {
      return Promise.reject(
        new ApiError(
          'INVALID_REQUEST',
          'a proposal needs at least one entry and no entry may be empty (empty is the leader no-op)',
        ),
      );
    }
    if (this.pending.size >= this.maxPendingProposals) {
      return Promise.reject(
        new ApiError(
          'REQUEST_TIMED_OUT',
          `controller proposal queue is full (${this.pending.size} pending); retry after a backoff`,
        ),
      );
    }
    const result = this.node.propose(entries);
    if (!result.ok) return Promise.reject(this.toApiError(result.error));
    const { term, lastIndex } = result.value;
    return new Promise((resolve, reject) => {
      this.pending.set(lastIndex, {
        index: lastIndex,
        term,
        deadlineMs: Date.now() + this.proposalTimeoutMs,
        lostLeadership: false,
        resolve,
        reject,
      });
      this.scheduleReady();
    });
  }

  /**
   * Graceful hand-over before a planned stop (rolling restart): transfers leadership to the most
   * up-to-date follower and waits until this node no longer leads, at most `timeoutMs`. Resolves
   * true when leadership moved (or this node was not leading). Failover then takes about one
   * round trip instead of an election timeout.
   */
  async resign(
    timeoutMs: number = 2 * (this.options.electionTimeoutMs ?? RAFT_DRIVER_DEFAULTS.electionTimeoutMs),
  ): Promise<boolean> {
    const node = this.node;
    if (!this.isLeader() || node === null) return true;
    // Most caught-up first. A peer that just died can still look active (recentActive is only
    // reset once per election timeout), so each candidate gets a share of the time budget.
    const candidates: Array<{ id: number; match: number }> = [];
    for (const id of this.options.voters.keys()) {
      const progress = id === this.nodeId ? undefined : node.peerProgress(id);
      if (progress !== undefined && progress.recentActive) candidates.push({ id, match: progress.match });
    }
    candidates.sort((a, b) => b.match - a.match);
    const deadline = Date.now() + timeoutMs;
    for (const [k, candidate] of candidates.entries()) {
      if (!this.isLeader()) return true;
      this.transferLeadership(candidate.id);
      const candidateDeadline = Math.min(deadline, Date.now() + (deadline - Date.now()) / (candidates.length - k));
      while (this.isLeader() && Date.now() < candidateDeadline)
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.floor(this.tickMs / 5))));
    }
    return !this.isLeader();
  }

  /** Hands leadership to `targetId` (e.g. before a rolling restart of this node). */
  transferLeadership(targetId: number): void {
    const node = this.requireNode();
    const result = node.transferLeadership(targetId);
    if (!result.ok) throw this.toApiError(result.error);
    this.scheduleReady();
  }

  // ---------------------------------------------------------------- the Ready loop

  private onTick(): void {
    if (this.state !== 'running' || this.node === null) return;
    this.node.tick();
    const nowMs = Date.now();
    this.expireProposals(nowMs);
    const flushIntervalMs = this.options.commitFlushIntervalMs ?? 0;
    if (flushIntervalMs > 0 && nowMs - this.lastCommitFlushMs >= flushIntervalMs && this.loop === null) {
      this.lastCommitFlushMs = nowMs;
      try {
        this.requireStorage().flushCommit();
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    this.scheduleReady();
  }

  private scheduleReady(): void {
    if (this.readyScheduled || this.state !== 'running') return;
    this.readyScheduled = true;
    setImmediate(() => {
      this.readyScheduled = false;
      if (this.loop === null) this.loop = this.runReadyLoop().finally(() => (this.loop = null));
      // A loop already running re-checks hasReady() before it ends, so nothing is missed.
    });
  }

  private async runReadyLoop(): Promise<void> {
    try {
      while (this.state === 'running' && this.node !== null && this.node.hasReady()) {
        const ready = this.node.ready();
        await this.handleReady(ready);
        if (this.state !== 'running') return; // stopped while restoring: leave the Ready un-advanced
        this.node.advance();
        this.notifyLeaderChange();
        this.maybeCompact();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private async handleReady(ready: Ready): Promise<void> {
    // 1. Persist, durably, before anything that depends on it leaves.
    if (ready.mustSync) this.requireStorage().persistReady(ready);
    this.observeRole(ready.softState.role);
    if (this.role !== 'leader') this.rejectReplacedProposals();
    // 2. Send.
    if (ready.messages.length > 0) this.options.transport.send(ready.messages);
    // 3. Restore, then apply.
    if (ready.snapshot !== null) {
      const { metadata, data } = ready.snapshot;
      this.log.info(
        { index: metadata.index, term: metadata.term, sizeBytes: data.byteLength },
        'restoring state machine from leader snapshot',
      );
      await this.options.stateMachine.restoreSnapshot({ index: metadata.index, term: metadata.term, data });
      this.appliedIndex = Math.max(this.appliedIndex, metadata.index);
      this.settleProposalsUpTo(metadata.index, null);
    }
    if (ready.committedEntries.length > 0) {
      const first = ready.committedEntries[0] as Entry;
      if (first.index !== this.appliedIndex + 1) {
        throw new Error(
          `raft driver: committed entries start at ${first.index}, applied index is ${this.appliedIndex}`,
        );
      }
      this.options.stateMachine.apply(ready.committedEntries);
      const last = ready.committedEntries[ready.committedEntries.length - 1] as Entry;
      this.appliedIndex = last.index;
      this.settleProposalsUpTo(last.index, ready.committedEntries);
    }
  }

  private observeRole(role: Role): void {
    const wasLeader = this.role === 'leader';
    this.role = role;
    if (wasLeader && role !== 'leader' && this.pending.size > 0) {
      // The next leader decides these entries' fate, usually within a round trip of its election:
      // wait a bounded time to learn it rather than leave every caller with "outcome unknown".
      const waitUntilMs = Date.now() + this.lostLeadershipWaitMs;
      for (const proposal of this.pending.values()) {
        proposal.lostLeadership = true;
        proposal.deadlineMs = Math.min(proposal.deadlineMs, waitUntilMs);
      }
      this.log.info(
        { nodeId: this.nodeId, pending: this.pending.size, waitMs: this.lostLeadershipWaitMs },
        'lost leadership with proposals in flight; waiting for their outcome',
      );
    }
  }

  /**
   * Not leading: a pending proposal whose entry this node's log no longer holds (the new leader
   * cut it or wrote another term's entry at its index) can never commit. Runs after each persist.
   */
  private rejectReplacedProposals(): void {
    if (this.pending.size === 0) return;
    const storage = this.requireStorage();
    const snapshotIndex = storage.snapshot().metadata.index;
    const lastIndex = storage.lastIndex();
    for (const [key, proposal] of this.pending) {
      if (proposal.index <= snapshotIndex) continue; // settled by the snapshot or apply path
      if (proposal.index <= lastIndex && storage.term(proposal.index) === proposal.term) continue;
      this.pending.delete(key);
      proposal.reject(
        new ApiError(
          'NOT_CONTROLLER',
          `entry ${proposal.index} of term ${proposal.term} was replaced by the next leader's log; not committed`,
          this.leaderDetail(this.leaderId),
        ),
      );
    }
  }

  /** Resolves or rejects proposals whose last index is now applied (or covered by a snapshot). */
  private settleProposalsUpTo(index: number, entries: readonly Entry[] | null): void {
    if (this.pending.size === 0) return;
    const termAt = new Map<number, number>();
    for (const entry of entries ?? []) termAt.set(entry.index, entry.term);
    for (const [key, proposal] of this.pending) {
      if (proposal.index > index) continue;
      this.pending.delete(key);
      if (termAt.get(proposal.index) === proposal.term) proposal.resolve({ index: proposal.index });
      else
        proposal.reject(
          new ApiError(
            'NOT_CONTROLLER',
            `entry ${proposal.index} of term ${proposal.term} was replaced by another leader's entry`,
            this.leaderDetail(this.leaderId),
          ),
        );
    }
  }

  private expireProposals(nowMs: number): void {
    // Not in deadline order once a lost leadership shortened some: check each (at most maxPendingProposals).
    for (const [key, proposal] of this.pending) {
      if (proposal.deadlineMs > nowMs) continue;
      this.pending.delete(key);
      proposal.reject(
        proposal.lostLeadership
          ? new ApiError(
              'NOT_CONTROLLER',
              `controller ${this.nodeId} lost leadership before entry ${proposal.index} was applied and did not learn its fate within ${this.lostLeadershipWaitMs} ms; outcome unknown`,
              this.leaderDetail(this.leaderId),
            )
          : new ApiError(
              'REQUEST_TIMED_OUT',
              `entry ${proposal.index} not committed within ${this.proposalTimeoutMs} ms; outcome unknown`,
            ),
      );
    }
  }

  private rejectAllPending(error: () => ApiError): void {
    if (this.pending.size === 0) return;
    const proposals = [...this.pending.values()];
    this.pending.clear();
    for (const proposal of proposals) proposal.reject(error());
  }

  private notifyLeaderChange(): void {
    const leaderId = this.leaderId;
    const term = this.term;
    if (leaderId === this.notified.leaderId && term === this.notified.term) return;
    this.notified = { leaderId, term };
    this.log.info({ nodeId: this.nodeId, leaderId, term, role: this.role }, 'raft leader changed');
    for (const listener of [...this.listeners]) {
      try {
        listener(leaderId, term);
      } catch (error) {
        this.log.error({ err: error }, 'leader change listener failed');
      }
    }
  }

  private maybeCompact(): void {
    const node = this.requireNode();
    const snapshotIndex = this.requireStorage().snapshot().metadata.index;
    if (this.appliedIndex - snapshotIndex < this.snapshotEveryEntries) return;
    const taken = this.options.stateMachine.takeSnapshot();
    if (taken.index <= snapshotIndex) return;
    const result = node.compact(taken.index, taken.data);
    if (!result.ok) {
      this.log.warn({ index: taken.index, error: result.error }, 'state machine snapshot refused by raft');
      return;
    }
    this.log.info({ index: taken.index, sizeBytes: taken.data.byteLength }, 'raft snapshot taken; compacting the log');
    this.scheduleReady();
  }

  private fail(error: unknown): void {
    if (this.state === 'failed' || this.state === 'stopped') return;
    this.state = 'failed';
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    this.log.error({ err: error, nodeId: this.nodeId }, 'raft driver failed; this controller must restart');
    this.rejectAllPending(
      () =>
        new ApiError(
          'KAFKA_STORAGE_ERROR',
          `controller ${this.nodeId} failed: ${(error as Error)?.message ?? String(error)}`,
        ),
    );
    this.options.onFatal?.(error);
  }

  // ---------------------------------------------------------------- helpers

  private leaderDetail(leaderId: number | null): Record<string, string> {
    if (leaderId === null || leaderId === this.nodeId) return {};
    const address = this.options.voters.get(leaderId);
    return address === undefined
      ? { leaderId: String(leaderId) }
      : { leaderId: String(leaderId), leaderAddress: address };
  }

  private toApiError(error: RaftError): ApiError {
    switch (error.code) {
      case 'NOT_LEADER':
        return new ApiError(
          'NOT_CONTROLLER',
          error.leaderId === null
            ? `controller ${this.nodeId} is not the leader and no leader is known (election in progress)`
            : `controller ${error.leaderId} is the leader`,
          this.leaderDetail(error.leaderId),
        );
      case 'PROPOSAL_QUEUE_FULL':
        return new ApiError('REQUEST_TIMED_OUT', 'too many uncommitted entries at the leader; retry after a backoff');
      case 'LEADERSHIP_TRANSFER_IN_PROGRESS':
        return new ApiError(
          'NOT_CONTROLLER',
          `leadership is moving to controller ${error.transfereeId}`,
          this.leaderDetail(error.transfereeId),
        );
      case 'INVALID_REQUEST':
        return new ApiError('INVALID_REQUEST', error.reason);
    }
  }

  private requireNode(): RaftNode {
    if (this.node === null) throw new Error(`raft driver ${this.nodeId} is not started`);
    return this.node;
  }

  private requireStorage(): DiskRaftStorage {
    if (this.storage === null) throw new Error(`raft driver ${this.nodeId} is not started`);
    return this.storage;
  }
}
