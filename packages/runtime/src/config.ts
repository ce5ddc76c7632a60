/**
 * Typed configuration with Kafka's names (`node.id`, `controller.quorum.voters`, ...).
 *
 * A schema is a record of keys; each key knows its type (a parser from the raw string), its
 * default (absent = required), an optional validator and its documentation. Values come from,
 * lowest precedence first: defaults, a Java-style `.properties` file, the environment
 * (`SLUICE_` + Kafka's docker-image mapping: `.` -> `_`, `_` -> `__`, `-` -> `___`, upper case;
 * `node.id` -> `SLUICE_NODE_ID`), then explicit overrides (command line, tests). A bad value
 * throws `ConfigError` naming the key, the value and why, before anything starts.
 *
 * Every sluice default lives in `SLUICE_CONFIG_SCHEMA` below, in this one file.
 */
import { readFileSync } from 'node:fs';
import {
  formatSecurityProtocolMap,
  parseSecurityProtocolMap,
  parseSuperUsers,
  requiresAuthentication,
  STANDARD_AUTHORIZER,
  tlsFilesIn,
  usesTls,
  type ServiceSecurity,
} from './security-config';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    readonly value: string | undefined,
    readonly reason: string,
  ) {
    super(
      value === undefined
        ? `Missing required configuration '${key}': ${reason}`
        : `Invalid value '${value}' for configuration '${key}': ${reason}`,
    );
  }
}

export interface ConfigKey<T> {
  /** Human-readable type, for docs and errors (`int`, `list`, `voters`, ...). */
  readonly type: string;
  readonly doc: string;
  /** `undefined`: the key is required. */
  readonly defaultValue: T | undefined;
  /** Raw string -> value; throws an Error whose message says why the text is not a valid value. */
  parse(raw: string): T;
  /** Returns why a parsed value is not allowed, or undefined when it is. */
  validate?(value: T): string | undefined;
  /** The value as the user would write it, for docs and error messages. */
  format(value: T): string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ConfigSchema = Record<string, ConfigKey<any>>;
export type ConfigValues<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends ConfigKey<infer T> ? T : never;
};

// ---------------------------------------------------------------------------- key builders

interface KeyOptions<T> {
  readonly doc: string;
  readonly default?: T;
  readonly validate?: (value: T) => string | undefined;
}

export function intKey(
  options: KeyOptions<number> & { readonly min?: number; readonly max?: number },
): ConfigKey<number> {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return {
    type: 'int',
    doc: options.doc,
    defaultValue: options.default,
    parse(raw) {
      const text = raw.trim();
      if (!/^[+-]?\d+$/.test(text)) throw new Error('not an integer');
      const value = Number(text);
      if (!Number.isSafeInteger(value)) throw new Error('integer out of range');
      return value;
    },
    validate(value) {
      if (value < min || value > max) return `must be in [${min}, ${max}]`;
      return options.validate?.(value);
    },
    format: String,
  };
}

export function booleanKey(options: KeyOptions<boolean>): ConfigKey<boolean> {
  return {
    type: 'boolean',
    doc: options.doc,
    defaultValue: options.default,
    parse(raw) {
      const text = raw.trim().toLowerCase();
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new Error("expected 'true' or 'false'");
    },
    validate: options.validate,
    format: String,
  };
}

export function stringKey(options: KeyOptions<string> & { readonly allowed?: readonly string[] }): ConfigKey<string> {
  return {
    type: 'string',
    doc: options.doc,
    defaultValue: options.default,
    parse: (raw) => raw.trim(),
    validate(value) {
      if (options.allowed !== undefined && !options.allowed.includes(value))
        return `must be one of ${options.allowed.join(', ')}`;
      return options.validate?.(value);
    },
    format: (value) => value,
  };
}

/** Comma-separated list; blanks around items are ignored, an empty string is the empty list. */
export function listKey(
  options: KeyOptions<readonly string[]> & { readonly allowed?: readonly string[]; readonly nonEmpty?: boolean },
): ConfigKey<readonly string[]> {
  return {
    type: 'list',
    doc: options.doc,
    defaultValue: options.default,
    parse: (raw) => splitList(raw),
    validate(value) {
      if (options.nonEmpty === true && value.length === 0) return 'must not be empty';
      const bad = options.allowed === undefined ? undefined : value.find((item) => !options.allowed?.includes(item));
      if (bad !== undefined) return `'${bad}' is not one of ${options.allowed?.join(', ')}`;
      if (new Set(value).size !== value.length) return 'must not contain duplicates';
      return options.validate?.(value);
    },
    format: (value) => value.join(','),
  };
}

/** Kafka's Long.MAX_VALUE, "never" for the flush settings. */
const KAFKA_NEVER = '9223372036854775807';

/**
 * A count or interval whose default is Kafka's "never" (Long.MAX_VALUE): any integer beyond 2^53
 * (Long.MAX_VALUE included, as Kafka's own describe shows it) means never, which is
 * Number.MAX_SAFE_INTEGER here.
 */
