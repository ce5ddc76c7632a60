import { deletesByRetention, InvalidConfigError, type LogConfig } from '@sluice/log';
import { MAX_COPY_MERGE_BYTES } from './tiering-decisions';

/**
 * Tiered-storage settings under Kafka's names (KIP-405), typed and with units in the names.
 * Every default lives in `defaultClusterTieringConfig` / the parsers below and nowhere else.
 */

/** Kafka's `local.retention.*` value meaning "the same as the total `retention.*`". */
export const SAME_AS_TOTAL_RETENTION = -2;

/** Per topic: whether it tiers, and how much stays on local disk. */
export interface TopicTieringConfig {
  /** `remote.storage.enable`. */
  readonly remoteStorageEnable: boolean;
  /** `local.retention.ms`, resolved: -2 became `retention.ms`; -1 = keep forever locally. */
  readonly localRetentionMs: number;
  /** `local.retention.bytes`, resolved: -2 became `retention.bytes`; -1 = unlimited. */
  readonly localRetentionBytes: number;
  /** `retention.ms` over local + remote (-1 = forever). */
  readonly totalRetentionMs: number;
  /** `retention.bytes` over local + remote (-1 = unlimited). */
  readonly totalRetentionBytes: number;
}

/**
 * Parses a topic's tiering keys on top of its already-parsed log config (whose `retention.*`
 * are the totals). Refuses what Kafka refuses: a local retention above the total one, or turning
 * tiering on while the cluster's remote storage system is off. Unlike Kafka, compacted topics tier
 * (their remote segments are compacted by the leader's RemoteCompactor).
 */
export function parseTopicTieringConfig(
  props: Readonly<Record<string, string>>,
  logConfig: Pick<LogConfig, 'retentionMs' | 'retentionBytes' | 'cleanupPolicy'>,
  cluster: Pick<ClusterTieringConfig, 'remoteLogStorageSystemEnable'>,
): TopicTieringConfig {
  const remoteStorageEnable = parseBoolean('remote.storage.enable', props['remote.storage.enable'], false);
  const localMs = parseLocalRetention('local.retention.ms', props['local.retention.ms']);
  const localBytes = parseLocalRetention('local.retention.bytes', props['local.retention.bytes']);
  const localRetentionMs = localMs === SAME_AS_TOTAL_RETENTION ? logConfig.retentionMs : localMs;
  const localRetentionBytes = localBytes === SAME_AS_TOTAL_RETENTION ? logConfig.retentionBytes : localBytes;
  if (exceedsTotal(localRetentionMs, logConfig.retentionMs)) {
    throw new InvalidConfigError(
      'local.retention.ms',
      String(localMs),
      `must not be more than retention.ms (${logConfig.retentionMs})`,
    );
  }
  if (exceedsTotal(localRetentionBytes, logConfig.retentionBytes)) {
    throw new InvalidConfigError(
      'local.retention.bytes',
      String(localBytes),
      `must not be more than retention.bytes (${logConfig.retentionBytes})`,
    );
  }
  if (remoteStorageEnable && !cluster.remoteLogStorageSystemEnable) {
    throw new InvalidConfigError(
      'remote.storage.enable',
      'true',
      'the cluster has remote.log.storage.system.enable=false: tiered storage is off on the brokers',
    );
  }
  // A compact-only topic deletes nothing by retention.* (compaction bounds it, remote compaction
  // included): its remote segments go only by log start offset, never by time or size.
  const deletes = deletesByRetention(logConfig);
  return Object.freeze({
    remoteStorageEnable,
    localRetentionMs,
    localRetentionBytes,
    totalRetentionMs: deletes ? logConfig.retentionMs : -1,
    totalRetentionBytes: deletes ? logConfig.retentionBytes : -1,
  });
}

/** -1 means unlimited on either side: an unlimited local retention only fits an unlimited total. */
function exceedsTotal(local: number, total: number): boolean {
  if (total === -1) return false;
  return local === -1 || local > total;
}

