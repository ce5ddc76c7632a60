/**
 * The configs the controller accepts, with Kafka's names, types, ranges and defaults
 * (Kafka's TopicConfig/LogConfig and the dynamic broker configs). A value is stored in the
 * metadata log exactly as given; it is only parsed here to validate it.
 */

import {
  FOLLOWER_THROTTLED_RATE,
  FOLLOWER_THROTTLED_REPLICAS,
  LEADER_THROTTLED_RATE,
  LEADER_THROTTLED_REPLICAS,
  throttledReplicasProblem,
} from '@sluice/metadata';

export type ConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list';

export interface ConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  /** Inclusive bounds for numeric types; bigint so longs up to 2^63-1 compare exactly. */
  readonly min?: bigint | number;
  readonly max?: bigint | number;
  /** Allowed values for strings and for each element of a list. */
  readonly oneOf?: readonly string[];
  /** Kafka's default, as the string a describe would show. */
  readonly defaultValue: string;
  /** The broker-level config a topic config falls back to (Kafka's synonym), if any. */
  readonly brokerSynonym?: string;
  /** A check of the whole value beyond its type's (Kafka's per-config Validator); undefined: valid. */
  readonly valueProblem?: (value: string) => string | undefined;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const LONG_MAX = INT64_MAX.toString();

/** Kafka 4 (KIP-1030) raised segment.bytes' floor to 1 MiB. */
const MIN_SEGMENT_BYTES = 1_048_576;

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
const CLEANUP_POLICIES = ['delete', 'compact'] as const;
const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;

function table(defs: readonly ConfigDef[]): ReadonlyMap<string, ConfigDef> {
  return new Map(defs.map((def) => [def.name, Object.freeze(def)]));
}

export const TOPIC_CONFIGS: ReadonlyMap<string, ConfigDef> = table([
  {
    name: 'cleanup.policy',
    type: 'list',
    oneOf: CLEANUP_POLICIES,
    defaultValue: 'delete',
    brokerSynonym: 'log.cleanup.policy',
  },
  {
    name: 'compression.type',
    type: 'string',
    oneOf: COMPRESSION_TYPES,
    defaultValue: 'producer',
    brokerSynonym: 'compression.type',
  },
  { name: 'compression.gzip.level', type: 'int', min: -1, max: 9, defaultValue: '-1' },
  { name: 'compression.lz4.level', type: 'int', min: 1, max: 17, defaultValue: '9' },
  { name: 'compression.zstd.level', type: 'int', min: -131_072, max: 22, defaultValue: '3' },
  {
    name: 'delete.retention.ms',
    type: 'long',
    min: 0,
    defaultValue: '86400000',
    brokerSynonym: 'log.cleaner.delete.retention.ms',
  },
  {
    // sluice's (Redpanda's write.caching=false): acks=all waits until the records are fdatasynced
    // on a majority of the replicas and on every in-sync replica.
    name: 'durable.acks.enable',
    type: 'boolean',
    defaultValue: 'false',
    brokerSynonym: 'durable.acks.enable',
  },
  {
    name: 'file.delete.delay.ms',
    type: 'long',
    min: 0,
    defaultValue: '60000',
    brokerSynonym: 'log.segment.delete.delay.ms',
  },
  {
    name: 'flush.messages',
    type: 'long',
    min: 1,
    defaultValue: LONG_MAX,
    brokerSynonym: 'log.flush.interval.messages',
  },
  { name: 'flush.ms', type: 'long', min: 0, defaultValue: LONG_MAX, brokerSynonym: 'log.flush.interval.ms' },
  // Kafka's replication throttle: `partition:brokerId` lists, `*`, or empty (the default).
  {
    name: FOLLOWER_THROTTLED_REPLICAS,
    type: 'list',
    defaultValue: '',
    valueProblem: throttledReplicasProblem,
  },
  {
    name: 'index.interval.bytes',
    type: 'int',
    min: 0,
    defaultValue: '4096',
    brokerSynonym: 'log.index.interval.bytes',
  },
  {
    name: LEADER_THROTTLED_REPLICAS,
    type: 'list',
    defaultValue: '',
    valueProblem: throttledReplicasProblem,
  },
  {
    name: 'local.retention.bytes',
    type: 'long',
    min: -2,
    defaultValue: '-2',
    brokerSynonym: 'log.local.retention.bytes',
  },
  { name: 'local.retention.ms', type: 'long', min: -2, defaultValue: '-2', brokerSynonym: 'log.local.retention.ms' },
  {
    name: 'max.compaction.lag.ms',
    type: 'long',
    min: 1,
    defaultValue: LONG_MAX,
    brokerSynonym: 'log.cleaner.max.compaction.lag.ms',
  },
  { name: 'max.message.bytes', type: 'int', min: 0, defaultValue: '1048588', brokerSynonym: 'message.max.bytes' },
  {
    name: 'message.timestamp.after.max.ms',
    type: 'long',
    min: 0,
    defaultValue: '3600000',
    brokerSynonym: 'log.message.timestamp.after.max.ms',
  },
  {
    name: 'message.timestamp.before.max.ms',
    type: 'long',
    min: 0,
    defaultValue: LONG_MAX,
    brokerSynonym: 'log.message.timestamp.before.max.ms',
  },
  {
    name: 'message.timestamp.type',
    type: 'string',
    oneOf: TIMESTAMP_TYPES,
    defaultValue: 'CreateTime',
    brokerSynonym: 'log.message.timestamp.type',
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    min: 0,
    max: 1,
    defaultValue: '0.5',
    brokerSynonym: 'log.cleaner.min.cleanable.ratio',
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'long',
    min: 0,
    defaultValue: '0',
    brokerSynonym: 'log.cleaner.min.compaction.lag.ms',
  },
  { name: 'min.insync.replicas', type: 'int', min: 1, defaultValue: '1', brokerSynonym: 'min.insync.replicas' },
  { name: 'preallocate', type: 'boolean', defaultValue: 'false', brokerSynonym: 'log.preallocate' },
  { name: 'remote.storage.enable', type: 'boolean', defaultValue: 'false' },
  // Kafka puts no floor on retention; below -1 means nothing more than -1 (unlimited) does.
  { name: 'retention.bytes', type: 'long', min: -1, defaultValue: '-1', brokerSynonym: 'log.retention.bytes' },
  { name: 'retention.ms', type: 'long', min: -1, defaultValue: '604800000', brokerSynonym: 'log.retention.ms' },
  {
    name: 'segment.bytes',
    type: 'int',
    min: MIN_SEGMENT_BYTES,
    defaultValue: '1073741824',
    brokerSynonym: 'log.segment.bytes',
  },
  {
    name: 'segment.index.bytes',
    type: 'int',
    min: 4,
    defaultValue: '10485760',
    brokerSynonym: 'log.index.size.max.bytes',
  },
  { name: 'segment.jitter.ms', type: 'long', min: 0, defaultValue: '0', brokerSynonym: 'log.roll.jitter.ms' },
  { name: 'segment.ms', type: 'long', min: 1, defaultValue: '604800000', brokerSynonym: 'log.roll.ms' },
  {
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    defaultValue: 'false',
    brokerSynonym: 'unclean.leader.election.enable',
  },
]);