export function neverableKey(options: { readonly doc: string; readonly min: number }): ConfigKey<number> {
  return {
    type: 'long',
    doc: options.doc,
    defaultValue: Number.MAX_SAFE_INTEGER,
    parse(raw) {
      const text = raw.trim();
      if (!/^[+-]?\d+$/.test(text)) throw new Error('not an integer');
      const value = Number(text);
      return Number.isSafeInteger(value) ? value : value > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
    },
    validate: (value) => (value < options.min ? `must be at least ${options.min}` : undefined),
    format: (value) => (value === Number.MAX_SAFE_INTEGER ? KAFKA_NEVER : String(value)),
  };
}

/** A key with its own parser (e.g. `controller.quorum.voters`). */
export function customKey<T>(
  type: string,
  parse: (raw: string) => T,
  format: (value: T) => string,
  options: KeyOptions<T>,
): ConfigKey<T> {
  return { type, doc: options.doc, defaultValue: options.default, parse, validate: options.validate, format };
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

// ---------------------------------------------------------------------------- structured values

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** `host:port` or `[v6]:port`; an empty host means "all interfaces". */
export function parseHostPort(text: string, allowPortZero = false): HostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d+)$/.exec(text.trim());
  if (match === null) throw new Error(`'${text}' is not host:port`);
  const port = Number(match[3]);
  if (port > 65_535 || (port === 0 && !allowPortZero)) throw new Error(`port ${port} out of range`);
  return { host: match[1] ?? match[2] ?? '', port };
}

export interface QuorumVoter extends HostPort {
  readonly id: number;
}

/** Kafka's `controller.quorum.voters`: `1@host1:9093,2@host2:9093,3@[::1]:9093`. */
export function parseQuorumVoters(text: string): QuorumVoter[] {
  const voters: QuorumVoter[] = [];
  for (const item of splitList(text)) {
    const at = item.indexOf('@');
    if (at <= 0) throw new Error(`'${item}' is not id@host:port`);
    const idText = item.slice(0, at);
    if (!/^\d+$/.test(idText)) throw new Error(`'${idText}' in '${item}' is not a node id`);
    const id = Number(idText);
    const { host, port } = parseHostPort(item.slice(at + 1));
    if (host === '') throw new Error(`'${item}' has no host`);
    if (voters.some((voter) => voter.id === id)) throw new Error(`node id ${id} appears twice`);
    voters.push({ id, host, port });
  }
  return voters;
}

export function formatQuorumVoters(voters: readonly QuorumVoter[]): string {
  return voters.map((v) => `${v.id}@${v.host.includes(':') ? `[${v.host}]` : v.host}:${v.port}`).join(',');
}

export interface ListenerEndpoint extends HostPort {
  readonly name: string;
}

/** Kafka's `listeners`: `PLAINTEXT://:9092,CONTROLLER://127.0.0.1:9093`. Port 0 = OS-chosen. */
export function parseListeners(text: string): ListenerEndpoint[] {
  const listeners: ListenerEndpoint[] = [];
  for (const item of splitList(text)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(.*)$/.exec(item);
    if (match === null) throw new Error(`'${item}' is not NAME://host:port`);
    const name = (match[1] as string).toUpperCase();
    if (listeners.some((l) => l.name === name)) throw new Error(`listener ${name} appears twice`);
    listeners.push({ name, ...parseHostPort(match[2] as string, true) });
  }
  return listeners;
}

function formatListeners(listeners: readonly ListenerEndpoint[]): string {
  return listeners.map((l) => `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`).join(',');
}

// ---------------------------------------------------------------------------- .properties

/**
 * Java `.properties` text: `#`/`!` comments, `key=value`, `key:value` or `key value`, trailing
 * `\` continues a line, `\t \n \r \f \\ \uXXXX` escapes. Later duplicates win, as in Java.
 */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const physical = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < physical.length; i++) {
    let line = (physical[i] as string).replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithOddBackslashes(line) && i + 1 < physical.length) {
      line = line.slice(0, -1) + (physical[++i] as string).replace(/^[ \t\f]+/, '');
    }
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1);
    let keyEnd = 0;
    while (keyEnd < line.length) {
      const c = line[keyEnd];
      if (c === '\\') keyEnd += 2;
      else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      else keyEnd++;
    }
    const key = unescapeProperties(line.slice(0, keyEnd));
    let rest = line.slice(keyEnd).replace(/^[ \t\f]+/, '');
    if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]+/, '');
    result.set(key, unescapeProperties(rest));
  }
  return result;
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

function unescapeProperties(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c;
  });
}

// ---------------------------------------------------------------------------- loading

export type ConfigSource = 'default' | 'file' | 'env' | 'override';

