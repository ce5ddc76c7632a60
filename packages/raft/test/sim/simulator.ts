import { MemoryRaftStorage, RaftNode } from '@sluice/raft';
import type { HardState, Membership, Message, NodeId, RaftConfig, RaftStorage } from '@sluice/raft';
import { INITIAL_HASH, SafetyChecker, decodeStateSnapshot, encodePayload, encodeStateSnapshot } from './checker';
import { Prng } from './prng';

export type NodeFactory = (config: RaftConfig, storage: RaftStorage) => RaftNode;

export interface SimulationOptions {
  readonly seed: number;
  readonly voterCount: number;
  /** Observers are drawn from [0, maxObservers] per seed. */
  readonly maxObservers: number;
  /** Steps (one tick of simulated time each) with faults. */
  readonly chaosSteps: number;
  readonly electionTimeoutTicks: number;
  /** After healing, a leader must emerge within this many ticks. */
  readonly leaderBoundTicks: number;
  /** After healing, proposals must commit (and every node catch up) within this many ticks. */
  readonly commitBoundTicks: number;
  readonly nodeFactory?: NodeFactory;
  /** Deliberately broken shell (for the checker's own test): send before persisting. */
  readonly sendBeforePersist?: boolean;
  /** Collect a readable event trace (used when replaying a failure). */
  readonly trace?: boolean;
}

export const DEFAULT_SIMULATION: Omit<SimulationOptions, 'seed' | 'voterCount'> = {
  maxObservers: 2,
  chaosSteps: 300,
  electionTimeoutTicks: 10,
  leaderBoundTicks: 150,
  commitBoundTicks: 400,
};

/** Per-seed network and fault intensities, drawn from the seed so runs differ in character. */
interface FaultProfile {
  dropRate: number;
  duplicateRate: number;
  maxDelayTicks: number;
  partitionRate: number;
  crashRate: number;
  restartRate: number;
  /** Chance that a crash happens in the middle of a Ready instead of between events. */
  readyCrashRate: number;
  proposeRate: number;
  compactRate: number;
  transferRate: number;
  /** Chance to process a node's Ready right after an event rather than at the end of the step. */
  eagerReadyRate: number;
  /** Chance per step that a live node is told a connection to a live peer closed (a false hint). */
  falseConnectionLossRate: number;
}

interface SimNode {
  readonly id: NodeId;
  readonly storage: MemoryRaftStorage;
  raft: RaftNode | null;
  incarnation: number;
  lastObservedCommit: number;
  appliedIndex: number;
  stateHash: number;
  persisted: HardState;
}

interface InFlight {
  readonly deliverAt: number;
  readonly message: Message;
}

export interface SimulationResult {
  readonly seed: number;
  readonly steps: number;
  readonly committed: number;
  readonly elections: number;
  readonly snapshotsInstalled: number;
  readonly crashes: number;
  readonly ticksToLeader: number;
  readonly ticksToCommit: number;
}

export class SimulationFailure extends Error {
  override readonly name = 'SimulationFailure';
  constructor(
    message: string,
    readonly seed: number,
    readonly step: number,
    readonly trace: readonly string[],
  ) {
    super(message);
  }
}

/**
 * A deterministic Raft cluster: simulated time, a lossy reordering network with partitions,
 * crashes that lose everything not persisted, restarts, client proposals, snapshots and
 * leadership transfers, all scheduled by one seeded PRNG. Safety is checked after every event;
 * liveness once the faults stop.
 */
export class Simulation {
  private readonly rng: Prng;
  private readonly checker = new SafetyChecker();
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly nodeIds: NodeId[];
  private readonly voterIds: NodeId[];
  private readonly membership: Membership;
  private readonly profile: FaultProfile;
  private network: InFlight[] = [];
  /** Directed links currently cut, as from * 1000 + to. */
  private blocked = new Set<number>();
  private connectionLosses: Array<{ readonly to: NodeId; readonly peerId: NodeId }> = [];
  private now = 0;
  private step = 0;
  private nextPayloadKey = 1;
  private faultsActive = true;
  private readonly traceLines: string[] | null;
  private readonly stats = { snapshotsInstalled: 0, crashes: 0 };

