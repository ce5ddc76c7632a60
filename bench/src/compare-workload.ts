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
  /** Produce settings: the producer configuration both systems run with (absent: client defaults). */
  readonly producer?: ProducerTuning;
  /** Only these systems run it (sluice's own best setting); absent: every system. */
  readonly onlySystems?: readonly SystemName[];
  /** The label of the setting whose Kafka row this one's ratios are taken against (absent: its own). */
  readonly compareTo?: string;
  /**
   * Produce: keyless records whose partition the client's partitioner picks (sticky, KIP-480), as
   * ProducerPerformance sends them; absent: the load loop's round robin (the quick pass, as before).
   */
  readonly clientPartitioner?: boolean;
}

/**
 * A producer configuration, applied the same way to every client that has the knob (sluice's
 * Producer, Kafka's ProducerPerformance); undefined fields stay at the client's default.
 */
export interface ProducerTuning {
  /**
   * `defaults`, `tuned` (the same tuning for both), `sluice best` (sluice's own best, sluice only),
   * `serial` (the e2e serial row's producer: what Kafka's EndToEndLatency sets).
   */
  readonly name: 'defaults' | 'tuned' | 'sluice best' | 'serial';
  /** `batch.size` in bytes. */
  readonly batchSizeBytes?: number;
  /** `linger.ms`. */
  readonly lingerMs?: number;
}

/** Kafka 4's producer defaults (KIP-1030 made linger.ms 5), which sluice's Producer shares. */
export const PRODUCER_DEFAULTS: ProducerTuning = { name: 'defaults' };
/** How a user tunes both for throughput (the workload). */
export const PRODUCER_TUNED: ProducerTuning = { name: 'tuned', batchSizeBytes: 131_072, lingerMs: 5 };
/**
 * sluice's own best: a batch of up to 1 MiB (max.request.size), linger.ms 5. Issue 19 measured
 * `sluice produce --batch-size 1048576` at the same plateau as 131072; `--sluice-best` overrides.
 */
export const SLUICE_BEST_DEFAULT: ProducerTuning = { name: 'sluice best', batchSizeBytes: 1_048_576, lingerMs: 5 };
/**
 * The e2e serial row's producer: linger.ms 0, as Kafka's EndToEndLatency sets it for its own
 * producer (kafka-tools 4.1.1, `EndToEndLatency.createKafkaProducer`). One record at a time has
 * nothing to batch with; with the default 5 ms linger sluice's side would wait 5 ms a record that
 * Kafka's side does not.
 */
export const SERIAL_PRODUCER: ProducerTuning = { name: 'serial', lingerMs: 0 };

/** `batch.size 131072, linger.ms 5`, or `client defaults (batch.size 16384, linger.ms 5)`. */
export function describeTuning(tuning: ProducerTuning | undefined): string {
  if (tuning === undefined || (tuning.batchSizeBytes === undefined && tuning.lingerMs === undefined))
    return 'client defaults (batch.size 16384, linger.ms 5)';
  const parts = [
    tuning.batchSizeBytes === undefined ? 'batch.size default' : `batch.size ${tuning.batchSizeBytes}`,
    tuning.lingerMs === undefined ? 'linger.ms default' : `linger.ms ${tuning.lingerMs}`,
  ];
  return parts.join(', ');
}

