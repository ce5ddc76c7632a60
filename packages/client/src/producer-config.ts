/**
 * Producer settings with Kafka 4's names, meanings and defaults, validated once. Where Kafka
 * refuses a combination (idempotence with acks other than all, or more than 5 requests in flight)
 * so do we, with a named INVALID_CONFIG error.
 */
import type { ClientSecurity } from '@sluice/proto';
import { ApiError, codecFor, CompressionType } from '@sluice/protocol';
import { validateAccumulatorConfig, type AccumulatorConfig } from './accumulator-config';
import type { PartitionerKind } from './partitioner';

export type Acks = 0 | 1 | -1 | 'all';
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface ProducerOptions {
  /** Broker addresses, `host:port,host:port` or a list (Kafka's bootstrap.servers). */
  readonly bootstrap: string | readonly string[];
  /** TLS and bearer token; default: the process default (plaintext unless set). */
  readonly security?: ClientSecurity;
  /** `acks`: 0, 1 or all (-1). Default all. */
  readonly acks?: Acks;
  /** `enable.idempotence`: default true (then acks must be all). */
  readonly enableIdempotence?: boolean;
  /** `linger.ms`, default 5. */
  readonly lingerMs?: number;
  /** `batch.size` in bytes, default 16384. */
  readonly batchSizeBytes?: number;
  /** `buffer.memory` in bytes, default 32 MiB. */
  readonly bufferMemoryBytes?: number;
  /** `max.request.size` in bytes, default 1 MiB. */
  readonly maxRequestSizeBytes?: number;
  /** `compression.type`, default none. */
  readonly compression?: CompressionName | CompressionType;
  /** `max.in.flight.requests.per.connection`, default 5 (at most 5 with idempotence). */
  readonly maxInFlightRequestsPerConnection?: number;
  /** `retries`, default 2147483647 (bounded by delivery.timeout.ms). */
  readonly retries?: number;
  /** `retry.backoff.ms`, default 100; doubles per attempt up to `retry.backoff.max.ms` (1000). */
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
  /** `delivery.timeout.ms`, default 120000: bound from send() to the outcome. */
  readonly deliveryTimeoutMs?: number;
  /** `request.timeout.ms`, default 30000: bound on one Produce request. */
  readonly requestTimeoutMs?: number;
  /** `max.block.ms`, default 60000: how long send() may wait for metadata or buffer memory. */
  readonly maxBlockMs?: number;
  /** `metadata.max.age.ms`, default 300000. */
  readonly metadataMaxAgeMs?: number;
  /** Records without a key: `sticky` (default, KIP-480) or `round-robin`. */
  readonly partitioner?: PartitionerKind;
  /** Listener whose address is used to reach brokers; default each broker's first. */
  readonly listenerName?: string;
}

export interface ProducerConfig {
  readonly acks: 0 | 1 | -1;
  readonly idempotent: boolean;
  readonly accumulator: AccumulatorConfig;
  readonly maxInFlightRequestsPerConnection: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly deliveryTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxBlockMs: number;
  readonly metadataMaxAgeMs: number;
  readonly partitioner: PartitionerKind;
}

const COMPRESSION_BY_NAME: Readonly<Record<CompressionName, CompressionType>> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export function compressionFromName(name: string): CompressionType {
  const compression = COMPRESSION_BY_NAME[name as CompressionName];
  if (compression === undefined)
    throw new ApiError(
      'INVALID_CONFIG',
      `compression.type ${JSON.stringify(name)} is not one of ${Object.keys(COMPRESSION_BY_NAME).join(', ')}`,
    );
  return compression;
}

function invalid(key: string, value: unknown, why: string): never {
  throw new ApiError('INVALID_CONFIG', `${key}=${String(value)} ${why}`);
}