  constructor(private readonly options: SimulationOptions) {
    this.rng = new Prng(options.seed);
    const observerCount = this.rng.int(options.maxObservers + 1);
    this.voterIds = Array.from({ length: options.voterCount }, (_, k) => k + 1);
    const observerIds = Array.from({ length: observerCount }, (_, k) => options.voterCount + k + 1);
    this.nodeIds = [...this.voterIds, ...observerIds];
    this.membership = { voters: this.voterIds, observers: observerIds };
    const r = this.rng;
    this.profile = {
      dropRate: r.pick([0, 0.02, 0.1, 0.25]),
      duplicateRate: r.pick([0, 0.02, 0.1]),
      maxDelayTicks: r.between(1, 4),
      partitionRate: r.pick([0, 0.02, 0.05]),
      crashRate: r.pick([0, 0.005, 0.02]),
      restartRate: r.pick([0.02, 0.1]),
      readyCrashRate: r.pick([0, 0.002, 0.01]),
      proposeRate: r.pick([0.1, 0.3, 0.6]),
      compactRate: r.pick([0.01, 0.05, 0.2]),
      transferRate: r.pick([0, 0.005, 0.02]),
      eagerReadyRate: r.pick([0.5, 0.9, 1]),
      falseConnectionLossRate: r.pick([0, 0.01, 0.05]),
    };
    this.traceLines = options.trace === true ? [] : null;
    for (const id of this.nodeIds) {
      const storage = new MemoryRaftStorage(this.membership);
      const node: SimNode = {
        id,
        storage,
        raft: null,
        incarnation: 0,
        lastObservedCommit: 0,
        appliedIndex: 0,
        stateHash: INITIAL_HASH,
        persisted: storage.hardState(),
      };
      this.nodes.set(id, node);
      this.start(node);
    }
  }

  run(): SimulationResult {
    try {
      for (; this.step < this.options.chaosSteps; this.step++) this.chaosStep();
      this.heal();
      const ticksToLeader = this.awaitLeader();
      const ticksToCommit = this.awaitProposalsCommitted();
      return {
        seed: this.options.seed,
        steps: this.step,
        committed: this.checker.committedIndex,
        elections: this.checker.leaderCount,
        snapshotsInstalled: this.stats.snapshotsInstalled,
        crashes: this.stats.crashes,
        ticksToLeader,
        ticksToCommit,
      };
    } catch (error) {
      if (error instanceof SimulationFailure) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SimulationFailure(reason, this.options.seed, this.step, this.traceLines ?? []);
    }
  }

  // ---------------------------------------------------------------- the schedule

  private chaosStep(): void {
    const r = this.rng;
    const p = this.profile;
    if (r.chance(p.partitionRate)) this.changePartition();
    for (const node of this.nodes.values()) {
      if (node.raft !== null && r.chance(p.crashRate)) this.crash(node, 'between events');
      else if (node.raft === null && r.chance(p.restartRate)) this.start(node);
    }
    if (r.chance(p.proposeRate)) this.clientPropose(r.between(1, 3));
    if (r.chance(p.compactRate)) this.compactSomeNode();
    if (r.chance(p.transferRate)) this.transferLeadership();
    if (r.chance(p.falseConnectionLossRate)) this.falseConnectionLoss();
    this.advanceTime();
  }

  /** Deliver due messages in random order, tick every live node, drain Ready. One tick. */
  private advanceTime(): void {
    this.now++;
    const due: InFlight[] = [];
    const later: InFlight[] = [];
    for (const flight of this.network) (flight.deliverAt <= this.now ? due : later).push(flight);
    this.network = later;
    this.deliverConnectionLosses();
    for (const flight of this.rng.shuffle(due)) this.deliver(flight.message);
    for (const id of this.rng.shuffle([...this.nodeIds])) {
      const node = this.nodes.get(id) as SimNode;
      if (node.raft === null) continue;
      node.raft.tick();
      this.afterEvent(node);
    }
    for (const node of this.nodes.values()) this.processReady(node);
  }

  private deliver(message: Message): void {
    const node = this.nodes.get(message.to) as SimNode;
    if (node.raft === null) return;
    if (this.blocked.has(message.from * 1000 + message.to)) return; // partitioned at arrival
    this.traceEvent(() => `deliver ${describe(message)}`);
    node.raft.step(message);
    this.afterEvent(node);
  }

