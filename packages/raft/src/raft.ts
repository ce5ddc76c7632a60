import { resolveRaftConfig } from './config';
import type { RaftConfig, ResolvedRaftConfig } from './config';
import { invalidRequest, invariant, notLeader } from './errors';
import type { RaftResult } from './errors';
import type {
  AppendRequest,
  AppendResponse,
  Heartbeat,
  HeartbeatResponse,
  InstallSnapshot,
  Message,
  VoteRequest,
} from './messages';
import { ProgressTracker } from './progress';
import type { Progress } from './progress';
import { RaftLog } from './raft-log';
import type { Ready, SoftState } from './ready';
import type { RaftStorage } from './storage';
import { entrySizeBytes, hardStateEquals } from './types';
import type { Entry, HardState, NodeId, Role, Snapshot } from './types';

/** Where a proposal landed in the log; it is committed once an entry (term, index) is applied. */
export interface ProposalPosition {
  readonly term: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly isObserver: boolean;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly leaderId: NodeId | null;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  /**
   * The highest commit index the current leader has told this node in this term (on the leader,
   * its own): how far a follower is behind the quorum, for readiness. 0 while no leader is known.
   * A heartbeat carries at most what the follower is known to hold, an append the leader's whole
   * commit, so a lagging follower learns the real value from the appends that catch it up.
   */
  readonly leaderCommitIndex: number;
  readonly leadershipTransfereeId: NodeId | null;
  /** Messages dropped because the outbox was full (the shell is not draining Ready). */
  readonly droppedMessages: number;
}

type CampaignKind = 'preElection' | 'election' | 'transfer';

/** A message as built by this node; `from` is filled in by send(). Distributes over the union. */
type OutgoingMessage = Message extends infer M ? (M extends Message ? Omit<M, 'from'> : never) : never;

/**
 * One Raft node as a pure state machine, shaped like etcd-io/raft's RawNode: the shell feeds it
 * `tick()`, network messages via `step()`, and client writes via `propose()`; it answers through
 * `ready()` (what to persist, send and apply) and `advance()`. It does no I/O, reads no clock,
 * and draws randomness only from the injected rng.
 *
 * Features: pre-vote, check-quorum with leader lease, pipelined log replication with flow
 * control, commit by voter majority with the current-term rule (§5.4.2), leadership transfer
 * via TimeoutNow, observers (non-voting learners), snapshots (local compaction and install on
 * a lagging follower), and fencing by term. Membership is fixed at construction.
 */
export class RaftNode {
  readonly id: NodeId;
  private readonly config: ResolvedRaftConfig;
  private readonly log: RaftLog;
  private readonly tracker: ProgressTracker;
  private readonly isObserver: boolean;

  private term = 0;
  private vote: NodeId | null = null;
  private role: Role = 'follower';
  private leaderId: NodeId | null = null;
  /** See RaftStatus.leaderCommitIndex; reset with the leader. */
  private leaderCommitSeen = 0;
  /** Ticks since the last election timeout reset (leader contact, granted vote, new role). */
  private electionElapsedTicks = 0;
  private heartbeatElapsedTicks = 0;
  private randomizedElectionTimeoutTicks = 0;
  private readonly votes = new Map<NodeId, boolean>();
  private leadTransfereeId: NodeId | null = null;

  private outbox: Message[] = [];
  private droppedMessages = 0;
  private pendingCompaction: Snapshot | null = null;
  /** Hard state as of the last Ready handed out (what the shell has or is persisting). */
  private lastReadyHardState: HardState;
  private lastReadySoftState: SoftState;
  private pendingReady: Ready | null = null;

  constructor(config: RaftConfig, storage: RaftStorage) {
    this.config = resolveRaftConfig(config);
    this.id = this.config.id;
    this.isObserver = this.config.membership.observers.includes(this.id);
    const hardState = storage.hardState();
    this.log = new RaftLog(storage, hardState.commit);
    this.tracker = new ProgressTracker(
      this.config.membership.voters,
      this.config.membership.observers,
      this.config.maxInflightAppends,
      this.config.maxInflightBytes,
    );
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.becomeFollower(hardState.term, null);
    // Compare against what is actually on disk, so a commit raised above the persisted one
    // (by a snapshot) is persisted again.
    this.lastReadyHardState = hardState;
    this.lastReadySoftState = { role: this.role, leaderId: this.leaderId };
  }

