/**
 * One tiering service process: the gRPC surface (a NestJS application serving Tiering + health +
 * reflection, see rpc/), the scrub schedule, the object-store probe behind health, and the
 * /metrics server.
 *
 * What it owns and what it does not: partition leaders copy segment bytes to the object store
 * themselves (bytes cross the network once, copy bandwidth grows with the brokers; README,
 * "Tiered storage"), and they also delete by retention because the log start offset has to move
 * on the leader first. This service needs no segment bytes: it scrubs the store of objects no
 * remote-log metadata names (a crash between a PUT and its metadata, a topic deleted while its
 * leaders were down) and of stale multipart uploads, on a schedule, and answers where every
 * tiered partition starts, locally and remotely, and what the store holds for it.
 *
 * Health means something: SERVING while the bucket answered the last probe and the controllers
 * answered the last DescribeCluster (the two things every RPC and the scrub need); NOT_SERVING
 * otherwise, with the reason on /healthz.
 *
 * Security as every service has it (services/common): TLS on its listener, tokens or client
 * certificates, the ACLs of the metadata log (followed for them alone, AclFeed) enforced per RPC,
 * and its own calls to the controllers and brokers over mutual TLS with its certificate.
 */
import { Admin, topicPartitionKey, type BrokerLogDirs, type TopicInfo } from '@sluice/client';
import { ApiError } from '@sluice/protocol';
import {
  createMetricsRegistry,
  HealthStatus,
  startMetricsServer,
  type Logger,
  type ServiceSecurity,
  type StartedMetricsServer,
} from '@sluice/runtime';
import {
  AclFeed,
  NO_ACLS,
  serviceSecurityParts,
  type GrpcApp,
  type SecurityAuditSink,
  type ServiceSecurityParts,
} from '@sluice/service-common';
import {
  deletedTopicPartitions,
  deleteRemotePartition,
  RemotePartitionState,
  S3ObjectStore,
  scrubRemoteStorage,
  TopicRemoteLogMetadataLog,
  type ClusterTieringConfig,
  type S3StorageConfig,
  type ScrubResult,
} from '@sluice/tiering';
import { formatHostPort } from '@sluice/proto';
import type { Registry } from 'prom-client';
import { DEFAULT_SCRUB_RETRY, nextScrubDelayMs } from '../core/scrub-schedule';
import {
  tieredPartitionView,
  type LeaderOffsets,
  type Outcome,
  type TieredPartitionView,
} from '../core/tiered-partition-view';
import { startTieringRpc } from '../rpc/tiering-rpc.module';
import { TieringApi } from './tiering-api';
import { TieringMetrics } from './tiering-metrics';

export interface TieringNodeOptions {
  readonly nodeId: number;
  readonly bindHost: string;
  readonly bindPort: number;
  readonly advertisedAddress?: string;
  readonly controllerAddresses: readonly string[];
  /** Cluster tiering settings; `s3` must be set. */
  readonly tiering: ClusterTieringConfig;
  /** tiering.scrub.interval.ms; 0: only on request. */
  readonly scrubIntervalMs: number;
  /** tiering.scrub.grace.ms. */
  readonly scrubGraceMs: number;
  /** How often the bucket and the controllers are probed for health. Default 5000. */
  readonly healthCheckIntervalMs?: number;
  /** The /metrics and /healthz HTTP server; null or absent: none. */
  readonly metrics?: { readonly host: string; readonly port: number } | null;
  readonly log: Logger;
  /** Injected for tests; default Math.random. */
  readonly random?: () => number;
  /** The listener's security (TLS, tokens, ACLs); absent: PLAINTEXT without an authorizer. */
  readonly security?: ServiceSecurity;
  /** Where refused requests are audited; default: the service log. */
  readonly auditSink?: SecurityAuditSink;
}

export interface TieredTopicView {
  readonly name: string;
  readonly topicId: string;
  readonly errorName: string;
  readonly errorMessage: string;
  readonly tiered: boolean;
  readonly partitions: readonly TieredPartitionView[];
}

/** Most partitions one DescribeTieredPartitions answers (each costs a metadata replay). */
export const MAX_DESCRIBED_PARTITIONS = 2_000;
/** Metadata replays in flight at once for one describe. */
const REPLAY_CONCURRENCY = 8;
/** Scrubs waiting behind a running one (requests beyond are refused, retriable). */
const MAX_WAITING_SCRUBS = 2;

/** What one scrub did: the orphan pass, and the deleted topics' partitions cleaned before it. */
export interface TieringScrubResult extends ScrubResult {
  /** `<topic>-<topicId>/<partition>` of each deleted topic's partition found (cleaned unless a dry run). */
  readonly deletedTopicPartitions: string[];
  readonly deletedTopicUploads: number;
}

