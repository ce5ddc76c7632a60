/**
 * The fair run's log as tables: every warm-up run (marked as such, with the rule's verdict after
 * each) and every measured run in the order it ran, so a reader sees the spread behind each median
 * and can check the alternation. Pure: records in, markdown out.
 */
import { formatNumber, markdownTable } from './table';
import { mbPerSecond, recordsPerSecond, type LatencySummary } from './compare-table';
import type { RunRecord } from './fair-runs';

const ms = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

const latency = (lat: LatencySummary | undefined): string =>
  lat === undefined ? '–' : `${ms(lat.p50)} / ${ms(lat.p99)} / ${ms(lat.p999)}`;

export const RUN_LOG_HEADERS = [
  '#',
  'phase',
  'system',
  'setting',
  'MB/s',
  'records/s',
  'e2e p50 / p99 / p99.9 ms',
  'server RSS MiB',
  'server CPU s',
  'verdict',
];

/**
 * One line per run in `sequence` order; `verdicts` maps a warm-up run's sequence to what the
 * warm-up rule said after it (`continue: ...`, `warm: plateau ...`).
 */
export function renderRunLog(runs: readonly RunRecord[], verdicts: ReadonlyMap<number, string> = new Map()): string {
  const sorted = [...runs].sort((a, b) => a.sequence - b.sequence);
  return markdownTable(
    RUN_LOG_HEADERS,
    sorted.map((run) => [
      String(run.sequence),
      run.phase === 'warm-up' ? 'warm-up (not measured)' : 'measured',
      run.system,
      run.setting,
      formatNumber(mbPerSecond(run), 1),
      formatNumber(recordsPerSecond(run), 0),
      latency(run.latencyMs),
      formatNumber(run.rssMiB, 0),
      formatNumber(run.serverCpuSeconds, 1),
      verdicts.get(run.sequence) ?? '',
    ]),
  );
}