  // ---------------------------------------------------------------- public driving API

  /** Advance logical time by one tick. */
  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /** Process one message from the network. Messages not addressed to this node are a shell bug. */
  step(message: Message): void {
    invariant(message.to === this.id, () => `message for ${message.to} stepped into node ${this.id}`);
    if (!this.tracker.progress.has(message.from) || message.from === this.id) return; // not a member
    if (message.term > this.term) {
      if (message.type === 'vote' || message.type === 'preVote') {
        // Leader lease: while we hear from a live leader, a disruptive candidate (say one that
        // was partitioned away and is back) must not unseat it. A transfer overrides.
        const inLease =
          this.config.checkQuorum &&
          this.leaderId !== null &&
          this.electionElapsedTicks < this.config.electionTimeoutTicks;
        if (inLease && !message.leadershipTransfer) return;
      }
      if (message.type === 'preVote') {
        // A pre-vote never changes our term: the candidate has not bumped its own yet.
      } else if (message.type === 'preVoteResponse' && !message.reject) {
        // A granted pre-vote carries the term we would campaign in; adopting it would defeat pre-vote.
      } else {
        const fromLeader = message.type === 'append' || message.type === 'heartbeat' || message.type === 'snapshot';
        this.becomeFollower(message.term, fromLeader ? message.from : null);
      }
    } else if (message.term < this.term) {
      // Fencing: stale messages are never acted on. Answer a stale leader so it learns our term
      // and steps down (without this, a leader cut off by a partition that raised our term
      // through pre-vote-free elections could never find out), and refuse stale pre-votes.
      if (
        (this.config.checkQuorum || this.config.preVote) &&
        (message.type === 'append' || message.type === 'heartbeat')
      ) {
        this.send({
          type: 'appendResponse',
          to: message.from,
          term: this.term,
          reject: false,
          index: 0,
          rejectHint: 0,
          hintTerm: 0,
        });
      } else if (message.type === 'preVote') {
        this.send({ type: 'preVoteResponse', to: message.from, term: this.term, reject: true });
      }
      return;
    }

    if (message.type === 'vote' || message.type === 'preVote') {
      this.handleVoteRequest(message);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(message);
        break;
      case 'candidate':
      case 'preCandidate':
        this.stepCandidate(message);
        break;
      case 'follower':
        this.stepFollower(message);
        break;
    }
  }

  /**
   * Append client entries. Only the leader accepts; anyone else answers NOT_LEADER with the
   * leader it knows of so the client can redirect.
   */
  propose(entries: readonly Uint8Array[]): RaftResult<ProposalPosition> {
    if (this.role !== 'leader') return notLeader(this.leaderId, this.term);
    if (this.leadTransfereeId !== null) {
      return {
        ok: false,
        error: { code: 'LEADERSHIP_TRANSFER_IN_PROGRESS', transfereeId: this.leadTransfereeId, retriable: true },
      };
    }
    if (entries.length === 0) return invalidRequest('empty proposal');
    const uncommitted = this.log.lastIndex() - this.log.committed;
    if (uncommitted + entries.length > this.config.maxUncommittedEntries) {
      return { ok: false, error: { code: 'PROPOSAL_QUEUE_FULL', retriable: true } };
    }
    const firstIndex = this.log.lastIndex() + 1;
    this.appendEntries(entries);
    this.broadcastAppend();
    return { ok: true, value: { term: this.term, firstIndex, lastIndex: this.log.lastIndex() } };
  }

