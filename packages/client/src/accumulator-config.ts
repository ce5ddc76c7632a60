import { CompressionType } from '@sluice/protocol';

/** Producer settings the accumulator reads, with Kafka 4's names and defaults. */
export interface AccumulatorConfig {
  /** `linger.ms` (Kafka 4 default 5, KIP-1030): how long a not-full batch waits for company. */
  readonly lingerMs: number;
  /** `batch.size`: bytes of records per batch before it counts as full. */
  readonly batchSizeBytes: number;
  /** `buffer.memory`: bytes all unsent and in-flight batches may reserve. */
  readonly bufferMemoryBytes: number;
  /** `max.request.size`: bound on one record and on one drained request. */
  readonly maxRequestSizeBytes: number;
  /** `compression.type`. */
  readonly compression: CompressionType;
  /** `max.in.flight.requests.per.connection`, applied per partition (<= 5 with idempotence). */
  readonly maxInFlightBatchesPerPartition: number;
}

export const defaultAccumulatorConfig: AccumulatorConfig = {
  lingerMs: 5,
  batchSizeBytes: 16_384,
  bufferMemoryBytes: 33_554_432,
  maxRequestSizeBytes: 1_048_576,
  compression: CompressionType.None,
  maxInFlightBatchesPerPartition: 5,
};

export function validateAccumulatorConfig(config: AccumulatorConfig): AccumulatorConfig {
  const atLeast = (value: number, min: number, key: string): void => {
    if (!Number.isSafeInteger(value) || value < min)
      throw new RangeError(`${key} must be an integer >= ${min}, got ${value}`);
  };
  atLeast(config.lingerMs, 0, 'linger.ms');
  atLeast(config.batchSizeBytes, 1, 'batch.size');
  atLeast(config.bufferMemoryBytes, 1, 'buffer.memory');
  atLeast(config.maxRequestSizeBytes, 1, 'max.request.size');
  atLeast(config.maxInFlightBatchesPerPartition, 1, 'max.in.flight.requests.per.connection');
  if (!Object.values(CompressionType).includes(config.compression))
    throw new RangeError(`unknown compression.type ${config.compression}`);
  return config;
}