export interface ConfigSources {
  /** Path of a `.properties` file. */
  readonly file?: string;
  /** `.properties` text (instead of, or after, `file`). */
  readonly text?: string;
  /** Environment to read `SLUICE_*` variables from; omit to ignore the environment. */
  readonly env?: NodeJS.ProcessEnv;
  readonly envPrefix?: string;
  /** Highest precedence, e.g. `--override node.id=2`. */
  readonly overrides?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

export interface LoadedConfig<S extends ConfigSchema> {
  readonly values: ConfigValues<S>;
  /** Where each key's value came from. */
  readonly origins: ReadonlyMap<keyof S & string, ConfigSource>;
  /** Keys that were given but are not in the schema (Kafka warns about these; so should callers). */
  readonly unknownKeys: readonly string[];
}

/** Kafka's docker-image mapping from a config name to an environment variable name. */
export function envVariableFor(key: string, prefix = 'SLUICE_'): string {
  return prefix + key.replace(/_/g, '__').replace(/-/g, '___').replace(/\./g, '_').toUpperCase();
}

export function loadConfig<S extends ConfigSchema>(schema: S, sources: ConfigSources = {}): LoadedConfig<S> {
  const raw = new Map<string, { text: string; origin: ConfigSource }>();
  const unknownKeys: string[] = [];
  const put = (key: string, text: string, origin: ConfigSource): void => {
    if (!Object.prototype.hasOwnProperty.call(schema, key)) {
      if (!unknownKeys.includes(key)) unknownKeys.push(key);
      return;
    }
    raw.set(key, { text, origin });
  };
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.file, 'utf8');
    } catch (error) {
      throw new ConfigError('config file', sources.file, `cannot be read: ${(error as Error).message}`);
    }
    for (const [key, value] of parseProperties(text)) put(key, value, 'file');
  }
  if (sources.text !== undefined) for (const [key, value] of parseProperties(sources.text)) put(key, value, 'file');
  if (sources.env !== undefined) {
    for (const key of Object.keys(schema)) {
      const value = sources.env[envVariableFor(key, sources.envPrefix)];
      if (value !== undefined) put(key, value, 'env');
    }
  }
  for (const [key, value] of Object.entries(sources.overrides ?? {})) {
    put(key, Array.isArray(value) ? value.join(',') : String(value), 'override');
  }

  const values: Record<string, unknown> = {};
  const origins = new Map<string, ConfigSource>();
  for (const [key, def] of Object.entries(schema)) {
    const given = raw.get(key);
    let value: unknown;
    if (given !== undefined) {
      try {
        value = def.parse(given.text);
      } catch (error) {
        throw new ConfigError(key, given.text, `${(error as Error).message} (expected ${def.type}: ${def.doc})`);
      }
      origins.set(key, given.origin);
    } else if (def.defaultValue !== undefined) {
      value = def.defaultValue;
      origins.set(key, 'default');
    } else {
      throw new ConfigError(key, undefined, `no default; ${def.doc}`);
    }
    const problem = def.validate?.(value);
    if (problem !== undefined) throw new ConfigError(key, def.format(value), problem);
    values[key] = value;
  }
  return { values: values as ConfigValues<S>, origins: origins as Map<keyof S & string, ConfigSource>, unknownKeys };
}

/** One line per key: name, type, default, doc. For `sluice config --describe` and the docs. */
export function describeConfig(schema: ConfigSchema): string[] {
  return Object.entries(schema).map(
    ([key, def]) =>
      `${key} (${def.type}, ${def.defaultValue === undefined ? 'required' : `default '${def.format(def.defaultValue)}'`}): ${def.doc}`,
  );
}

// ---------------------------------------------------------------------------- sluice's keys

const PROCESS_ROLES = ['broker', 'controller', 'coordinator', 'tiering'] as const;

/**
 * Every key sluice reads, with every default. Kafka's name and default unless noted; the
 * controller quorum's timing is tighter than Kafka's (failover target: p99 < 1 s).
 */
