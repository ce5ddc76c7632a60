/**
 * One group coordinator process's moving parts: the gRPC surface (a NestJS application serving
 * Coordinator + health + reflection, see rpc/), the
 * ownership loop, one GroupShard per owned partition of `__consumer_offsets` and one
 * ShareStateShard per owned partition of `__share_group_state`.
 *
 * Placement (through the controller's metadata): coordinator N is paired with broker N and owns
 * exactly the `__consumer_offsets` partitions whose leader is broker N, and likewise the
 * `__share_group_state` partitions (the share coordinator: durable share-partition state). When the controller moves
 * a partition's leadership (broker died, fenced, controlled shutdown), the coordinator paired
 * with the new leader sees it within one ownership check, replays the partition from its log
 * start and serves its groups; the old one stops answering for them (NOT_COORDINATOR).
 *
 * Writes go to the paired broker only, with acks=all: if that broker is no longer the leader it
 * refuses (NOT_LEADER_OR_FOLLOWER), so a coordinator that lost a partition cannot write to it
 * behind its successor's back. A response leaves only after its records are committed; if a
 * write fails the partition is reloaded from the log, which undoes what was applied in memory.
 */
import { Admin, collectTopicPages, groupPartition, shareStateKeyString, topicPartitionKey } from '@sluice/client';
import { createGrpcClient, GrpcClientPool, unaryCall } from '@sluice/proto';
import { MetadataImage } from '@sluice/metadata';
import type { BrokerClient, MetadataResponse__Output } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import {
  createMetricsRegistry,
  HealthStatus,
  startMetricsServer,
  type Logger,
  type RequestPhases,
  type ServiceSecurity,
  type StartedMetricsServer,
} from '@sluice/runtime';
import {
  MetadataFollower,
  serviceSecurityParts,
  type GrpcApp,
  type SecurityAuditSink,
  type ServiceSecurityParts,
} from '@sluice/service-common';
import type { Registry } from 'prom-client';
import { startCoordinatorRpc } from '../rpc/coordinator-rpc.module';
import type { AssignorName } from '../core/assignor';
import { assignorByName } from '../core/assignors';
import { decodeGroupRecord, recordKey, recordValue, type GroupRecord } from '../core/group-records';
import { GroupShard, type GroupShardConfig, type Outcome } from '../core/group-shard';
import {
  decodeShareStateRecord,
  shareStateRecordKey,
  shareStateRecordValue,
  type ShareStateRecord,
  type ShareStateRecordKey,
} from '../core/share-state-records';
import { ShareStateShard, type ShareStateOutcome } from '../core/share-state-shard';
import { CoordinatorApi } from './coordinator-api';
import { CoordinatorMetrics } from './coordinator-metrics';
import { ConsumerLag } from './consumer-lag';
import { TopicsSnapshot } from './topics-snapshot';
import { MemberWakeups } from './member-wakeups';
import { OwnedTopic, type OwnedPartition as OwnedTopicPartition, type PartitionStatus } from './owned-topic';
import { DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_REQUEST_BYTES, type WriteLimits } from './write-plan';
import { coordinatorReadiness } from '../core/coordinator-readiness';

export const OFFSETS_TOPIC = '__consumer_offsets';
export const SHARE_STATE_TOPIC = '__share_group_state';