/** Where remote segments live: an S3-compatible bucket. */
export interface S3StorageConfig {
  /** `rsm.config.storage.s3.endpoint.url` (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL); null = AWS. */
  readonly endpointUrl: string | null;
  /** `rsm.config.storage.s3.region` (or AWS_REGION / AWS_DEFAULT_REGION). */
  readonly region: string;
  /** `rsm.config.storage.s3.bucket.name`. */
  readonly bucket: string;
  /** `rsm.config.key.prefix`: every object key starts with it ('' or ending in '/'). */
  readonly keyPrefix: string;
  /** `rsm.config.storage.s3.path.style.access.enabled` (MinIO and most self-hosted stores need it). */
  readonly pathStyleAccess: boolean;
  /**
   * `rsm.config.storage.aws.access.key.id` / `.secret.access.key` (or AWS_ACCESS_KEY_ID /
   * AWS_SECRET_ACCESS_KEY); null = the SDK's default credential chain (instance roles, IRSA).
   */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | null;
}

/** Broker / tiering-service settings. */
export interface ClusterTieringConfig {
  /** `remote.log.storage.system.enable`: the cluster-wide switch (Kafka's default false). */
  readonly remoteLogStorageSystemEnable: boolean;
  /** `remote.log.manager.task.interval.ms`: how often each partition's copy / delete task runs. */
  readonly remoteLogManagerTaskIntervalMs: number;
  /**
   * `remote.log.manager.compaction.interval.ms` (sluice; Kafka tiers no compacted topic): how often
   * the leader of a tiered compacted topic's partition compacts its remote segments.
   */
  readonly remoteCompactionIntervalMs: number;
  /**
   * `remote.log.manager.compaction.max.bytes` (sluice): remote segment bytes one remote compaction
   * pass rewrites, all held in memory at once; the next pass continues after them.
   */
  readonly remoteCompactionMaxBytes: number;
  /** `remote.log.manager.copy.max.bytes.per.second` (-1 = unlimited, Kafka's Long.MAX_VALUE). */
  readonly copyMaxBytesPerSecond: number;
  /**
   * `remote.log.manager.copy.merge.max.bytes` (sluice): consecutive rolled segments that are ready
   * to copy in the same task run are copied as ONE remote segment while their bytes stay within
   * this (one PUT and two metadata records for all of them: small segments cost the object store
   * and the brokers per segment, not per byte); 0 copies each local segment as its own remote
   * segment, as Kafka does. Total retention then deletes remote data in those merged units.
   */
  readonly copyMergeMaxBytes: number;
  /** `remote.log.manager.fetch.max.bytes.per.second` (-1 = unlimited). */
  readonly fetchMaxBytesPerSecond: number;
  /**
   * `remote.log.reader.threads` (Kafka's name, default 10): remote reads (GETs of chunks and
   * offset indexes) in flight to the object store at once, over every fetch of a broker.
   */
  readonly remoteReaderMaxInFlight: number;
  /**
   * `remote.log.reader.max.pending.tasks` (Kafka's name, default 100): remote reads waiting for one
   * of those; more are refused at once (KAFKA_STORAGE_ERROR, retriable), not queued without bound.
   */
  readonly remoteReaderMaxPending: number;
  /** `rsm.config.fetch.chunk.size`: bytes per ranged GET on the read path. */
  readonly fetchChunkBytes: number;
  /** `rsm.config.fetch.chunk.cache.size`: bound of the chunk cache, bytes. */
  readonly fetchChunkCacheBytes: number;
  /** `remote.log.metadata.topic.num.partitions` (Kafka's default 50). */
  readonly metadataTopicNumPartitions: number;
  /** `remote.log.metadata.topic.replication.factor` (Kafka's default 3). */
  readonly metadataTopicReplicationFactor: number;
  /** Present when `remoteLogStorageSystemEnable`. */
  readonly s3: S3StorageConfig | null;
}

export const defaultClusterTieringConfig: ClusterTieringConfig = Object.freeze({
  remoteLogStorageSystemEnable: false,
  remoteLogManagerTaskIntervalMs: 30_000,
  remoteCompactionIntervalMs: 3_600_000,
  remoteCompactionMaxBytes: 64 * 1024 * 1024,
  copyMaxBytesPerSecond: -1,
  copyMergeMaxBytes: 16 * 1024 * 1024,
  fetchMaxBytesPerSecond: -1,
  remoteReaderMaxInFlight: 10,
  remoteReaderMaxPending: 100,
  fetchChunkBytes: 4 * 1024 * 1024,
  fetchChunkCacheBytes: 256 * 1024 * 1024,
  metadataTopicNumPartitions: 50,
  metadataTopicReplicationFactor: 3,
  s3: null,
});

