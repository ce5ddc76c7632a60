/**
 * The scaling table (issue 19): how produce throughput and server memory grow with partitions
 * and with producers, sluice against Kafka. Which cells run, in which order, and the table they
 * make. Pure: options in, cells out; rows in, markdown out.
 */
import { formatNumber, markdownTable, median } from './table';
import type { ScalingOptions } from './compare-workload';

export interface ScalingCell {
  readonly partitions: number;
  readonly producers: number;
}

/**
 * The producer sweep at the base partition count first, then the partition sweep with one
 * producer, ascending: topics of earlier cells stay (idle) on the cluster, so the big topics come
 * last and weigh on no small cell. A cell in both sweeps runs once.
 */
export function scalingCells(options: ScalingOptions, basePartitions: number): ScalingCell[] {
  const cells: ScalingCell[] = [];
  const add = (cell: ScalingCell): void => {
    if (!cells.some((c) => c.partitions === cell.partitions && c.producers === cell.producers)) cells.push(cell);
  };
  for (const producers of [...options.producerCounts].sort((a, b) => a - b))
    add({ partitions: basePartitions, producers });
  for (const partitions of [...options.partitionCounts].sort((a, b) => a - b)) add({ partitions, producers: 1 });
  return cells;
}

export function cellLabel(cell: ScalingCell): string {
  return `${cell.partitions} partitions, ${cell.producers} producer${cell.producers === 1 ? '' : 's'}`;
}

/** One system in one cell: its measured runs and what creating the cell's topic cost. */
export interface ScalingResult {
  readonly cell: ScalingCell;
  /** `sluice`, `Apache Kafka 4.1.1` */
  readonly system: string;
  /** The reference system of the ratios (Kafka). */
  readonly reference: boolean;
  /** MB/s of each measured run, in the order run. */
  readonly mbPerSecondByRun: readonly number[];
  readonly recordsPerSecondByRun: readonly number[];
  /** Peak summed server RSS over the cell's runs, MiB. */
  readonly peakRssMiB: number;
  /** Summed server RSS once the cell's topic was created and led, before any record, MiB. */
  readonly idleRssMiB: number;
  readonly cpuSecondsPerGBByRun: readonly number[];
  /** From CreateTopics to every partition led with a full ISR. */
  readonly createSeconds: number;
}

export const SCALING_HEADERS = [
  'partitions',
  'producers',
  'system',
  'each run MB/s',
  'MB/s (median)',
  'records/s',
  'server RSS peak MiB',
  'server RSS idle MiB',
  'server CPU s/GB',
  'topic create s',
  '× Kafka MB/s',
  '× Kafka RSS',
];

function ratio(value: number, reference: number | undefined): string {
  if (reference === undefined || reference <= 0 || value <= 0) return '–';
  return `${(value / reference).toFixed(2)}×`;
}

const medianOrZero = (values: readonly number[]): number => (values.length === 0 ? 0 : median(values));

/** One line per result, grouped by cell in the given order; ratios against the cell's reference. */
export function renderScalingTable(results: readonly ScalingResult[]): string {
  const sameCell = (a: ScalingCell, b: ScalingCell): boolean =>
    a.partitions === b.partitions && a.producers === b.producers;
  return markdownTable(
    SCALING_HEADERS,
    results.map((result) => {
      const ref = results.find((other) => other.reference && sameCell(other.cell, result.cell));
      const mb = medianOrZero(result.mbPerSecondByRun);
      return [
        formatNumber(result.cell.partitions, 0),
        String(result.cell.producers),
        result.system,
        result.mbPerSecondByRun.length === 0
          ? '(failed)'
          : result.mbPerSecondByRun.map((v) => v.toFixed(1)).join(' / '),
        formatNumber(mb, 1),
        formatNumber(medianOrZero(result.recordsPerSecondByRun), 0),
        formatNumber(result.peakRssMiB, 0),
        formatNumber(result.idleRssMiB, 0),
        formatNumber(medianOrZero(result.cpuSecondsPerGBByRun), 1),
        formatNumber(result.createSeconds, 1),
        ratio(mb, ref === undefined ? undefined : medianOrZero(ref.mbPerSecondByRun)),
        ratio(result.peakRssMiB, ref?.peakRssMiB),
      ];
    }),
  );
}