export interface ShareStateTopicOptions {
  /** share.coordinator.state.topic.num.partitions (Kafka default 50). */
  readonly partitions: number;
  /** share.coordinator.state.topic.replication.factor (Kafka default 3). */
  readonly replicationFactor: number;
  /** share.coordinator.state.topic.min.isr (Kafka default 2): the topic's min.insync.replicas. */
  readonly minIsr: number;
}

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
  /** The listener's security (TLS, tokens, ACLs); absent: PLAINTEXT without an authorizer. */
  readonly security?: ServiceSecurity;
  /** Where refused requests are audited; default: the service log. */
  readonly auditSink?: SecurityAuditSink;
  /** offsets.topic.num.partitions (Kafka default 50). */
  readonly offsetsTopicPartitions: number;
  /** offsets.topic.replication.factor (Kafka default 3). */
  readonly offsetsTopicReplicationFactor: number;
  /** The share coordinator's topic; default 50 partitions, the offsets topic's replication factor, min ISR 2. */
  readonly shareStateTopic?: ShareStateTopicOptions;
  readonly groups: Omit<GroupShardConfig, 'assignors'> & { readonly assignors: readonly AssignorName[] };
  /**
   * message.max.bytes (default 1 MiB + 12): the internal topics are created with it as their
   * topic-level max.message.bytes, and writes are cut into RecordBatches no larger (nor larger
   * than an existing topic's own override).
   */
  readonly maxMessageBytes?: number;
  /** Most batch bytes in one Produce request to the paired broker; default 16 MiB (gRPC allows 64). */
  readonly maxWriteRequestBytes?: number;
  /** How often leadership of the internal topics and topic metadata are checked. Default 250 ms. */
  readonly ownershipCheckIntervalMs?: number;
  /**
   * How long ownership outlives failed reads of the paired broker's metadata before every
   * partition is dropped; default DEFAULT_PAIRED_BROKER_GRACE_MS. See checkOwnership.
   */
  readonly pairedBrokerGraceMs?: number;
  /** The /metrics and /healthz HTTP server (`metrics.host`, `metrics.port`); null or absent: none. */
  readonly metrics?: { readonly host: string; readonly port: number } | null;
  /**
   * How often the high watermarks behind `sluice_coordinator_consumer_group_lag` are read
   * (`metrics.consumer.lag.interval.ms`, default 5000); 0: never (no lag series).
   */
  readonly consumerLagIntervalMs?: number;
  /** Most ConsumerGroupWakeups streams this coordinator holds; default DEFAULT_MAX_WAKEUP_STREAMS. */
  readonly maxWakeupStreams?: number;
  readonly log: Logger;
}

/**
 * Default bound on the wake-up streams one coordinator holds: room for the 10,000-member groups
 * the coordinator is measured with, several times over; members beyond it heartbeat on their
 * interval as without a stream.
 */
export const DEFAULT_MAX_WAKEUP_STREAMS = 50_000;

/**
 * Default of `pairedBrokerGraceMs`: a few failed 2 s metadata reads, and below the controller's
 * broker.session.timeout.ms (9 s), so a coordinator whose broker really is gone stops claiming its
 * partitions before the controller can move their leadership elsewhere.
 */
export const DEFAULT_PAIRED_BROKER_GRACE_MS = 6_000;

/** Default of `metrics.consumer.lag.interval.ms`. */
export const DEFAULT_CONSUMER_LAG_INTERVAL_MS = 5_000;
/** Bound on the partitions (and series) the lag gauge tracks per coordinator. */
const MAX_LAG_PARTITIONS = 10_000;

export type OwnedPartition = OwnedTopicPartition<GroupShard>;
export type OwnedShareStatePartition = OwnedTopicPartition<ShareStateShard>;

export class CoordinatorNode {
  private server: GrpcApp | undefined;
  private securityParts: ServiceSecurityParts | undefined;
  private aclFollower: MetadataFollower | undefined;
  private aclControllers: GrpcClientPool<'Controller'> | undefined;
  private aclTargetOffset: number | undefined;
  /** This coordinator's series (its own registry: tests run several coordinators in one process). */
  readonly registry: Registry;
  private readonly metrics: CoordinatorMetrics;
  private readonly lag: ConsumerLag;
  private lagTimer: NodeJS.Timeout | undefined;
  private metricsServer: StartedMetricsServer | undefined;
  private readonly health = new HealthStatus('NOT_SERVING');
  /** Members' wake-up streams: see member-wakeups.ts. */
  readonly wakeups: MemberWakeups;
  /** Per owned partition of __consumer_offsets: the timer of its next deferred target assignment. */
  private readonly assignmentTimers = new Map<
    OwnedPartition,
    { readonly dueMs: number; readonly timer: NodeJS.Timeout }
  >();
  private readonly broker: BrokerClient;
  private readonly admin: Admin;
  private readonly groupPartitions: OwnedTopic<GroupShard, GroupRecord>;
  private readonly sharePartitions: OwnedTopic<ShareStateShard, ShareStateRecord>;
  readonly shareStateTopic: ShareStateTopicOptions;
  private metadata: MetadataResponse__Output | null = null;
  /** The last read of every topic whose pages all came from one metadata offset (see allTopicsMetadata). */
  private wholeMetadata: MetadataResponse__Output | null = null;
  /** What the group shards see of topics; refreshed with `metadata`. */
  private readonly topics = new TopicsSnapshot();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  /** When the last ownership check that read the paired broker's metadata ended (null: none yet). */
  private lastMetadataReadMs: number | null = null;
  /** Set (once) by the first ownership check that read the metadata: health says SERVING from then on. */
  private ready = false;
  /** The last ownership check read the paired broker's metadata (readiness input). */
  private metadataRead = false;
  /** That metadata had both internal topics (readiness input). */
  private knowsInternalTopics = false;
  /** The last readiness reason logged ('' = ready), so only changes are logged. */
  private readinessReason: string | null = null;
  private stopped = false;
  private memberIds = 0;
  /** Effective max.message.bytes per internal topic (the smaller of ours and the topic's override). */
  private readonly batchLimits = new Map<string, number>();

