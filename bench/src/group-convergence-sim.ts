/**
 * The group convergence simulation behind `pnpm bench:groups`: simulated KIP-848 members drive
 * the real GroupShard in process, exactly as clients would over the wire, and the coordinator's
 * cost is measured the way the real node pays it (CoordinatorNode.enqueue/write): the heartbeat
 * itself plus encoding the records it asks to persist into a RecordBatch (group-records keys and
 * values, CRC32C). The network and the broker's write are not part of it.
 *
 * Members follow the client rules of KIP-848 as @sluice/client's GroupMembership does: join with
 * epoch 0 and the subscription; after that send the member epoch and what they own (every
 * heartbeat); take an assignment from a response as it is (drop what it no longer lists, which
 * acknowledges a revocation on the next heartbeat; add what it newly lists). A member only ever
 * owns what it was given.
 *
 * Scheduling is in rounds: every member heartbeats once per round, in a fresh random order
 * (seeded), at times spread over one heartbeat interval. After each round the simulation checks
 * that no partition is owned by two members (checked at every response, in heartbeat order) and
 * whether the group has converged: every member STABLE at the group's epoch with exactly its
 * target assignment, the group's target computed for the current group epoch, every partition
 * owned by exactly one member, and every client owning what the coordinator thinks it owns.
 *
 * Pure apart from process.cpuUsage/hrtime: no I/O, no timers.
 */
import {
  DEFAULT_GROUP_SHARD_CONFIG,
  GroupShard,
  RangeAssignor,
  recordKey,
  recordValue,
  UniformAssignor,
  type AssignmentSpec,
  type AssignorName,
  type GroupAssignment,
  type GroupRecord,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type Outcome,
  type PartitionAssignor,
  type TopicsView,
} from '@sluice/coordinator';
import { ApiError, CompressionType, encodeRecordBatch } from '@sluice/protocol';

export interface TopicLayout {
  readonly topics: number;
  readonly partitionsPerTopic: number;
}

export interface SimulationOptions {
  readonly layout: TopicLayout;
  readonly assignor: AssignorName;
  /** Seeds member ids and heartbeat order. */
  readonly seed: number;
  /** group.consumer.heartbeat.interval.ms: one round spans one interval of simulated time. */
  readonly heartbeatIntervalMs?: number;
  /** group.consumer.assignment.interval.ms (KIP-1263); 0 computes the target on every epoch bump. */
  readonly assignmentIntervalMs: number;
  /**
   * Whether the topics view offers a metadata version (TopicsView.metadataVersion; the topics
   * never change during a run, so it stays put). Default true; false makes every heartbeat look
   * the subscribed topics up to detect a metadata change.
   */
  readonly metadataVersion?: boolean;
}

/** What one phase (members joining until the group is stable again) cost the coordinator. */
export interface PhaseResult {
  readonly converged: boolean;
  readonly rounds: number;
  readonly heartbeats: number;
  readonly members: number;
  readonly partitions: number;
  /** Records the heartbeats asked to persist, and the bytes of their encoded batches. */
  readonly records: number;
  readonly batchBytes: number;
  /** The largest single write (one heartbeat's batch) in bytes, and its record count. */
  readonly maxBatchBytes: number;
  readonly maxBatchRecords: number;
  /** Target assignments computed (assignor runs). */
  readonly assignorRuns: number;
  /** Heartbeats refused with an ApiError (fenced, unknown member, ...): 0 when all is well. */
  readonly refused: number;
  /** Wall and process CPU time spent in the coordinator's work (heartbeat + record encoding). */
  readonly coordinatorWallMs: number;
  readonly coordinatorCpuMs: number;
  /** The coordinator CPU time of each round, and the assignor runs in it. */
  readonly roundCpuMs: readonly number[];
  readonly roundAssignorRuns: readonly number[];
  /** Wall time of the whole phase, simulated clients and checks included. */
  readonly totalWallMs: number;
  /** Partitions each member owns at the end: min and max (balance). */
  readonly minOwned: number;
  readonly maxOwned: number;
}

const GROUP_ID = 'bench-group';

/** mulberry32: a small seeded generator, so runs with the same seed take the same path. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Counts the assignor runs of the wrapped assignor. */
class CountingAssignor implements PartitionAssignor {
  runs = 0;
  readonly name: AssignorName;

  constructor(private readonly inner: PartitionAssignor) {
    this.name = inner.name;
  }

  assign(spec: AssignmentSpec): GroupAssignment {
    this.runs++;
    return this.inner.assign(spec);
  }
}

