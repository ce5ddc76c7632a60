/**
 * One controller process, assembled: the replicated state machine, the quorum (Raft), the
 * single event queue, the pure core behind ControllerApi, the gRPC surface (a NestJS
 * application serving Controller + RaftPeer + grpc.health.v1 + reflection, see rpc/), /metrics,
 * the broker-lease timer and the audit stream. Component tests start several in one process.
 */
import type { Logger } from 'pino';
import {
  createMetricsRegistry,
  HealthStatus,
  startMetricsServer,
  type ServiceSecurity,
  type StartedMetricsServer,
} from '@sluice/runtime';
import { serviceSecurityParts, type GrpcApp, type ServiceSecurityParts } from '@sluice/service-common';
import { ControllerApi } from '../api/controller-api';
import { startControllerRpc } from '../rpc/controller-rpc.module';
import { AuditTrail, type AuditSink } from '../audit/audit-trail';
import { ControllerCore, type Rng } from '../core';
import { MetadataFeed } from '../feed/metadata-feed';
import { ControllerQueue } from '../quorum/controller-queue';
import { MetadataStateMachine } from '../state/metadata-state-machine';
import { ControllerMetrics } from './controller-metrics';
import { cryptoRng } from './crypto-rng';
import {
  controllerReadiness,
  DEFAULT_CONTROLLER_READINESS_LIMITS,
  type ControllerReadinessLimits,
} from '../core/controller-readiness';
import type { QuorumRuntime } from './quorum-runtime';
import { formatHostPort } from '@sluice/proto';

export interface ControllerNodeOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  /** host:port to bind the gRPC server (port 0: OS-chosen). */
  readonly bindHost: string;
  readonly bindPort: number;
  /** Controller node id -> host:port peers and clients dial (controller.quorum.voters). */
  readonly voters: ReadonlyMap<number, string>;
  readonly brokerSessionTimeoutMs: number;
  readonly settings: {
    readonly uncleanLeaderElectionEnable: boolean;
    readonly defaultNumPartitions: number;
    readonly defaultReplicationFactor: number;
    /** min.insync.replicas of topics that set none (eligible leader replicas); default 1. */
    readonly minInsyncReplicas?: number;
  };
  /** Metrics HTTP server; null disables it. */
  readonly metrics: { readonly host: string; readonly port: number } | null;
  readonly log: Logger;
  readonly auditSink: AuditSink;
  /** The listener's security (TLS, tokens, ACLs); absent: PLAINTEXT without an authorizer. */
  readonly security?: ServiceSecurity;
  /** Builds the quorum around the state machine (reads local storage, restores the snapshot). */
  readonly createQuorum: (stateMachine: MetadataStateMachine) => Promise<QuorumRuntime>;
  readonly clock?: () => number;
  readonly rng?: Rng;
  /** PartitionChange records per fence chunk (the core's default, 2,000, if unset; tests use less). */
  readonly maxPartitionChangesPerOperation?: number;
  /** controller.readiness.*: when sluice.v1.Controller says SERVING; the config's defaults if unset. */
  readonly readiness?: ControllerReadinessLimits;
}

/**
 * How often readiness is re-decided: it depends on time (leader silence), not only on events.
 * Well below a readiness probe's period (Kubernetes: 10 s by default, the chart's is in values).
 */
const READINESS_CHECK_INTERVAL_MS = 200;

/** Bounds on the lease timer's period: often enough to fence promptly, never a busy loop. */
const MIN_LEASE_CHECK_MS = 50;
const MAX_LEASE_CHECK_MS = 1_000;
/** The earliest lease expiry is checked this long after it at the soonest (a timer, not a spin). */
const MIN_EXPIRY_CHECK_DELAY_MS = 5;
/**
 * Chunks of moves off a fenced broker decided and proposed but not yet committed. Each next chunk
 * is decided on the image with the ones in flight, so several ride one Raft round trip; the
 * bound keeps the uncommitted tail (and what a failover discards) to a few chunks.
 */
const MAX_MOVE_CHUNKS_IN_FLIGHT = 4;