  private constructor(readonly options: CoordinatorNodeOptions) {
    // Known from the start, so the readiness probe reads NOT_SERVING rather than NOT_FOUND.
    this.health.set('sluice.v1.Coordinator', 'NOT_SERVING');
    // Its own registry: tests run several coordinators in one process.
    this.registry = createMetricsRegistry({
      service: 'coordinator',
      nodeId: options.nodeId,
      defaultMetrics: (options.metrics ?? null) !== null,
    });
    this.wakeups = new MemberWakeups(options.maxWakeupStreams ?? DEFAULT_MAX_WAKEUP_STREAMS);
    this.broker = createGrpcClient('Broker', options.brokerAddress);
    this.admin = new Admin({ bootstrap: options.controllerAddresses, timeoutMs: 15_000 });
    this.shareStateTopic = options.shareStateTopic ?? {
      partitions: 50,
      replicationFactor: options.offsetsTopicReplicationFactor,
      minIsr: 2,
    };
    const topics = this.topics;
    const shared = (topic: string) => ({
      nodeId: options.nodeId,
      broker: this.broker,
      log: options.log,
      writeLimits: () => this.writeLimits(topic),
      onMessageTooLarge: () => void this.refreshBatchLimit(topic),
      onLoaded: () => this.updateReadiness(),
    });
    this.groupPartitions = new OwnedTopic<GroupShard, GroupRecord>(
      {
        topic: OFFSETS_TOPIC,
        newShard: () =>
          new GroupShard(
            { ...options.groups, assignors: options.groups.assignors.map(assignorByName) },
            topics,
            () => `${options.nodeId}-${Date.now().toString(36)}-${(this.memberIds++).toString(36)}`,
          ),
        replay: (shard, key, value) => shard.replay(decodeGroupRecord(key, value)),
        encode: (record) => ({ key: recordKey(record), value: recordValue(record) }),
        afterLoad: (shard, nowMs) => shard.armTimers(nowMs),
      },
      shared(OFFSETS_TOPIC),
    );
    this.sharePartitions = new OwnedTopic<ShareStateShard, ShareStateRecord>(
      {
        topic: SHARE_STATE_TOPIC,
        newShard: () => new ShareStateShard(),
        replay: (shard, key, value) => shard.replay(decodeShareStateRecord(key, value)),
        encode: (record) => ({ key: shareStateRecordKey(record.key), value: shareStateRecordValue(record.value) }),
      },
      shared(SHARE_STATE_TOPIC),
    );
    this.lag = new ConsumerLag({
      committed: () => this.activeShards().flatMap((shard) => [...shard.committedOffsets()]),
      highWatermarks: (topic, partitions) => this.highWatermarks(topic, partitions),
      maxPartitions: MAX_LAG_PARTITIONS,
      onRefreshError: (topic, error) =>
        options.log.debug({ topic, err: error }, 'consumer lag: high watermarks not read this time'),
    });
    this.metrics = new CoordinatorMetrics(this.registry, {
      consumerGroups: () => this.activeShards().flatMap((shard) => shard.listGroups()),
      shareGroups: () => this.activeShards().flatMap((shard) => shard.listShareGroups()),
      ownedPartitions: () => [
        ...this.groupPartitions.all().map((p) => ({ topic: OFFSETS_TOPIC, status: p.status })),
        ...this.sharePartitions.all().map((p) => ({ topic: SHARE_STATE_TOPIC, status: p.status })),
      ],
      lag: this.lag,
    });
  }