/** The cluster keys this module reads (so a config file's typos can be reported by the caller). */
export const CLUSTER_TIERING_KEYS: readonly string[] = [
  'remote.log.storage.system.enable',
  'remote.log.manager.task.interval.ms',
  'remote.log.manager.compaction.interval.ms',
  'remote.log.manager.compaction.max.bytes',
  'remote.log.manager.copy.max.bytes.per.second',
  'remote.log.manager.copy.merge.max.bytes',
  'remote.log.manager.fetch.max.bytes.per.second',
  'remote.log.reader.threads',
  'remote.log.reader.max.pending.tasks',
  'remote.log.metadata.topic.num.partitions',
  'remote.log.metadata.topic.replication.factor',
  'rsm.config.fetch.chunk.size',
  'rsm.config.fetch.chunk.cache.size',
  'rsm.config.storage.s3.endpoint.url',
  'rsm.config.storage.s3.region',
  'rsm.config.storage.s3.bucket.name',
  'rsm.config.key.prefix',
  'rsm.config.storage.s3.path.style.access.enabled',
  'rsm.config.storage.aws.access.key.id',
  'rsm.config.storage.aws.secret.access.key',
];

/**
 * Parses the cluster-level keys; S3 settings fall back to the standard AWS environment variables.
 * With the system switch off, nothing else is required (and the S3 keys are not read).
 */
export function parseClusterTieringConfig(
  props: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>> = {},
): ClusterTieringConfig {
  const d = defaultClusterTieringConfig;
  const enable = parseBoolean(
    'remote.log.storage.system.enable',
    props['remote.log.storage.system.enable'],
    d.remoteLogStorageSystemEnable,
  );
  const intervalMs = parseInteger('remote.log.manager.task.interval.ms', props, d.remoteLogManagerTaskIntervalMs, 1);
  const copyRate = parseRate('remote.log.manager.copy.max.bytes.per.second', props);
  const mergeBytes = parseInteger('remote.log.manager.copy.merge.max.bytes', props, d.copyMergeMaxBytes, 0);
  if (mergeBytes > MAX_COPY_MERGE_BYTES) {
    const raw = props['remote.log.manager.copy.merge.max.bytes']!;
    throw new InvalidConfigError('remote.log.manager.copy.merge.max.bytes', raw, `must be <= ${MAX_COPY_MERGE_BYTES}`);
  }
  const fetchRate = parseRate('remote.log.manager.fetch.max.bytes.per.second', props);
  const chunkBytes = parseInteger('rsm.config.fetch.chunk.size', props, d.fetchChunkBytes, 4096);
  const cacheBytes = parseInteger('rsm.config.fetch.chunk.cache.size', props, d.fetchChunkCacheBytes, 0);
  if (cacheBytes !== 0 && cacheBytes < chunkBytes) {
    throw new InvalidConfigError(
      'rsm.config.fetch.chunk.cache.size',
      String(cacheBytes),
      `must be 0 (no cache) or at least rsm.config.fetch.chunk.size (${chunkBytes})`,
    );
  }
  return Object.freeze({
    remoteLogStorageSystemEnable: enable,
    remoteLogManagerTaskIntervalMs: intervalMs,
    remoteCompactionIntervalMs: parseInteger(
      'remote.log.manager.compaction.interval.ms',
      props,
      d.remoteCompactionIntervalMs,
      1,
    ),
    // At least one segment of Kafka's smallest segment.bytes (1 MiB), or no pass could hold one.
    remoteCompactionMaxBytes: parseInteger(
      'remote.log.manager.compaction.max.bytes',
      props,
      d.remoteCompactionMaxBytes,
      1024 * 1024,
    ),
    copyMaxBytesPerSecond: copyRate,
    copyMergeMaxBytes: mergeBytes,
    fetchMaxBytesPerSecond: fetchRate,
    remoteReaderMaxInFlight: parseInteger('remote.log.reader.threads', props, d.remoteReaderMaxInFlight, 1),
    remoteReaderMaxPending: parseInteger('remote.log.reader.max.pending.tasks', props, d.remoteReaderMaxPending, 0),
    fetchChunkBytes: chunkBytes,
    fetchChunkCacheBytes: cacheBytes,
    metadataTopicNumPartitions: parseInteger(
      'remote.log.metadata.topic.num.partitions',
      props,
      d.metadataTopicNumPartitions,
      1,
    ),
    metadataTopicReplicationFactor: parseInteger(
      'remote.log.metadata.topic.replication.factor',
      props,
      d.metadataTopicReplicationFactor,
      1,
    ),
    s3: enable ? parseS3Config(props, env) : null,
  });
}