type PartitionList = readonly { readonly topic: string; readonly partitions: readonly number[] }[];

interface SimMember {
  memberId: string;
  epoch: number;
  joined: boolean;
  /** What it owns, in the list form it reports. */
  owned: PartitionList;
}

export class GroupSimulation {
  readonly topicNames: readonly string[];
  readonly partitions: number;
  private readonly shard: GroupShard;
  private readonly assignors: CountingAssignor[];
  private readonly members: SimMember[] = [];
  private readonly random: () => number;
  private readonly heartbeatIntervalMs: number;
  private readonly topicIndex = new Map<string, number>();
  /** Client-side owner of each partition (global id), -1 for none: double ownership is caught on the spot. */
  private readonly ownerOf: Int32Array;
  private readonly serverAssignor: string;
  private nowMs = 1_000_000;
  /** Member ids for the coordinator to hand out: random, 22 characters of base64url like a Kafka Uuid, from the seed. */
  private readonly memberIds: string[] = [];
  private nextMemberId = 0;

  constructor(private readonly options: SimulationOptions) {
    const { topics, partitionsPerTopic } = options.layout;
    if (
      !Number.isSafeInteger(topics) ||
      topics < 1 ||
      !Number.isSafeInteger(partitionsPerTopic) ||
      partitionsPerTopic < 1
    ) {
      throw new RangeError(
        `topic layout ${topics} x ${partitionsPerTopic} needs at least one topic with one partition`,
      );
    }
    this.topicNames = Array.from({ length: topics }, (_, i) => `topic-${String(i).padStart(4, '0')}`);
    this.topicNames.forEach((name, i) => this.topicIndex.set(name, i));
    this.partitions = topics * partitionsPerTopic;
    this.ownerOf = new Int32Array(this.partitions).fill(-1);
    this.random = seededRandom(options.seed);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_GROUP_SHARD_CONFIG.heartbeatIntervalMs;
    const counts = new Map(this.topicNames.map((name) => [name, partitionsPerTopic]));
    const view: TopicsView = { partitionCount: (topic) => counts.get(topic), topicNames: () => counts.keys() };
    if (options.metadataVersion ?? true) view.metadataVersion = () => 0;
    this.assignors = [new CountingAssignor(new UniformAssignor()), new CountingAssignor(new RangeAssignor())];
    this.serverAssignor = options.assignor;
    // The coordinator names joining members (the client sends ''); the names are drawn ahead of
    // time, outside the measured section, so making them costs what the node's counter does.
    const newMemberId = (): string => {
      const id = this.memberIds[this.nextMemberId++];
      if (id === undefined) throw new Error('more joins than simulated members');
      return id;
    };
    this.shard = new GroupShard(
      {
        ...DEFAULT_GROUP_SHARD_CONFIG,
        heartbeatIntervalMs: this.heartbeatIntervalMs,
        assignmentIntervalMs: options.assignmentIntervalMs,
        assignors: this.assignors,
      },
      view,
      newMemberId,
    );
  }

  get memberCount(): number {
    return this.members.length;
  }