export function isTieredTopic(topic: TopicInfo): boolean {
  return topic.configs['remote.storage.enable']?.trim().toLowerCase() === 'true';
}

export class TieringNode {
  readonly registry: Registry;
  private readonly metrics: TieringMetrics;
  private readonly health = new HealthStatus('NOT_SERVING');
  private readonly store: S3ObjectStore;
  private readonly s3: S3StorageConfig;
  private readonly admin: Admin;
  private server: GrpcApp | undefined;
  private securityParts: ServiceSecurityParts | undefined;
  /** The ACLs, when an authorizer enforces them. */
  private aclFeed: AclFeed | undefined;
  private metricsServer: StartedMetricsServer | undefined;
  private scrubTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private consecutiveScrubFailures = 0;
  /** The scrub running now and those queued behind it: one at a time, so two never race on deletes. */
  private scrubChain: Promise<unknown> = Promise.resolve();
  private waitingScrubs = 0;
  private healthDetail = 'not probed yet';
  private stopped = false;

  private constructor(readonly options: TieringNodeOptions) {
    if (options.tiering.s3 === null) throw new RangeError('the tiering service needs the S3 settings (rsm.config.*)');
    if (!(Number.isSafeInteger(options.scrubIntervalMs) && options.scrubIntervalMs >= 0))
      throw new RangeError(`scrubIntervalMs ${options.scrubIntervalMs} must be >= 0`);
    if (!(Number.isSafeInteger(options.scrubGraceMs) && options.scrubGraceMs >= 0))
      throw new RangeError(`scrubGraceMs ${options.scrubGraceMs} must be >= 0`);
    this.s3 = options.tiering.s3;
    this.registry = createMetricsRegistry({
      service: 'tiering',
      nodeId: options.nodeId,
      defaultMetrics: (options.metrics ?? null) !== null,
    });
    this.metrics = new TieringMetrics(this.registry);
    this.store = new S3ObjectStore(this.s3, {
      onWarning: (...content) => options.log.warn({ content }, 'object store client warning'),
    });
    this.admin = new Admin({ bootstrap: options.controllerAddresses, timeoutMs: 15_000 });
  }

  static async start(options: TieringNodeOptions): Promise<TieringNode> {
    // Before the node exists: its clients of the controllers and brokers use this node's
    // certificate. The ACLs are read per request from the feed the node starts.
    const made: { node?: TieringNode } = {};
    const security =
      options.security === undefined
        ? undefined
        : serviceSecurityParts({
            security: options.security,
            service: 'tiering',
            nodeId: options.nodeId,
            auditSink: options.auditSink ?? { write: (line) => options.log.warn(line, 'request refused') },
            acls: () => made.node?.aclFeed?.acls ?? NO_ACLS,
            ready: () => made.node?.aclFeed?.loaded === true,
            notReadyError: 'LEADER_NOT_AVAILABLE',
          });
    const node = new TieringNode(options);
    made.node = node;
    node.securityParts = security;
    try {
      await node.startInternal();
    } catch (error) {
      await node.stop();
      throw error;
    }
    return node;
  }

  get address(): string {
    return this.options.advertisedAddress ?? this.server!.address;
  }

  get metricsPort(): number | undefined {
    return this.metricsServer?.port;
  }

  get bucket(): string {
    return this.s3.bucket;
  }

  private async startInternal(): Promise<void> {
    if (this.securityParts?.access.enabled === true) {
      // ACLs live in the metadata log: follow it, for the ACLs alone.
      this.aclFeed = new AclFeed({
        controllerAddresses: this.options.controllerAddresses,
        observer: `tiering-${this.options.nodeId}`,
        committedOffset: async () => (await this.admin.describeCluster()).metadataOffset,
        log: this.options.log,
      });
      this.aclFeed.start();
    }
    this.server = await startTieringRpc(this.options.bindHost, this.options.bindPort, {
      ...(this.securityParts === undefined ? {} : { security: this.securityParts }),
      api: new TieringApi(this),
      health: this.health,
      registry: this.registry,
      report: (error, referenceId) => this.options.log.error({ err: error, referenceId }, 'tiering request failed'),
    });
    const metrics = this.options.metrics ?? null;
    if (metrics !== null) {
      this.metricsServer = await startMetricsServer({
        registry: this.registry,
        host: metrics.host,
        port: metrics.port,
        // Liveness: the process answers. Readiness (gRPC health) says whether it can do its work;
        // /readyz serves the same statuses over plain HTTP for probes that cannot speak TLS.
        health: () => ({ healthy: !this.stopped, detail: this.healthDetail }),
        servingStatus: (service) => this.health.get(service),
      });
    }
    await this.probeHealth();
    this.scheduleScrub();
  }

