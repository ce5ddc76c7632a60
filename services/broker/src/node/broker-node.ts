/**
 * One broker process's moving parts: the gRPC surface (a NestJS application serving Broker +
 * grpc.health.v1 + reflection, see rpc/), /metrics, the
 * registration and heartbeats with the controller quorum, the metadata follower, the replica
 * manager and one replica fetcher per leader broker. `stop()` does a controlled shutdown first
 * (the controller moves leadership away), then closes everything.
 */
import { ControllerClient } from '@sluice/controller';
import type { LogFiles } from '@sluice/log';
import type { MetadataImage } from '@sluice/metadata';
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
  type StartedMetricsServer,
} from '@sluice/runtime';
import type { GrpcApp } from '@sluice/service-common';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlterPartitionProposal, AlterPartitionResult } from '../core/partition-leader';
import { haltOnBrokenInvariant } from './invariant-halt';
import { MetadataFollower } from './metadata-follower';
import { ProducerIdManager } from './producer-id-manager';
import { fetchRecords, produceRecords } from './records-path';
import type { BrokerRequests } from '../rpc/broker-requests';
import { startBrokerRpc } from '../rpc/broker-rpc.module';
import type { PartitionReplica } from './partition-replica';
import { ReplicaFetcher } from './replica-fetcher';
import { ReplicaManager } from './replica-manager';
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
  readonly maxMessageBytes: number;
  readonly minInsyncReplicas: number;
  /** Kafka's log.retention.check.interval.ms; default 300000. */
  readonly retentionCheckIntervalMs?: number;
  /** Flushing, checkpoints and durable acks; absent: the defaults (Kafka's, sluice's scheduler). */
  readonly durability?: BrokerDurabilityOptions;
  readonly metrics: { readonly host: string; readonly port: number } | null;
  readonly log: Logger;
  /** Share groups (KIP-932); absent: Kafka's defaults and no share coordinator. */
  readonly share?: BrokerShareOptions;
  /** Tiered storage (remote.log.storage.system.enable and S3); absent: off. */
  readonly tiering?: ClusterTieringConfig;
  /** log.dir.min.free.bytes (sluice): produce refused with KAFKA_STORAGE_ERROR below it; 0 / absent: off. */
  readonly logDirMinFreeBytes?: number;
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
  private metricsServer: StartedMetricsServer | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private brokerEpochValue = -1;
  private fencedValue = true;
  private stopping = false;
  private stopped: Promise<void> | undefined;

  private constructor(private readonly options: BrokerNodeOptions) {
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
      traffic: registerTopicTraffic(this.registry),
      onLogFlush: (durationSeconds) => logFlushed(durationSeconds),
      logDirMinFreeBytes: options.logDirMinFreeBytes ?? 0,
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
      onImage: (image) => this.onImage(image),
    });
  }

  static async start(options: BrokerNodeOptions): Promise<BrokerNode> {
    const node = new BrokerNode(options);
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
      fetch: (request, phases) => replicas.fetch(request, phases),
      fetchRecords: (request, phases) => fetchRecords(request, (fetch) => replicas.fetch(fetch, phases)),
      listOffsets: (request) => replicas.listOffsets(request),
      offsetForLeaderEpoch: (request) => replicas.offsetForLeaderEpoch(request),
      metadata: (request) => this.metadata(request),
      initProducerId: (request) => this.initProducerId(request),
      shareFetch: (request, phases) => shares.shareFetch(request, phases),
      shareAcknowledge: (request, phases) => shares.shareAcknowledge(request, phases),
    };
    this.server = await startBrokerRpc(options.bindHost, options.bindPort, {
      requests,
      health: this.health,
      registry,
      report,
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
        health: () => ({
          healthy: true,
          detail: `epoch=${this.brokerEpochValue} fenced=${this.fencedValue} metadata=${this.follower.appliedOffset}`,
        }),
      });
    }
    this.replicas.start();
    this.follower.start();
    await this.register();
    this.health.set('', 'SERVING');
    this.health.set('sluice.v1.Broker', 'SERVING');
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
        });
        this.brokerEpochValue = Number(answer.brokerEpoch);
        options.log.info({ brokerEpoch: this.brokerEpochValue }, 'registered with the controller quorum');
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
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), delayMs);
  }

  private async heartbeat(): Promise<void> {
    try {
      const answer = await this.controller.call('BrokerHeartbeat', {
        brokerId: this.options.nodeId,
        brokerEpoch: this.brokerEpochValue,
        currentMetadataOffset: Math.max(0, this.follower.appliedOffset),
        wantFence: false,
        wantShutdown: this.stopping,
      });
      this.setFenced(answer.isFenced);
    } catch (error) {
      if (error instanceof ApiError && error.errorName === 'STALE_BROKER_EPOCH') {
        this.setFenced(true);
        await this.register().catch((e: unknown) => this.options.log.error({ err: e }, 're-registration failed'));
      } else {
        this.options.log.warn({ err: error }, 'heartbeat failed');
      }
    }
    this.scheduleHeartbeat(this.options.heartbeatIntervalMs);
  }

  private setFenced(fenced: boolean): void {
    if (fenced !== this.fencedValue) this.options.log.info({ fenced }, fenced ? 'broker fenced' : 'broker unfenced');
    this.fencedValue = fenced;
    this.replicas.setFenced(fenced);
  }

  private onImage(image: MetadataImage): void {
    if (this.stopping) return;
    const registration = image.cluster.broker(this.options.nodeId);
    if (registration !== undefined && registration.brokerEpoch === this.brokerEpochValue)
      this.setFenced(registration.fenced);
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
    const image = this.follower.image;
    const names = request.topics.length > 0 ? request.topics : [...image.topics.topics()].map((t) => t.name).sort();
    return {
      clusterId: this.options.clusterId,
      metadataOffset: image.provenance.lastContainedOffset,
      brokers: image.cluster
        .brokers()
        .filter((b) => !b.fenced)
        .map((b) => ({
          brokerId: b.brokerId,
          listeners: b.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })),
          rack: b.rack ?? '',
        })),
      topics: names.map((name) => {
        const topic = image.topics.topicByName(name);
        if (topic === undefined)
          return {
            name,
            topicId: '',
            errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
            errorMessage: `topic ${name} does not exist`,
            partitions: [],
          };
        const partitions = [];
        for (let p = 0; p < topic.partitionCount; p++) {
          const reg = topic.partition(p);
          if (reg === undefined) continue;
          partitions.push({
            partition: p,
            leader: reg.leader,
            leaderEpoch: reg.leaderEpoch,
            replicas: [...reg.replicas],
            isr: [...reg.isr],
          });
        }
        return { name, topicId: topic.topicId, errorName: '', errorMessage: '', partitions };
      }),
    };
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