/** Kafka producer properties (`batch.size=131072`) for a tuning; none for the defaults. */
export function kafkaProducerProps(tuning: ProducerTuning | undefined): string[] {
  const props: string[] = [];
  if (tuning?.batchSizeBytes !== undefined) props.push(`batch.size=${tuning.batchSizeBytes}`);
  if (tuning?.lingerMs !== undefined) props.push(`linger.ms=${tuning.lingerMs}`);
  return props;
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
/** What --scaling runs unless --systems says otherwise. */
export const SCALING_SYSTEMS: readonly SystemName[] = ['sluice', 'kafka'];

export interface Plan {
  readonly workload: Workload;
  readonly systems: readonly SystemName[];
  readonly outputDir: string | undefined;
  /** Leave data directories in place. */
  readonly keep: boolean;
  /**
   * Fill free memory with clean page cache before measuring (page-cache-ballast.ts says why): on
   * by default in the fair run against Kafka, off elsewhere (fillPageCacheChoice).
   */
  readonly fillPageCache: boolean;
  /** Profile sluice's brokers (V8 sampling profiler) into this directory. */
  readonly cpuProfileDir: string | undefined;
  /** With cpuProfileDir: also sample every allocation and count GCs (brokers and load process). */
  readonly heapProfile: boolean;
  /**
   * sluice's tracing rows: percentages of traces sampled (OpenTelemetry on in every broker and in
   * the clients, exporting OTLP), each its own cluster, produce and e2e settings only. The plain
   * sluice rows are tracing off.
   */
  readonly tracingPercents: readonly number[];
  /** sluice's secure rows (TLS + OIDC tokens + ACLs, produce and e2e settings); `--security off` skips them. */
  readonly security: boolean;
  /**
   * `fair` (the default): sluice and Kafka up side by side, each warmed to its plateau, every
   * setting run in alternating order several times (compare-fair); `quick`: one cold pass per
   * system, a smoke; `scaling`: throughput and RSS over partitions and producers (compare-scaling).
   */
  readonly mode: 'fair' | 'quick' | 'scaling';
  readonly fair: FairOptions;
  readonly scaling: ScalingOptions;
}

export interface FairOptions {
  /** Measured runs per system of each produce setting. */
  readonly produceRuns: number;
  /** Measured runs per system of each consume, e2e and serial setting. */
  readonly probeRuns: number;
  readonly warmup: WarmupRule;
}

/** When a system counts as warm: see fair-warmup.ts. */
export interface WarmupRule {
  /** Two consecutive runs within this fraction of each other (0.05: 5%) end the warm-up... */
  readonly tolerance: number;
  /** ...once at least this many records went through the warm-up runs... */
  readonly minRecords: number;
  /** ...and at the latest after this many runs (the cap), plateau or not. */
  readonly maxRuns: number;
}

export interface ScalingOptions {
  /** Partition counts of the partition sweep (one producer). */
  readonly partitionCounts: readonly number[];
  /** Producer counts of the producer sweep (at the workload's partition count). */
  readonly producerCounts: readonly number[];
  /** Measured runs per system per cell. */
  readonly runs: number;
}

export class UsageError extends Error {}

export const USAGE = `usage: pnpm bench:compare [--quick | --scaling] [--systems sluice,kafka,kafkajs,nats,redis]
  [--record-size 1024] [--records N] [--partitions 6 (--quick: 12)] [--replication 3] [--acks all,leader,durable]
  [--producers 1] [--consumers 1] [--rate N] [--seconds N] [--produce-seconds N] [--consume-records N] [--serial-records N] [--max-in-flight N] [--warmup-records N]
  [--settings produce,consume,latency,serial] [--tracing 1,100|off] [--security on|off] [--out DIR] [--keep] [--fill-page-cache | --no-fill-page-cache] [--cpu-prof DIR [--heap-prof]]
  fair run (the default): [--runs 4] [--probe-runs 2] [--producer-configs defaults,tuned,best]
  [--sluice-best batch.size=1048576,linger.ms=5] [--warmup-tolerance 5] [--warmup-min-records 3000000] [--warmup-max-runs 12]
  --scaling: [--scaling-partitions 6,60,600,6000] [--scaling-producers 1,4,16] [--runs 2]`;

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
  '--fill-page-cache',
  '--no-fill-page-cache',
  '--heap-prof',
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
  '--consume-records',
  '--max-in-flight',
  '--produce-seconds',
  '--warmup-records',
  '--settings',
  '--out',
  '--cpu-prof',
  '--tracing',
  '--security',
  '--scaling',
  '--runs',
  '--probe-runs',
  '--producer-configs',
  '--sluice-best',
  '--warmup-tolerance',
  '--warmup-min-records',
  '--warmup-max-runs',
  '--scaling-partitions',
  '--scaling-producers',
]);
const BOOLEAN_FLAGS = new Set([
  '--quick',
  '--keep',
  '--fill-page-cache',
  '--no-fill-page-cache',
  '--scaling',
  '--heap-prof',
]);

