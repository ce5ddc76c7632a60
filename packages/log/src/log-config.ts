import { BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD_BYTES } from '@sluice/protocol';
import { InvalidConfigError } from './errors';

const INT32_MAX = 2 ** 31 - 1;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Per-partition log settings, typed and with units in the names. Kafka's names for each field
 * are in `LOG_CONFIG_KEYS`; every default lives in `defaultLogConfig` and nowhere else.
 */
export interface LogConfig {
  /** `segment.bytes`: roll the active segment before it grows past this. */
  readonly segmentBytes: number;
  /** `segment.ms`: roll a non-empty active segment once it has been active this long. */
  readonly segmentMs: number;
  /** `segment.index.bytes`: cap on each index of a segment; a full index rolls the segment. */
  readonly segmentIndexBytes: number;
  /** `index.interval.bytes`: bytes of batches between two index entries. */
  readonly indexIntervalBytes: number;
  /** `flush.messages`: fdatasync after this many records; 1 means on every append. */
  readonly flushMessages: number;
  /** `flush.ms`: fdatasync once the oldest unflushed append is this old. */
  readonly flushMs: number;
  /** `retention.ms`: delete closed segments whose newest timestamp is older; -1 = forever. */
  readonly retentionMs: number;
  /** `retention.bytes`: delete oldest closed segments while the log is larger; -1 = unlimited. */
  readonly retentionBytes: number;
  /** `max.message.bytes`: the largest batch accepted, log overhead included (Kafka: 1 MiB + 12). */
  readonly maxMessageBytes: number;
  /**
   * `log.flush.offset.checkpoint.interval.ms`: how often a flush also rewrites the recovery-point
   * checkpoint (0 = on every flush). Writing it costs three syncs (file, rename, directory), so,
   * as in Kafka, it trails the flushed offset; recovery then re-verifies the flushed but not yet
   * checkpointed range, and keeps every whole valid batch in it.
   */
  readonly recoveryPointCheckpointIntervalMs: number;
  /**
   * `cleanup.policy`: `delete` (time/size retention), `compact` (keep the latest record per key,
   * see `PartitionLog.compact`) or both. Without `delete`, retention only drops segments below
   * the log start offset.
   */
  readonly cleanupPolicy: CleanupPolicy;
  /** `min.cleanable.dirty.ratio`: compact once dirty bytes / cleanable bytes reach this (0..1). */
  readonly minCleanableDirtyRatio: number;
  /** `delete.retention.ms`: how long a tombstone survives after the cleaning that first kept it. */
  readonly deleteRetentionMs: number;
  /** `min.compaction.lag.ms`: a segment is cleanable once its newest record is this old. */
  readonly minCompactionLagMs: number;
}

/** Kafka's `cleanup.policy`, normalized (a list in Kafka; order and repeats do not matter). */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export function isCompacted(config: Pick<LogConfig, 'cleanupPolicy'>): boolean {
  return config.cleanupPolicy !== 'delete';
}

export function deletesByRetention(config: Pick<LogConfig, 'cleanupPolicy'>): boolean {
  return config.cleanupPolicy !== 'compact';
}

/** Kafka's "never" for flush settings (Long.MAX_VALUE there). */
export const NEVER = Number.MAX_SAFE_INTEGER;

export const defaultLogConfig: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * HOUR_MS,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  flushMessages: NEVER,
  flushMs: NEVER,
  retentionMs: 168 * HOUR_MS,
  retentionBytes: -1,
  maxMessageBytes: 1024 * 1024 + BATCH_LOG_OVERHEAD_BYTES,
  recoveryPointCheckpointIntervalMs: 60_000,
  cleanupPolicy: 'delete',
  minCleanableDirtyRatio: 0.5,
  deleteRetentionMs: 24 * HOUR_MS,
  minCompactionLagMs: 0,
});

type Field = keyof LogConfig;

/**
 * Topic-level (`segment.bytes`) and broker-level (`log.segment.bytes`) names for each field.
 * Where Kafka has unit variants (`log.retention.hours|minutes|ms`) they are listed with their
 * scale; the finer unit wins when several are given, as in Kafka.
 */