  private send(message: Message): void {
    const r = this.rng;
    if (this.faultsActive) {
      if (this.blocked.has(message.from * 1000 + message.to)) return;
      if (r.chance(this.profile.dropRate)) return;
      if (r.chance(this.profile.duplicateRate)) {
        this.network.push({ deliverAt: this.now + r.between(1, this.profile.maxDelayTicks), message });
      }
    }
    this.network.push({ deliverAt: this.now + r.between(1, this.profile.maxDelayTicks), message });
  }

  /** After any call into a node: check safety, maybe process its Ready right away. */
  private afterEvent(node: SimNode): void {
    const raft = node.raft as RaftNode;
    const leadersBefore = this.checker.leaderCount;
    node.lastObservedCommit = this.checker.observe(raft, node.lastObservedCommit);
    if (this.checker.leaderCount !== leadersBefore)
      this.traceEvent(() => `node ${node.id} becomes leader of term ${raft.status().term}`);
    if (this.rng.chance(this.profile.eagerReadyRate)) this.processReady(node);
  }

  // ---------------------------------------------------------------- the shell

  /** What a real shell does with each Ready: persist, then send, then apply, then advance. */
  private processReady(node: SimNode): void {
    for (let round = 0; node.raft !== null && node.raft.hasReady(); round++) {
      if (round > 16) throw new Error(`node ${node.id} keeps producing Ready`);
      const raft = node.raft;
      const ready = raft.ready();
      this.checker.checkReadyEntries(raft, ready);
      if (this.faultsActive && this.rng.chance(this.profile.readyCrashRate)) {
        this.crash(node, 'before persisting a Ready');
        return;
      }
      if (this.options.sendBeforePersist === true) {
        for (const message of ready.messages) this.send(message);
        if (this.faultsActive && this.rng.chance(0.2)) {
          this.crash(node, 'after sending, before persisting');
          return;
        }
      }
      node.storage.persistReady(ready);
      if (ready.hardState !== null) {
        this.checker.checkPersisted(node.id, node.persisted, ready.hardState);
        node.persisted = ready.hardState;
      }
      if (this.faultsActive && this.rng.chance(this.profile.readyCrashRate)) {
        this.crash(node, 'after persisting, before sending');
        return;
      }
      if (this.options.sendBeforePersist !== true) {
        for (const message of ready.messages) {
          this.checker.checkSendable(message, node.storage);
          this.send(message);
        }
      }
      if (ready.snapshot !== null) {
        const state = decodeStateSnapshot(ready.snapshot.data);
        node.appliedIndex = state.index;
        node.stateHash = state.hash;
        this.stats.snapshotsInstalled++;
        this.traceEvent(() => `node ${node.id} installs snapshot at ${state.index}`);
      }
      for (const entry of ready.committedEntries) {
        node.stateHash = this.checker.apply(node.id, node.appliedIndex, node.stateHash, entry);
        node.appliedIndex = entry.index;
      }
      raft.advance();
    }
  }

  /** A crash forgets everything but storage: the Raft object and the state machine are gone. */
  private crash(node: SimNode, when: string): void {
    this.traceEvent(() => `crash node ${node.id} ${when}`);
    node.raft = null;
    this.stats.crashes++;
    // The crashed process's sockets close: every peer still connected to it hears so next tick.
    for (const other of this.nodeIds) {
      if (other !== node.id && !this.blocked.has(node.id * 1000 + other))
        this.connectionLosses.push({ to: other, peerId: node.id });
    }
  }

  /** Connection-closed hints (peerConnectionLost), true ones after crashes and false ones. */
  private deliverConnectionLosses(): void {
    const losses = this.connectionLosses;
    this.connectionLosses = [];
    for (const loss of losses) {
      const node = this.nodes.get(loss.to) as SimNode;
      if (node.raft === null) continue;
      this.traceEvent(() => `node ${loss.to} loses its connection to node ${loss.peerId}`);
      node.raft.peerConnectionLost(loss.peerId);
      this.afterEvent(node);
    }
  }