/**
 * Whether the bench fills free memory with clean page cache first (page-cache-ballast.ts). On by
 * default in the fair run when Kafka is in it: the table against a peer must not move with how much
 * memory happened to be free (docs/performance.md sections 41-42). Off by default elsewhere: the
 * quick pass is a smoke, and a sluice-only fair run is what `bench:builds` runs in both checkouts,
 * where an older build has no ballast (like with like). The scaling table does not use it.
 */
export function fillPageCacheChoice(
  argv: readonly string[],
  mode: Plan['mode'],
  systems: readonly SystemName[],
): boolean {
  const on = argv.includes('--fill-page-cache');
  const off = argv.includes('--no-fill-page-cache');
  if (on && off) throw new UsageError('--fill-page-cache and --no-fill-page-cache: pick one');
  if (on || off) return on;
  return mode === 'fair' && systems.includes('kafka');
}

/**
 * Records a consume run reads. The fair run reads 1,500,000 (about 1.5 GB, 4 s at 400 MB/s): a
 * read of 300,000 lasted under a second, so the start of a read (offset lookups, connections, the
 * first fetch) weighed up to a tenth of it and two runs of one system differed by 25%. An explicit
 * `--records` still sets it too, so `bench:builds` compares builds from before this rule like with
 * like (their consume row reads `--records`).
 */
export const FAIR_CONSUME_RECORDS = 1_500_000;

function defaultConsumeRecords(argv: readonly string[], records: number, quick: boolean): number {
  if (quick || argv.includes('--records')) return records;
  return FAIR_CONSUME_RECORDS;
}