  /** New members that join at their first heartbeat (the next round). */
  addMembers(count: number): void {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < count; i++) {
      this.members.push({ memberId: '', epoch: 0, joined: false, owned: [] });
      this.memberIds.push(Array.from({ length: 22 }, () => alphabet[Math.floor(this.random() * 64)]).join(''));
    }
  }

  /** Rounds until the group converges (or maxRounds pass), with what the coordinator spent. */
  runUntilConverged(maxRounds: number): PhaseResult {
    const startedWall = performance.now();
    const assignorRunsBefore = this.assignorRuns();
    let rounds = 0;
    let heartbeats = 0;
    let records = 0;
    let batchBytes = 0;
    let maxBatchBytes = 0;
    let maxBatchRecords = 0;
    let refused = 0;
    let coordinatorWallNs = 0n;
    let coordinatorCpuMicros = 0;
    let converged = false;
    const roundCpuMs: number[] = [];
    const roundAssignorRuns: number[] = [];
    const order = this.members.map((_, i) => i);
    const requests: HeartbeatRequest[] = new Array<HeartbeatRequest>(order.length);
    const answers: (HeartbeatResponse | ApiError)[] = new Array<HeartbeatResponse | ApiError>(order.length);
    while (rounds < maxRounds) {
      rounds++;
      shuffle(order, this.random);
      // The clients' side (outside the measured section): what each sends this round.
      for (let i = 0; i < order.length; i++) requests[i] = this.request(this.members[order[i]!]!);
      const roundStartMs = this.nowMs;
      const spacingMs = this.heartbeatIntervalMs / order.length;
      // The coordinator's side: each heartbeat in turn, and the batch the node would write for it.
      const runsBefore = this.assignorRuns();
      const cpuBefore = process.cpuUsage();
      const wallBefore = process.hrtime.bigint();
      for (let i = 0; i < order.length; i++) {
        const nowMs = roundStartMs + Math.floor(i * spacingMs);
        let outcome: Outcome<HeartbeatResponse>;
        try {
          outcome = this.shard.heartbeat(requests[i]!, nowMs);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          answers[i] = error;
          continue;
        }
        answers[i] = outcome.response;
        if (outcome.records.length > 0) {
          const bytes = encodeBatch(outcome.records, nowMs).length;
          records += outcome.records.length;
          batchBytes += bytes;
          if (bytes > maxBatchBytes) {
            maxBatchBytes = bytes;
            maxBatchRecords = outcome.records.length;
          }
        }
      }
      coordinatorWallNs += process.hrtime.bigint() - wallBefore;
      const cpu = process.cpuUsage(cpuBefore);
      coordinatorCpuMicros += cpu.user + cpu.system;
      roundCpuMs.push((cpu.user + cpu.system) / 1_000);
      roundAssignorRuns.push(this.assignorRuns() - runsBefore);
      this.nowMs = roundStartMs + this.heartbeatIntervalMs;
      heartbeats += order.length;
      // The clients take their answers, in the order they came.
      for (let i = 0; i < order.length; i++) {
        const answer = answers[i]!;
        if (answer instanceof ApiError) {
          refused++;
          this.fenced(this.members[order[i]!]!, order[i]!);
        } else {
          this.apply(this.members[order[i]!]!, order[i]!, answer);
        }
      }
      if (this.isConverged()) {
        converged = true;
        break;
      }
    }
    const owned = this.members.map((member) => member.owned.reduce((sum, entry) => sum + entry.partitions.length, 0));
    return {
      converged,
      rounds,
      heartbeats,
      members: this.members.length,
      partitions: this.partitions,
      records,
      batchBytes,
      maxBatchBytes,
      maxBatchRecords,
      assignorRuns: this.assignorRuns() - assignorRunsBefore,
      refused,
      coordinatorWallMs: Number(coordinatorWallNs) / 1e6,
      coordinatorCpuMs: coordinatorCpuMicros / 1_000,
      roundCpuMs,
      roundAssignorRuns,
      totalWallMs: performance.now() - startedWall,
      minOwned: Math.min(...owned),
      maxOwned: Math.max(...owned),
    };
  }

  private assignorRuns(): number {
    return this.assignors.reduce((sum, assignor) => sum + assignor.runs, 0);
  }

  /** The heartbeat a member sends now (as @sluice/client's GroupMembership builds it). */
  private request(member: SimMember): HeartbeatRequest {
    const joining = !member.joined;
    return {
      groupId: GROUP_ID,
      memberId: member.memberId,
      memberEpoch: joining ? 0 : member.epoch,
      instanceId: null,
      rackId: null,
      clientId: 'bench',
      rebalanceTimeoutMs: joining ? 300_000 : null,
      subscribedTopicNames: joining ? this.topicNames : null,
      subscribedTopicRegex: null,
      serverAssignor: this.serverAssignor,
      ownedPartitions: joining ? [] : member.owned,
    };
  }

  private apply(member: SimMember, index: number, response: HeartbeatResponse): void {
    member.memberId = response.memberId;
    member.joined = true;
    member.epoch = response.memberEpoch;
    if (response.assignment === null) return;
    // Drop what is no longer listed first (a revocation), then take what is new.
    const next = new Set<number>();
    for (const entry of response.assignment)
      for (const partition of entry.partitions) next.add(this.globalId(entry.topic, partition));
    for (const id of this.ids(member.owned)) if (!next.has(id)) this.ownerOf[id] = -1;
    for (const id of next) {
      const owner = this.ownerOf[id]!;
      if (owner !== -1 && owner !== index) {
        throw new Error(
          `double ownership: partition ${this.describe(id)} given to member ${response.memberId} while member ${this.members[owner]!.memberId} still owns it`,
        );
      }
      this.ownerOf[id] = index;
    }
    member.owned = response.assignment;
  }

  /** A refused heartbeat: the member drops everything and rejoins (GroupMembership's rule). */
  private fenced(member: SimMember, index: number): void {
    for (const id of this.ids(member.owned)) if (this.ownerOf[id] === index) this.ownerOf[id] = -1;
    member.owned = [];
    member.joined = false;
    member.epoch = 0;
  }

  private *ids(list: PartitionList): Iterable<number> {
    for (const entry of list) for (const partition of entry.partitions) yield this.globalId(entry.topic, partition);
  }

  private globalId(topic: string, partition: number): number {
    const index = this.topicIndex.get(topic);
    if (
      index === undefined ||
      !Number.isInteger(partition) ||
      partition < 0 ||
      partition >= this.options.layout.partitionsPerTopic
    ) {
      throw new Error(`assignment names ${topic}-${partition}, which does not exist`);
    }
    return index * this.options.layout.partitionsPerTopic + partition;
  }

  private describe(id: number): string {
    const perTopic = this.options.layout.partitionsPerTopic;
    return `${this.topicNames[Math.floor(id / perTopic)]}-${id % perTopic}`;
  }

  /**
   * Every member STABLE at the group epoch with its target, the target computed for that epoch,
   * every partition owned by exactly one member, and each client owning what the coordinator
   * says it owns.
   */
  isConverged(): boolean {
    const group = this.shard.group(GROUP_ID);
    if (group === undefined || group.memberCount !== this.members.length) return false;
    if (group.assignmentEpoch !== group.groupEpoch || group.state() !== 'STABLE') return false;
    const coveredBy = new Int32Array(this.partitions).fill(-1);
    for (let index = 0; index < this.members.length; index++) {
      const member = this.members[index]!;
      if (!member.joined || member.epoch !== group.groupEpoch) return false;
      const current = group.memberAssignment(member.memberId);
      if (current.state !== 'STABLE' || current.memberEpoch !== group.groupEpoch) return false;
      const target = group.targetAssignment.get(member.memberId);
      let targetCount = 0;
      for (const set of target?.values() ?? []) targetCount += set.size;
      let ownedCount = 0;
      for (const entry of member.owned) {
        for (const partition of entry.partitions) {
          ownedCount++;
          if (
            target?.get(entry.topic)?.has(partition) !== true ||
            current.assigned.get(entry.topic)?.has(partition) !== true
          )
            return false;
          const id = this.globalId(entry.topic, partition);
          if (coveredBy[id] !== -1) throw new Error(`double ownership at convergence: ${this.describe(id)}`);
          coveredBy[id] = index;
        }
      }
      if (ownedCount !== targetCount) return false;
    }
    return coveredBy.every((owner) => owner !== -1);
  }
}

