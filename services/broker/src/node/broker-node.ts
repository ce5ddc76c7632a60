/**
 * One broker process's moving parts: the gRPC surface (a NestJS application serving Broker +
 * grpc.health.v1 + reflection, see rpc/), /metrics, the
 * registration and heartbeats with the controller quorum, the metadata follower, the replica
 * manager and one replica fetcher per leader broker. `stop()` does a controlled shutdown first
 * (the controller moves leadership away), then closes everything.
 */
import { ControllerClient } from '@sluice/controller';
import type { LogFiles } from '@sluice/log';
import { MetadataImage } from '@sluice/metadata';
import type { ClusterTieringConfig } from '@sluice/tiering';
import { createGrpcClient } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import {
  createMetricsRegistry,
  HealthStatus,
  randomKafkaUuid,
  startMetricsServer,
  type Logger,
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
import { Counter, Gauge, type Registry } from 'prom-client';
import { brokerReadiness, type BrokerReadiness } from '../core/broker-readiness';
import type { AlterPartitionProposal, AlterPartitionResult } from '../core/partition-leader';
import { haltOnBrokenInvariant } from './invariant-halt';
import { metadataAnswer } from './metadata-answer';
import { ProducerIdManager } from './producer-id-manager';
import { fetchRecords, produceRecords } from './records-path';
import type { BrokerRequests } from '../rpc/broker-requests';
import { startBrokerRpc } from '../rpc/broker-rpc.module';
import type { PartitionReplica } from './partition-replica';
import { ReplicaFetcher } from './replica-fetcher';
import { ConsumerFetchStreams } from './consumer-fetch-stream';
import { ReplicaFetchStreams } from './replica-fetch-stream';
import type { ReplicaFetchTransportKind } from './replica-fetch-transport';
import { registerThrottleMetrics } from './throttle-metrics';
import { ReplicaManager } from './replica-manager';
import type { DiskThrottle } from './disk-space-guard';
import {
  defaultSharePartitionConfig,
  type ShareAutoOffsetReset,
  type SharePartitionConfig,
} from '../core/share-partition';
import { registerReplicaMetrics } from './replica-metrics';
import { registerTieringMetrics } from './tiering-metrics';
import { registerShareGauges, registerShareMetrics } from './share-metrics';
import { registerTopicTraffic } from './topic-traffic';
import { SharePartitionManager } from './share-partition-manager';
import {
  defaultShareStatePersisterFactory,
  shareUnavailableReason,
  type OpenedShareStatePersister,
  type ShareStatePersisterFactory,
} from './share-state-persister-factory';

export interface BrokerNodeOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly logDir: string;
  /**
   * The `directory.id` of `logDir` (its meta.properties), reported at registration (KIP-858): a
   * new id tells the controller this broker's replicas are lost. Absent: not reported.
   */
  readonly logDirId?: string;
  readonly bindHost: string;
  readonly bindPort: number;
  readonly listenerName: string;
  readonly advertisedHost: string;
  /** 0: the bound port. */
  readonly advertisedPort: number;
  readonly controllerAddresses: readonly string[];
  readonly heartbeatIntervalMs: number;
  readonly replicaLagTimeMaxMs: number;
  readonly replicaFetchWaitMaxMs: number;
  /**
   * replica.fetch.stream.enable (sluice): followers fetch on one ReplicaFetchStream per leader and
   * this broker serves it (false: unary Fetch only, and the stream is refused UNIMPLEMENTED).
   * Default true.
   */
  readonly replicaFetchStream?: boolean;
  /**
   * Whether this broker serves consumers' FetchStream (false: refused UNIMPLEMENTED, as a broker
   * older than the RPC would, and consumers fetch with unary Fetch). Default true.
   */
  readonly consumerFetchStream?: boolean;
  readonly maxMessageBytes: number;
  readonly minInsyncReplicas: number;
  /** Kafka's log.retention.check.interval.ms; default 300000. */
  readonly retentionCheckIntervalMs?: number;
  /** Flushing, checkpoints and durable acks; absent: the defaults (Kafka's, sluice's scheduler). */
  readonly durability?: BrokerDurabilityOptions;
  readonly metrics: { readonly host: string; readonly port: number } | null;
  readonly log: Logger;
  /** The listener's security (TLS, tokens, ACLs); absent: PLAINTEXT without an authorizer. */
  readonly security?: ServiceSecurity;
  /** Where refused requests are audited (audit.log.file); default: the service log. */
  readonly auditSink?: SecurityAuditSink;
  /** Share groups (KIP-932); absent: Kafka's defaults and no share coordinator. */
  readonly share?: BrokerShareOptions;
  /** Tiered storage (remote.log.storage.system.enable and S3); absent: off. */
  readonly tiering?: ClusterTieringConfig;
  /** log.dir.min.free.bytes (sluice): produce refused with KAFKA_STORAGE_ERROR below it; 0 / absent: off. */
  readonly logDirMinFreeBytes?: number;
  /** log.dir.throttle.free.bytes / .max.ms (sluice): produce answers held back below it; absent: off. */
  readonly logDirThrottle?: DiskThrottle;
}