export const SLUICE_CONFIG_SCHEMA = {
  'node.id': intKey({ doc: "This node's id; unique in the cluster, the same as in meta.properties.", min: 0 }),
  'process.roles': listKey({
    doc: 'Roles this process plays: broker, controller, or both (combined mode); coordinator and tiering run alone.',
    allowed: PROCESS_ROLES,
    nonEmpty: true,
  }),
  'controller.quorum.voters': customKey('voters', parseQuorumVoters, formatQuorumVoters, {
    doc: 'The controller quorum as id@host:port,...; every controller and every observer must use the same list.',
    default: [],
  }),
  listeners: customKey('listeners', parseListeners, formatListeners, {
    doc: 'Addresses to bind, NAME://host:port,...; port 0 lets the OS choose (tests).',
    default: parseListeners('PLAINTEXT://:9092'),
  }),
  'advertised.listeners': customKey('listeners', parseListeners, formatListeners, {
    doc: 'Addresses published to clients when they differ from listeners; empty = listeners.',
    default: [],
  }),
  'controller.listener.names': listKey({
    doc: 'Listener names used by the controller quorum.',
    default: ['CONTROLLER'],
    nonEmpty: true,
  }),
  'log.dirs': listKey({
    doc: 'Directories holding partition logs.',
    default: ['/tmp/kraft-combined-logs'],
    nonEmpty: true,
  }),
  'metadata.log.dir': stringKey({
    doc: 'Directory of the __cluster_metadata log; empty = the first of log.dirs.',
    default: '',
  }),
  'broker.session.timeout.ms': intKey({
    doc: 'A broker without a heartbeat for this long is fenced.',
    default: 9_000,
    min: 1,
  }),
  'broker.heartbeat.interval.ms': intKey({
    doc: 'How often a broker heartbeats to the controller.',
    default: 2_000,
    min: 1,
  }),
  'controller.quorum.election.timeout.ms': intKey({
    doc: 'Base Raft election timeout; each follower waits a random time in [t, 2t) without a leader before campaigning. Kafka: 1000; sluice: 300 for sub-second failover.',
    default: 300,
    min: 10,
  }),
  'controller.readiness.max.lag.offsets': intKey({
    doc: "(sluice) A controller reports sluice.v1.Controller SERVING (its readiness) only while its applied metadata offset is at most this far behind the quorum leader's commit.",
    default: 100,
    min: 0,
  }),
  'controller.readiness.leader.silence.max.ms': intKey({
    doc: '(sluice) A follower controller reports sluice.v1.Controller NOT_SERVING when the quorum leader has not reached it for longer than this.',
    default: 2_000,
    min: 1,
  }),
  'controller.quorum.heartbeat.interval.ms': intKey({
    doc: '(sluice) How often the Raft leader heartbeats its followers; must be well below the election timeout.',
    default: 50,
    min: 1,
  }),
  'controller.quorum.tick.ms': intKey({
    doc: '(sluice) Raft logical clock resolution; timeouts are multiples of it.',
    default: 25,
    min: 1,
    max: 1_000,
  }),
  'controller.quorum.request.timeout.ms': intKey({
    doc: 'Deadline of one Raft RPC to a peer. Kafka: 2000.',
    default: 1_000,
    min: 1,
  }),
  'metadata.snapshot.interval.entries': intKey({
    doc: '(sluice) Take a metadata snapshot and compact the log every this many applied entries.',
    default: 20_000,
    min: 1,
  }),
  'metrics.host': stringKey({
    doc: '(sluice) Interface of the /metrics and /healthz HTTP server.',
    default: '0.0.0.0',
  }),
  'metrics.port': intKey({
    doc: '(sluice) Port of the /metrics and /healthz HTTP server; 0 = OS-chosen.',
    default: 9_464,
    min: 0,
    max: 65_535,
  }),
  'metrics.consumer.lag.interval.ms': intKey({
    doc: '(sluice) How often a coordinator reads the high watermarks of the partitions its consumer groups committed, for sluice_coordinator_consumer_group_lag; 0 = no lag series.',
    default: 5_000,
    min: 0,
  }),
  'log.level': stringKey({
    doc: '(sluice) Service log level.',
    default: 'info',
    allowed: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
  }),
  'audit.log.file': stringKey({
    doc: '(sluice) Audit log file (JSON lines); empty = <metadata log dir>/audit.log.',
    default: '',
  }),
  'num.partitions': intKey({ doc: 'Default partition count of a new topic.', default: 1, min: 1 }),
  'default.replication.factor': intKey({ doc: 'Default replication factor of a new topic.', default: 1, min: 1 }),
  'min.insync.replicas': intKey({
    doc: 'Replicas that must have a record before acks=all succeeds.',
    default: 1,
    min: 1,
  }),
  'replica.lag.time.max.ms': intKey({
    doc: 'A follower not caught up with the leader for this long leaves the ISR.',
    default: 30_000,
    min: 1,
  }),
  'replica.fetch.wait.max.ms': intKey({
    doc: "Longest a follower's fetch waits at the leader for new records.",
    default: 500,
    min: 0,
  }),
  'replica.fetch.stream.enable': booleanKey({
    doc: '(sluice) Followers fetch from each leader on one long-lived ReplicaFetchStream (a fetch session: answers carry only partitions with something new) instead of one unary Fetch per round, and this broker serves it; false: unary Fetch only, and the stream is refused UNIMPLEMENTED (followers fall back).',
    default: true,
  }),
  'log.retention.check.interval.ms': intKey({
    doc: "How often a broker applies retention (a topic's retention.ms and retention.bytes, the log start offset) to its partition logs.",
    default: 300_000,
    min: 1,
  }),
  'log.flush.interval.messages': neverableKey({
    doc: "Records a partition log may hold unflushed before it is fdatasynced (topic: flush.messages); Kafka's default, never: the OS writes back, and a segment is flushed when it rolls.",
    min: 1,
  }),
  'log.flush.interval.ms': neverableKey({
    doc: "Longest a record may stay unflushed, checked every log.flush.scheduler.interval.ms (topic: flush.ms); Kafka's default, never.",
    min: 0,
  }),
  'log.flush.scheduler.interval.ms': intKey({
    doc: 'How often the broker looks for logs due a flush (flush.ms, and rolled segments a flush missed). Kafka: never, which leaves flush.ms without effect; sluice: 1000. A due flush runs off the event loop.',
    default: 1_000,
    min: 1,
  }),
  'log.flush.offset.checkpoint.interval.ms': intKey({
    doc: "How often each log's recovery point (what is flushed) is written to recovery-point-offset-checkpoint; recovery after a crash rescans from it.",
    default: 60_000,
    min: 1,
  }),
  'log.flush.start.offset.checkpoint.interval.ms': intKey({
    doc: "How often each log's start offset is written to log-start-offset-checkpoint.",
    default: 60_000,
    min: 1,
  }),
  'replica.high.watermark.checkpoint.interval.ms': intKey({
    doc: 'How often the high watermarks are written to replication-offset-checkpoint (when one moved).',
    default: 5_000,
    min: 1,
  }),
  'durable.acks.enable': booleanKey({
    doc: "(sluice) The default of the topic config durable.acks.enable: acks=all is answered only once a majority of the partition's replicas (the leader counted) and every in-sync replica have fdatasynced the records (Redpanda's write.caching=false). Kafka's answer (false): in the page cache of every in-sync replica.",
    default: false,
  }),
  'coordinator.broker': stringKey({
    doc: '(sluice) host:port of the broker this coordinator is paired with; it coordinates the __consumer_offsets partitions that broker leads.',
    default: '',
  }),
  'coordinator.peers': customKey('voters', parseQuorumVoters, formatQuorumVoters, {
    doc: '(sluice) Every coordinator as id@host:port,... (id = its paired broker id), for FindCoordinator answers.',
    default: [],
  }),
  'offsets.topic.num.partitions': intKey({
    doc: 'Partitions of __consumer_offsets (fixed once created).',
    default: 50,
    min: 1,
  }),
  'offsets.topic.replication.factor': intKey({ doc: 'Replication factor of __consumer_offsets.', default: 3, min: 1 }),
  'group.consumer.session.timeout.ms': intKey({
    doc: 'A consumer group member without a heartbeat for this long leaves the group.',
    default: 45_000,
    min: 1,
  }),
  'group.consumer.heartbeat.interval.ms': intKey({
    doc: 'How often consumer group members heartbeat.',
    default: 5_000,
    min: 1,
  }),
  'group.consumer.max.size': intKey({ doc: 'Most members a consumer group may have.', default: 2_147_483_647, min: 1 }),
  'group.consumer.assignment.interval.ms': intKey({
    doc: "Least time between two target-assignment computations of a consumer group (KIP-1263); members joining meanwhile get their partitions from the next one (Kafka 4.3's default, 1000). 0 = compute on every group epoch bump, as Kafka before 4.3.",
    default: 1_000,
    min: 0,
    max: 2_147_483_647,
  }),
  'group.consumer.assignors': listKey({
    doc: 'Server-side assignors members may ask for; the first is the default.',
    default: ['uniform', 'range'],
    allowed: ['uniform', 'range'],
    nonEmpty: true,
  }),
  'group.share.record.lock.duration.ms': intKey({
    doc: 'How long a share group member holds the lock of a record it acquired before the record may be delivered again.',
    default: 30_000,
    min: 1_000,
    max: 3_600_000,
  }),
  'group.share.delivery.count.limit': intKey({
    doc: 'A share group record delivered this many times without being accepted is archived.',
    default: 5,
    min: 2,
    max: 10,
  }),
  'group.share.partition.max.record.locks': intKey({
    doc: 'Most records in flight (acquired or awaiting redelivery) per share group and partition.',
    default: 2_000,
    min: 100,
    max: 10_000,
  }),
  'share.coordinator.addresses': listKey({
    doc: '(sluice) host:port,... of the coordinator service instances a broker reads and writes share group state through; empty = share groups unavailable on this broker.',
    default: [],
  }),
  'share.coordinator.state.topic.num.partitions': intKey({
    doc: "Partitions of __share_group_state, the share coordinator's topic (fixed once created).",
    default: 50,
    min: 1,
  }),
  'share.coordinator.state.topic.replication.factor': intKey({
    doc: 'Replication factor of __share_group_state.',
    default: 3,
    min: 1,
  }),
  'share.coordinator.state.topic.min.isr': intKey({
    doc: 'min.insync.replicas of __share_group_state (capped at its replication factor by the brokers).',
    default: 2,
    min: 1,
  }),
  'group.share.session.timeout.ms': intKey({
    doc: 'A share group member without a heartbeat for this long leaves the group.',
    default: 45_000,
    min: 1,
  }),
  'group.share.heartbeat.interval.ms': intKey({
    doc: 'How often share group members heartbeat.',
    default: 5_000,
    min: 1,
  }),
  'group.share.max.size': intKey({ doc: 'Most members a share group may have.', default: 200, min: 1 }),
  'offset.metadata.max.bytes': intKey({ doc: 'Largest metadata string of an offset commit.', default: 4_096, min: 0 }),
  'log.dir.min.free.bytes': intKey({
    doc: '(sluice) A leader refuses produce requests with KAFKA_STORAGE_ERROR (retriable: producers back off) while its log directory has less free space than this, e.g. while the object store is down and uncopied segments stay local. 0 = off.',
    default: 0,
    min: 0,
  }),
  'log.dir.throttle.free.bytes': intKey({
    doc: '(sluice) Below this much free space in its log directory a leader holds produce answers back (throttle_time_ms), longer as the disk fills: from 0 here to log.dir.throttle.max.ms at log.dir.min.free.bytes (or at a full disk), so producers slow down before they are refused. 0 = off; above log.dir.min.free.bytes when both are set.',
    default: 0,
    min: 0,
  }),
  'log.dir.throttle.max.ms': intKey({
    doc: '(sluice) Longest hold of a produce answer under log.dir.throttle.free.bytes.',
    default: 1_000,
    min: 1,
    max: 30_000,
  }),
  // Tiered storage (KIP-405 names, S3 settings as the Aiven plugin names them). Strings here, empty
  // = unset: packages/tiering's parseClusterTieringConfig owns their defaults and validation.
  'remote.log.storage.system.enable': stringKey({
    doc: "Tiered storage on this broker: copy closed segments of topics with remote.storage.enable=true to S3-compatible storage and serve reads below the local log start from it. Kafka's default: false.",
    default: '',
  }),
  'remote.log.manager.task.interval.ms': stringKey({
    doc: "How often each tiered partition's copy / delete task runs on its leader (default 30000).",
    default: '',
  }),
  'remote.log.manager.compaction.interval.ms': stringKey({
    doc: "How often the leader of a tiered compacted topic's partition compacts its remote segments against everything newer (sluice; default 3600000).",
    default: '',
  }),
  'remote.log.manager.compaction.max.bytes': stringKey({
    doc: 'Remote segment bytes one remote compaction pass rewrites, held in memory at once (sluice; default 67108864, at least 1048576).',
    default: '',
  }),
  'remote.log.manager.copy.max.bytes.per.second': stringKey({
    doc: 'Copy byte-rate quota over all partitions of a broker (default unlimited): copies wait for it.',
    default: '',
  }),
  'remote.log.manager.copy.merge.max.bytes': stringKey({
    doc: 'Consecutive rolled segments ready to copy in the same task run are copied as one remote segment while their bytes stay within this: one PUT and two metadata records for all of them (sluice; default 16777216, 0 = one remote segment per local segment as Kafka, at most 1073741824). Total retention deletes remote data in those units.',
    default: '',
  }),
  'remote.log.manager.fetch.max.bytes.per.second': stringKey({
    doc: 'Remote read byte-rate quota over all partitions of a broker (default unlimited): reads over it are answered late, by at most 5 s each.',
    default: '',
  }),
  'remote.log.reader.threads': stringKey({
    doc: "Remote reads (ranged GETs of chunks, offset indexes) in flight to the object store at once over every fetch of a broker (Kafka's name; default 10). A fetch's remote partitions are read in parallel up to it.",
    default: '',
  }),
  'remote.log.reader.max.pending.tasks': stringKey({
    doc: "Remote reads waiting for remote.log.reader.threads (Kafka's name; default 100); more are refused at once with the retriable KAFKA_STORAGE_ERROR.",
    default: '',
  }),
  'remote.log.metadata.topic.num.partitions': stringKey({
    doc: 'Partitions of __remote_log_metadata, the remote-log metadata topic (default 50; fixed once created).',
    default: '',
  }),
  'remote.log.metadata.topic.replication.factor': stringKey({
    doc: 'Replication factor of __remote_log_metadata (default 3).',
    default: '',
  }),
  'tiering.scrub.interval.ms': intKey({
    doc: '(sluice) How often the tiering service scrubs the object store: objects no remote-log metadata names and stale multipart uploads, older than tiering.scrub.grace.ms, are deleted. 0 = never (on request only).',
    default: 3_600_000,
    min: 0,
  }),
  'tiering.scrub.grace.ms': intKey({
    doc: '(sluice) Age an unnamed object or a multipart upload must reach before a scrub deletes it: longer than any copy takes between its first PUT and its COPY_SEGMENT_STARTED being readable.',
    default: 3_600_000,
    min: 0,
  }),
  'rsm.config.fetch.chunk.size': stringKey({
    doc: 'Bytes per ranged GET when reading a remote segment (default 4194304).',
    default: '',
  }),
  'rsm.config.fetch.chunk.cache.size': stringKey({
    doc: 'Bound of the remote read chunk cache, in bytes (default 268435456; 0 = no cache).',
    default: '',
  }),
  'rsm.config.storage.s3.endpoint.url': stringKey({
    doc: 'S3 endpoint URL (MinIO: http://host:9000); empty = AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS.',
    default: '',
  }),
  'rsm.config.storage.s3.region': stringKey({
    doc: 'S3 region; empty = AWS_REGION / AWS_DEFAULT_REGION.',
    default: '',
  }),
  'rsm.config.storage.s3.bucket.name': stringKey({
    doc: 'S3 bucket of the remote segments (required with remote.log.storage.system.enable=true).',
    default: '',
  }),
  'rsm.config.key.prefix': stringKey({
    doc: "Prefix of every object key ('' or ending in '/').",
    default: '',
  }),
  'rsm.config.storage.s3.path.style.access.enabled': stringKey({
    doc: 'true for path-style requests (MinIO and most self-hosted stores); default false.',
    default: '',
  }),
  'rsm.config.storage.aws.access.key.id': stringKey({
    doc: "S3 access key id; empty = AWS_ACCESS_KEY_ID, else the SDK's default credential chain.",
    default: '',
  }),
  'rsm.config.storage.aws.secret.access.key': stringKey({
    doc: 'S3 secret access key; empty = AWS_SECRET_ACCESS_KEY.',
    default: '',
  }),
  'message.max.bytes': intKey({
    doc: 'Largest record batch a broker accepts, log overhead included (topic: max.message.bytes).',
    default: 1024 * 1024 + 12,
    min: 64,
  }),
  'listener.security.protocol.map': customKey('map', parseSecurityProtocolMap, formatSecurityProtocolMap, {
    doc: 'Listener name -> PLAINTEXT, SSL (TLS), SASL_PLAINTEXT or SASL_SSL (TLS, and every caller must authenticate: a bearer token, or a client certificate from the CA).',
    default: parseSecurityProtocolMap(
      'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    ),
  }),
  'ssl.keystore.location': stringKey({
    doc: "Directory holding this node's TLS identity in the Kubernetes Secret / cert-manager layout: tls.crt (chain), tls.key, ca.crt. Needed by SSL and SASL_SSL listeners and for mutual TLS to peers.",
    default: '',
  }),
  'ssl.truststore.location': stringKey({
    doc: 'PEM CA certificates peers must chain to; empty = ca.crt in ssl.keystore.location.',
    default: '',
  }),
  'ssl.client.auth': stringKey({
    doc: 'Client certificates on TLS listeners: none, requested (verified when presented; services present theirs), required.',
    default: 'none',
    allowed: ['none', 'requested', 'required'],
  }),
  'ssl.certificate.reload.interval.ms': intKey({
    doc: '(sluice) How often the certificate files are read again; a rotated certificate serves new connections from then on.',
    default: 30_000,
    min: 100,
  }),
  'sasl.oauthbearer.jwks.endpoint.url': stringKey({
    doc: "The issuer's JWKS URL; empty = discovered from sasl.oauthbearer.expected.issuer's /.well-known/openid-configuration.",
    default: '',
  }),
  'sasl.oauthbearer.expected.issuer': stringKey({
    doc: 'The `iss` every token must carry; empty = tokens are not accepted.',
    default: '',
  }),
  'sasl.oauthbearer.expected.audience': listKey({
    doc: 'Tokens must name one of these in `aud`; empty = the audience is not checked.',
    default: [],
  }),
  'sasl.oauthbearer.sub.claim.name': stringKey({
    doc: 'The claim naming the principal (User:<claim>).',
    default: 'sub',
  }),
  'sasl.oauthbearer.clock.skew.seconds': intKey({
    doc: 'Tolerated clock difference for exp, nbf and iat.',
    default: 30,
    min: 0,
    max: 3_600,
  }),
  'sasl.oauthbearer.jwks.endpoint.refresh.ms': intKey({
    doc: 'How long fetched JWKS keys are used without a successful refetch; an unknown kid triggers a refetch sooner.',
    default: 3_600_000,
    min: 1_000,
  }),
  'authorizer.class.name': stringKey({
    doc: `ACLs: empty = none (everything allowed), or ${STANDARD_AUTHORIZER}.`,
    default: '',
    allowed: ['', STANDARD_AUTHORIZER],
  }),
  'super.users': customKey('principals', parseSuperUsers, (users) => users.join(';'), {
    doc: 'Principals allowed everything, separated by ; (e.g. User:admin;User:CN=broker-1).',
    default: [],
  }),
  'allow.everyone.if.no.acl.found': booleanKey({
    doc: 'With an authorizer: allow a resource that no ACL covers.',
    default: false,
  }),
  'audit.log.allowed.requests': booleanKey({
    doc: '(sluice) Also audit allowed requests (refused ones and metadata changes are always audited).',
    default: false,
  }),
} satisfies ConfigSchema;

export type SluiceConfig = ConfigValues<typeof SLUICE_CONFIG_SCHEMA>;

/** Loads and cross-checks sluice's configuration (checks that involve more than one key). */
export function loadSluiceConfig(sources: ConfigSources): LoadedConfig<typeof SLUICE_CONFIG_SCHEMA> {
  const loaded = loadConfig(SLUICE_CONFIG_SCHEMA, sources);
  const c = loaded.values;
  if (c['process.roles'].includes('controller')) {
    if (c['controller.quorum.voters'].length === 0) {
      throw new ConfigError('controller.quorum.voters', '', 'must not be empty when process.roles includes controller');
    }
    if (!c['controller.quorum.voters'].some((voter) => voter.id === c['node.id'])) {
      throw new ConfigError(
        'controller.quorum.voters',
        formatQuorumVoters(c['controller.quorum.voters']),
        `must include this node (node.id=${c['node.id']}) because process.roles includes controller`,
      );
    }
  }
  if (c['controller.quorum.heartbeat.interval.ms'] * 2 > c['controller.quorum.election.timeout.ms']) {
    throw new ConfigError(
      'controller.quorum.heartbeat.interval.ms',
      String(c['controller.quorum.heartbeat.interval.ms']),
      `must be at most half of controller.quorum.election.timeout.ms (${c['controller.quorum.election.timeout.ms']})`,
    );
  }
  if (c['controller.quorum.election.timeout.ms'] < c['controller.quorum.tick.ms'] * 2) {
    throw new ConfigError(
      'controller.quorum.election.timeout.ms',
      String(c['controller.quorum.election.timeout.ms']),
      `must be at least two ticks (controller.quorum.tick.ms=${c['controller.quorum.tick.ms']})`,
    );
  }
  return loaded;
}

/**
 * The security of the listener named `listenerName` (PLAINTEXT when the map does not name it),
 * checked as a whole: TLS listeners need
 * ssl.keystore.location, SASL listeners need an issuer (tokens) or TLS with client
 * certificates, ssl.client.auth needs TLS.
 */
export function serviceSecurity(config: SluiceConfig, listenerName: string): ServiceSecurity {
  // A listener name the map does not mention is PLAINTEXT (sluice; Kafka refuses to start), so
  // configurations written before the map existed (any listener name) keep their meaning.
  const protocol = config['listener.security.protocol.map'].get(listenerName.toUpperCase()) ?? 'PLAINTEXT';
  const keystore = config['ssl.keystore.location'];
  if (usesTls(protocol) && keystore === '')
    throw new ConfigError('ssl.keystore.location', '', `is required by the ${protocol} listener ${listenerName}`);
  const clientAuth = config['ssl.client.auth'] as ServiceSecurity['clientAuth'];
  if (clientAuth !== 'none' && !usesTls(protocol))
    throw new ConfigError('ssl.client.auth', clientAuth, `needs a TLS listener; ${listenerName} is ${protocol}`);
  const issuer = config['sasl.oauthbearer.expected.issuer'];
  if (requiresAuthentication(protocol) && issuer === '' && clientAuth === 'none') {
    throw new ConfigError(
      'sasl.oauthbearer.expected.issuer',
      '',
      `the ${protocol} listener ${listenerName} authenticates callers: set the token issuer or ssl.client.auth`,
    );
  }
  const authorizerOn = config['authorizer.class.name'] !== '';
  return {
    protocol,
    tls: keystore === '' ? undefined : tlsFilesIn(keystore, config['ssl.truststore.location']),
    clientAuth,
    certificateReloadIntervalMs: config['ssl.certificate.reload.interval.ms'],
    oauthBearer:
      issuer === ''
        ? undefined
        : {
            jwksEndpointUrl: config['sasl.oauthbearer.jwks.endpoint.url'],
            expectedIssuer: issuer,
            expectedAudience: config['sasl.oauthbearer.expected.audience'],
            subClaimName: config['sasl.oauthbearer.sub.claim.name'],
            clockSkewSeconds: config['sasl.oauthbearer.clock.skew.seconds'],
            jwksRefreshMs: config['sasl.oauthbearer.jwks.endpoint.refresh.ms'],
          },
    authorizer: authorizerOn
      ? {
          superUsers: config['super.users'],
          allowEveryoneIfNoAclFound: config['allow.everyone.if.no.acl.found'],
        }
      : undefined,
    auditAllowed: config['audit.log.allowed.requests'],
  };
}

/** The metadata log directory: `metadata.log.dir`, else the first of `log.dirs`. */
export function metadataLogDir(config: SluiceConfig): string {
  return config['metadata.log.dir'] !== '' ? config['metadata.log.dir'] : (config['log.dirs'][0] as string);
}

/** Milliseconds -> whole ticks, at least `min`. */
export function msToTicks(ms: number, tickMs: number, min = 1): number {
  return Math.max(min, Math.round(ms / tickMs));
}