function shuffle(values: number[], random: () => number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = values[i]!;
    values[i] = values[j]!;
    values[j] = swap;
  }
}

/** The batch CoordinatorNode.write would produce for these records. */
function encodeBatch(records: readonly GroupRecord[], timestamp: number): Buffer {
  return encodeRecordBatch({
    compression: CompressionType.None,
    records: records.map((record) => ({ key: recordKey(record), value: recordValue(record), timestamp })),
  });
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly assignor: AssignorName;
  readonly assignmentIntervalMs: number;
  readonly layout: TopicLayout;
  /** Members already in the (stable) group before the measured phase. */
  readonly stableMembers: number;
  readonly joiningMembers: number;
  readonly phase: PhaseResult;
  /** The unmeasured setup phase that made the stable group, when there was one. */
  readonly setup: PhaseResult | null;
}

/**
 * `joining` members join a group that first holds `stableMembers` converged ones (built by an
 * unmeasured setup phase); the measured phase runs until the group is stable again.
 */
export function runScenario(
  scenario: string,
  options: SimulationOptions & {
    readonly stableMembers: number;
    readonly joiningMembers: number;
    readonly maxRounds: number;
  },
): ScenarioResult {
  const simulation = new GroupSimulation(options);
  let setup: PhaseResult | null = null;
  if (options.stableMembers > 0) {
    simulation.addMembers(options.stableMembers);
    setup = simulation.runUntilConverged(options.maxRounds);
    if (!setup.converged)
      throw new Error(
        `${scenario}: the ${options.stableMembers}-member group did not converge in ${options.maxRounds} rounds of setup`,
      );
  }
  simulation.addMembers(options.joiningMembers);
  const phase = simulation.runUntilConverged(options.maxRounds);
  return {
    scenario,
    assignor: options.assignor,
    assignmentIntervalMs: options.assignmentIntervalMs,
    layout: options.layout,
    stableMembers: options.stableMembers,
    joiningMembers: options.joiningMembers,
    phase,
    setup,
  };
}