/** The broker's log.flush.*, checkpoint cadences and durable.acks.enable, and the file layer. */
export interface BrokerDurabilityOptions {
  readonly flushIntervalMessages?: number;
  readonly flushIntervalMs?: number;
  readonly logFlushSchedulerIntervalMs?: number;
  readonly recoveryPointCheckpointIntervalMs?: number;
  readonly logStartOffsetCheckpointIntervalMs?: number;
  readonly highWatermarkCheckpointIntervalMs?: number;
  readonly durableAcks?: boolean;
  /** Default node:fs; a power-loss test passes an FsyncJournal. */
  readonly files?: LogFiles;
}

export interface BrokerShareOptions {
  readonly config?: SharePartitionConfig;
  /** `share.coordinator.addresses`. */
  readonly coordinatorAddresses?: readonly string[];
  /** Builds the persister from the addresses (default: the coordinator-backed one once wired). */
  readonly persisterFactory?: ShareStatePersisterFactory;
  /** Every share group's `share.auto.offset.reset` (default latest). */
  readonly autoOffsetReset?: ShareAutoOffsetReset;
}

const CONTROLLED_SHUTDOWN_TIMEOUT_MS = 5_000;

export class BrokerNode {
  private readonly controller: ControllerClient;
  private readonly replicas: ReplicaManager;
  private readonly follower: MetadataFollower;
  private readonly producerIds: ProducerIdManager;
  private readonly health = new HealthStatus('NOT_SERVING');
  /** This broker's series (its own registry: tests run several brokers in one process). */
  readonly registry: Registry;
  private shares: SharePartitionManager | undefined;
  private sharePersister: OpenedShareStatePersister | null = null;
  private readonly fetchers = new Map<number, { fetcher: ReplicaFetcher; client: pb.BrokerClient; address: string }>();
  private server: GrpcApp | undefined;
  private readonly replicaFetchStreams: ReplicaFetchStreams;
  private readonly consumerFetchStreams: ConsumerFetchStreams;
  private securityParts: ServiceSecurityParts | undefined;
  private unfencedOnceValue = false;
  private metricsServer: StartedMetricsServer | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  /** Something the controller must hear (a log directory offline) came up during a heartbeat. */
  private heartbeatAgain = false;
  private brokerEpochValue = -1;
  /**
   * The metadata applied has reached this process's own registration (Kafka's initial catch-up).
   * Before that the image may still say what the previous run of this broker led; its disk may
   * be a new, empty one, and acting as that leader would answer followers and consumers from
   * nothing. The registration's batch carries the controller's moves off a broker whose
   * replicas are lost, so from there on the image is this run's.
   */
  private caughtUpToRegistration = false;
  private fencedValue = true;
  private readiness: BrokerReadiness = { ready: false, reason: 'starting' };
  private stopping = false;
  private stopped: Promise<void> | undefined;