  /** The high watermarks of `partitions` of `topic`, from their leaders. */
  private async highWatermarks(topic: string, partitions: readonly number[]): Promise<Map<number, number>> {
    const listed = await this.admin.listOffsets(
      partitions.map((partition) => ({ topic, partition })),
      'latest',
    );
    const read = new Map<number, number>();
    for (const partition of partitions) {
      const offset = listed.get(topicPartitionKey(topic, partition))?.offset;
      if (offset !== undefined && offset >= 0) read.set(partition, offset);
    }
    return read;
  }

  get metricsPort(): number | undefined {
    return this.metricsServer?.port;
  }

  static async start(options: CoordinatorNodeOptions): Promise<CoordinatorNode> {
    // Before the node exists: its clients of the broker and the controllers use this node's certificate.
    // The ACLs are read per request from the node made just below.
    const made: { node?: CoordinatorNode } = {};
    const security =
      options.security === undefined
        ? undefined
        : serviceSecurityParts({
            security: options.security,
            service: 'coordinator',
            nodeId: options.nodeId,
            auditSink: options.auditSink ?? { write: (line) => options.log.warn(line, 'request refused') },
            acls: () => made.node?.aclImage.acls ?? MetadataImage.EMPTY.acls,
            ready: () => made.node?.aclsLoaded === true,
            notReadyError: 'COORDINATOR_LOAD_IN_PROGRESS',
          });
    const node = new CoordinatorNode(options);
    made.node = node;
    node.securityParts = security;
    await node.startInternal();
    return node;
  }

  /**
   * The ACL feed has applied the metadata log up to the offset the controllers had committed
   * when this coordinator started: its ACLs are those in force, not an empty start.
   */
  get aclsLoaded(): boolean {
    const target = this.aclTargetOffset;
    return target !== undefined && (this.aclFollower?.appliedOffset ?? -1) >= target;
  }

  /** The metadata image this coordinator follows for its ACLs (empty without an authorizer). */
  get aclImage(): MetadataImage {
    return this.aclFollower?.image ?? MetadataImage.EMPTY;
  }

  get address(): string {
    return this.options.advertisedAddress ?? this.server!.address;
  }

  get nodeId(): number {
    return this.options.nodeId;
  }