export function formatRate(rate: number): string {
  return rate.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/** `--heap-prof` writes next to the CPU profiles, so it needs `--cpu-prof DIR`. */
function heapProfile(argv: readonly string[]): boolean {
  if (!argv.includes('--heap-prof')) return false;
  if (flagValue(argv, '--cpu-prof') === undefined) throw new UsageError('--heap-prof needs --cpu-prof DIR');
  return true;
}

/** A comma list of positive integers (`6,60,600`). */
function intList(argv: readonly string[], name: string, fallback: readonly number[]): number[] {
  const raw = flagValue(argv, name);
  if (raw === undefined) return [...fallback];
  const values = raw.split(',').map((item) => Number(item.trim().replace(/_/g, '')));
  if (values.length === 0 || values.some((value) => !Number.isSafeInteger(value) || value < 1))
    throw new UsageError(`${name} must be a comma list of positive integers, not ${JSON.stringify(raw)}`);
  return values;
}

/** `--sluice-best batch.size=1048576,linger.ms=5`: sluice's own best producer setting. */
export function parseTuning(raw: string, name: ProducerTuning['name']): ProducerTuning {
  let batchSizeBytes: number | undefined;
  let lingerMs: number | undefined;
  for (const item of raw.split(',')) {
    const [key, value, ...rest] = item.trim().split('=');
    const number = Number(value);
    if (rest.length > 0 || value === undefined || !Number.isSafeInteger(number) || number < 0)
      throw new UsageError(`--sluice-best: ${JSON.stringify(item)} is not key=integer`);
    if (key === 'batch.size' && number >= 1) batchSizeBytes = number;
    else if (key === 'linger.ms') lingerMs = number;
    else throw new UsageError(`--sluice-best: ${JSON.stringify(item)}: only batch.size (>= 1) and linger.ms are known`);
  }
  return {
    name,
    ...(batchSizeBytes === undefined ? {} : { batchSizeBytes }),
    ...(lingerMs === undefined ? {} : { lingerMs }),
  };
}

/** The table label of a produce setting: `produce acks=all`, or `produce acks=all · tuned` in the fair run. */
export function produceLabel(acks: Acks, tuning: ProducerTuning | undefined): string {
  return tuning === undefined ? `produce acks=${acksLabel(acks)}` : `produce acks=${acksLabel(acks)} · ${tuning.name}`;
}

type ProducerConfigName = 'defaults' | 'tuned' | 'best';

/**
 * Flags to a plan. Fair (the default): 300,000 records a produce run, each produce setting on
 * producer defaults and tuned, plus sluice's best. Quick: a few seconds per setting, sluice and
 * Kafka only, one cold pass (about 2 minutes on an idle 2-core machine).
 */
export function parsePlan(argv: readonly string[]): Plan {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    if (!KNOWN_FLAGS.has(arg)) throw new UsageError(`unknown flag ${arg}`);
    if (!BOOLEAN_FLAGS.has(arg)) i++;
  }
  const quick = argv.includes('--quick');
  const scaling = argv.includes('--scaling');
  if (quick && scaling) throw new UsageError('--quick and --scaling are different runs: pick one');
  const mode: Plan['mode'] = quick ? 'quick' : scaling ? 'scaling' : 'fair';
  const recordBytes = positiveInt(argv, '--record-size', 1024);
  if (recordBytes < 16)
    throw new UsageError('--record-size must be at least 16 (the send time rides in the first 8 bytes)');
  const records = positiveInt(argv, '--records', quick ? 50_000 : 300_000);
  const rate = positiveInt(argv, '--rate', quick ? 1_000 : 5_000);
  // The fair run's e2e rows: 20 s at 5,000/s is 100,000 samples a run (100 beyond p99.9), and
  // keeps the whole run under 25 minutes on 2 cores; serial 1,000 records one at a time likewise.
  const seconds = positiveInt(argv, '--seconds', quick ? 3 : scaling ? 30 : 20);
  const produceSeconds = positiveInt(argv, '--produce-seconds', quick ? 4 : 60);
  const serialRecords = positiveInt(argv, '--serial-records', quick ? 100 : 1_000);
  const consumeRecords = positiveInt(argv, '--consume-records', defaultConsumeRecords(argv, records, quick));
  const acksList = list<Acks>(argv, '--acks', ['all', 'leader', 'durable'], quick ? ['all'] : ['all', 'leader']);
  const kinds = list<SettingKind>(
    argv,
    '--settings',
    ['produce', 'consume', 'latency', 'serial'],
    scaling ? ['produce'] : ['produce', 'consume', 'latency', 'serial'],
  );
  // The quick pass keeps one produce row per acks on producer defaults; the fair run both
  // defaults and the shared tuning, plus sluice's own best; the scaling run the shared tuning.
  const configNames = list<ProducerConfigName>(
    argv,
    '--producer-configs',
    ['defaults', 'tuned', 'best'],
    quick ? ['defaults'] : scaling ? ['tuned'] : ['defaults', 'tuned', 'best'],
  );
  const sluiceBestRaw = flagValue(argv, '--sluice-best');
  const sluiceBest = sluiceBestRaw === undefined ? SLUICE_BEST_DEFAULT : parseTuning(sluiceBestRaw, 'sluice best');
  const settings: Setting[] = [];
  for (const acks of acksList) {
    if (!kinds.includes('produce')) break;
    const base = { kind: 'produce' as const, acks, records, rate: 0, seconds: produceSeconds };
    if (quick) {
      // The quick pass keeps its round robin: bench:builds compares it with older builds' runs.
      settings.push({ ...base, label: produceLabel(acks, undefined), producer: PRODUCER_DEFAULTS });
      continue;
    }
    const fairBase = { ...base, clientPartitioner: true };
    if (configNames.includes('defaults'))
      settings.push({ ...fairBase, label: produceLabel(acks, PRODUCER_DEFAULTS), producer: PRODUCER_DEFAULTS });
    if (configNames.includes('tuned'))
      settings.push({ ...fairBase, label: produceLabel(acks, PRODUCER_TUNED), producer: PRODUCER_TUNED });
    if (configNames.includes('best'))
      settings.push({
        ...fairBase,
        label: produceLabel(acks, sluiceBest),
        producer: sluiceBest,
        onlySystems: ['sluice'],
        ...(configNames.includes('tuned') ? { compareTo: produceLabel(acks, PRODUCER_TUNED) } : {}),
      });
  }
  // The backlog read back is a produce setting's, topped up (or, without one, filled) to the
  // records a consume run reads (the quick pass reads what its first produce setting left).
  if (kinds.includes('consume'))
    settings.push({
      kind: 'consume',
      acks: acksList[0] ?? 'all',
      records: consumeRecords,
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
      producer: SERIAL_PRODUCER,
      records: serialRecords,
      rate: 0,
      seconds: 0,
      label: 'e2e serial acks=all',
    });
  const workload: Workload = {
    recordBytes,
    // The workload has 6; the quick pass keeps its 12, as older builds run it (bench:builds).
    partitions: positiveInt(argv, '--partitions', quick ? 12 : 6),
    replication: positiveInt(argv, '--replication', 3),
    producers: positiveInt(argv, '--producers', 1),
    consumers: positiveInt(argv, '--consumers', 1),
    maxInFlight: positiveInt(argv, '--max-in-flight', 20_000),
    warmupRecords: nonNegativeInt(argv, '--warmup-records', quick ? 0 : 100_000),
    settings,
    quick,
  };
  const tolerancePercent = Number(flagValue(argv, '--warmup-tolerance') ?? '5');
  if (!Number.isFinite(tolerancePercent) || tolerancePercent <= 0 || tolerancePercent >= 100)
    throw new UsageError(`--warmup-tolerance must be a percentage in (0, 100), not ${tolerancePercent}`);
  const warmupMaxRuns = positiveInt(argv, '--warmup-max-runs', 12);
  if (warmupMaxRuns < 2)
    throw new UsageError('--warmup-max-runs must be at least 2 (the rule compares two consecutive runs)');
  const fair: FairOptions = {
    produceRuns: positiveInt(argv, '--runs', scaling ? 2 : 4),
    probeRuns: positiveInt(argv, '--probe-runs', 2),
    warmup: {
      tolerance: tolerancePercent / 100,
      minRecords: nonNegativeInt(argv, '--warmup-min-records', 3_000_000),
      maxRuns: warmupMaxRuns,
    },
  };
  const scalingOptions: ScalingOptions = {
    partitionCounts: intList(argv, '--scaling-partitions', [6, 60, 600, 6_000]),
    producerCounts: intList(argv, '--scaling-producers', [1, 4, 16]),
    runs: fair.produceRuns,
  };
  // kafkajs (a second view of Kafka whose group join is slow), NATS and Redis run in full runs,
  // or when named with --systems; the scaling table is sluice against Kafka's own tools.
  const systems = list(argv, '--systems', SYSTEMS, quick ? QUICK_SYSTEMS : scaling ? SCALING_SYSTEMS : SYSTEMS);
  return {
    workload,
    systems,
    outputDir: flagValue(argv, '--out'),
    keep: argv.includes('--keep'),
    fillPageCache: fillPageCacheChoice(argv, mode, systems),
    cpuProfileDir: flagValue(argv, '--cpu-prof'),
    heapProfile: heapProfile(argv),
    // The tracing and security rows measure sluice against itself: in the quick pass by default,
    // in the fair and scaling runs only when asked (they would take the fair run past 25 minutes).
    tracingPercents: tracingPercents(flagValue(argv, '--tracing'), quick ? [1, 100] : []),
    security: onOff(flagValue(argv, '--security'), '--security', quick),
    mode,
    fair,
    scaling: scalingOptions,
  };
}

function onOff(raw: string | undefined, flag: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new UsageError(`${flag} must be on or off, got ${JSON.stringify(raw)}`);
}

/** `--tracing 1,100` (sampled percentages) or `--tracing off` (no tracing rows). */
function tracingPercents(raw: string | undefined, fallback: readonly number[]): number[] {
  if (raw === undefined) return [...fallback];
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