  /** A connection breaks while both ends live: the hint must cost liveness at most, never safety. */
  private falseConnectionLoss(): void {
    const live = this.nodeIds.filter((id) => this.nodes.get(id)?.raft !== null);
    if (live.length < 2) return;
    const to = this.rng.pick(live);
    const peerId = this.rng.pick(live.filter((id) => id !== to));
    this.connectionLosses.push({ to, peerId });
  }

  /** Restart from durable state only: the persisted hard state, log and snapshot. */
  private start(node: SimNode): void {
    node.incarnation++;
    const config: RaftConfig = {
      id: node.id,
      voters: this.membership.voters,
      observers: this.membership.observers,
      electionTimeoutTicks: this.options.electionTimeoutTicks,
      heartbeatIntervalTicks: 2,
      rng: (() => {
        const nodeRng = this.rng.fork(node.id * 1000 + node.incarnation);
        return () => nodeRng.next();
      })(),
      maxInflightAppends: 4,
      maxAppendEntries: 3,
      maxUncommittedEntries: 64,
    };
    const factory = this.options.nodeFactory ?? ((c, s) => new RaftNode(c, s));
    node.raft = factory(config, node.storage);
    const snapshot = node.storage.snapshot();
    const state = decodeStateSnapshot(snapshot.data);
    node.appliedIndex = snapshot.metadata.index;
    node.stateHash = state.hash;
    node.lastObservedCommit = node.raft.status().commitIndex;
    this.traceEvent(
      () =>
        `start node ${node.id} (incarnation ${node.incarnation}) from ${JSON.stringify(node.storage.hardState())}, log ${node.storage.firstIndex()}..${node.storage.lastIndex()}`,
    );
    this.afterEvent(node);
  }

  // ---------------------------------------------------------------- faults and clients

  private changePartition(): void {
    const r = this.rng;
    this.blocked = new Set();
    const kind = r.int(5);
    const ids = r.shuffle([...this.nodeIds]);
    const cut = (a: NodeId, b: NodeId): void => {
      this.blocked.add(a * 1000 + b);
      this.blocked.add(b * 1000 + a);
    };
    if (kind === 0) {
      this.traceEvent(() => 'heal network');
      return;
    }
    if (kind === 1) {
      // Split into two sides: sometimes the majority side, sometimes nobody, has a quorum.
      const sideSize = r.between(1, ids.length - 1);
      const side = new Set(ids.slice(0, sideSize));
      for (const a of ids) for (const b of ids) if (side.has(a) && !side.has(b)) cut(a, b);
      this.traceEvent(() => `partition {${[...side].join(',')}} | rest`);
    } else if (kind === 2) {
      // Isolate the current leader (if any) or one node.
      const leader = this.currentLeader();
      const victim = leader ?? (ids[0] as NodeId);
      for (const b of ids) if (b !== victim) cut(victim, b);
      this.traceEvent(() => `isolate node ${victim}`);
    } else if (kind === 3) {
      // Asymmetric: some directed links drop everything one way only.
      const links = r.between(1, ids.length);
      for (let k = 0; k < links; k++) {
        const a = r.pick(ids);
        const b = r.pick(ids);
        if (a !== b) this.blocked.add(a * 1000 + b);
      }
      this.traceEvent(
        () => `asymmetric cuts ${[...this.blocked].map((l) => `${Math.floor(l / 1000)}->${l % 1000}`).join(' ')}`,
      );
    } else {
      // Bridge: two groups that only talk through one node.
      const bridge = ids[0] as NodeId;
      const rest = ids.slice(1);
      const half = Math.floor(rest.length / 2);
      for (const a of rest.slice(0, half)) for (const b of rest.slice(half)) cut(a, b);
      this.traceEvent(() => `bridge through node ${bridge}`);
    }
  }

  /** Some live node that believes it is leader (highest term wins), or null. */
  private currentLeader(): NodeId | null {
    let best: { id: NodeId; term: number } | null = null;
    for (const node of this.nodes.values()) {
      const status = node.raft?.status();
      if (status?.role === 'leader' && (best === null || status.term > best.term))
        best = { id: node.id, term: status.term };
    }
    return best?.id ?? null;
  }

