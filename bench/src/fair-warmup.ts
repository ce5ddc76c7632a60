/**
 * When a system counts as warm in the fair side-by-side run. A JVM keeps speeding up for about
 * 2 million records (issue 19: Kafka went 27 -> 35 -> 44 -> 50 -> 65-74 MB/s over its first runs),
 * so one fixed warm-up is either too short for Kafka or wasted on sluice. The rule: repeat the
 * same produce run until at least `minRecords` went through AND the last two runs are within
 * `tolerance` of each other (throughput stopped rising); stop at `maxRuns` whatever happens, and
 * say so. Pure: throughputs in, verdict out.
 */
import type { WarmupRule } from './compare-workload';

export interface WarmupRun {
  readonly records: number;
  /** Throughput of the run, any unit (the rule only compares runs with each other). */
  readonly throughput: number;
}

export type WarmupVerdict =
  | { readonly done: false; readonly why: string }
  | { readonly done: true; readonly reason: 'plateau' | 'cap'; readonly why: string };

/** |a - b| relative to the larger of the two (symmetric: neither run is privileged). */
export function relativeDifference(a: number, b: number): number {
  const larger = Math.max(Math.abs(a), Math.abs(b));
  return larger === 0 ? 0 : Math.abs(a - b) / larger;
}

export function validateWarmupRule(rule: WarmupRule): WarmupRule {
  if (!(rule.tolerance > 0 && rule.tolerance < 1))
    throw new RangeError(`warm-up tolerance must be in (0, 1), got ${rule.tolerance}`);
  if (!Number.isSafeInteger(rule.maxRuns) || rule.maxRuns < 2)
    throw new RangeError(`warm-up cap must be at least 2 runs, got ${rule.maxRuns}`);
  if (!Number.isSafeInteger(rule.minRecords) || rule.minRecords < 0)
    throw new RangeError(`warm-up minimum records must be an integer >= 0, got ${rule.minRecords}`);
  return rule;
}

/** Whether the warm-up runs so far are enough; `runs` in the order they ran. */
export function warmupVerdict(runs: readonly WarmupRun[], rule: WarmupRule): WarmupVerdict {
  validateWarmupRule(rule);
  for (const run of runs)
    if (!(run.throughput >= 0) || !Number.isFinite(run.throughput))
      throw new RangeError(`warm-up throughput must be a finite number >= 0, got ${run.throughput}`);
  const records = runs.reduce((sum, run) => sum + run.records, 0);
  const last = runs[runs.length - 1];
  const previous = runs[runs.length - 2];
  if (last !== undefined && previous !== undefined && records >= rule.minRecords) {
    const difference = relativeDifference(last.throughput, previous.throughput);
    if (difference <= rule.tolerance)
      return {
        done: true,
        reason: 'plateau',
        why: `runs ${runs.length - 1} and ${runs.length} within ${(difference * 100).toFixed(1)}% (<= ${(rule.tolerance * 100).toFixed(0)}%) after ${records} records`,
      };
  }
  if (runs.length >= rule.maxRuns)
    return {
      done: true,
      reason: 'cap',
      why: `cap of ${rule.maxRuns} runs reached without two consecutive runs within ${(rule.tolerance * 100).toFixed(0)}% (${records} records)`,
    };
  return {
    done: false,
    why:
      records < rule.minRecords
        ? `${records} of at least ${rule.minRecords} records`
        : `last two runs differ by more than ${(rule.tolerance * 100).toFixed(0)}%`,
  };
}