  /**
   * The shell's transport saw its connection to `peerId` close (the peer's process died or was
   * restarted: on a kill -9 the kernel closes its sockets at once). A follower of that leader
   * stops honouring its lease and campaigns now instead of waiting out an election timeout; the
   * survivors go one `leaderLostStaggerTicks` apart in voter-id order, and one that grants an
   * earlier survivor's pre-vote defers its own campaign, so two of them do not split the vote. Only a hint, never a safety input: pre-vote still asks a quorum first, and
   * a voter that still hears the leader ignores the pre-vote, so a false report (the connection
   * broke, the leader lives) costs one refused pre-vote round and no term. Without pre-vote a
   * false report would bump the term and depose a live leader, so the hint is then ignored.
   */
  peerConnectionLost(peerId: NodeId): void {
    if (!this.config.preVote || this.isObserver || this.role !== 'follower' || this.leaderId !== peerId) return;
    const survivors = this.config.membership.voters.filter((id) => id !== peerId);
    const rank = survivors.indexOf(this.id);
    invariant(rank >= 0, () => `voter ${this.id} is missing from the survivors of ${peerId}`);
    this.leaderId = null;
    this.electionElapsedTicks = 0;
    if (rank === 0) {
      this.campaign('preElection');
      return;
    }
    this.randomizedElectionTimeoutTicks = rank * this.leaderLostStaggerTicks();
  }

  /**
   * Hand leadership to voter `targetId`: bring it up to date, then tell it to campaign at once.
   * Proposals are refused meanwhile; the attempt is abandoned after one election timeout.
   */
  transferLeadership(targetId: NodeId): RaftResult<void> {
    if (this.role !== 'leader') return notLeader(this.leaderId, this.term);
    if (!this.config.membership.voters.includes(targetId)) {
      return invalidRequest(`node ${targetId} is not a voter and cannot lead`);
    }
    if (targetId === this.id || targetId === this.leadTransfereeId) return { ok: true, value: undefined };
    this.leadTransfereeId = targetId;
    // The transfer gets a full election timeout to finish before it is abandoned.
    this.electionElapsedTicks = 0;
    const progress = this.tracker.get(targetId);
    if (progress.match === this.log.lastIndex()) this.sendTimeoutNow(targetId);
    else this.sendAppend(targetId, true);
    return { ok: true, value: undefined };
  }

  /**
   * The application took a snapshot of its state machine as of `index` (which it has applied).
   * The next Ready carries it as `compaction`; persisting that discards the log up to `index`.
   */
  compact(index: number, data: Uint8Array): RaftResult<void> {
    if (!Number.isSafeInteger(index) || index > this.log.applied) {
      return invalidRequest(`snapshot index ${index} is beyond the applied index ${this.log.applied}`);
    }
    const currentSnapshotIndex = Math.max(this.log.firstIndex() - 1, this.pendingCompaction?.metadata.index ?? 0);
    if (index <= currentSnapshotIndex) {
      return invalidRequest(`snapshot index ${index} is not above the current snapshot ${currentSnapshotIndex}`);
    }
    const term = this.log.term(index);
    invariant(term !== undefined, () => `applied index ${index} has no term`);
    this.pendingCompaction = { metadata: { index, term, membership: this.config.membership }, data };
    return { ok: true, value: undefined };
  }

  hasReady(): boolean {
    if (this.pendingReady !== null) return false;
    return (
      this.outbox.length > 0 ||
      !hardStateEquals(this.hardState(), this.lastReadyHardState) ||
      this.log.unstable.entries.length > 0 ||
      this.log.unstable.snapshot !== null ||
      this.pendingCompaction !== null ||
      this.log.hasNextCommittedEntries() ||
      this.role !== this.lastReadySoftState.role ||
      this.leaderId !== this.lastReadySoftState.leaderId
    );
  }

