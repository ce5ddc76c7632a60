/**
 * The fair run's schedule and its bookkeeping: the order systems take turns in (alternated, so
 * drift of the machine and of the JVMs during the run falls on every system alike), the record of
 * every run, warm-up or measured, and the median row per (system, setting) the table shows. Pure.
 */
import { median } from './table';
import { cpuSecondsPerGB, mbPerSecond, recordsPerSecond, type ResultRow, type RunFigures } from './compare-table';

/**
 * `runsPerSystem` turns for each system, passes alternating forward and backward: for [A, B] and
 * 4 runs, A B B A A B B A (ABBA blocks). Each system goes first as often as last.
 */
export function alternatingOrder<T>(systems: readonly T[], runsPerSystem: number): T[] {
  if (!Number.isSafeInteger(runsPerSystem) || runsPerSystem < 0)
    throw new RangeError(`runs per system must be an integer >= 0, got ${runsPerSystem}`);
  if (new Set(systems).size !== systems.length) throw new RangeError('alternatingOrder: systems must be distinct');
  const order: T[] = [];
  for (let pass = 0; pass < runsPerSystem; pass++) order.push(...(pass % 2 === 0 ? systems : [...systems].reverse()));
  return order;
}

/** One run as it happened: the row it would be alone, where it fell in the run, and what it was for. */
export interface RunRecord extends ResultRow {
  /** 1-based position among every run of the bench, warm-up included. */
  readonly sequence: number;
  readonly phase: 'warm-up' | 'measured';
}

export function figuresOf(row: ResultRow): RunFigures {
  return {
    mbPerSecond: mbPerSecond(row),
    recordsPerSecond: recordsPerSecond(row),
    cpuSecondsPerGB: cpuSecondsPerGB(row),
    rssMiB: row.rssMiB,
    ...(row.latencyMs === undefined ? {} : { p99Ms: row.latencyMs.p99 }),
  };
}

/**
 * One row per (system, driver, setting) of the measured runs, in first-seen order: totals of
 * records, bytes and seconds, the peak server RSS, summed server CPU, each latency percentile's
 * median, and every run's figures (`runs`), whose medians the table shows.
 */
export function aggregateRuns(runs: readonly RunRecord[]): ResultRow[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    if (run.phase !== 'measured') continue;
    const key = `${run.system}\u0000${run.driver}\u0000${run.setting}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [run]);
    else group.push(run);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as RunRecord;
    const latencies = group.map((run) => run.latencyMs).filter((lat) => lat !== undefined);
    const notes = [...new Set(group.map((run) => run.note).filter((note) => note !== undefined))];
    const row: ResultRow = {
      system: first.system,
      driver: first.driver,
      setting: first.setting,
      kind: first.kind,
      records: group.reduce((sum, run) => sum + run.records, 0),
      bytes: group.reduce((sum, run) => sum + run.bytes, 0),
      seconds: group.reduce((sum, run) => sum + run.seconds, 0),
      rssMiB: Math.max(...group.map((run) => run.rssMiB)),
      serverCpuSeconds: group.reduce((sum, run) => sum + run.serverCpuSeconds, 0),
      runs: group.map(figuresOf),
      ...(first.producer === undefined ? {} : { producer: first.producer }),
      ...(first.compareTo === undefined ? {} : { compareTo: first.compareTo }),
      ...(first.reference === true ? { reference: true } : {}),
      ...(notes.length === 0 ? {} : { note: notes.join('; ') }),
      ...(latencies.length === 0
        ? {}
        : {
            latencyMs: {
              p50: median(latencies.map((lat) => lat.p50)),
              p99: median(latencies.map((lat) => lat.p99)),
              p999: median(latencies.map((lat) => lat.p999)),
              count: latencies.reduce((sum, lat) => sum + lat.count, 0),
            },
          }),
    };
    return row;
  });
}