export const LOG_CONFIG_KEYS: Readonly<Record<Field, ReadonlyArray<readonly [key: string, scale: number]>>> = {
  segmentBytes: [
    ['segment.bytes', 1],
    ['log.segment.bytes', 1],
  ],
  segmentMs: [
    ['segment.ms', 1],
    ['log.roll.ms', 1],
    ['log.roll.hours', HOUR_MS],
  ],
  segmentIndexBytes: [
    ['segment.index.bytes', 1],
    ['log.index.size.max.bytes', 1],
  ],
  indexIntervalBytes: [
    ['index.interval.bytes', 1],
    ['log.index.interval.bytes', 1],
  ],
  flushMessages: [
    ['flush.messages', 1],
    ['log.flush.interval.messages', 1],
  ],
  flushMs: [
    ['flush.ms', 1],
    ['log.flush.interval.ms', 1],
  ],
  retentionMs: [
    ['retention.ms', 1],
    ['log.retention.ms', 1],
    ['log.retention.minutes', 60_000],
    ['log.retention.hours', HOUR_MS],
  ],
  retentionBytes: [
    ['retention.bytes', 1],
    ['log.retention.bytes', 1],
  ],
  maxMessageBytes: [
    ['max.message.bytes', 1],
    ['message.max.bytes', 1],
  ],
  recoveryPointCheckpointIntervalMs: [['log.flush.offset.checkpoint.interval.ms', 1]],
  cleanupPolicy: [
    ['cleanup.policy', 1],
    ['log.cleanup.policy', 1],
  ],
  minCleanableDirtyRatio: [
    ['min.cleanable.dirty.ratio', 1],
    ['log.cleaner.min.cleanable.ratio', 1],
  ],
  deleteRetentionMs: [
    ['delete.retention.ms', 1],
    ['log.cleaner.delete.retention.ms', 1],
  ],
  minCompactionLagMs: [
    ['min.compaction.lag.ms', 1],
    ['log.cleaner.min.compaction.lag.ms', 1],
  ],
};

/** Fields whose "never" Kafka writes as Long.MAX_VALUE. */
const NEVERABLE_FIELDS: ReadonlySet<Field> = new Set<Field>(['flushMessages', 'flushMs']);

/** Fields that are not integers, with their own parsers. */
const NON_INTEGER_FIELDS: ReadonlySet<Field> = new Set<Field>(['cleanupPolicy', 'minCleanableDirtyRatio']);

/**
 * Builds a `LogConfig` from Kafka-named string properties on top of `base` (the defaults, or a
 * broker-level config a topic overrides). Keys this layer does not know are ignored: the same
 * property map also carries broker settings. Bad values throw `InvalidConfigError`.
 */
export function parseLogConfig(props: Readonly<Record<string, string>>, base: LogConfig = defaultLogConfig): LogConfig {
  const out: Record<string, number | string> = { ...base };
  for (const field of Object.keys(LOG_CONFIG_KEYS) as Field[]) {
    // Keys are listed finest/most specific first: the first present one wins.
    for (const [key, scale] of LOG_CONFIG_KEYS[field]) {
      const raw = props[key];
      if (raw === undefined) continue;
      if (field === 'cleanupPolicy') {
        out[field] = parseCleanupPolicy(key, raw);
        break;
      }
      if (field === 'minCleanableDirtyRatio') {
        out[field] = parseRatio(key, raw);
        break;
      }
      // Kafka shows "never" for the flush settings as Long.MAX_VALUE: anything past 2^53 is never.
      const value =
        NEVERABLE_FIELDS.has(field) && /^\s*\d{16,}\s*$/.test(raw) && !Number.isSafeInteger(Number(raw))
          ? NEVER
          : parseInteger(key, raw);
      const scaled = value < 0 || value === NEVER ? value : value * scale;
      if (!Number.isSafeInteger(scaled)) throw new InvalidConfigError(key, raw, 'out of range');
      out[field] = scaled;
      break;
    }
  }
  return validateLogConfig(out as unknown as LogConfig, props);
}