  /** What to persist, send and apply now. See `Ready` for the contract. Call advance() after. */
  ready(): Ready {
    invariant(this.pendingReady === null, 'ready() called again before advance()');
    const hardState = this.hardState();
    const snapshot = this.log.unstable.snapshot;
    const compaction =
      this.pendingCompaction !== null &&
      (snapshot === null || this.pendingCompaction.metadata.index > snapshot.metadata.index)
        ? this.pendingCompaction
        : null;
    const entries = [...this.log.unstable.entries];
    const changedHardState = hardStateEquals(hardState, this.lastReadyHardState) ? null : hardState;
    const ready: Ready = {
      softState: { role: this.role, leaderId: this.leaderId },
      hardState: changedHardState,
      entries,
      snapshot,
      compaction,
      messages: this.outbox,
      committedEntries: this.log.nextCommittedEntries(this.config.maxApplyBytesPerReady),
      mustSync: changedHardState !== null || entries.length > 0 || snapshot !== null || compaction !== null,
    };
    this.outbox = [];
    this.pendingCompaction = null;
    this.lastReadyHardState = hardState;
    this.lastReadySoftState = ready.softState;
    this.pendingReady = ready;
    return ready;
  }

  /** The shell finished the last Ready: persisted, sent, applied. */
  advance(): void {
    const ready = this.pendingReady;
    invariant(ready !== null, 'advance() without a pending ready()');
    this.pendingReady = null;
    if (ready.snapshot !== null) {
      this.log.unstable.stableSnapshotTo(ready.snapshot.metadata.index);
      if (ready.snapshot.metadata.index > this.log.applied) this.log.appliedTo(ready.snapshot.metadata.index);
    }
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry !== undefined) this.log.unstable.stableTo(lastEntry.index, lastEntry.term);
    const lastApplied = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastApplied !== undefined) this.log.appliedTo(lastApplied.index);
  }

  status(): RaftStatus {
    return {
      id: this.id,
      role: this.role,
      isObserver: this.isObserver,
      term: this.term,
      vote: this.vote,
      leaderId: this.leaderId,
      firstIndex: this.log.firstIndex(),
      lastIndex: this.log.lastIndex(),
      commitIndex: this.log.committed,
      appliedIndex: this.log.applied,
      leaderCommitIndex:
        this.role === 'leader' ? this.log.committed : this.leaderId === null ? 0 : this.leaderCommitSeen,
      leadershipTransfereeId: this.leadTransfereeId,
      droppedMessages: this.droppedMessages,
    };
  }

  /** Term of the entry at `index` in this node's (stable + unstable) log, if present. */
  termAt(index: number): number | undefined {
    return this.log.term(index);
  }

  /** Entries [lo, hi) of this node's log; lo must not be compacted. For shells serving reads. */
  entries(lo: number, hi: number, maxBytes = Number.MAX_SAFE_INTEGER): readonly Entry[] {
    return this.log.slice(lo, hi, maxBytes, Number.MAX_SAFE_INTEGER);
  }

  /** Replication state of a peer as seen by this node while it leads; for tests and metrics. */
  peerProgress(id: NodeId): Readonly<Pick<Progress, 'match' | 'next' | 'state' | 'recentActive'>> | undefined {
    if (this.role !== 'leader') return undefined;
    return this.tracker.progress.get(id);
  }

  // ---------------------------------------------------------------- overridable checks

  /**
   * Election restriction (Raft §5.4.1). Protected only so tests can inject a deliberately broken
   * node and prove the simulator's checkers notice; production code never overrides it.
   */
  protected isCandidateLogUpToDate(lastLogIndex: number, lastLogTerm: number): boolean {
    return this.log.isUpToDate(lastLogIndex, lastLogTerm);
  }

  // ---------------------------------------------------------------- roles

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private reset(term: number): void {
    if (term !== this.term) {
      invariant(term > this.term, () => `term moving backwards from ${this.term} to ${term}`);
      this.term = term;
      this.vote = null;
    }
    this.leaderId = null;
    this.leaderCommitSeen = 0;
    this.electionElapsedTicks = 0;
    this.heartbeatElapsedTicks = 0;
    this.randomizedElectionTimeoutTicks = this.drawElectionTimeout();
    this.leadTransfereeId = null;
    this.votes.clear();
    this.tracker.reset(this.log.lastIndex() + 1);
  }

  /**
   * How long a campaign that has not finished waits before trying again: [T/2, T) rather than
   * [T, 2T). The usual case is a split vote between the two survivors of a dead leader; nobody
   * is in a leader's lease any more, so a full timeout only adds up to 2T to the failover.
   * Still randomized, so two retrying candidates rarely collide again; still far above a round
   * trip plus an fsync, so a campaign that is merely slow is not cut short.
   */
  private drawCampaignRetryTimeout(): number {
    const base = Math.max(1, Math.ceil(this.config.electionTimeoutTicks / 2));
    const draw = this.config.rng();
    invariant(draw >= 0 && draw < 1, () => `rng must return [0, 1), returned ${draw}`);
    return base + Math.floor(draw * base);
  }

  /**
   * Between two survivors' campaigns after a lost leader connection: half an election timeout,
   * room for a pre-vote and a vote round trip with their fsyncs on a loaded machine (a quarter
   * was seen to split votes at a load average of 20 on 2 cores), while a later-ranked survivor
   * still campaigns well before its own timeout would if the first one did not get the hint.
   */
  private leaderLostStaggerTicks(): number {
    return Math.max(1, Math.ceil(this.config.electionTimeoutTicks / 2));
  }

  private drawElectionTimeout(): number {
    const base = this.config.electionTimeoutTicks;
    const draw = this.config.rng();
    invariant(draw >= 0 && draw < 1, () => `rng must return [0, 1), returned ${draw}`);
    return base + Math.floor(draw * base);
  }

  private becomeFollower(term: number, leaderId: NodeId | null): void {
    this.reset(term);
    this.role = 'follower';
    this.leaderId = leaderId;
  }

  private becomePreCandidate(): void {
    invariant(this.role !== 'leader', 'a leader cannot become pre-candidate');
    // Term and vote stay as they are: that is the point of pre-vote.
    this.role = 'preCandidate';
    this.votes.clear();
    this.leaderId = null;
    this.randomizedElectionTimeoutTicks = this.drawCampaignRetryTimeout();
  }

  private becomeCandidate(): void {
    invariant(this.role !== 'leader', 'a leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.randomizedElectionTimeoutTicks = this.drawCampaignRetryTimeout();
  }

  private becomeLeader(): void {
    invariant(this.role === 'candidate', 'only a candidate can become leader');
    this.reset(this.term);
    this.role = 'leader';
    this.leaderId = this.id;
    const self = this.tracker.get(this.id);
    self.match = this.log.lastIndex();
    self.becomeReplicate();
    self.recentActive = true;
    // An empty entry of the new term: committing it commits every earlier entry (§5.4.2, §8).
    this.appendEntries([new Uint8Array(0)]);
  }

  private campaign(kind: CampaignKind): void {
    invariant(!this.isObserver, 'observers never campaign');
    let requestTerm: number;
    let type: 'preVote' | 'vote';
    if (kind === 'preElection') {
      this.becomePreCandidate();
      type = 'preVote';
      requestTerm = this.term + 1;
    } else {
      this.becomeCandidate();
      type = 'vote';
      requestTerm = this.term;
    }
    if (this.recordVote(this.id, true, type === 'preVote' ? 'preVoteResponse' : 'voteResponse')) return;
    const lastLogIndex = this.log.lastIndex();
    const lastLogTerm = this.log.lastTerm();
    for (const voterId of this.config.membership.voters) {
      if (voterId === this.id) continue;
      this.send({
        type,
        to: voterId,
        term: requestTerm,
        lastLogIndex,
        lastLogTerm,
        leadershipTransfer: kind === 'transfer',
      });
    }
  }

  /** Records a vote; returns true when the campaign concluded (won or lost). */
  private recordVote(from: NodeId, granted: boolean, type: 'preVoteResponse' | 'voteResponse'): boolean {
    if (!this.votes.has(from)) this.votes.set(from, granted);
    const outcome = this.tracker.tallyVotes(this.votes);
    if (outcome === 'won') {
      if (type === 'preVoteResponse') this.campaign('election');
      else {
        this.becomeLeader();
        this.broadcastAppend();
      }
      return true;
    }
    if (outcome === 'lost') {
      // Pre-vote lost: back to follower in the *same* term (nothing was bumped).
      this.becomeFollower(this.term, null);
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- ticks

  private tickElection(): void {
    this.electionElapsedTicks++;
    if (!this.isObserver && this.electionElapsedTicks >= this.randomizedElectionTimeoutTicks) {
      this.electionElapsedTicks = 0;
      this.campaign(this.config.preVote ? 'preElection' : 'election');
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsedTicks++;
    this.electionElapsedTicks++;
    if (this.electionElapsedTicks >= this.config.electionTimeoutTicks) {
      this.electionElapsedTicks = 0;
      if (this.config.checkQuorum) {
        if (!this.tracker.quorumActive(this.id)) {
          // Cut off from a majority: stop acting as leader so clients go find the real one.
          this.becomeFollower(this.term, null);
          return;
        }
        for (const progress of this.tracker.progress.values()) {
          if (progress.id !== this.id) progress.recentActive = false;
        }
      }
      this.leadTransfereeId = null; // a transfer that did not finish within a timeout is abandoned
    }
    for (const progress of this.tracker.progress.values()) {
      // A snapshot message may have been lost; after an election timeout, try again.
      if (progress.state === 'snapshot' && ++progress.pendingSnapshotTicks >= this.config.electionTimeoutTicks) {
        progress.pendingSnapshotIndex = 0;
        progress.becomeProbe();
      }
    }
    if (this.heartbeatElapsedTicks >= this.config.heartbeatIntervalTicks) {
      this.heartbeatElapsedTicks = 0;
      this.broadcastHeartbeat();
    }
  }

  // ---------------------------------------------------------------- votes

  private handleVoteRequest(m: VoteRequest): void {
    const responseType = m.type === 'vote' ? 'voteResponse' : 'preVoteResponse';
    if (this.isObserver) return; // observers never vote
    const canVote =
      this.vote === m.from ||
      (this.vote === null && this.leaderId === null) ||
      (m.type === 'preVote' && m.term > this.term);
    if (canVote && this.isCandidateLogUpToDate(m.lastLogIndex, m.lastLogTerm)) {
      // For a pre-vote answer with the term asked about, so the pre-candidate counts it.
      this.send({ type: responseType, to: m.from, term: m.term, reject: false });
      if (m.type === 'vote') {
        this.electionElapsedTicks = 0;
        this.vote = m.from;
      } else if (this.role === 'follower') {
        // Someone with a log as good as ours is campaigning: give it a campaign's time before
        // starting a rival one (two survivors of a dead leader would otherwise split the vote).
        // The elapsed count, and with it the leader lease, is left alone.
        this.randomizedElectionTimeoutTicks = Math.max(
          this.randomizedElectionTimeoutTicks,
          this.electionElapsedTicks + this.drawCampaignRetryTimeout(),
        );
      }
    } else {
      this.send({ type: responseType, to: m.from, term: this.term, reject: true });
    }
  }

  // ---------------------------------------------------------------- per-role message handling

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.electionElapsedTicks = 0;
        this.leaderId = m.from;
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.electionElapsedTicks = 0;
        this.leaderId = m.from;
        this.handleHeartbeat(m);
        break;
      case 'snapshot':
        this.electionElapsedTicks = 0;
        this.leaderId = m.from;
        this.handleSnapshot(m);
        break;
      case 'timeoutNow':
        // Only our own leader may tell us to campaign, and never an observer.
        if (!this.isObserver && m.from === this.leaderId) this.campaign('transfer');
        break;
      default:
        break; // late responses from an earlier role
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        break;
      case 'snapshot':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        break;
      case 'preVoteResponse':
        if (this.role === 'preCandidate') this.recordVote(m.from, !m.reject, 'preVoteResponse');
        break;
      case 'voteResponse':
        if (this.role === 'candidate') this.recordVote(m.from, !m.reject, 'voteResponse');
        break;
      default:
        break;
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'appendResponse':
        this.handleAppendResponse(m);
        break;
      case 'heartbeatResponse':
        this.handleHeartbeatResponse(m);
        break;
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        invariant(false, () => `two leaders in term ${this.term}: ${this.id} and ${m.from}`);
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- follower side of replication

  private handleAppend(m: AppendRequest): void {
    this.leaderCommitSeen = Math.max(this.leaderCommitSeen, m.commit);
    if (m.prevLogIndex < this.log.committed) {
      // Everything up to our commit already matches the leader (leader completeness).
      this.respondAppend(m.from, false, this.log.committed);
      return;
    }
    const lastNewIndex = this.log.maybeAppend(m.prevLogIndex, m.prevLogTerm, m.commit, m.entries);
    if (lastNewIndex !== undefined) {
      this.respondAppend(m.from, false, lastNewIndex);
      return;
    }
    // Point the leader at the last index that could match: at most our last index, and skipping
    // our entries whose term is above the leader's prevLogTerm (they cannot match).
    const hint = this.log.findConflictByTerm(Math.min(m.prevLogIndex, this.log.lastIndex()), m.prevLogTerm);
    this.send({
      type: 'appendResponse',
      to: m.from,
      term: this.term,
      reject: true,
      index: m.prevLogIndex,
      rejectHint: hint.index,
      hintTerm: hint.term,
    });
  }

  private respondAppend(to: NodeId, reject: boolean, index: number): void {
    this.send({ type: 'appendResponse', to, term: this.term, reject, index, rejectHint: 0, hintTerm: 0 });
  }

  private handleHeartbeat(m: Heartbeat): void {
    this.leaderCommitSeen = Math.max(this.leaderCommitSeen, m.commit);
    this.log.commitTo(m.commit);
    this.send({ type: 'heartbeatResponse', to: m.from, term: this.term });
  }

  private handleSnapshot(m: InstallSnapshot): void {
    const { metadata } = m.snapshot;
    // A snapshot holds only committed entries: the leader's commit is at least its index.
    this.leaderCommitSeen = Math.max(this.leaderCommitSeen, metadata.index);
    if (metadata.index <= this.log.committed) {
      this.respondAppend(m.from, false, this.log.committed);
      return;
    }
    if (this.log.matchTerm(metadata.index, metadata.term)) {
      // We already hold that entry: just fast-forward the commit, keep our log.
      this.log.commitTo(metadata.index);
      this.respondAppend(m.from, false, this.log.committed);
      return;
    }
    this.log.restore(m.snapshot);
    this.respondAppend(m.from, false, this.log.lastIndex());
  }

  // ---------------------------------------------------------------- leader side of replication

  private appendEntries(payloads: readonly Uint8Array[]): void {
    const firstIndex = this.log.lastIndex() + 1;
    const entries: Entry[] = payloads.map((data, k) => ({ term: this.term, index: firstIndex + k, data }));
    const lastIndex = this.log.append(entries);
    // The leader's own copy counts toward commit right away: nothing derived from that commit
    // (messages, applied entries) leaves the node before the Ready persisting these entries.
    this.tracker.get(this.id).maybeUpdate(lastIndex);
    this.maybeCommit();
  }

  private maybeCommit(): boolean {
    return this.log.maybeCommit(this.tracker.quorumMatchIndex(), this.term);
  }

  /** Sends new entries to every peer, pipelining up to each one's inflight window. */
  private broadcastAppend(): void {
    for (const id of this.tracker.progress.keys()) {
      if (id === this.id) continue;
      if (!this.sendAppend(id, true)) continue;
      while (this.sendAppend(id, false)) {
        /* one more batch in flight */
      }
    }
  }

  private broadcastHeartbeat(): void {
    for (const progress of this.tracker.progress.values()) {
      if (progress.id === this.id) continue;
      // Never tell a follower to commit past what it is known to hold.
      const commit = Math.min(progress.match, this.log.committed);
      this.send({ type: 'heartbeat', to: progress.id, term: this.term, commit });
    }
  }

  /** Sends the next batch (or a snapshot) to `to` unless flow control says wait. */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const progress = this.tracker.get(to);
    if (progress.isPaused()) return false;
    const prevLogIndex = progress.next - 1;
    const prevLogTerm = this.log.term(prevLogIndex);
    if (prevLogTerm === undefined || progress.next < this.log.firstIndex()) return this.sendSnapshot(progress);
    const entries = this.log.slice(
      progress.next,
      this.log.lastIndex() + 1,
      this.config.maxAppendBytes,
      this.config.maxAppendEntries,
    );
    if (entries.length === 0 && !sendIfEmpty) return false;
    const sizeBytes = entries.reduce((sum, e) => sum + entrySizeBytes(e), 0);
    const last = entries[entries.length - 1];
    this.send({ type: 'append', to, term: this.term, prevLogIndex, prevLogTerm, entries, commit: this.log.committed });
    progress.sentEntries(entries.length, last?.index ?? prevLogIndex, sizeBytes);
    return true;
  }

  private sendSnapshot(progress: Progress): boolean {
    // A follower we have not heard from lately may be down; don't ship a snapshot into the void.
    if (!progress.recentActive) return false;
    const snapshot = this.log.snapshot();
    invariant(
      snapshot.metadata.index >= progress.next - 1 && snapshot.metadata.index > 0,
      () => `snapshot ${snapshot.metadata.index} does not cover next ${progress.next} for ${progress.id}`,
    );
    progress.becomeSnapshot(snapshot.metadata.index);
    this.send({ type: 'snapshot', to: progress.id, term: this.term, snapshot });
    return true;
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'timeoutNow', to, term: this.term });
  }

  private handleAppendResponse(m: AppendResponse): void {
    const progress = this.tracker.get(m.from);
    progress.recentActive = true;
    if (m.reject) {
      let nextProbeIndex = m.rejectHint;
      if (m.hintTerm > 0) nextProbeIndex = this.log.findConflictByTerm(m.rejectHint, m.hintTerm).index;
      if (progress.maybeDecreaseTo(m.index, nextProbeIndex)) {
        if (progress.state === 'replicate') progress.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return;
    }
    invariant(
      m.index <= this.log.lastIndex(),
      () =>
        `node ${m.from} acknowledged index ${m.index} beyond leader ${this.id}'s last index ${this.log.lastIndex()}`,
    );
    const wasPaused = progress.isPaused();
    if (!progress.maybeUpdate(m.index)) {
      if (wasPaused && progress.state === 'probe') this.sendAppend(m.from, false);
      return;
    }
    if (progress.state === 'probe') {
      progress.becomeReplicate();
    } else if (progress.state === 'snapshot' && progress.match + 1 >= this.log.firstIndex()) {
      // The follower installed the snapshot (or caught up otherwise): resume log replication.
      progress.becomeProbe();
      progress.becomeReplicate();
    } else if (progress.state === 'replicate') {
      progress.inflights.freeLE(m.index);
    }
    if (this.maybeCommit()) {
      this.broadcastAppend();
    } else if (wasPaused) {
      this.sendAppend(m.from, true);
    }
    // Keep the pipeline full while flow control allows.
    while (this.sendAppend(m.from, false)) {
      /* sent one more batch */
    }
    if (m.from === this.leadTransfereeId && progress.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private handleHeartbeatResponse(m: HeartbeatResponse): void {
    const progress = this.tracker.get(m.from);
    progress.recentActive = true;
    progress.probeSent = false;
    // A full window whose acks were lost would stall forever; free one slot to retry.
    if (progress.state === 'replicate' && progress.inflights.full()) progress.inflights.freeFirst();
    if (progress.match < this.log.lastIndex() || progress.state === 'probe') this.sendAppend(m.from, true);
  }

  // ---------------------------------------------------------------- outbox

  private send(message: OutgoingMessage): void {
    if (this.outbox.length >= this.config.maxOutboxMessages) {
      this.droppedMessages++; // the network may drop messages anyway; Raft retries
      return;
    }
    this.outbox.push({ ...message, from: this.id } as Message);
  }
}