export class ControllerNode {
  private grpc: GrpcApp | undefined;
  private metricsServer: StartedMetricsServer | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  /** A one-shot timer at the earliest lease expiry, so a silent broker is fenced when its lease ends. */
  private expiryTimer: NodeJS.Timeout | undefined;
  /** A lease check started and has not decided yet (decisions are one at a time). */
  private leaseCheckDeciding = false;
  /** Lease checks decided (or deciding) whose entry has not committed yet. */
  private leaseChecksInFlight = 0;
  /** Another lease check is due as soon as one may start (moves still pending). */
  private leaseCheckWanted = false;
  private leaseCheckScheduled = false;
  private stopped: Promise<void> | undefined;
  private readinessTimer: NodeJS.Timeout | undefined;
  /** The last readiness reason logged ('' = ready), so only changes are logged. */
  private readinessReason: string | null = null;

  private constructor(
    readonly options: ControllerNodeOptions,
    readonly stateMachine: MetadataStateMachine,
    readonly quorum: QuorumRuntime,
    readonly queue: ControllerQueue,
    readonly api: ControllerApi,
    private readonly health: HealthStatus,
    private readonly metrics: ControllerMetrics,
    /** This node's series (its own registry: tests run several nodes in one process). */
    readonly registry: ReturnType<typeof createMetricsRegistry>,
  ) {}

  /** The gRPC address this node serves on. */
  get address(): string {
    if (this.grpc === undefined) throw new Error('controller node is not started');
    return this.grpc.address;
  }

  get metricsPort(): number | undefined {
    return this.metricsServer?.port;
  }

  static async start(options: ControllerNodeOptions): Promise<ControllerNode> {
    const clock = options.clock ?? Date.now;
    const log = options.log;
    const stateMachine = new MetadataStateMachine(undefined, (index, reason) =>
      log.error({ index, reason }, 'committed metadata entry skipped: it does not apply to the image'),
    );
    // Before the quorum exists: its Raft channels to the peers use this node's certificate.
    const security =
      options.security === undefined
        ? undefined
        : serviceSecurityParts({
            security: options.security,
            service: 'controller',
            nodeId: options.nodeId,
            auditSink: options.auditSink,
            acls: () => stateMachine.image.acls,
          });
    const quorum = await options.createQuorum(stateMachine);
    const rng: Rng = options.rng ?? cryptoRng();
    // verifyRecords off: the queue replays every result into its image anyway (and turns a
    // failure into an error), so the core's own replay would only double the cost of big writes.
    const core = new ControllerCore({
      clusterId: options.clusterId,
      rng,
      brokerSessionTimeoutMs: options.brokerSessionTimeoutMs,
      ...options.settings,
      verifyRecords: false,
      ...(options.maxPartitionChangesPerOperation === undefined
        ? {}
        : { maxPartitionChangesPerOperation: options.maxPartitionChangesPerOperation }),
    });
    const registry = createMetricsRegistry({ service: 'controller', nodeId: options.nodeId });
    const health = new HealthStatus('NOT_SERVING');
    // Known from the start, so the readiness probe reads NOT_SERVING rather than NOT_FOUND.
    health.set('sluice.v1.Controller', 'NOT_SERVING');
    const queue = new ControllerQueue(quorum, stateMachine, {
      activationWaitMs: 2_000,
      maxPendingWrites: 1_000,
      clock,
      addressOf: (id) => options.voters.get(id),
      onActivated: (nowMs) => {
        // A new leader gives every registered broker a fresh lease, as Kafka does on failover.
        core.activate(stateMachine.image, nowMs);
        metrics.activeController.set(1);
        // A brand-new cluster's first leader writes metadata.version; decided before any waiting request.
        // (`api` is assigned below, before any activation can complete: commits are asynchronous.)
        api.bootstrapIfEmpty().catch((error: unknown) => log.warn({ err: error }, 'bootstrap records not written'));
      },
      onDeactivated: () => {
        core.deactivate();
        metrics.activeController.set(0);
      },
      log: (message, fields) => log.info(fields ?? {}, message),
    });
    const metrics = new ControllerMetrics(registry, {
      isActive: () => queue.isActive,
      image: () => stateMachine.image,
      appliedOffset: () => stateMachine.appliedIndex,
      brokerMetadataOffsets: () => core.heartbeats.metadataOffsets(),
      voterProgress: () => quorum.voterProgress?.() ?? null,
    });
    const api: ControllerApi = new ControllerApi({
      queue,
      quorum,
      stateMachine,
      core,
      audit: new AuditTrail(options.auditSink, options.nodeId, clock),
      clock,
      voters: options.voters,
      onWrite: (operation, result, durationMs) => {
        metrics.requests.inc({ operation, result });
        if (result === 'OK') metrics.writeLatency.observe({ operation }, durationMs / 1000);
      },
      onCommitted: (records) => metrics.committed(records),
      // `node` is assigned below, before any write can complete (commits are asynchronous).
      onMovesPending: () => node.requestLeaseCheck(),
    });
    const node = new ControllerNode(options, stateMachine, quorum, queue, api, health, metrics, registry);
    await node.startServing(security);
    return node;
  }