  /** One probe of what every RPC and the scrub need: the bucket and the controllers. */
  private async probeHealth(): Promise<void> {
    const problems: string[] = [];
    try {
      await this.store.checkBucket();
      this.metrics.objectStoreUp.set(1);
    } catch (error) {
      this.metrics.objectStoreUp.set(0);
      problems.push(`bucket ${this.s3.bucket}: ${messageOf(error)}`);
    }
    try {
      await this.admin.describeCluster();
    } catch (error) {
      problems.push(`controllers: ${messageOf(error)}`);
    }
    if (this.stopped) return;
    const status = problems.length === 0 ? 'SERVING' : 'NOT_SERVING';
    if (this.health.get() !== status) this.options.log.info({ status, problems }, 'tiering service health');
    this.healthDetail = problems.length === 0 ? `bucket=${this.s3.bucket} ok` : problems.join('; ');
    this.health.set('', status);
    this.health.set('sluice.v1.Tiering', status);
    this.healthTimer = setTimeout(() => void this.probeHealth(), this.options.healthCheckIntervalMs ?? 5_000);
    this.healthTimer.unref();
  }

  private scheduleScrub(): void {
    const delayMs = nextScrubDelayMs(
      { intervalMs: this.options.scrubIntervalMs, ...DEFAULT_SCRUB_RETRY },
      this.consecutiveScrubFailures,
      (this.options.random ?? Math.random)(),
    );
    if (delayMs === null || this.stopped) return;
    this.scrubTimer = setTimeout(() => {
      this.scrubTimer = undefined;
      this.scrub({ dryRun: false, graceMs: this.options.scrubGraceMs })
        .then(
          () => undefined,
          (error: unknown) => this.options.log.warn({ err: error }, 'scheduled scrub failed; retrying with backoff'),
        )
        .finally(() => this.scheduleScrub());
    }, delayMs);
    this.scrubTimer.unref();
  }