function parseS3Config(
  props: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): S3StorageConfig {
  const bucket = (props['rsm.config.storage.s3.bucket.name'] ?? '').trim();
  // S3's own rule for bucket names: 3-63 of lower-case letters, digits, dots and hyphens.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new InvalidConfigError(
      'rsm.config.storage.s3.bucket.name',
      bucket,
      'required with remote.log.storage.system.enable=true: 3-63 lower-case letters, digits, dots, hyphens',
    );
  }
  const region = (props['rsm.config.storage.s3.region'] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '').trim();
  if (region === '') {
    throw new InvalidConfigError(
      'rsm.config.storage.s3.region',
      '',
      'required (or AWS_REGION in the environment); MinIO accepts us-east-1',
    );
  }
  const endpointRaw = props['rsm.config.storage.s3.endpoint.url'] ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  let endpointUrl: string | null = null;
  if (endpointRaw !== undefined && endpointRaw.trim() !== '') {
    const parsed = URL.canParse(endpointRaw.trim()) ? new URL(endpointRaw.trim()) : null;
    if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new InvalidConfigError('rsm.config.storage.s3.endpoint.url', endpointRaw, 'must be an http(s) URL');
    }
    endpointUrl = parsed.toString().replace(/\/$/, '');
  }
  const keyPrefix = props['rsm.config.key.prefix'] ?? '';
  if (keyPrefix !== '' && (!keyPrefix.endsWith('/') || keyPrefix.startsWith('/') || keyPrefix.length > 512)) {
    throw new InvalidConfigError(
      'rsm.config.key.prefix',
      keyPrefix,
      "must be empty or end with '/' (not start with it)",
    );
  }
  const accessKeyId = props['rsm.config.storage.aws.access.key.id'] ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = props['rsm.config.storage.aws.secret.access.key'] ?? env.AWS_SECRET_ACCESS_KEY;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing =
      accessKeyId === undefined ? 'rsm.config.storage.aws.access.key.id' : 'rsm.config.storage.aws.secret.access.key';
    throw new InvalidConfigError(missing, '', 'an access key id and its secret are given together or not at all');
  }
  return Object.freeze({
    endpointUrl,
    region,
    bucket,
    keyPrefix,
    pathStyleAccess: parseBoolean(
      'rsm.config.storage.s3.path.style.access.enabled',
      props['rsm.config.storage.s3.path.style.access.enabled'],
      false,
    ),
    credentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? Object.freeze({ accessKeyId, secretAccessKey })
        : null,
  });
}

function parseBoolean(key: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidConfigError(key, raw, 'must be true or false');
}

function parseLocalRetention(key: string, raw: string | undefined): number {
  if (raw === undefined) return SAME_AS_TOTAL_RETENTION;
  const value = toInteger(key, raw);
  if (value < SAME_AS_TOTAL_RETENTION) {
    throw new InvalidConfigError(key, raw, 'must be >= -2 (-2 = same as retention, -1 = unlimited)');
  }
  return value;
}

function parseRate(key: string, props: Readonly<Record<string, string>>): number {
  const raw = props[key];
  if (raw === undefined) return -1;
  // Kafka's unlimited is Long.MAX_VALUE; anything past 2^53 means the same.
  if (/^\s*\d{16,}\s*$/.test(raw) && !Number.isSafeInteger(Number(raw))) return -1;
  const value = toInteger(key, raw);
  if (value !== -1 && value < 1) throw new InvalidConfigError(key, raw, 'must be >= 1 (or -1 = unlimited)');
  return value;
}

function parseInteger(key: string, props: Readonly<Record<string, string>>, fallback: number, min: number): number {
  const raw = props[key];
  if (raw === undefined) return fallback;
  const value = toInteger(key, raw);
  if (value < min) throw new InvalidConfigError(key, raw, `must be >= ${min}`);
  return value;
}

function toInteger(key: string, raw: string): number {
  const trimmed = raw.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new InvalidConfigError(key, raw, 'not an integer');
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) throw new InvalidConfigError(key, raw, 'out of range');
  return value;
}