  private constructor(private readonly options: BrokerNodeOptions) {
    this.replicaFetchStreams = new ReplicaFetchStreams(options.replicaFetchStream ?? true);
    this.consumerFetchStreams = new ConsumerFetchStreams(options.consumerFetchStream ?? true);
    this.registry = createMetricsRegistry({
      service: 'broker',
      nodeId: options.nodeId,
      defaultMetrics: options.metrics !== null,
    });
    // The replica metrics read the replica manager, which reports flushes to them: bound once both exist.
    let logFlushed: (durationSeconds: number) => void = () => undefined;
    let remoteFetched: (seconds: number) => void = () => undefined;
    this.controller = new ControllerClient(options.controllerAddresses, {
      timeoutMs: 5_000,
      attemptTimeoutMs: 1_000,
      retryBackoffMs: 50,
    });
    this.replicas = new ReplicaManager({
      brokerId: options.nodeId,
      logDir: options.logDir,
      log: options.log,
      maxMessageBytes: options.maxMessageBytes,
      minInsyncReplicas: options.minInsyncReplicas,
      replicaLagTimeMaxMs: options.replicaLagTimeMaxMs,
      retentionCheckIntervalMs: options.retentionCheckIntervalMs,
      ...options.durability,
      alterPartition: (replica, proposal) => this.alterPartition(replica, proposal),
      onFollowersChanged: () => this.planFetchers(),
      // The controller hears of it at once, not at the next heartbeat: it moves leadership away.
      onLogDirOffline: () => this.heartbeatNow(),
      traffic: registerTopicTraffic(this.registry),
      onLogFlush: (durationSeconds) => logFlushed(durationSeconds),
      logDirMinFreeBytes: options.logDirMinFreeBytes ?? 0,
      ...(options.logDirThrottle === undefined ? {} : { logDirThrottle: options.logDirThrottle }),
      ...(options.tiering === undefined
        ? {}
        : {
            tiering: {
              config: options.tiering,
              controllerAddresses: options.controllerAddresses,
              // This broker's own listener: the SDK finds the other brokers from its Metadata.
              bootstrap: () => [this.address],
              image: () => this.follower?.image,
              onRemoteFetch: (seconds: number) => remoteFetched(seconds),
            },
          }),
    });
    logFlushed = registerReplicaMetrics(this.registry, this.replicas).flushed;
    registerThrottleMetrics(this.registry, this.replicas.throttle);
    remoteFetched = registerTieringMetrics(this.registry, {
      tieringSnapshot: () => this.replicas.remoteLogs?.snapshot() ?? null,
    }).remoteFetched;
    this.producerIds = new ProducerIdManager(async () => {
      const answer = await this.controller.call('AllocateProducerIds', {
        brokerId: options.nodeId,
        brokerEpoch: this.brokerEpochValue,
      });
      return { start: Number(answer.producerIdStart), length: answer.producerIdLen };
    });
    this.follower = new MetadataFollower({
      client: this.controller,
      addresses: options.controllerAddresses,
      observer: `broker-${options.nodeId}`,
      log: options.log,
      onApplyError: haltOnBrokenInvariant,
      onImage: (image) => this.onImage(image),
    });
  }

  static async start(options: BrokerNodeOptions): Promise<BrokerNode> {
    // Before the node exists: its clients of the controllers and of other brokers use this node's certificate.
    // The ACLs are read per request from the node made just below.
    const made: { node?: BrokerNode } = {};
    const security =
      options.security === undefined
        ? undefined
        : serviceSecurityParts({
            security: options.security,
            service: 'broker',
            nodeId: options.nodeId,
            auditSink: options.auditSink ?? { write: (line) => options.log.warn(line, 'request refused') },
            acls: () => made.node?.image.acls ?? MetadataImage.EMPTY.acls,
            // The controller unfences a broker only once its metadata caught up: ACLs included.
            ready: () => made.node?.unfencedOnce === true,
          });
    const node = new BrokerNode(options);
    made.node = node;
    node.securityParts = security;
    try {
      await node.startInternal();
    } catch (error) {
      await node.stop(false);
      throw error;
    }
    return node;
  }

