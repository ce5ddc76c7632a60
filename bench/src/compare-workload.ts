/**
 * The one workload of the side-by-side bench (`pnpm bench:compare`), the same for every system:
 * record size, partitions, replication, producers and consumers, and the settings each system
 * runs (peak produce with acks=all and acks=leader, reading the backlog back, end-to-end latency
 * at a target rate, one record at a time). Pure: flags in, plan out.
 */

/**
 * `durable`: acks=all on a topic whose acknowledgements wait for fdatasync (sluice's
 * durable.acks.enable=true; Kafka's nearest, flush.messages=1, fsyncs every append on every
 * replica without group commit). Systems without one skip it.
 */
export type Acks = 'all' | 'leader' | 'durable';

function acksLabel(acks: Acks): string {
  return acks === 'durable' ? 'all (durable)' : acks;
}

/** What a client sends as its acks for the setting (`durable` is acks=all on a durable topic). */
export function clientAcks(acks: Acks): 'all' | 'leader' {
  return acks === 'leader' ? 'leader' : 'all';
}

/** What one row of the table measures. */
export type SettingKind =
  /** Producers send `records` (or for `seconds`, whichever ends first) as fast as they are acknowledged; no consumer. */
  | 'produce'
  /** One consumer reads the backlog the produce setting left, from the first record. */
  | 'consume'
  /** Producers paced at `rate` records/s for `seconds`, a consumer tailing: send -> receive. */
  | 'latency'
  /** One record in flight: send, wait for the ack, poll until it arrives (Kafka's EndToEndLatency). */
  | 'serial';

export interface Setting {
  readonly kind: SettingKind;
  readonly acks: Acks;
  /** Records to send (produce, serial) or to read (consume: what the produce setting left). */
  readonly records: number;
  /** Paced settings: records per second over all producers. */
  readonly rate: number;
  /** Paced settings: how long; produce: the most it may take (0: no bound). */
  readonly seconds: number;
  /** Short label for the table: `produce acks=all`, `e2e @ 2,000/s acks=all`. */
  readonly label: string;
}

export interface Workload {
  readonly recordBytes: number;
  readonly partitions: number;
  /** Copies of every record where the system replicates (Redis: master + replicas). */
  readonly replication: number;
  readonly producers: number;
  readonly consumers: number;
  /** Most records a producer leaves unacknowledged in the peak setting. */
  readonly maxInFlight: number;
  /** Records produced (acks=all) before the first setting and not measured: JITs and caches warm. */
  readonly warmupRecords: number;
  readonly settings: readonly Setting[];
  readonly quick: boolean;
}

export const SYSTEMS = ['sluice', 'kafka', 'kafkajs', 'nats', 'redis'] as const;
export type SystemName = (typeof SYSTEMS)[number];
/** What --quick runs unless --systems says otherwise. */
export const QUICK_SYSTEMS: readonly SystemName[] = ['sluice', 'kafka'];

export interface Plan {
  readonly workload: Workload;
  readonly systems: readonly SystemName[];
  readonly outputDir: string | undefined;
  /** Leave data directories in place. */
  readonly keep: boolean;
  /** Profile sluice's brokers (V8 sampling profiler) into this directory. */
  readonly cpuProfileDir: string | undefined;
  /**
   * sluice's tracing rows: percentages of traces sampled (OpenTelemetry on in every broker and in
   * the clients, exporting OTLP), each its own cluster, produce and e2e settings only. The plain
   * sluice rows are tracing off.
   */
  readonly tracingPercents: readonly number[];
  /** sluice's secure rows (TLS + OIDC tokens + ACLs, produce and e2e settings); `--security off` skips them. */
  readonly security: boolean;
}

export class UsageError extends Error {}

export const USAGE = `usage: pnpm bench:compare [--quick] [--systems sluice,kafka,kafkajs,nats,redis]
  [--record-size 1024] [--records N] [--partitions 12] [--replication 3] [--acks all,leader,durable]
  [--producers 1] [--consumers 1] [--rate N] [--seconds N] [--produce-seconds N] [--serial-records N] [--max-in-flight N] [--warmup-records N]
  [--settings produce,consume,latency,serial] [--tracing 1,100|off] [--security on|off] [--out DIR] [--keep] [--cpu-prof DIR]`;

function flagValue(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return value;
}

function positiveInt(argv: readonly string[], name: string, fallback: number): number {
  const raw = flagValue(argv, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`${name} must be a positive integer, not ${JSON.stringify(raw)}`);
  return value;
}

function nonNegativeInt(argv: readonly string[], name: string, fallback: number): number {
  const raw = flagValue(argv, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 0)
    throw new UsageError(`${name} must be an integer >= 0, not ${JSON.stringify(raw)}`);
  return value;
}

function list<T extends string>(
  argv: readonly string[],
  name: string,
  allowed: readonly T[],
  fallback: readonly T[],
): T[] {
  const raw = flagValue(argv, name);
  if (raw === undefined) return [...fallback];
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const item of items)
    if (!allowed.includes(item as T))
      throw new UsageError(`${name}: ${JSON.stringify(item)} is not one of ${allowed.join(', ')}`);
  return items as T[];
}