  private async startServing(security: ServiceSecurityParts | undefined): Promise<void> {
    const { options, stateMachine, quorum, metrics, health, log } = { ...this, log: this.options.log };
    const report = (error: unknown, referenceId: string): void =>
      log.error({ err: error, referenceId }, 'request failed with an internal error');
    const feed = new MetadataFeed(stateMachine);
    const updateImageMetrics = (): void => {
      const image = stateMachine.image;
      metrics.appliedOffset.set(stateMachine.appliedIndex);
      metrics.topics.set(image.topics.topicCount);
      metrics.partitions.set(image.topics.partitionCount);
      const brokers = image.cluster.brokers();
      metrics.brokers.set(brokers.length);
      metrics.fencedBrokers.set(brokers.filter((broker) => broker.fenced).length);
    };
    stateMachine.onApply(updateImageMetrics);
    updateImageMetrics();
    let lastTermLed = -1;
    quorum.onLeaderChange((leaderId, term) => {
      metrics.raftTerm.set(term);
      if (leaderId === options.nodeId && term !== lastTermLed) {
        lastTermLed = term;
        metrics.electionsWon.inc();
      }
      log.info(
        { leaderId, term },
        leaderId === options.nodeId ? 'this node is the quorum leader' : 'quorum leader changed',
      );
    });
    this.grpc = await startControllerRpc(options.bindHost, options.bindPort, {
      ...(security === undefined ? {} : { security }),
      api: this.api,
      feed,
      raftPeer: quorum.raftPeer,
      clusterId: options.clusterId,
      health,
      registry: this.registry,
      report,
      onStream: (delta) => metrics.fetchStreams.inc(delta),
    });
    await quorum.start();
    // The whole server (the startup probe's service '') serves from here on; the role's service,
    // readiness, follows the quorum (updateReadiness).
    health.set('', 'SERVING');
    this.updateReadiness();
    this.readinessTimer = setInterval(() => this.updateReadiness(), READINESS_CHECK_INTERVAL_MS);
    this.readinessTimer.unref();
    if (options.metrics !== null) {
      this.metricsServer = await startMetricsServer({
        registry: this.registry,
        host: options.metrics.host,
        port: options.metrics.port,
        servingStatus: (service) => health.get(service),
        health: () => ({
          healthy: true,
          detail: `leader=${quorum.leaderId() ?? 'none'} applied=${stateMachine.appliedIndex}`,
        }),
      });
    }
    const periodMs = Math.min(
      MAX_LEASE_CHECK_MS,
      Math.max(MIN_LEASE_CHECK_MS, Math.floor(options.brokerSessionTimeoutMs / 8)),
    );
    this.leaseTimer = setInterval(() => this.checkLeases(), periodMs);
    this.leaseTimer.unref();
    log.info(
      {
        address: this.grpc.address,
        metricsPort: this.metricsServer?.port ?? null,
        clusterId: options.clusterId,
        voters: Object.fromEntries(options.voters),
        appliedIndex: stateMachine.appliedIndex,
      },
      'controller started',
    );
  }

