/**
 * One group coordinator process's moving parts: the gRPC server (Coordinator + health), the
 * ownership loop, and one GroupShard per owned partition of `__consumer_offsets`.
 *
 * Placement (through the controller's metadata): coordinator N is paired with broker N and owns
 * exactly the `__consumer_offsets` partitions whose leader is broker N. When the controller moves
 * a partition's leadership (broker died, fenced, controlled shutdown), the coordinator paired
 * with the new leader sees it within one ownership check, replays the partition from its log
 * start and serves its groups; the old one stops answering for them (NOT_COORDINATOR).
 *
 * Writes go to the paired broker only, with acks=all: if that broker is no longer the leader it
 * refuses (NOT_LEADER_OR_FOLLOWER), so a coordinator that lost a partition cannot write to it
 * behind its successor's back. A response leaves only after its records are committed; if a
 * write fails the partition is reloaded from the log, which undoes what was applied in memory.
 */
import type { Client } from '@grpc/grpc-js';
import {
  Admin,
  apiErrorFromName,
  createBrokerClient,
  coordinatorServiceDefinition,
  groupPartition,
  type FetchResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '@sluice/client';
import { ApiError, CompressionType, decodeRecordBatches, encodeRecordBatch } from '@sluice/protocol';
import { callUnary, HealthStatus, startGrpcServer, type Logger, type StartedGrpcServer } from '@sluice/runtime';
import type { AssignorName } from '../core/assignor';
import { assignorByName } from '../core/assignors';
import { decodeGroupRecord, recordKey, recordValue, type GroupRecord } from '../core/group-records';
import { GroupShard, type GroupShardConfig, type Outcome, type TopicsView } from '../core/group-shard';
import { CoordinatorApi } from './coordinator-api';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface CoordinatorNodeOptions {
  /** Also the id of the paired broker. */
  readonly nodeId: number;
  readonly bindHost: string;
  readonly bindPort: number;
  /** Address other coordinators and clients use for this one; default host:bound port. */
  readonly advertisedAddress?: string;
  /** The paired broker's address. */
  readonly brokerAddress: string;
  readonly controllerAddresses: readonly string[];
  /** Coordinator id -> address of the other coordinators (for FindCoordinator). */
  readonly peers: ReadonlyMap<number, string>;
  /** offsets.topic.num.partitions (Kafka default 50). */
  readonly offsetsTopicPartitions: number;
  /** offsets.topic.replication.factor (Kafka default 3). */
  readonly offsetsTopicReplicationFactor: number;
  readonly groups: Omit<GroupShardConfig, 'assignors'> & { readonly assignors: readonly AssignorName[] };
  /** How often leadership of __consumer_offsets and topic metadata are checked. Default 250 ms. */
  readonly ownershipCheckIntervalMs?: number;
  readonly log: Logger;
}

type PartitionStatus = 'loading' | 'active';

export interface OwnedPartition {
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly shard: GroupShard;
  status: PartitionStatus;
  /** Operations run one at a time per partition, in arrival order. */
  queue: Promise<void>;
  /** Set when the partition was dropped or is being reloaded: queued work answers NOT_COORDINATOR. */
  dropped: boolean;
}

const WRITE_TIMEOUT_MS = 10_000;
const FETCH_MAX_BYTES = 8 * 1024 * 1024;

export class CoordinatorNode {
  private server: StartedGrpcServer | undefined;
  private readonly health = new HealthStatus('NOT_SERVING');
  private readonly broker: Client;
  private readonly admin: Admin;
  private readonly owned = new Map<number, OwnedPartition>();
  private metadata: MetadataResponse | null = null;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private stopped = false;
  private memberIds = 0;

  private constructor(readonly options: CoordinatorNodeOptions) {
    this.broker = createBrokerClient(options.brokerAddress);
    this.admin = new Admin({ bootstrap: options.controllerAddresses, timeoutMs: 15_000 });
  }

  static async start(options: CoordinatorNodeOptions): Promise<CoordinatorNode> {
    const node = new CoordinatorNode(options);
    await node.startInternal();
    return node;
  }

  get address(): string {
    return this.options.advertisedAddress ?? this.server!.address;
  }

  get nodeId(): number {
    return this.options.nodeId;
  }

  /** Partitions of __consumer_offsets this node serves now (for tests and describe). */
  ownedPartitions(): { partition: number; status: PartitionStatus }[] {
    return [...this.owned.values()].map((p) => ({ partition: p.partition, status: p.status })).sort((a, b) => a.partition - b.partition);
  }

  private async startInternal(): Promise<void> {
    const api = new CoordinatorApi(this);
    this.server = await startGrpcServer({
      host: this.options.bindHost,
      port: this.options.bindPort,
      services: [
        { definition: coordinatorServiceDefinition(), implementation: api.handlers((error) => this.options.log.error({ err: error }, 'coordinator request failed')) },
        this.health.registration(),
      ],
    });
    await this.ensureOffsetsTopic();
    this.health.set('', 'SERVING');
    this.health.set('sluice.v1.Coordinator', 'SERVING');
    await this.checkOwnership();
    this.timer = setInterval(() => void this.checkOwnership(), this.options.ownershipCheckIntervalMs ?? 250);
    this.options.log.info({ address: this.address }, 'coordinator ready');
  }

  /** Creates __consumer_offsets when missing (a concurrent creator winning is fine). */
  private async ensureOffsetsTopic(): Promise<void> {
    for (let attempt = 0; attempt < 60 && !this.stopped; attempt++) {
      try {
        await this.admin.describeTopic(OFFSETS_TOPIC);
        return;
      } catch (error) {
        if (!(error instanceof ApiError) || error.errorName !== 'UNKNOWN_TOPIC_OR_PARTITION') {
          this.options.log.warn({ err: error }, 'cannot describe __consumer_offsets yet; retrying');
          await sleep(500);
          continue;
        }
      }
      try {
        // Compacted: replay needs only the latest value per key (tombstones remove members and offsets).
        await this.admin.createTopic({
          name: OFFSETS_TOPIC,
          numPartitions: this.options.offsetsTopicPartitions,
          replicationFactor: this.options.offsetsTopicReplicationFactor,
          configs: { 'cleanup.policy': 'compact' },
        });
        this.options.log.info({ partitions: this.options.offsetsTopicPartitions }, 'created __consumer_offsets');
        return;
      } catch (error) {
        if (error instanceof ApiError && error.errorName === 'TOPIC_ALREADY_EXISTS') return;
        this.options.log.warn({ err: error }, 'cannot create __consumer_offsets yet; retrying');
        await sleep(500);
      }
    }
    throw new ApiError('COORDINATOR_NOT_AVAILABLE', `${OFFSETS_TOPIC} could not be created`);
  }

  // ------------------------------------------------------------------ ownership

  private async checkOwnership(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      this.metadata = await callUnary<MetadataResponse>(this.broker, 'Metadata', { topics: [] }, { timeoutMs: 2_000 });
      const topic = this.metadata.topics.find((t) => t.name === OFFSETS_TOPIC && t.errorName === '');
      const leading = new Map<number, number>();
      for (const p of topic?.partitions ?? []) if (p.leader === this.options.nodeId) leading.set(p.partition, p.leaderEpoch);
      for (const [partition, owned] of this.owned) {
        if (leading.get(partition) !== owned.leaderEpoch) this.drop(owned, 'leadership moved');
      }
      for (const [partition, leaderEpoch] of leading) if (!this.owned.has(partition)) this.load(partition, leaderEpoch);
      const nowMs = Date.now();
      for (const owned of this.owned.values()) {
        const next = owned.shard.nextDeadlineMs();
        if (owned.status === 'active' && next !== null && next <= nowMs) void this.enqueue(owned, (shard) => shard.expireMembers(Date.now())).catch(() => undefined);
      }
    } catch (error) {
      this.options.log.warn({ err: error }, 'ownership check failed (paired broker unreachable?)');
      // Without the paired broker no write can succeed: stop claiming the partitions.
      for (const owned of this.owned.values()) this.drop(owned, 'paired broker unreachable');
    } finally {
      this.checking = false;
    }
  }

  private drop(owned: OwnedPartition, reason: string): void {
    owned.dropped = true;
    if (this.owned.get(owned.partition) === owned) this.owned.delete(owned.partition);
    this.options.log.info({ partition: owned.partition, reason }, 'stopped coordinating partition');
  }

  private load(partition: number, leaderEpoch: number): void {
    const topics: TopicsView = {
      partitionCount: (name) => this.metadata?.topics.find((t) => t.name === name && t.errorName === '')?.partitions.length,
      topicNames: () => (this.metadata?.topics ?? []).filter((t) => t.errorName === '').map((t) => t.name),
    };
    const shard = new GroupShard({ ...this.options.groups, assignors: this.options.groups.assignors.map(assignorByName) }, topics, () => `${this.options.nodeId}-${Date.now().toString(36)}-${(this.memberIds++).toString(36)}`);
    const owned: OwnedPartition = { partition, leaderEpoch, shard, status: 'loading', queue: Promise.resolve(), dropped: false };
    this.owned.set(partition, owned);
    const startedMs = Date.now();
    owned.queue = this.replayPartition(owned).then(
      (records) => {
        if (owned.dropped) return;
        shard.armTimers(Date.now());
        owned.status = 'active';
        this.options.log.info({ partition, leaderEpoch, records, ms: Date.now() - startedMs }, 'coordinating partition');
      },
      (error: unknown) => {
        this.options.log.warn({ err: error, partition }, 'loading partition failed; will retry');
        this.drop(owned, 'load failed');
      },
    );
  }

  /** Reads the partition from its log start to the high watermark into the shard. */
  private async replayPartition(owned: OwnedPartition): Promise<number> {
    const listed = await callUnary<ListOffsetsResponse>(this.broker, 'ListOffsets', { topics: [{ name: OFFSETS_TOPIC, partitions: [{ partition: owned.partition, timestamp: -2, currentLeaderEpoch: owned.leaderEpoch }] }] }, { timeoutMs: 5_000 });
    const start = listed.topics[0]?.partitions[0];
    if (start === undefined || start.errorName !== '') throw apiErrorFromName(start?.errorName ?? 'UNKNOWN_SERVER_ERROR', start?.errorMessage ?? 'no ListOffsets answer');
    let offset = Number(start.offset);
    let replayed = 0;
    for (;;) {
      if (owned.dropped) return replayed;
      const response = await callUnary<FetchResponse>(
        this.broker,
        'Fetch',
        {
          replicaId: -1,
          replicaEpoch: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: FETCH_MAX_BYTES,
          topics: [{ name: OFFSETS_TOPIC, partitions: [{ partition: owned.partition, fetchOffset: offset, currentLeaderEpoch: owned.leaderEpoch, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: FETCH_MAX_BYTES }] }],
        },
        { timeoutMs: 10_000 },
      );
      const result = response.topics[0]?.partitions[0];
      if (result === undefined || result.errorName !== '') throw apiErrorFromName(result?.errorName ?? 'UNKNOWN_SERVER_ERROR', result?.errorMessage ?? 'no Fetch answer');
      const highWatermark = Number(result.highWatermark);
      for (const batch of decodeRecordBatches(result.records)) {
        for (const record of batch.records) {
          if (record.offset < offset) continue;
          owned.shard.replay(decodeGroupRecord(record.key, record.value));
          replayed++;
        }
        offset = Math.max(offset, batch.baseOffset + batch.lastOffsetDelta + 1);
      }
      if (offset >= highWatermark) return replayed;
      if (result.records.length === 0) throw new ApiError('COORDINATOR_LOAD_IN_PROGRESS', `no progress loading ${OFFSETS_TOPIC}-${owned.partition} at offset ${offset} (high watermark ${highWatermark})`);
    }
  }

  // ------------------------------------------------------------------ operations

  /** The shard serving `groupId`, or NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
  partitionFor(groupId: string): OwnedPartition {
    const partition = groupPartition(groupId, this.offsetsPartitionCount());
    const owned = this.owned.get(partition);
    if (owned === undefined) {
      const owner = this.coordinatorFor(partition);
      throw new ApiError('NOT_COORDINATOR', `group ${groupId} (partition ${partition}) is not coordinated by node ${this.options.nodeId}`, owner === undefined ? {} : { coordinatorAddress: owner.address });
    }
    if (owned.status === 'loading') throw new ApiError('COORDINATOR_LOAD_IN_PROGRESS', `partition ${partition} of ${OFFSETS_TOPIC} is still loading`);
    return owned;
  }

  offsetsPartitionCount(): number {
    return this.metadata?.topics.find((t) => t.name === OFFSETS_TOPIC && t.errorName === '')?.partitions.length ?? this.options.offsetsTopicPartitions;
  }

  /** Who coordinates a partition: the coordinator paired with its leader. */
  coordinatorFor(partition: number): { nodeId: number; address: string } | undefined {
    const leader = this.metadata?.topics.find((t) => t.name === OFFSETS_TOPIC && t.errorName === '')?.partitions.find((p) => p.partition === partition)?.leader;
    if (leader === undefined || leader < 0) return undefined;
    if (leader === this.options.nodeId) return { nodeId: leader, address: this.address };
    const address = this.options.peers.get(leader);
    return address === undefined ? undefined : { nodeId: leader, address };
  }

  /** Every active shard, for ListGroups. */
  activeShards(): GroupShard[] {
    return [...this.owned.values()].filter((p) => p.status === 'active').map((p) => p.shard);
  }

  /**
   * Runs `operation` on the partition's shard after everything queued before it, writes the
   * records it produced (acks=all) and then answers. A failed write reloads the partition.
   */
  enqueue<T>(owned: OwnedPartition, operation: (shard: GroupShard) => Outcome<T>): Promise<T> {
    const run = owned.queue.then(async () => {
      if (owned.dropped) throw new ApiError('NOT_COORDINATOR', `partition ${owned.partition} moved away from node ${this.options.nodeId}`);
      const { records, response } = operation(owned.shard);
      if (records.length > 0) {
        try {
          await this.write(owned, records);
        } catch (error) {
          this.drop(owned, 'write failed');
          throw error instanceof ApiError ? error : new ApiError('COORDINATOR_NOT_AVAILABLE', `writing ${OFFSETS_TOPIC}-${owned.partition} failed: ${String(error)}`);
        }
      }
      return response;
    });
    owned.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async write(owned: OwnedPartition, records: readonly GroupRecord[]): Promise<void> {
    const timestamp = Date.now();
    const batch = encodeRecordBatch({ compression: CompressionType.None, records: records.map((record) => ({ key: recordKey(record), value: recordValue(record), timestamp })) });
    const response = await callUnary<ProduceResponse>(this.broker, 'Produce', { acks: -1, timeoutMs: WRITE_TIMEOUT_MS, topics: [{ name: OFFSETS_TOPIC, partitions: [{ partition: owned.partition, records: batch }] }] }, { timeoutMs: WRITE_TIMEOUT_MS + 1_000 });
    const result = response.topics[0]?.partitions[0];
    if (result === undefined) throw new ApiError('UNKNOWN_SERVER_ERROR', 'the broker answered nothing for the write');
    if (result.errorName !== '') throw apiErrorFromName(result.errorName, result.errorMessage);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const owned of this.owned.values()) owned.dropped = true;
    this.health.set('', 'NOT_SERVING');
    await this.server?.stop(1_000);
    this.broker.close();
    this.admin.close();
  }
}


function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