/** Broker configs that may be set dynamically, per broker or cluster-wide (Kafka's dynamic broker configs). */
export const BROKER_CONFIGS: ReadonlyMap<string, ConfigDef> = table([
  { name: 'background.threads', type: 'int', min: 1, defaultValue: '10' },
  { name: 'compression.type', type: 'string', oneOf: COMPRESSION_TYPES, defaultValue: 'producer' },
  // bytes/s shared by every throttled replica on the broker; Kafka's default Long.MAX_VALUE is
  // unlimited. At least 1: a rate of 0 would stall a reassignment for good.
  { name: FOLLOWER_THROTTLED_RATE, type: 'long', min: 1, defaultValue: LONG_MAX },
  { name: LEADER_THROTTLED_RATE, type: 'long', min: 1, defaultValue: LONG_MAX },
  { name: 'log.cleaner.threads', type: 'int', min: 0, defaultValue: '1' },
  { name: 'log.cleaner.delete.retention.ms', type: 'long', min: 0, defaultValue: '86400000' },
  { name: 'log.cleaner.min.cleanable.ratio', type: 'double', min: 0, max: 1, defaultValue: '0.5' },
  { name: 'log.cleanup.policy', type: 'list', oneOf: CLEANUP_POLICIES, defaultValue: 'delete' },
  { name: 'log.flush.interval.messages', type: 'long', min: 1, defaultValue: LONG_MAX },
  { name: 'log.flush.interval.ms', type: 'long', min: 0, defaultValue: LONG_MAX },
  { name: 'log.index.interval.bytes', type: 'int', min: 0, defaultValue: '4096' },
  { name: 'log.index.size.max.bytes', type: 'int', min: 4, defaultValue: '10485760' },
  { name: 'log.message.timestamp.type', type: 'string', oneOf: TIMESTAMP_TYPES, defaultValue: 'CreateTime' },
  { name: 'log.preallocate', type: 'boolean', defaultValue: 'false' },
  { name: 'log.retention.bytes', type: 'long', min: -1, defaultValue: '-1' },
  { name: 'log.retention.ms', type: 'long', min: -1, defaultValue: '604800000' },
  { name: 'log.roll.jitter.ms', type: 'long', min: 0, defaultValue: '0' },
  { name: 'log.roll.ms', type: 'long', min: 1, defaultValue: '604800000' },
  { name: 'log.segment.bytes', type: 'int', min: MIN_SEGMENT_BYTES, defaultValue: '1073741824' },
  { name: 'log.segment.delete.delay.ms', type: 'long', min: 0, defaultValue: '60000' },
  { name: 'max.connections', type: 'int', min: 0, defaultValue: String(INT32_MAX) },
  { name: 'message.max.bytes', type: 'int', min: 0, defaultValue: '1048588' },
  { name: 'min.insync.replicas', type: 'int', min: 1, defaultValue: '1' },
  { name: 'num.io.threads', type: 'int', min: 1, defaultValue: '8' },
  { name: 'num.network.threads', type: 'int', min: 1, defaultValue: '3' },
  { name: 'num.replica.fetchers', type: 'int', min: 1, defaultValue: '1' },
  { name: 'unclean.leader.election.enable', type: 'boolean', defaultValue: 'false' },
]);