  /**
   * A client sends a batch to some node, following one NOT_LEADER redirect, like a real client.
   * Returns the payload keys the leader accepted.
   */
  private clientPropose(count: number): number[] {
    const live = this.nodeIds.filter((id) => this.nodes.get(id)?.raft !== null);
    if (live.length === 0) return [];
    let target: NodeId = this.rng.pick(live);
    for (let attempt = 0; attempt < 2; attempt++) {
      const node = this.nodes.get(target) as SimNode;
      if (node.raft === null) return [];
      const keys = Array.from({ length: count }, () => this.nextPayloadKey++);
      const result = node.raft.propose(keys.map(encodePayload));
      this.afterEvent(node);
      if (result.ok) {
        this.traceEvent(
          () => `node ${target} accepts ${keys.join(',')} at ${result.value.firstIndex}..${result.value.lastIndex}`,
        );
        return keys;
      }
      if (result.error.code !== 'NOT_LEADER' || result.error.leaderId === null) return [];
      target = result.error.leaderId;
    }
    return [];
  }

  private compactSomeNode(): void {
    const node = this.nodes.get(this.rng.pick(this.nodeIds)) as SimNode;
    if (node.raft === null) return;
    const status = node.raft.status();
    // The simulated state machine can only snapshot its current state, i.e. at its applied index.
    const index = node.appliedIndex;
    if (index !== status.appliedIndex)
      throw new Error(`node ${node.id} applied ${index}, core says ${status.appliedIndex}`);
    if (index <= status.firstIndex - 1) return;
    const result = node.raft.compact(index, encodeStateSnapshot(index, node.stateHash));
    if (!result.ok) throw new Error(`compact(${index}) refused: ${JSON.stringify(result.error)}`);
    this.traceEvent(() => `node ${node.id} compacts to ${index}`);
    this.afterEvent(node);
  }

  private transferLeadership(): void {
    const leaderId = this.currentLeader();
    if (leaderId === null) return;
    const node = this.nodes.get(leaderId) as SimNode;
    const target = this.rng.pick(this.voterIds);
    const result = (node.raft as RaftNode).transferLeadership(target);
    if (!result.ok) throw new Error(`transferLeadership(${target}) refused: ${JSON.stringify(result.error)}`);
    this.traceEvent(() => `node ${leaderId} transfers leadership to ${target}`);
    this.afterEvent(node);
  }

  // ---------------------------------------------------------------- liveness

  private heal(): void {
    this.faultsActive = false;
    this.blocked = new Set();
    for (const node of this.nodes.values()) if (node.raft === null) this.start(node);
    this.traceEvent(() => 'heal: network whole, all nodes up, no more faults');
  }

  /** A leader that every live voter follows in its term. */
  private stableLeader(): NodeId | null {
    const leaderId = this.currentLeader();
    if (leaderId === null) return null;
    const term = (this.nodes.get(leaderId)?.raft as RaftNode).status().term;
    for (const id of this.voterIds) {
      const status = (this.nodes.get(id)?.raft as RaftNode).status();
      if (status.term !== term || status.leaderId !== leaderId) return null;
    }
    return leaderId;
  }

  private awaitLeader(): number {
    for (let ticks = 0; ticks <= this.options.leaderBoundTicks; ticks++) {
      if (this.stableLeader() !== null) return ticks;
      this.advanceTime();
    }
    throw new Error(`liveness: no stable leader within ${this.options.leaderBoundTicks} ticks after healing`);
  }

