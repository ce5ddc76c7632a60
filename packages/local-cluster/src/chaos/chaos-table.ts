/**
 * The closing table of chaos runs: per fault kind, how many times it ran (and under which
 * seeds), the records acknowledged that were sent while it was on or recovering, how many of
 * those were lost or duplicated, and the verdict; then the whole runs (everything sent, faults
 * or not, and every check of the checker).
 */
import { FAULT_KINDS } from './fault-schedule';
import type { ChaosRun } from './chaos-run';
import type { Verdict } from './history';

export interface ChaosRow {
  readonly fault: string;
  readonly runs: number;
  readonly seeds: readonly number[];
  readonly acknowledged: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly verdict: 'PASS' | 'FAIL';
}

export function chaosRows(runs: readonly ChaosRun[]): ChaosRow[] {
  const rows: ChaosRow[] = [];
  for (const kind of FAULT_KINDS) {
    let count = 0;
    let acknowledged = 0;
    let lost = 0;
    let duplicated = 0;
    let failed = false;
    const seeds = new Set<number>();
    for (const run of runs) {
      const ackedIndexes = new Set<number>();
      const lostIndexes = new Set(run.verdict.lost.indexes);
      const duplicatedIndexes = new Set(run.verdict.duplicated.indexes);
      for (const step of run.steps) {
        if (step.fault.kind !== kind) continue;
        count++;
        seeds.add(run.seed);
        if (!run.verdict.ok) failed = true;
        for (let index = step.firstIndex; index < step.endIndex; index++) ackedIndexes.add(index);
      }
      if (ackedIndexes.size === 0) continue;
      const acked = run.ackedIndexes;
      for (const index of ackedIndexes) {
        if (acked.has(index)) acknowledged++;
        if (lostIndexes.has(index)) lost++;
        if (duplicatedIndexes.has(index)) duplicated++;
      }
    }
    if (count === 0) continue;
    rows.push({
      fault: kind,
      runs: count,
      seeds: [...seeds].sort((a, b) => a - b),
      acknowledged,
      lost,
      duplicated,
      verdict: failed || lost > 0 || duplicated > 0 ? 'FAIL' : 'PASS',
    });
  }
  rows.push({
    fault: 'whole runs',
    runs: runs.length,
    seeds: runs.map((run) => run.seed),
    acknowledged: runs.reduce((sum, run) => sum + run.verdict.acknowledged, 0),
    lost: runs.reduce((sum, run) => sum + run.verdict.lost.count, 0),
    duplicated: runs.reduce((sum, run) => sum + run.verdict.duplicated.count, 0),
    verdict: runs.every((run) => run.verdict.ok) ? 'PASS' : 'FAIL',
  });
  return rows;
}

/** A row for one deterministic scenario (no seed): its checker verdict as the table shows it. */
export function scenarioRow(fault: string, verdict: Verdict): ChaosRow {
  return {
    fault,
    runs: 1,
    seeds: [],
    acknowledged: verdict.acknowledged,
    lost: verdict.lost.count,
    duplicated: verdict.duplicated.count,
    verdict: verdict.ok ? 'PASS' : 'FAIL',
  };
}

/** The rows as a markdown table (runs, with their seeds when they have any). */
export function chaosTable(rows: readonly ChaosRow[]): string {
  const lines = [
    '| fault | runs (seeds) | acknowledged | lost | duplicated | checker verdict |',
    '|---|---|---:|---:|---:|---|',
    ...rows.map(
      (row) =>
        `| ${row.fault} | ${row.runs}${row.seeds.length === 0 ? '' : ` (${row.seeds.join(', ')})`} | ` +
        `${row.acknowledged.toLocaleString('en-US')} | ` +
        `${row.lost} | ${row.duplicated} | ${row.verdict} |`,
    ),
  ];
  return lines.join('\n');
}