  /** One scrub, after any running one (never two at once). */
  async scrub(request: { readonly dryRun: boolean; readonly graceMs: number }): Promise<TieringScrubResult> {
    if (!(Number.isSafeInteger(request.graceMs) && request.graceMs >= 0))
      throw new ApiError('INVALID_REQUEST', `grace_ms ${request.graceMs} must be -1 (the default) or >= 0`);
    if (this.stopped) throw new ApiError('BROKER_NOT_AVAILABLE', 'the tiering service is stopping');
    if (this.waitingScrubs >= MAX_WAITING_SCRUBS)
      throw new ApiError('REQUEST_TIMED_OUT', `${this.waitingScrubs} scrubs are already waiting: try again later`);
    this.waitingScrubs++;
    const run = this.scrubChain.then(
      () => this.runScrub(request),
      () => this.runScrub(request),
    );
    this.scrubChain = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      this.waitingScrubs--;
    }
  }

  private async runScrub(request: { readonly dryRun: boolean; readonly graceMs: number }): Promise<TieringScrubResult> {
    const stopTimer = this.metrics.scrubSeconds.startTimer();
    let metadataLog: TopicRemoteLogMetadataLog | undefined;
    try {
      metadataLog = new TopicRemoteLogMetadataLog({
        bootstrap: await this.brokerAddresses(),
        numPartitions: this.options.tiering.metadataTopicNumPartitions,
      });
      // Deleted topics first: their uploads are still named by the metadata, so the orphan pass
      // below would keep them. The live topic ids are read after the listing (see deletedTopicPartitions).
      const listed = await this.store.list(this.s3.keyPrefix);
      const liveTopicIds = new Set((await this.admin.describeTopics()).map((topic) => topic.topicId));
      const deleted = deletedTopicPartitions(this.s3.keyPrefix, listed, liveTopicIds, Date.now(), request.graceMs);
      let deletedTopicUploads = 0;
      if (!request.dryRun) {
        for (const partition of deleted) {
          const uploads = await deleteRemotePartition({
            store: this.store,
            metadataLog,
            prefix: this.s3.keyPrefix,
            partition,
            nowMs: Date.now,
          });
          deletedTopicUploads += uploads;
          this.metrics.deletedTopicUploads.inc(uploads);
          this.options.log.info(
            { topic: partition.topic, topicId: partition.topicId, partition: partition.partition, uploads },
            'deleted topic: remote uploads removed',
          );
        }
      }
      const orphans = await scrubRemoteStorage({
        store: this.store,
        metadataLog,
        prefix: this.s3.keyPrefix,
        graceMs: request.graceMs,
        dryRun: request.dryRun,
        nowMs: Date.now(),
      });
      this.metrics.scrubRuns.inc({ outcome: 'ok' });
      this.metrics.deletedObjects.inc(orphans.deleted);
      this.metrics.abortedMultipartUploads.inc(orphans.abortedMultipartUploads);
      this.metrics.unnamedYoungObjects.set(orphans.tooYoung.length);
      this.metrics.lastScrubSuccess.set(Date.now() / 1000);
      this.consecutiveScrubFailures = 0;
      const result: TieringScrubResult = {
        ...orphans,
        deletedTopicPartitions: deleted.map((p) => `${p.topic}-${p.topicId}/${p.partition}`),
        deletedTopicUploads,
      };
      if (result.deleted > 0 || result.abortedMultipartUploads > 0)
        this.options.log.info(
          { deleted: result.deleted, aborted: result.abortedMultipartUploads, dryRun: request.dryRun },
          'scrub removed orphans',
        );
      return result;
    } catch (error) {
      this.metrics.scrubRuns.inc({ outcome: 'failed' });
      this.consecutiveScrubFailures++;
      throw error;
    } finally {
      stopTimer();
      await metadataLog?.close();
    }
  }

  /** The brokers' first listeners, from the controllers (the remote-log metadata is a topic on them). */
  private async brokerAddresses(): Promise<string[]> {
    const cluster = await this.admin.describeCluster();
    const brokers = cluster.brokers
      .filter((broker) => !broker.fenced)
      .flatMap((broker) => broker.listeners.slice(0, 1).map((l) => formatHostPort(l.host, l.port)));
    if (brokers.length === 0)
      throw new ApiError('BROKER_NOT_AVAILABLE', 'no unfenced broker: the remote-log metadata cannot be read');
    return brokers;
  }

  /** Every tiered topic (names empty), or the named ones in the order asked. */
  async describeTieredPartitions(names: readonly string[]): Promise<TieredTopicView[]> {
    const unique = [...new Set(names)];
    const topics =
      unique.length === 0
        ? (await this.admin.describeTopics()).filter(isTieredTopic)
        : await this.admin.describeTopics(unique);
    const tiered = topics.filter((topic) => topic.error === undefined && isTieredTopic(topic));
    const partitionCount = tiered.reduce((sum, topic) => sum + topic.partitions.length, 0);
    if (partitionCount > MAX_DESCRIBED_PARTITIONS)
      throw new ApiError(
        'INVALID_REQUEST',
        `${partitionCount} tiered partitions asked for, at most ${MAX_DESCRIBED_PARTITIONS} per request: name fewer topics`,
      );
    const metadataLog =
      tiered.length === 0
        ? null
        : new TopicRemoteLogMetadataLog({
            bootstrap: await this.brokerAddresses(),
            numPartitions: this.options.tiering.metadataTopicNumPartitions,
          });
    try {
      const out: TieredTopicView[] = [];
      for (const topic of topics) {
        if (topic.error !== undefined) {
          out.push({
            name: topic.name,
            topicId: topic.topicId,
            errorName: topic.error.errorName,
            errorMessage: topic.error.message,
            tiered: false,
            partitions: [],
          });
          continue;
        }
        if (!isTieredTopic(topic) || metadataLog === null) {
          out.push({
            name: topic.name,
            topicId: topic.topicId,
            errorName: '',
            errorMessage: '',
            tiered: false,
            partitions: [],
          });
          continue;
        }
        out.push({
          name: topic.name,
          topicId: topic.topicId,
          errorName: '',
          errorMessage: '',
          tiered: true,
          partitions: await this.describeTopicPartitions(topic, metadataLog),
        });
      }
      return out;
    } finally {
      await metadataLog?.close();
    }
  }

  private async describeTopicPartitions(
    topic: TopicInfo,
    metadataLog: TopicRemoteLogMetadataLog,
  ): Promise<TieredPartitionView[]> {
    const [offsets, localSizes] = await Promise.all([this.leaderOffsets(topic), this.leaderLocalSizes(topic)]);
    const remote = await mapBounded(
      topic.partitions,
      REPLAY_CONCURRENCY,
      async (p): Promise<Outcome<RemotePartitionState>> => {
        try {
          const state = new RemotePartitionState(topic.topicId, p.partition);
          for (const record of await metadataLog.replay(topic.topicId, p.partition)) state.apply(record);
          return { ok: state };
        } catch (error) {
          return failure(error);
        }
      },
    );
    return topic.partitions.map((p, i) =>
      tieredPartitionView(
        p.partition,
        p.leader,
        offsets.get(p.partition) ?? { errorName: 'LEADER_NOT_AVAILABLE', errorMessage: 'no offsets answered' },
        remote[i]!,
        localSizes.get(p.partition) ?? { errorName: 'LEADER_NOT_AVAILABLE', errorMessage: 'no log size answered' },
      ),
    );
  }

  /**
   * Each partition's local log size on its leader: DescribeLogDirs asked of the topic's leaders
   * (one request per leader, for this topic only), as they were when the topic was described. A
   * broker that holds no replica of the partition any more says so by name (NOT_LEADER_OR_FOLLOWER).
   */
  private async leaderLocalSizes(topic: TopicInfo): Promise<Map<number, Outcome<number>>> {
    const out = new Map<number, Outcome<number>>();
    const leaders = [...new Set(topic.partitions.map((p) => p.leader).filter((leader) => leader >= 0))];
    let answers: BrokerLogDirs[] = [];
    try {
      if (leaders.length > 0) answers = await this.admin.describeLogDirs(leaders, [{ topic: topic.name }]);
    } catch (error) {
      for (const p of topic.partitions) out.set(p.partition, failure(error));
      return out;
    }
    const byBroker = new Map(answers.map((answer) => [answer.brokerId, answer]));
    for (const p of topic.partitions) {
      const answer = byBroker.get(p.leader);
      if (p.leader < 0 || answer === undefined) {
        out.set(p.partition, {
          errorName: 'LEADER_NOT_AVAILABLE',
          errorMessage: `${topic.name}-${p.partition} has no leader`,
        });
        continue;
      }
      if (answer.error !== undefined) {
        out.set(p.partition, failure(answer.error));
        continue;
      }
      const offline = answer.logDirs.find((dir) => dir.error !== undefined);
      const found = answer.logDirs
        .flatMap((dir) => dir.partitions)
        .find((replica) => replica.topic === topic.name && replica.partition === p.partition && !replica.isFuture);
      out.set(
        p.partition,
        found !== undefined
          ? { ok: found.sizeBytes }
          : offline?.error !== undefined
            ? failure(offline.error)
            : {
                errorName: 'NOT_LEADER_OR_FOLLOWER',
                errorMessage: `broker ${p.leader} holds no replica of ${topic.name}-${p.partition}`,
              },
      );
    }
    return out;
  }

  /** ListOffsets earliest, earliest-local and latest of every partition, from the leaders. */
  private async leaderOffsets(topic: TopicInfo): Promise<Map<number, Outcome<LeaderOffsets>>> {
    const partitions = topic.partitions.map((p) => ({ topic: topic.name, partition: p.partition }));
    const out = new Map<number, Outcome<LeaderOffsets>>();
    try {
      const [earliest, earliestLocal, latest] = await Promise.all([
        this.admin.listOffsets(partitions, 'earliest'),
        this.admin.listOffsets(partitions, 'earliest-local'),
        this.admin.listOffsets(partitions, 'latest'),
      ]);
      for (const p of topic.partitions) {
        const key = topicPartitionKey(topic.name, p.partition);
        const [start, localStart, end] = [earliest.get(key), earliestLocal.get(key), latest.get(key)];
        out.set(
          p.partition,
          start === undefined || localStart === undefined || end === undefined
            ? { errorName: 'LEADER_NOT_AVAILABLE', errorMessage: 'the leader did not answer every offset' }
            : {
                ok: { logStartOffset: start.offset, localLogStartOffset: localStart.offset, highWatermark: end.offset },
              },
        );
      }
    } catch (error) {
      for (const p of topic.partitions) out.set(p.partition, failure(error));
    }
    return out;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.health.set('', 'NOT_SERVING');
    if (this.scrubTimer !== undefined) clearTimeout(this.scrubTimer);
    if (this.healthTimer !== undefined) clearTimeout(this.healthTimer);
    await this.server?.close();
    // A scrub in flight finishes its deletes (each is complete or not started): wait for it, bounded by its own timeouts.
    await this.scrubChain;
    await this.metricsServer?.close();
    this.aclFeed?.stop();
    await this.admin.close();
    this.store.destroy();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failure(error: unknown): { errorName: string; errorMessage: string } {
  return error instanceof ApiError
    ? { errorName: error.errorName, errorMessage: error.message }
    : { errorName: 'UNKNOWN_SERVER_ERROR', errorMessage: messageOf(error) };
}

/** `fn` over `items` with at most `limit` in flight; results in item order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++;
      results[at] = await fn(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
