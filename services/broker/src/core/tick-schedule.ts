/**
 * Periodic work on one clock. The broker's shell has a single timer that calls `tick(nowMs)`
 * every `tickIntervalMs`; this says which jobs are due at that tick, each at its own cadence
 * (Kafka's several schedulers: ISR checks every replica.lag.time.max.ms / 2, retention every
 * log.retention.check.interval.ms, ...).
 *
 * The tick interval is the shortest cadence (never below MIN_TICK_MS nor above MAX_TICK_MS), so a
 * job runs within half a tick of its interval: it is due once `intervalMs - tickIntervalMs / 2`
 * has passed since it last ran. The half-tick slack absorbs timer jitter (a timer fires a
 * millisecond "early" by the wall clock as often as late), so a job whose interval is a multiple
 * of the tick runs on exactly that multiple. Like the setIntervals it replaces, a job never runs
 * twice to catch up after a stall, and nothing is due at the first tick before a full interval.
 */
import { assert } from './assert';

export const MIN_TICK_MS = 10;
export const MAX_TICK_MS = 100;

export class TickSchedule<Job extends string> {
  readonly tickIntervalMs: number;
  private readonly intervals: ReadonlyMap<Job, number>;
  private readonly lastRunMs = new Map<Job, number>();

  constructor(intervalsMs: Readonly<Record<Job, number>>, startMs: number) {
    const entries = Object.entries(intervalsMs) as [Job, number][];
    assert(entries.length > 0, 'a tick schedule needs at least one job');
    for (const [job, intervalMs] of entries) {
      assert(
        Number.isSafeInteger(intervalMs) && intervalMs > 0,
        `job ${job}: interval ${intervalMs} ms must be a positive integer`,
      );
      this.lastRunMs.set(job, startMs);
    }
    this.intervals = new Map(entries);
    const shortest = Math.min(...entries.map(([, intervalMs]) => intervalMs));
    this.tickIntervalMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, shortest));
  }

  intervalMs(job: Job): number {
    return this.intervals.get(job)!;
  }

  /** The jobs due at `nowMs`, each recorded as run now. */
  due(nowMs: number): ReadonlySet<Job> {
    const due = new Set<Job>();
    const slackMs = this.tickIntervalMs / 2;
    for (const [job, intervalMs] of this.intervals) {
      const last = this.lastRunMs.get(job)!;
      // A clock stepped back (the wall clock may): count the interval again from now.
      if (nowMs < last) this.lastRunMs.set(job, nowMs);
      if (nowMs - last < intervalMs - slackMs) continue;
      due.add(job);
      this.lastRunMs.set(job, nowMs);
    }
    return due;
  }
}