  get brokerId(): number {
    return this.options.nodeId;
  }
  /** Per leader this broker follows: how its fetches reach it now (stream or unary), and counts. */
  replicaFetchTransports(): Map<
    number,
    {
      readonly kind: ReplicaFetchTransportKind;
      readonly streamAnswers: number;
      readonly unaryAnswers: number;
      readonly streamsOpened: number;
      readonly streamFailures: number;
      readonly fallbacksUnimplemented: number;
    }
  > {
    return new Map([...this.fetchers].map(([leaderId, { fetcher }]) => [leaderId, fetcher.transportState()]));
  }
  /** Followers' ReplicaFetchStreams open on this broker now. */
  get openReplicaFetchStreams(): number {
    return this.replicaFetchStreams.openCount;
  }

  /** Consumers' FetchStreams open on this broker now. */
  get openConsumerFetchStreams(): number {
    return this.consumerFetchStreams.openCount;
  }
  get address(): string {
    if (this.server === undefined) throw new Error('broker not started');
    return this.server.address;
  }
  get metricsPort(): number | undefined {
    return this.metricsServer?.port;
  }
  get brokerEpoch(): number {
    return this.brokerEpochValue;
  }
  get fenced(): boolean {
    return this.fencedValue;
  }
  /** Unfenced at least once since start: its image had caught up with the metadata log then. */
  get unfencedOnce(): boolean {
    return this.unfencedOnceValue;
  }
  get image(): MetadataImage {
    return this.follower.image;
  }
  replica(topic: string, partition: number): PartitionReplica | undefined {
    return this.replicas.replica(topic, partition);
  }

  private async startInternal(): Promise<void> {
    const { options } = this;
    const report = (error: unknown, referenceId: string): void => {
      haltOnBrokenInvariant(error);
      options.log.error({ err: error, referenceId }, 'request failed with an internal error');
    };
    const registry = this.registry;
    const shares = this.startShares(registerShareMetrics(registry));
    registerShareGauges(registry, shares);
    const replicas = this.replicas;
    const requests: BrokerRequests = {
      produce: (request, phases) => replicas.produce(request, phases),
      appendProduce: (request, phases) => replicas.appendProduce(request, phases),
      produceRecords: (request, phases) =>
        produceRecords(request, (produce) => replicas.produce(produce, phases), Date.now()),
      fetch: (request, phases, hold) => replicas.fetch(request, phases, hold),
      fetchAnswer: (request, phases, hold) => replicas.fetchAnswer(request, phases, hold),
      fetchRecords: (request, phases) => fetchRecords(request, (fetch) => replicas.fetch(fetch, phases)),
      listOffsets: (request) => replicas.listOffsets(request),
      offsetForLeaderEpoch: (request) => replicas.offsetForLeaderEpoch(request),
      metadata: (request) => this.metadata(request),
      initProducerId: (request) => this.initProducerId(request),
      shareFetch: (request, phases) => shares.shareFetch(request, phases),
      shareAcknowledge: (request, phases) => shares.shareAcknowledge(request, phases),
      describeLogDirs: (request) => replicas.describeLogDirs(request),
    };
    // Known and NOT_SERVING from the first answer, not SERVICE_UNKNOWN, until updateReadiness says otherwise.
    this.health.set('sluice.v1.Broker', 'NOT_SERVING');
    this.server = await startBrokerRpc(options.bindHost, options.bindPort, {
      ...(this.securityParts === undefined ? {} : { security: this.securityParts }),
      requests,
      health: this.health,
      registry,
      report,
      replicaFetchStreams: this.replicaFetchStreams,
      consumerFetchStreams: this.consumerFetchStreams,
    });
    let reportedDeletedSegments = 0;
    new Counter({
      name: 'sluice_broker_log_segments_deleted_total',
      help: 'Log segments deleted by retention on this broker (all partitions).',
      registers: [registry],
      collect() {
        const total = replicas.retentionDeletedSegments;
        if (total > reportedDeletedSegments) this.inc(total - reportedDeletedSegments);
        reportedDeletedSegments = total;
      },
    });
    if (options.metrics !== null) {
      const follower = this.follower;
      new Gauge({
        name: 'sluice_broker_metadata_offset',
        help: 'The last __cluster_metadata offset this broker applied.',
        registers: [registry],
        collect() {
          this.set(follower.appliedOffset);
        },
      });
      this.metricsServer = await startMetricsServer({
        registry,
        host: options.metrics.host,
        port: options.metrics.port,
        servingStatus: (service) => this.health.get(service),
        health: () => ({
          healthy: true,
          detail: `epoch=${this.brokerEpochValue} fenced=${this.fencedValue} metadata=${this.follower.appliedOffset} ready=${this.readiness.ready}${this.readiness.ready ? '' : ` (${this.readiness.reason})`}`,
        }),
      });
    }
    this.replicas.start();
    this.follower.start();
    await this.register();
    // The server answers from here on (the startup probe); readiness waits for the broker's
    // place in the cluster (updateReadiness, after every heartbeat).
    this.health.set('', 'SERVING');
    this.updateReadiness();
    this.scheduleHeartbeat(0);
  }