/** Range checks for every field (also used for configs built in code). */
export function validateLogConfig(config: LogConfig, props: Readonly<Record<string, string>> = {}): LogConfig {
  const check = (field: Field, ok: boolean, reason: string): void => {
    if (!ok) {
      const key = LOG_CONFIG_KEYS[field].find(([k]) => props[k] !== undefined)?.[0] ?? LOG_CONFIG_KEYS[field][0]![0];
      throw new InvalidConfigError(key, props[key] ?? String(config[field]), reason);
    }
  };
  for (const field of Object.keys(LOG_CONFIG_KEYS) as Field[]) {
    if (!NON_INTEGER_FIELDS.has(field)) check(field, Number.isSafeInteger(config[field]), 'must be an integer');
  }
  check(
    'cleanupPolicy',
    CLEANUP_POLICIES.includes(config.cleanupPolicy),
    `must be one of ${CLEANUP_POLICIES.join(' | ')}`,
  );
  check(
    'minCleanableDirtyRatio',
    typeof config.minCleanableDirtyRatio === 'number' &&
      config.minCleanableDirtyRatio >= 0 &&
      config.minCleanableDirtyRatio <= 1,
    'must be a number in 0..1',
  );
  check('deleteRetentionMs', config.deleteRetentionMs >= 0, 'must be >= 0');
  check('minCompactionLagMs', config.minCompactionLagMs >= 0, 'must be >= 0');
  check(
    'segmentBytes',
    config.segmentBytes >= BATCH_HEADER_BYTES && config.segmentBytes <= INT32_MAX,
    `must be ${BATCH_HEADER_BYTES}..${INT32_MAX}`,
  );
  check('segmentMs', config.segmentMs >= 1, 'must be >= 1');
  check(
    'segmentIndexBytes',
    config.segmentIndexBytes >= 12 && config.segmentIndexBytes <= INT32_MAX,
    `must be 12..${INT32_MAX}`,
  );
  check(
    'indexIntervalBytes',
    config.indexIntervalBytes >= 0 && config.indexIntervalBytes <= INT32_MAX,
    `must be 0..${INT32_MAX}`,
  );
  check('flushMessages', config.flushMessages >= 1, 'must be >= 1');
  check('flushMs', config.flushMs >= 0, 'must be >= 0');
  check('retentionMs', config.retentionMs >= -1, 'must be >= -1 (-1 = unlimited)');
  check('retentionBytes', config.retentionBytes >= -1, 'must be >= -1 (-1 = unlimited)');
  check(
    'maxMessageBytes',
    config.maxMessageBytes >= BATCH_HEADER_BYTES && config.maxMessageBytes <= INT32_MAX,
    `must be ${BATCH_HEADER_BYTES}..${INT32_MAX}`,
  );
  check('recoveryPointCheckpointIntervalMs', config.recoveryPointCheckpointIntervalMs >= 0, 'must be >= 0');
  return Object.freeze({ ...config });
}

const CLEANUP_POLICIES: readonly CleanupPolicy[] = ['delete', 'compact', 'compact,delete'];

/** Kafka's list syntax: `compact`, `delete`, `compact,delete` or `delete, compact`. */
function parseCleanupPolicy(key: string, raw: string): CleanupPolicy {
  const items = raw.split(',').map((item) => item.trim().toLowerCase());
  if (items.some((item) => item !== 'compact' && item !== 'delete')) {
    throw new InvalidConfigError(key, raw, 'must be a list of compact and/or delete');
  }
  const compact = items.includes('compact');
  const del = items.includes('delete');
  return compact && del ? 'compact,delete' : compact ? 'compact' : 'delete';
}

function parseRatio(key: string, raw: string): number {
  const trimmed = raw.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) throw new InvalidConfigError(key, raw, 'not a number');
  const value = Number(trimmed);
  if (!(value >= 0 && value <= 1)) throw new InvalidConfigError(key, raw, 'must be in 0..1');
  return value;
}

function parseInteger(key: string, raw: string): number {
  const trimmed = raw.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new InvalidConfigError(key, raw, 'not an integer');
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) throw new InvalidConfigError(key, raw, 'out of range');
  return value;
}