export function resolveProducerConfig(options: ProducerOptions): ProducerConfig {
  const rawAcks = options.acks ?? 'all';
  const acks = rawAcks === 'all' ? -1 : rawAcks;
  if (acks !== 0 && acks !== 1 && acks !== -1) invalid('acks', rawAcks, 'must be 0, 1 or all');
  // Kafka: idempotence defaults on, but is switched off (not refused) when acks was set to 0 or 1
  // without asking for idempotence; asking for both is a configuration error.
  const idempotent = options.enableIdempotence ?? acks === -1;
  if (idempotent && acks !== -1) invalid('acks', rawAcks, 'must be all when enable.idempotence is true');
  const maxInFlightRequestsPerConnection = options.maxInFlightRequestsPerConnection ?? 5;
  if (!Number.isInteger(maxInFlightRequestsPerConnection) || maxInFlightRequestsPerConnection < 1)
    invalid('max.in.flight.requests.per.connection', maxInFlightRequestsPerConnection, 'must be >= 1');
  if (idempotent && maxInFlightRequestsPerConnection > 5)
    invalid(
      'max.in.flight.requests.per.connection',
      maxInFlightRequestsPerConnection,
      'must be <= 5 when enable.idempotence is true',
    );
  const compression =
    typeof options.compression === 'string'
      ? compressionFromName(options.compression)
      : (options.compression ?? CompressionType.None);
  // A codec this runtime lacks (zstd before Node 22.15) is refused here, when the producer is
  // made, not after the first batch fails to compress.
  const unavailableReason = codecFor(compression)?.unavailableReason();
  if (unavailableReason !== undefined)
    throw new ApiError(
      'UNSUPPORTED_COMPRESSION_TYPE',
      `compression.type ${codecFor(compression)?.name} is not available here: ${unavailableReason}`,
    );
  let accumulator: AccumulatorConfig;
  try {
    accumulator = validateAccumulatorConfig({
      lingerMs: options.lingerMs ?? 5,
      batchSizeBytes: options.batchSizeBytes ?? 16_384,
      bufferMemoryBytes: options.bufferMemoryBytes ?? 33_554_432,
      maxRequestSizeBytes: options.maxRequestSizeBytes ?? 1_048_576,
      compression,
      // Several unanswered batches per partition, up to max.in.flight: they travel on one
      // ProduceStream per broker, whose requests the broker appends in the order sent (unary
      // calls of one HTTP/2 connection could overtake each other).
      maxInFlightBatchesPerPartition: maxInFlightRequestsPerConnection,
    });
  } catch (error) {
    throw new ApiError('INVALID_CONFIG', (error as Error).message);
  }
  const nonNegative = (key: string, value: number): number => {
    if (!Number.isSafeInteger(value) || value < 0) invalid(key, value, 'must be an integer >= 0');
    return value;
  };
  const positive = (key: string, value: number): number => {
    if (!Number.isSafeInteger(value) || value < 1) invalid(key, value, 'must be an integer >= 1');
    return value;
  };
  const config: ProducerConfig = {
    acks,
    idempotent,
    accumulator,
    maxInFlightRequestsPerConnection,
    retries: nonNegative('retries', options.retries ?? 2_147_483_647),
    retryBackoffMs: nonNegative('retry.backoff.ms', options.retryBackoffMs ?? 100),
    retryBackoffMaxMs: nonNegative('retry.backoff.max.ms', options.retryBackoffMaxMs ?? 1_000),
    deliveryTimeoutMs: positive('delivery.timeout.ms', options.deliveryTimeoutMs ?? 120_000),
    requestTimeoutMs: positive('request.timeout.ms', options.requestTimeoutMs ?? 30_000),
    maxBlockMs: nonNegative('max.block.ms', options.maxBlockMs ?? 60_000),
    metadataMaxAgeMs: positive('metadata.max.age.ms', options.metadataMaxAgeMs ?? 300_000),
    partitioner: options.partitioner ?? 'sticky',
  };
  // Kafka: delivery.timeout.ms must cover linger.ms + request.timeout.ms.
  if (config.deliveryTimeoutMs < accumulator.lingerMs + config.requestTimeoutMs) {
    invalid(
      'delivery.timeout.ms',
      config.deliveryTimeoutMs,
      `must be >= linger.ms + request.timeout.ms (${accumulator.lingerMs + config.requestTimeoutMs})`,
    );
  }
  return config;
}

/** Exponential backoff with ±20% jitter (KIP-580), for the n-th attempt (1-based). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.max(0, Math.round(exponential * (0.8 + 0.4 * random())));
}