  /**
   * Fences brokers whose lease expired and moves partitions off fenced or shutting-down brokers,
   * one bounded chunk (one Raft entry) per call; leader only. Decisions are one at a time, but a
   * chunk does not wait for the previous one to commit: while the core reports moves pending,
   * the next chunk is decided (on the image with the chunks in flight) on the next turn of the
   * event loop, up to MAX_MOVE_CHUNKS_IN_FLIGHT uncommitted; Raft's timers and I/O run between
   * decisions. A failed check (e.g. leadership lost) ends the chain; the periodic timer (or the
   * next leader's) resumes it. Each answer's earliest lease expiry arms a one-shot timer.
   */
  private checkLeases(): void {
    if (!this.queue.isActive || this.stopped !== undefined) return;
    if (this.leaseCheckDeciding || this.leaseChecksInFlight >= MAX_MOVE_CHUNKS_IN_FLIGHT) {
      this.leaseCheckWanted = true;
      return;
    }
    this.leaseCheckDeciding = true;
    this.leaseCheckWanted = false;
    this.leaseChecksInFlight++;
    this.api
      .fenceExpiredBrokers((movesPending) => {
        this.leaseCheckDeciding = false;
        if (movesPending) this.requestLeaseCheck();
      })
      .then(
        ({ movesPending, nextExpiryMs }) => {
          this.leaseChecksInFlight--;
          this.leaseCheckDeciding = false;
          this.armExpiryCheck(nextExpiryMs);
          if (movesPending || this.leaseCheckWanted) this.requestLeaseCheck();
        },
        (error: unknown) => {
          this.leaseChecksInFlight--;
          this.leaseCheckDeciding = false;
          this.leaseCheckWanted = false;
          this.options.log.warn({ err: error }, 'broker lease check failed');
        },
      );
  }

  /** A lease check right when the earliest lease ends (null: no unfenced broker). */
  private armExpiryCheck(nextExpiryMs: number | null): void {
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (nextExpiryMs === null || this.stopped !== undefined) return;
    const clock = this.options.clock ?? Date.now;
    const delayMs = Math.min(MAX_LEASE_CHECK_MS, Math.max(MIN_EXPIRY_CHECK_DELAY_MS, nextExpiryMs - clock()));
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.requestLeaseCheck();
    }, delayMs);
    this.expiryTimer.unref();
  }

  /** Runs a lease check on the next turn of the event loop (or as soon as one may start). */
  requestLeaseCheck(): void {
    if (this.leaseCheckDeciding || this.leaseChecksInFlight >= MAX_MOVE_CHUNKS_IN_FLIGHT) {
      this.leaseCheckWanted = true;
      return;
    }
    if (this.leaseCheckScheduled) return;
    this.leaseCheckScheduled = true;
    setImmediate(() => {
      this.leaseCheckScheduled = false;
      this.checkLeases();
    });
  }

  /**
   * sluice.v1.Controller, the readiness probe's service: SERVING only while this voter knows a
   * leader that reached it recently and has applied up to near that leader's commit
   * (core/controller-readiness.ts).
   */
  private updateReadiness(): void {
    if (this.stopped !== undefined) return;
    const nowMs = Date.now();
    const applied = this.stateMachine.appliedIndex;
    // A fake quorum (tests) replicates nothing, so there is nothing to lag behind.
    const raft = this.quorum.readinessState?.() ?? {
      leaderId: this.quorum.leaderId(),
      leaderCommitIndex: applied,
      appliedIndex: applied,
      lastLeaderContactMs: nowMs,
    };
    const readiness = controllerReadiness(
      {
        nodeId: this.options.nodeId,
        isVoter: this.options.voters.has(this.options.nodeId),
        leaderId: raft.leaderId,
        leaderCommitOffset: raft.leaderCommitIndex,
        appliedOffset: raft.appliedIndex,
        lastLeaderContactMs: raft.lastLeaderContactMs,
        nowMs,
      },
      this.options.readiness ?? DEFAULT_CONTROLLER_READINESS_LIMITS,
    );
    if (readiness.reason !== this.readinessReason)
      this.options.log.info({ ready: readiness.ready, reason: readiness.reason }, 'controller readiness');
    this.readinessReason = readiness.reason;
    this.health.set('sluice.v1.Controller', readiness.ready ? 'SERVING' : 'NOT_SERVING');
  }

  /** Prometheus text (tests read it without HTTP). */
  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stops serving, then the quorum; idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.health.shutdown();
      if (this.readinessTimer !== undefined) clearInterval(this.readinessTimer);
      if (this.leaseTimer !== undefined) clearInterval(this.leaseTimer);
      if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
      this.queue.close();
      await this.grpc?.close();
      await this.quorum.stop();
      await this.metricsServer?.close();
      this.options.log.info({}, 'controller stopped');
    })();
    return this.stopped;
  }
}

export function hostPort(host: string, port: number): string {
  return formatHostPort(host, port);
}