  private startShares(metrics: ReturnType<typeof registerShareMetrics>): SharePartitionManager {
    const share = this.options.share ?? {};
    const addresses = share.coordinatorAddresses ?? [];
    this.sharePersister =
      addresses.length === 0 ? null : (share.persisterFactory ?? defaultShareStatePersisterFactory)(addresses);
    this.shares = new SharePartitionManager({
      brokerId: this.options.nodeId,
      log: this.options.log,
      config: share.config ?? defaultSharePartitionConfig,
      persister: this.sharePersister?.persister ?? null,
      unavailableReason: shareUnavailableReason(addresses),
      leaderOf: (topic, partition) => this.replicas.leaderOf(topic, partition),
      metrics,
      autoOffsetReset: () => share.autoOffsetReset ?? 'latest',
    });
    return this.shares;
  }

  private async register(): Promise<void> {
    const { options } = this;
    for (;;) {
      if (this.stopping) return;
      try {
        const answer = await this.controller.call('RegisterBroker', {
          brokerId: options.nodeId,
          clusterId: options.clusterId,
          incarnationId: randomKafkaUuid(),
          listeners: [
            {
              name: options.listenerName,
              host: options.advertisedHost,
              port: options.advertisedPort || (this.server?.port ?? 0),
            },
          ],
          rack: '',
          logDirs: options.logDirId === undefined ? [] : [options.logDirId],
        });
        this.brokerEpochValue = Number(answer.brokerEpoch);
        options.log.info({ brokerEpoch: this.brokerEpochValue }, 'registered with the controller quorum');
        // The image may already hold the registration (it can arrive before the answer).
        this.onImage(this.follower.image);
        return;
      } catch (error) {
        // A wrong cluster id is not something a retry fixes.
        if (error instanceof ApiError && error.errorName === 'INCONSISTENT_CLUSTER_ID') throw error;
        options.log.warn({ err: error }, 'broker registration failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private scheduleHeartbeat(delayMs: number): void {
    if (this.stopping) return;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), delayMs);
  }

  /** The next heartbeat now (or right after the one in flight). */
  private heartbeatNow(): void {
    if (this.heartbeatInFlight) this.heartbeatAgain = true;
    else this.scheduleHeartbeat(0);
  }

  private async heartbeat(): Promise<void> {
    this.heartbeatInFlight = true;
    try {
      const answer = await this.controller.call('BrokerHeartbeat', {
        brokerId: this.options.nodeId,
        brokerEpoch: this.brokerEpochValue,
        currentMetadataOffset: Math.max(0, this.follower.appliedOffset),
        wantFence: false,
        wantShutdown: this.stopping,
        // A broker whose log directory is offline hosts nothing: the controller fences it.
        offlineLogDirs: this.replicas.offlineLogDirs(),
      });
      this.setFenced(answer.isFenced);
      this.updateReadiness();
    } catch (error) {
      if (error instanceof ApiError && error.errorName === 'STALE_BROKER_EPOCH') {
        this.setFenced(true);
        await this.register().catch((e: unknown) => this.options.log.error({ err: e }, 're-registration failed'));
      } else {
        this.options.log.warn({ err: error }, 'heartbeat failed');
      }
    } finally {
      this.heartbeatInFlight = false;
    }
    const again = this.heartbeatAgain;
    this.heartbeatAgain = false;
    this.scheduleHeartbeat(again ? 0 : this.options.heartbeatIntervalMs);
  }

  /**
   * grpc.health.v1 `sluice.v1.Broker`: SERVING only while registered, unfenced and in the ISR
   * of every partition hosted here (core/broker-readiness.ts). Evaluated once per heartbeat, so
   * its cost (one pass over the partitions, no allocation per partition) is bounded by the
   * heartbeat interval, not by the metadata rate.
   */
  private updateReadiness(): void {
    if (this.stopping) return;
    const image = this.follower.image;
    const registration = image.cluster.broker(this.options.nodeId);
    const readiness = brokerReadiness(image, this.options.nodeId, {
      registered: registration !== undefined && registration.brokerEpoch === this.brokerEpochValue,
      fenced: this.fencedValue,
    });
    if (readiness.ready !== this.readiness.ready)
      this.options.log.info(
        { ready: readiness.ready, reason: readiness.reason },
        readiness.ready ? 'broker ready (in every ISR)' : 'broker not ready',
      );
    this.readiness = readiness;
    this.health.set('sluice.v1.Broker', readiness.ready ? 'SERVING' : 'NOT_SERVING');
  }

  private setFenced(fenced: boolean): void {
    if (fenced !== this.fencedValue) this.options.log.info({ fenced }, fenced ? 'broker fenced' : 'broker unfenced');
    this.fencedValue = fenced;
    if (!fenced) this.unfencedOnceValue = true;
    this.replicas.setFenced(fenced);
  }

  private onImage(image: MetadataImage): void {
    if (this.stopping) return;
    const registration = image.cluster.broker(this.options.nodeId);
    const ours = registration !== undefined && registration.brokerEpoch === this.brokerEpochValue;
    if (ours) this.setFenced(registration.fenced);
    if (!this.caughtUpToRegistration) {
      if (!ours) return;
      this.caughtUpToRegistration = true;
      this.options.log.info(
        { brokerEpoch: this.brokerEpochValue, metadataOffset: image.provenance.lastContainedOffset },
        'metadata caught up to this registration: applying partition leadership',
      );
    }
    this.replicas.applyImage(image);
  }

  private planFetchers(): void {
    if (this.stopping) return;
    const byLeader = this.replicas.followersByLeader();
    for (const [leaderId, entry] of this.fetchers) {
      const address = this.addressOf(leaderId);
      if (!byLeader.has(leaderId) || address !== entry.address) {
        entry.fetcher.stop();
        entry.client.close();
        this.fetchers.delete(leaderId);
      }
    }
    for (const leaderId of byLeader.keys()) {
      const existing = this.fetchers.get(leaderId);
      if (existing !== undefined) {
        existing.fetcher.start();
        continue;
      }
      const address = this.addressOf(leaderId);
      if (address === undefined) continue;
      const client = createGrpcClient('Broker', address);
      const fetcher = new ReplicaFetcher({
        brokerId: this.options.nodeId,
        leaderId,
        client,
        log: this.options.log,
        replicas: this.replicas,
        brokerEpoch: () => this.brokerEpochValue,
        maxWaitMs: this.options.replicaFetchWaitMaxMs,
        maxBytes: 10 * 1024 * 1024,
        backoffMs: 100,
        throttle: this.replicas.followerThrottle,
        useStream: this.options.replicaFetchStream ?? true,
      });
      this.fetchers.set(leaderId, { fetcher, client, address });
      fetcher.start();
    }
  }

  private addressOf(brokerId: number): string | undefined {
    const registration = this.follower.image.cluster.broker(brokerId);
    const listener =
      registration?.listeners.find((l) => l.name === this.options.listenerName) ?? registration?.listeners[0];
    return listener === undefined
      ? undefined
      : `${listener.host.includes(':') ? `[${listener.host}]` : listener.host}:${listener.port}`;
  }

  private async alterPartition(
    replica: PartitionReplica,
    proposal: AlterPartitionProposal,
  ): Promise<AlterPartitionResult> {
    const answer = await this.controller.call('AlterPartition', {
      brokerId: this.options.nodeId,
      brokerEpoch: this.brokerEpochValue,
      topics: [
        {
          topicId: replica.topicId,
          partitions: [
            {
              partition: replica.partition,
              leaderEpoch: proposal.leaderEpoch,
              newIsr: [...proposal.newIsr],
              partitionEpoch: proposal.partitionEpoch,
            },
          ],
        },
      ],
    });
    const item = answer.topics[0]?.partitions[0];
    if (item === undefined) throw new Error('AlterPartition answered nothing');
    if (item.errorName !== '')
      return {
        ok: false,
        error: new ApiError(item.errorName as ConstructorParameters<typeof ApiError>[0], item.errorMessage),
      };
    return { ok: true, leaderEpoch: item.leaderEpoch, partitionEpoch: item.partitionEpoch, isr: item.isr };
  }

  private async initProducerId(request: pb.InitProducerIdRequest__Output): Promise<pb.InitProducerIdResponse> {
    const answer = await this.producerIds.initProducerId({
      producerId: Number(request.producerId),
      producerEpoch: request.producerEpoch,
    });
    return { producerId: String(answer.producerId), producerEpoch: answer.producerEpoch };
  }

  private metadata(request: pb.MetadataRequest__Output): pb.MetadataResponse {
    return metadataAnswer(this.follower.image, this.options.clusterId, request);
  }

  /** Controlled shutdown (when `controlled`), then every part closes; idempotent. */
  stop(controlled = true): Promise<void> {
    this.stopped ??= this.stopInternal(controlled);
    return this.stopped;
  }

  private async stopInternal(controlled: boolean): Promise<void> {
    this.health.shutdown();
    if (controlled && this.brokerEpochValue >= 0) await this.controlledShutdown();
    this.stopping = true;
    clearTimeout(this.heartbeatTimer);
    this.follower.stop();
    for (const { fetcher, client } of this.fetchers.values()) {
      fetcher.stop();
      client.close();
    }
    this.fetchers.clear();
    // Followers' streams would hold the server's graceful close for its whole grace period.
    this.replicaFetchStreams.closeAll();
    this.consumerFetchStreams.closeAll();
    await this.server?.close();
    this.shares?.stop();
    this.sharePersister?.close();
    // Tiering first: its copy in flight reads segment files the logs are about to close.
    await this.replicas.remoteLogs?.stop();
    this.replicas.stop();
    await this.metricsServer?.close();
    this.controller.close();
  }

  /** Kafka's controlled shutdown: ask until the controller has moved every leadership away (bounded). */
  private async controlledShutdown(): Promise<void> {
    const deadline = Date.now() + CONTROLLED_SHUTDOWN_TIMEOUT_MS;
    while (Date.now() < deadline) {
      try {
        const answer = await this.controller.call('ControlledShutdown', {
          brokerId: this.options.nodeId,
          brokerEpoch: this.brokerEpochValue,
        });
        if (answer.remainingPartitions.every((t) => t.partitions.length === 0)) {
          // Leading nothing now: one more call lets the controller fence us (Kafka's "may shut down").
          await this.controller.call('ControlledShutdown', {
            brokerId: this.options.nodeId,
            brokerEpoch: this.brokerEpochValue,
          });
          return;
        }
      } catch (error) {
        this.options.log.warn({ err: error }, 'controlled shutdown request failed');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.options.log.warn('controlled shutdown did not finish in time; stopping anyway');
  }
}