const KNOWN_FLAGS = new Set([
  '--quick',
  '--keep',
  '--systems',
  '--record-size',
  '--records',
  '--partitions',
  '--replication',
  '--acks',
  '--producers',
  '--consumers',
  '--rate',
  '--seconds',
  '--serial-records',
  '--max-in-flight',
  '--produce-seconds',
  '--warmup-records',
  '--settings',
  '--out',
  '--cpu-prof',
  '--tracing',
  '--security',
]);
const BOOLEAN_FLAGS = new Set(['--quick', '--keep']);

export function formatRate(rate: number): string {
  return rate.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/** Flags to a plan. Quick: a few seconds per setting, sluice and Kafka only (about 2 minutes on an idle 2-core machine). */
export function parsePlan(argv: readonly string[]): Plan {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    if (!KNOWN_FLAGS.has(arg)) throw new UsageError(`unknown flag ${arg}`);
    if (!BOOLEAN_FLAGS.has(arg)) i++;
  }
  const quick = argv.includes('--quick');
  const recordBytes = positiveInt(argv, '--record-size', 1024);
  if (recordBytes < 16)
    throw new UsageError('--record-size must be at least 16 (the send time rides in the first 8 bytes)');
  const records = positiveInt(argv, '--records', quick ? 50_000 : 500_000);
  const rate = positiveInt(argv, '--rate', quick ? 1_000 : 5_000);
  const seconds = positiveInt(argv, '--seconds', quick ? 3 : 30);
  const produceSeconds = positiveInt(argv, '--produce-seconds', quick ? 4 : 60);
  const serialRecords = positiveInt(argv, '--serial-records', quick ? 100 : 2_000);
  const acksList = list<Acks>(argv, '--acks', ['all', 'leader', 'durable'], quick ? ['all'] : ['all', 'leader']);
  const kinds = list<SettingKind>(
    argv,
    '--settings',
    ['produce', 'consume', 'latency', 'serial'],
    ['produce', 'consume', 'latency', 'serial'],
  );
  const settings: Setting[] = [];
  for (const acks of acksList) {
    if (kinds.includes('produce'))
      settings.push({
        kind: 'produce',
        acks,
        records,
        rate: 0,
        seconds: produceSeconds,
        label: `produce acks=${acksLabel(acks)}`,
      });
  }
  // The backlog read back is the first produce setting's (or, without one, a fill of `records`).
  if (kinds.includes('consume'))
    settings.push({
      kind: 'consume',
      acks: acksList[0] ?? 'all',
      records,
      rate: 0,
      seconds: 0,
      label: 'consume backlog',
    });
  if (kinds.includes('latency'))
    for (const acks of acksList)
      settings.push({
        kind: 'latency',
        acks,
        records: rate * seconds,
        rate,
        seconds,
        label: `e2e @ ${formatRate(rate)}/s acks=${acksLabel(acks)}`,
      });
  if (kinds.includes('serial'))
    settings.push({
      kind: 'serial',
      acks: 'all',
      records: serialRecords,
      rate: 0,
      seconds: 0,
      label: 'e2e serial acks=all',
    });
  const workload: Workload = {
    recordBytes,
    partitions: positiveInt(argv, '--partitions', 12),
    replication: positiveInt(argv, '--replication', 3),
    producers: positiveInt(argv, '--producers', 1),
    consumers: positiveInt(argv, '--consumers', 1),
    maxInFlight: positiveInt(argv, '--max-in-flight', 20_000),
    warmupRecords: nonNegativeInt(argv, '--warmup-records', quick ? 0 : 100_000),
    settings,
    quick,
  };
  // --quick is the check against issue 7's goal (sluice vs Kafka's own tools), in about 2 minutes:
  // kafkajs (a second view of Kafka whose group join is slow), NATS and Redis run in full runs,
  // or when named with --systems.
  return {
    workload,
    systems: list(argv, '--systems', SYSTEMS, quick ? QUICK_SYSTEMS : SYSTEMS),
    outputDir: flagValue(argv, '--out'),
    keep: argv.includes('--keep'),
    cpuProfileDir: flagValue(argv, '--cpu-prof'),
    tracingPercents: tracingPercents(flagValue(argv, '--tracing')),
    security: onOff(flagValue(argv, '--security'), '--security', true),
  };
}

function onOff(raw: string | undefined, flag: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new UsageError(`${flag} must be on or off, got ${JSON.stringify(raw)}`);
}

/** `--tracing 1,100` (sampled percentages; default both) or `--tracing off` (no tracing rows). */
function tracingPercents(raw: string | undefined): number[] {
  if (raw === undefined) return [1, 100];
  if (raw.trim() === 'off') return [];
  return raw.split(',').map((item) => {
    const percent = Number(item.trim().replace(/%$/, ''));
    if (!Number.isFinite(percent) || percent <= 0 || percent > 100)
      throw new UsageError(`--tracing: ${JSON.stringify(item)} is not a percentage in (0, 100]`);
    return percent;
  });
}

/** Which partition the i-th record of a producer goes to: round robin, offset per producer. */
export function partitionOf(producer: number, index: number, partitions: number): number {
  return (producer + index) % partitions;
}
