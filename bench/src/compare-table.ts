/**
 * Result rows of the side-by-side bench and the one markdown table they print as, each row with
 * its ratio to Apache Kafka's row of the same setting. Pure: no I/O.
 */
import { formatNumber, markdownTable, median } from './table';
import type { SettingKind } from './compare-workload';

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly count: number;
}

export interface ResultRow {
  /** `sluice`, `Apache Kafka 4.4.0`, ... */
  readonly system: string;
  /** The client that drove it: `@sluice/client`, `kafka-tools`, `kafkajs`, `nats.js`, `ioredis`. */
  readonly driver: string;
  readonly setting: string;
  readonly kind: SettingKind;
  /** Records moved (sent and acknowledged, or read). */
  readonly records: number;
  /** Record value bytes moved. */
  readonly bytes: number;
  readonly seconds: number;
  /** End-to-end (send -> receive) latency in ms where measured. */
  readonly latencyMs?: LatencySummary;
  /** Peak of the summed RSS of the system's server processes, MiB. */
  readonly rssMiB: number;
  /** utime + stime of the server processes over the setting, seconds. */
  readonly serverCpuSeconds: number;
  /** What differs from the others in how this row was measured. */
  readonly note?: string;
  /** This row is the reference its setting's ratios are taken against. */
  readonly reference?: boolean;
  /** The producer configuration of a produce row, as the table says it (`batch.size 131072, linger.ms 5`). */
  readonly producer?: string;
  /** The setting whose reference row this row's ratios use (sluice's best against Kafka tuned). */
  readonly compareTo?: string;
  /** A row of several measured runs (the fair run): each run's figures; the row shows their medians. */
  readonly runs?: readonly RunFigures[];
}

/** What one measured run contributes to its row (fair-runs.ts). */
export interface RunFigures {
  readonly mbPerSecond: number;
  readonly recordsPerSecond: number;
  readonly cpuSecondsPerGB: number;
  readonly rssMiB: number;
  readonly p99Ms?: number;
}

const medianOf = (runs: readonly RunFigures[], pick: (run: RunFigures) => number): number => median(runs.map(pick));

/** MB/s (10^6 bytes of record values per second); of a row of runs, the runs' median. */
export function mbPerSecond(row: ResultRow): number {
  if (row.runs !== undefined && row.runs.length > 0) return medianOf(row.runs, (run) => run.mbPerSecond);
  return row.seconds > 0 ? row.bytes / 1e6 / row.seconds : 0;
}

export function recordsPerSecond(row: ResultRow): number {
  if (row.runs !== undefined && row.runs.length > 0) return medianOf(row.runs, (run) => run.recordsPerSecond);
  return row.seconds > 0 ? row.records / row.seconds : 0;
}

/** Server CPU seconds per GB (10^9 bytes) of record values moved; of a row of runs, the median. */
export function cpuSecondsPerGB(row: ResultRow): number {
  if (row.runs !== undefined && row.runs.length > 0) return medianOf(row.runs, (run) => run.cpuSecondsPerGB);
  return row.bytes > 0 ? row.serverCpuSeconds / (row.bytes / 1e9) : 0;
}

/** Each run's figure the row is about: MB/s where throughput is the point, else e2e p99 ms. */
export function eachRun(row: ResultRow): string {
  if (row.runs === undefined || row.runs.length === 0) return '–';
  const throughputMatters = row.kind === 'produce' || row.kind === 'consume';
  return row.runs
    .map((run) => (throughputMatters ? run.mbPerSecond.toFixed(1) : run.p99Ms === undefined ? '–' : ms(run.p99Ms)))
    .join(' / ');
}

/** Nearest-rank percentile of ascending-sorted values (0 for none). */
export function percentile(sorted: readonly number[] | Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarizeLatencies(valuesMs: readonly number[] | Float64Array): LatencySummary {
  const sorted = Float64Array.from(valuesMs).sort();
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    count: sorted.length,
  };
}

function ratio(value: number, reference: number | undefined): string {
  if (reference === undefined || reference <= 0 || value <= 0) return '–';
  const r = value / reference;
  return `${r >= 10 ? r.toFixed(0) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

const ms = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

export const TABLE_HEADERS = [
  'system',
  'driver',
  'setting',
  'producer',
  'runs',
  'each run (MB/s, or e2e p99 ms)',
  'MB/s',
  'records/s',
  'p50 ms',
  'p99 ms',
  'p99.9 ms',
  'server RSS MiB',
  'server CPU s/GB',
  '× Kafka MB/s',
  '× Kafka p99',
  '× Kafka RSS',
  '× Kafka CPU/GB',
];

/**
 * The table: one line per row in the given order. The ratio columns divide by the reference row
 * (Apache Kafka's own tools) of the same setting; throughput ratios only where throughput is the
 * point (produce, consume), latency ratios where latency is.
 */
export function renderTable(rows: readonly ResultRow[]): string {
  const references = new Map<string, ResultRow>();
  for (const row of rows) if (row.reference === true && !references.has(row.setting)) references.set(row.setting, row);
  const lines = rows.map((row) => {
    const ref = references.get(row.compareTo ?? row.setting);
    const throughputMatters = row.kind === 'produce' || row.kind === 'consume';
    const lat = row.latencyMs;
    return [
      row.system,
      row.driver,
      row.setting,
      row.producer ?? '–',
      String(row.runs?.length ?? 1),
      eachRun(row),
      formatNumber(mbPerSecond(row), 1),
      formatNumber(recordsPerSecond(row), 0),
      lat === undefined ? '–' : ms(lat.p50),
      lat === undefined ? '–' : ms(lat.p99),
      lat === undefined ? '–' : ms(lat.p999),
      formatNumber(row.rssMiB, 0),
      formatNumber(cpuSecondsPerGB(row), 1),
      throughputMatters ? ratio(mbPerSecond(row), ref === undefined ? undefined : mbPerSecond(ref)) : '–',
      lat === undefined ? '–' : ratio(lat.p99, ref?.latencyMs?.p99),
      ratio(row.rssMiB, ref?.rssMiB),
      ratio(cpuSecondsPerGB(row), ref === undefined ? undefined : cpuSecondsPerGB(ref)),
    ];
  });
  return markdownTable(TABLE_HEADERS, lines);
}

/** Footnotes: every distinct note, numbered in first-seen order. */
export function renderNotes(rows: readonly ResultRow[]): string {
  const notes: string[] = [];
  for (const row of rows)
    if (row.note !== undefined && !notes.includes(`${row.system} / ${row.driver} / ${row.setting}: ${row.note}`))
      notes.push(`${row.system} / ${row.driver} / ${row.setting}: ${row.note}`);
  return notes.map((note) => `- ${note}`).join('\n');
}