  /**
   * Clients write after healing and must all succeed. Like a real client, one retries a write
   * that was refused (no leader yet, queue full) or lost: accepted at (term, index) by a leader
   * that was deposed before committing it (another entry committed at that index, or no answer
   * within a client timeout). A delayed TimeoutNow from before the heal can legitimately cause
   * exactly that. A retried write may commit twice; that is the client's at-least-once, not Raft's.
   */
  private awaitProposalsCommitted(): number {
    const writes: Array<{ key: number; position: { term: number; index: number } | null; sentAtTick: number }> = [];
    for (let k = 0; k < 6; k++) writes.push({ key: this.nextPayloadKey++, position: null, sentAtTick: 0 });
    const retryAfterTicks = 3 * this.options.electionTimeoutTicks;
    for (let ticks = 0; ticks <= this.options.commitBoundTicks; ticks++) {
      for (const write of writes) {
        if (this.checker.committedKeys.has(write.key)) continue;
        const position = write.position;
        const overwritten =
          position !== null &&
          this.checker.committedTermAt(position.index) !== undefined &&
          this.checker.committedTermAt(position.index) !== position.term;
        // No answer in time: the accepting leader may have been deposed with nobody writing after it.
        const timedOut = position !== null && ticks - write.sentAtTick >= retryAfterTicks;
        if (position === null || overwritten || timedOut) {
          write.position = this.proposeKey(write.key);
          write.sentAtTick = ticks;
        }
      }
      if (writes.every((w) => this.checker.committedKeys.has(w.key)) && this.allCaughtUp()) return ticks;
      this.advanceTime();
    }
    const missing = writes.filter((w) => !this.checker.committedKeys.has(w.key)).map((w) => w.key);
    throw new Error(
      `liveness: within ${this.options.commitBoundTicks} ticks after healing, payloads [${missing.join(',')}] did not commit or nodes did not catch up (applied ${[...this.nodes.values()].map((n) => `${n.id}:${n.appliedIndex}`).join(' ')}, committed ${this.checker.committedIndex})`,
    );
  }

  /** One client write of `key` to the leader the client can find; its log position if accepted. */
  private proposeKey(key: number): { term: number; index: number } | null {
    let target: NodeId | null = this.rng.pick(this.nodeIds);
    for (let attempt = 0; attempt < 2 && target !== null; attempt++) {
      const node = this.nodes.get(target) as SimNode;
      if (node.raft === null) return null;
      const result = node.raft.propose([encodePayload(key)]);
      this.afterEvent(node);
      if (result.ok) {
        this.traceEvent(() => `node ${node.id} accepts client write ${key} at ${result.value.firstIndex}`);
        return { term: result.value.term, index: result.value.firstIndex };
      }
      target = result.error.code === 'NOT_LEADER' ? result.error.leaderId : null;
    }
    return null;
  }

  /** Every node (observers included) applied everything committed. */
  private allCaughtUp(): boolean {
    const target = this.checker.committedIndex;
    for (const node of this.nodes.values()) if (node.appliedIndex < target) return false;
    return true;
  }

  // ---------------------------------------------------------------- tracing

  private traceEvent(line: () => string): void {
    if (this.traceLines === null) return;
    this.traceLines.push(`t=${this.now} ${line()}`);
  }
}

function describe(m: Message): string {
  const base = `${m.type} ${m.from}->${m.to} t${m.term}`;
  switch (m.type) {
    case 'append':
      return `${base} prev=(${m.prevLogIndex},${m.prevLogTerm}) n=${m.entries.length} commit=${m.commit}`;
    case 'appendResponse':
      return `${base} ${m.reject ? `reject ${m.index} hint=(${m.rejectHint},${m.hintTerm})` : `ok ${m.index}`}`;
    case 'vote':
    case 'preVote':
      return `${base} last=(${m.lastLogIndex},${m.lastLogTerm})${m.leadershipTransfer ? ' transfer' : ''}`;
    case 'voteResponse':
    case 'preVoteResponse':
      return `${base} ${m.reject ? 'reject' : 'grant'}`;
    case 'heartbeat':
      return `${base} commit=${m.commit}`;
    case 'snapshot':
      return `${base} at ${m.snapshot.metadata.index}`;
    default:
      return base;
  }
}

/** Runs one seed; on failure re-runs it with tracing and returns a message that says how to replay. */
export function runSeed(options: SimulationOptions, replayCommand: string): SimulationResult {
  try {
    return new Simulation(options).run();
  } catch (error) {
    if (!(error instanceof SimulationFailure)) throw error;
    let trace: readonly string[] = [];
    try {
      new Simulation({ ...options, trace: true }).run();
    } catch (replayed) {
      if (replayed instanceof SimulationFailure) trace = replayed.trace;
    }
    throw new Error(
      [
        `Raft simulation failed for seed ${options.seed} at step ${error.step}: ${error.message}`,
        `Replay: ${replayCommand}`,
        'Last events:',
        ...trace.slice(-60).map((line) => `  ${line}`),
      ].join('\n'),
    );
  }
}