const INTEGER_TEXT = /^[+-]?\d{1,20}$/;
const DOUBLE_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function inRange(value: bigint, def: ConfigDef, low: bigint, high: bigint): string | undefined {
  const min = def.min === undefined ? low : BigInt(def.min);
  const max = def.max === undefined ? high : BigInt(def.max);
  if (value < min || value > max) {
    if (def.max === undefined && def.min !== undefined) return `must be at least ${min}`;
    return `must be between ${min} and ${max}`;
  }
  return undefined;
}

/** Why `value` is not acceptable for `def`, or undefined when it is (Kafka's ConfigDef.parseType). */
export function configValueProblem(def: ConfigDef, rawValue: string): string | undefined {
  const value = rawValue.trim();
  if (def.valueProblem !== undefined) return def.valueProblem(rawValue);
  switch (def.type) {
    case 'int':
    case 'long': {
      if (!INTEGER_TEXT.test(value)) return `${JSON.stringify(rawValue)} is not an integer`;
      const parsed = BigInt(value);
      const [low, high] = def.type === 'int' ? [BigInt(INT32_MIN), BigInt(INT32_MAX)] : [INT64_MIN, INT64_MAX];
      if (parsed < low || parsed > high)
        return `${value} does not fit in a ${def.type === 'int' ? '32' : '64'}-bit integer`;
      const problem = inRange(parsed, def, low, high);
      return problem === undefined ? undefined : `${value} ${problem}`;
    }
    case 'double': {
      if (!DOUBLE_TEXT.test(value)) return `${JSON.stringify(rawValue)} is not a number`;
      const parsed = Number(value);
      if (!Number.isFinite(parsed)) return `${value} is not finite`;
      if ((def.min !== undefined && parsed < Number(def.min)) || (def.max !== undefined && parsed > Number(def.max))) {
        return `${value} must be between ${String(def.min ?? '-inf')} and ${String(def.max ?? 'inf')}`;
      }
      return undefined;
    }
    case 'boolean': {
      const lower = value.toLowerCase();
      return lower === 'true' || lower === 'false' ? undefined : `${JSON.stringify(rawValue)} is not true or false`;
    }
    case 'string':
      if (def.oneOf !== undefined && !def.oneOf.includes(value)) {
        return `${JSON.stringify(rawValue)} is not one of ${def.oneOf.join(', ')}`;
      }
      return undefined;
    case 'list': {
      const items = splitList(value);
      if (items.length === 0) return 'the list is empty';
      for (const item of items) {
        if (def.oneOf !== undefined && !def.oneOf.includes(item)) {
          return `${JSON.stringify(item)} is not one of ${def.oneOf.join(', ')}`;
        }
      }
      if (new Set(items).size !== items.length) return `${JSON.stringify(rawValue)} lists a value twice`;
      return undefined;
    }
    default:
      throw new Error(`assertion: unknown config type ${String(def.type)}`);
  }
}

/** Kafka's comma-separated list syntax: items trimmed, empty items dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