  /** Partitions of __consumer_offsets this node serves now (for tests and describe). */
  ownedPartitions(): { partition: number; status: PartitionStatus }[] {
    return this.groupPartitions
      .all()
      .map((p) => ({ partition: p.partition, status: p.status }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** Partitions of __share_group_state this node serves now (for tests and describe). */
  ownedShareStatePartitions(): { partition: number; status: PartitionStatus }[] {
    return this.sharePartitions
      .all()
      .map((p) => ({ partition: p.partition, status: p.status }))
      .sort((a, b) => a.partition - b.partition);
  }

  private async startInternal(): Promise<void> {
    const api = new CoordinatorApi(this);
    if (this.securityParts?.access.enabled === true) {
      // ACLs live in the metadata log: follow it like a broker does, for the ACLs alone.
      const controllers = new GrpcClientPool('Controller');
      this.aclControllers = controllers;
      this.aclFollower = new MetadataFollower({
        client: {
          fetchMetadata: (address, fromOffset, observer) =>
            controllers.client(address).FetchMetadata({ fromOffset: String(fromOffset), observer }),
        },
        addresses: this.options.controllerAddresses,
        observer: `coordinator-${this.options.nodeId}`,
        log: this.options.log,
        // The image is read per request (aclImage); nothing else waits on it.
        onImage: () => undefined,
      });
      this.aclFollower.start();
      this.learnAclTargetOffset();
    }
    this.server = await startCoordinatorRpc(this.options.bindHost, this.options.bindPort, {
      ...(this.securityParts === undefined ? {} : { security: this.securityParts }),
      api,
      health: this.health,
      registry: this.registry,
      report: (error, referenceId) => this.options.log.error({ err: error, referenceId }, 'coordinator request failed'),
    });
    // Compacted: replay needs only the latest value per key (tombstones remove members and offsets).
    // max.message.bytes is set on the topic so the brokers' own message.max.bytes cannot refuse
    // the batches this coordinator cuts (see write-plan.ts).
    const maxMessageBytes = String(this.maxMessageBytes);
    await this.ensureTopic(
      OFFSETS_TOPIC,
      this.options.offsetsTopicPartitions,
      this.options.offsetsTopicReplicationFactor,
      { 'cleanup.policy': 'compact', 'max.message.bytes': maxMessageBytes },
    );
    // Compacted too: each record is a share partition's whole state (see ShareStateShard).
    await this.ensureTopic(SHARE_STATE_TOPIC, this.shareStateTopic.partitions, this.shareStateTopic.replicationFactor, {
      'cleanup.policy': 'compact',
      'min.insync.replicas': String(this.shareStateTopic.minIsr),
      'max.message.bytes': maxMessageBytes,
    });
    // SERVING comes with the first ownership check that reads the cluster's metadata (see
    // checkOwnership): before it, FindCoordinator could only answer COORDINATOR_NOT_AVAILABLE.
    await this.checkOwnership();
    this.timer = setInterval(() => void this.checkOwnership(), this.options.ownershipCheckIntervalMs ?? 250);
    const lagIntervalMs = this.options.consumerLagIntervalMs ?? DEFAULT_CONSUMER_LAG_INTERVAL_MS;
    if (lagIntervalMs > 0) {
      this.lagTimer = setInterval(() => void this.lag.refresh(), lagIntervalMs);
      this.lagTimer.unref();
    }
    const metrics = this.options.metrics ?? null;
    if (metrics !== null) {
      this.metricsServer = await startMetricsServer({
        registry: this.registry,
        host: metrics.host,
        port: metrics.port,
        servingStatus: (service) => this.health.get(service),
        health: () => ({
          healthy: !this.stopped,
          detail: `partitions=${this.groupPartitions.all().length}+${this.sharePartitions.all().length}`,
        }),
      });
    }
    this.options.log.info(
      { address: this.address, metricsPort: this.metricsServer?.port ?? null },
      // SERVING (and 'coordinator ready') follow with the first ownership check that knows the topics.
      'coordinator started',
    );
  }

  /** Creates an internal topic when missing (a concurrent creator winning is fine). */
  private async ensureTopic(
    name: string,
    numPartitions: number,
    replicationFactor: number,
    configs: Record<string, string>,
  ): Promise<void> {
    for (let attempt = 0; attempt < 60 && !this.stopped; attempt++) {
      try {
        const existing = await this.admin.describeTopic(name);
        this.noteTopicBatchLimit(name, existing.configs['max.message.bytes']);
        return;
      } catch (error) {
        if (!(error instanceof ApiError) || error.errorName !== 'UNKNOWN_TOPIC_OR_PARTITION') {
          this.options.log.warn({ err: error, topic: name }, 'cannot describe internal topic yet; retrying');
          await sleep(500);
          continue;
        }
      }
      try {
        await this.admin.createTopic({ name, numPartitions, replicationFactor, configs });
        this.noteTopicBatchLimit(name, configs['max.message.bytes']);
        this.options.log.info({ topic: name, partitions: numPartitions }, 'created internal topic');
        return;
      } catch (error) {
        // Someone else created it: the next attempt describes it (and reads its max.message.bytes).
        if (error instanceof ApiError && error.errorName === 'TOPIC_ALREADY_EXISTS') continue;
        this.options.log.warn({ err: error, topic: name }, 'cannot create internal topic yet; retrying');
        await sleep(500);
      }
    }
    throw new ApiError('COORDINATOR_NOT_AVAILABLE', `${name} could not be created`);
  }

  private get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? DEFAULT_MAX_BATCH_BYTES;
  }

  /** How writes to `topic` are cut: batches under its effective max.message.bytes, requests under the gRPC-safe bound. */
  private writeLimits(topic: string): WriteLimits {
    const maxBatchBytes = this.batchLimits.get(topic) ?? this.maxMessageBytes;
    return {
      maxBatchBytes,
      maxRequestBytes: Math.max(maxBatchBytes, this.options.maxWriteRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES),
    };
  }

  /** Records the topic's max.message.bytes override, if any: the smaller of it and ours bounds our batches. */
  private noteTopicBatchLimit(topic: string, override: string | undefined): void {
    const parsed = override === undefined ? NaN : Number(override);
    const limit =
      Number.isSafeInteger(parsed) && parsed > 0 ? Math.min(parsed, this.maxMessageBytes) : this.maxMessageBytes;
    if (this.batchLimits.get(topic) !== limit)
      this.options.log.info(
        { topic, maxBatchBytes: limit, topicOverride: override ?? null },
        'internal topic batch limit',
      );
    this.batchLimits.set(topic, limit);
  }

  /**
   * After the broker refused a write as MESSAGE_TOO_LARGE (an operator lowered the topic's
   * max.message.bytes): re-read the override so the retried operation is cut to fit.
   */
  private async refreshBatchLimit(topic: string): Promise<void> {
    try {
      this.noteTopicBatchLimit(topic, (await this.admin.describeTopic(topic)).configs['max.message.bytes']);
    } catch (error) {
      this.options.log.warn({ err: error, topic }, "cannot re-read the internal topic's max.message.bytes");
    }
  }

  // ------------------------------------------------------------------ ownership

  /**
   * Every topic from the paired broker, as of its metadata offset now. The broker answers Metadata
   * from its metadata image (a function of the image and the request), and the offset it names
   * moves with every record the image applies; so while the offset is the one a whole read was
   * made at, that read is still the answer. Each check therefore asks for the two internal topics
   * only (a few dozen partitions, and the offset), and reads every topic, paged, only when the
   * offset moved: reading them all every 250 ms cost the brokers and coordinators CPU in
   * proportion to the cluster's partitions (docs/performance.md section 43).
   */
  private async allTopicsMetadata(): Promise<MetadataResponse__Output> {
    const whole = this.wholeMetadata;
    if (whole !== null) {
      const internal = await unaryCall(
        this.broker,
        'Metadata',
        { topics: [OFFSETS_TOPIC, SHARE_STATE_TOPIC] },
        { timeoutMs: 2_000 },
      );
      this.metrics.internalMetadataReads.inc();
      if (internal.metadataOffset === whole.metadataOffset && internal.clusterId === whole.clusterId) return whole;
    }
    const { topics, pages } = await collectTopicPages<
      MetadataResponse__Output['topics'][number]['partitions'][number],
      MetadataResponse__Output['topics'][number],
      MetadataResponse__Output
    >((cursor) => unaryCall(this.broker, 'Metadata', { topics: [], cursor }, { timeoutMs: 2_000 }));
    this.metrics.wholeMetadataReads.inc();
    const read = { ...(pages[pages.length - 1] as MetadataResponse__Output), topics };
    // Pages read at different offsets (the image moved during the read) join into no one image:
    // not reused, so the next check reads every topic again.
    this.wholeMetadata = pages.every((page) => page.metadataOffset === read.metadataOffset) ? read : null;
    return read;
  }

  private async checkOwnership(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      this.metadata = await this.allTopicsMetadata();
      this.topics.update(this.metadata);
      this.groupPartitions.follow(this.metadata);
      this.sharePartitions.follow(this.metadata);
      const metadata = this.metadata;
      this.knowsInternalTopics = [OFFSETS_TOPIC, SHARE_STATE_TOPIC].every((name) =>
        metadata.topics.some((t) => t.name === name && t.errorName === ''),
      );
      this.metadataRead = true;
      this.lastMetadataReadMs = Date.now();
      if (!this.ready && !this.stopped && this.knowsInternalTopics) {
        this.ready = true;
        // The whole server (service '') is SERVING from here on: FindCoordinator answers from the
        // paired broker's metadata, which has both internal topics (it may lag the controller that
        // just created them). A launcher that waits for it can hand the address to clients that
        // retry COORDINATOR_LOAD_IN_PROGRESS; sluice.v1.Coordinator follows updateReadiness.
        this.health.set('', 'SERVING');
        this.options.log.info({ address: this.address }, 'coordinator ready');
      }
      this.updateReadiness();
      const nowMs = Date.now();
      for (const owned of this.groupPartitions.all()) {
        const next = owned.shard.nextDeadlineMs();
        if (owned.status === 'active' && next !== null && next <= nowMs)
          void this.enqueue(owned, (shard) => shard.expireMembers(Date.now())).catch(() => undefined);
      }
    } catch (error) {
      // One failed read is no reason to stop coordinating: under CPU load the paired broker may
      // take longer than the read's deadline, and dropping every partition here made this node
      // answer NOT_COORDINATOR for groups that FindCoordinator (everywhere, this node included)
      // still placed on it, then reload them all, and so on while the load lasted. Keeping them is
      // safe: a write to a broker that no longer leads the partition is refused (and drops it).
      // Only when the broker has not answered for the grace is it taken as gone.
      const unreadMs = Date.now() - (this.lastMetadataReadMs ?? 0);
      const graceMs = this.options.pairedBrokerGraceMs ?? DEFAULT_PAIRED_BROKER_GRACE_MS;
      this.options.log.warn({ err: error, unreadMs, graceMs }, 'ownership check failed (paired broker unreachable?)');
      if (unreadMs >= graceMs) {
        this.groupPartitions.dropAll('paired broker unreachable');
        this.sharePartitions.dropAll('paired broker unreachable');
        this.metadataRead = false;
      }
      this.updateReadiness();
    } finally {
      this.checking = false;
    }
  }

  /**
   * sluice.v1.Coordinator, the readiness probe's service: SERVING only while every owned
   * partition is loaded (core/coordinator-readiness.ts). Evaluated after each ownership check and
   * each finished load.
   */
  private updateReadiness(): void {
    if (this.stopped) return;
    const readiness = coordinatorReadiness({
      metadataRead: this.metadataRead,
      knowsInternalTopics: this.knowsInternalTopics,
      loading: [...this.groupPartitions.loading(), ...this.sharePartitions.loading()],
    });
    if (readiness.reason !== this.readinessReason)
      this.options.log.info({ ready: readiness.ready, reason: readiness.reason }, 'coordinator readiness');
    this.readinessReason = readiness.reason;
    this.health.set('sluice.v1.Coordinator', readiness.ready ? 'SERVING' : 'NOT_SERVING');
  }

  // ------------------------------------------------------------------ operations

  /** The shard serving `groupId`, or NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
  partitionFor(groupId: string): OwnedPartition {
    const partition = groupPartition(groupId, this.offsetsPartitionCount());
    return this.ownedOrRefuse(this.groupPartitions, partition, `group ${groupId}`);
  }

  /** The share-state shard serving `key`, or NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
  shareStatePartitionFor(key: ShareStateRecordKey): OwnedShareStatePartition {
    const keyString = shareStateKeyString(key);
    return this.ownedOrRefuse(
      this.sharePartitions,
      groupPartition(keyString, this.shareStatePartitionCount()),
      `share state ${keyString}`,
    );
  }

  private ownedOrRefuse<S, R>(topic: OwnedTopic<S, R>, partition: number, what: string): OwnedTopicPartition<S> {
    const owned = topic.get(partition);
    if (owned === undefined) {
      const owner = this.coordinatorFor(partition, topic.topic);
      // Led by the paired broker but not held here (a failed load or write, or the broker
      // unreachable past the grace): not another node's, so no address to send the client to.
      if (owner === undefined && this.leaderOf(partition, topic.topic) === this.options.nodeId)
        throw new ApiError(
          'COORDINATOR_NOT_AVAILABLE',
          `${what} (${topic.topic} partition ${partition}) is led by broker ${this.options.nodeId} but not loaded here yet`,
        );
      throw new ApiError(
        'NOT_COORDINATOR',
        `${what} (${topic.topic} partition ${partition}) is not coordinated by node ${this.options.nodeId}`,
        owner === undefined ? {} : { coordinatorAddress: owner.address },
      );
    }
    if (owned.status === 'loading')
      throw new ApiError('COORDINATOR_LOAD_IN_PROGRESS', `partition ${partition} of ${topic.topic} is still loading`);
    return owned;
  }

  offsetsPartitionCount(): number {
    return this.topicPartitionCount(OFFSETS_TOPIC) ?? this.options.offsetsTopicPartitions;
  }

  shareStatePartitionCount(): number {
    return this.topicPartitionCount(SHARE_STATE_TOPIC) ?? this.shareStateTopic.partitions;
  }

  private topicPartitionCount(name: string): number | undefined {
    return this.topics.partitionCount(name);
  }

  /** The leader of a partition of an internal topic in this node's last metadata, if any. */
  private leaderOf(partition: number, topic: string): number | undefined {
    return this.metadata?.topics
      .find((t) => t.name === topic && t.errorName === '')
      ?.partitions.find((p) => p.partition === partition)?.leader;
  }

  /**
   * Who coordinates a partition of an internal topic: the coordinator paired with its leader.
   * This node names itself only for a partition it holds (loading or active), so FindCoordinator
   * here never sends a client to this node for a group it would refuse as NOT_COORDINATOR.
   */
  coordinatorFor(partition: number, topic: string = OFFSETS_TOPIC): { nodeId: number; address: string } | undefined {
    const leader = this.leaderOf(partition, topic);
    if (leader === undefined || leader < 0) return undefined;
    if (leader === this.options.nodeId) {
      const held = topic === SHARE_STATE_TOPIC ? this.sharePartitions : this.groupPartitions;
      return held.get(partition) === undefined ? undefined : { nodeId: leader, address: this.address };
    }
    const address = this.options.peers.get(leader);
    return address === undefined ? undefined : { nodeId: leader, address };
  }

  /** Every active shard, for ListGroups. */
  activeShards(): GroupShard[] {
    return this.groupPartitions
      .all()
      .filter((p) => p.status === 'active')
      .map((p) => p.shard);
  }

  /**
   * Runs `operation` on the partition's shard after everything queued before it, writes the
   * records it produced (acks=all) and then answers. A failed write reloads the partition.
   */
  enqueue<T>(owned: OwnedPartition, operation: (shard: GroupShard) => Outcome<T>, phases?: RequestPhases): Promise<T> {
    return this.groupPartitions.enqueue(
      owned,
      (shard) => {
        const outcome = operation(shard);
        // Woken now, a member's heartbeat queues behind this operation and is answered after its
        // records are committed; a failed write only makes the wake-up early (it learns nothing new).
        this.wakeups.wake(shard.takeWakeups());
        this.armAssignmentTimer(owned);
        return outcome;
      },
      phases,
      (records) => this.metrics.written(records),
    );
  }

  /**
   * Runs the partition's deferred target assignments when due (group.consumer.assignment.interval.ms
   * after the last), instead of at whatever heartbeat comes next: the members learn of it through
   * their wake-ups.
   */
  private armAssignmentTimer(owned: OwnedPartition): void {
    const dueMs = owned.shard.nextDeferredAssignmentMs();
    const armed = this.assignmentTimers.get(owned);
    if (dueMs === null || this.stopped || (armed !== undefined && armed.dueMs <= dueMs)) return;
    if (armed !== undefined) clearTimeout(armed.timer);
    const timer = setTimeout(
      () => {
        this.assignmentTimers.delete(owned);
        if (owned.dropped || owned.status !== 'active' || this.stopped) return;
        void this.enqueue(owned, (shard) => shard.assignDeferred(Date.now())).catch(() => undefined);
      },
      Math.max(0, dueMs - Date.now()),
    );
    timer.unref();
    this.assignmentTimers.set(owned, { dueMs, timer });
  }

  /** The same for a `__share_group_state` partition. */
  enqueueShareState<T>(
    owned: OwnedShareStatePartition,
    operation: (shard: ShareStateShard) => ShareStateOutcome<T>,
    phases?: RequestPhases,
  ): Promise<T> {
    return this.sharePartitions.enqueue(owned, operation, phases);
  }

  /** Asks the controllers how far the log is committed (retried until answered or stopped). */
  private learnAclTargetOffset(): void {
    this.admin
      .describeCluster()
      .then((cluster) => {
        this.aclTargetOffset = cluster.metadataOffset;
      })
      .catch((error: unknown) => {
        if (this.stopped) return;
        this.options.log.warn({ err: error }, 'metadata offset for the ACL feed not known yet; retrying');
        setTimeout(() => this.learnAclTargetOffset(), 500).unref();
      });
  }

  async stop(): Promise<void> {
    this.aclFollower?.stop();
    this.aclControllers?.close();
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.lagTimer);
    for (const { timer } of this.assignmentTimers.values()) clearTimeout(timer);
    this.assignmentTimers.clear();
    this.wakeups.endAll();
    this.groupPartitions.stop();
    this.sharePartitions.stop();
    this.health.shutdown();
    await this.server?.close();
    this.broker.close();
    this.admin.close();
    await this.metricsServer?.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
