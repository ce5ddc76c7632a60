/**
 * When the next scrub runs: every `intervalMs` after a success; after failures (the object store
 * or the brokers down) sooner, backing off exponentially with jitter, so a scrub that failed at
 * 03:00 does not wait an hour to try again, and a store that stays down is not hammered. Pure:
 * the random draw is passed in.
 */

export interface ScrubScheduleConfig {
  /** tiering.scrub.interval.ms; 0: never on a schedule (the ScrubRemoteStorage RPC only). */
  readonly intervalMs: number;
  /** First retry delay after a failure. */
  readonly firstRetryMs: number;
  /** Longest retry delay (still never longer than intervalMs). */
  readonly maxRetryMs: number;
}

export const DEFAULT_SCRUB_RETRY: Pick<ScrubScheduleConfig, 'firstRetryMs' | 'maxRetryMs'> = Object.freeze({
  firstRetryMs: 1_000,
  maxRetryMs: 60_000,
});

/**
 * Delay before the next scheduled scrub, or null for none. `consecutiveFailures` counts the runs
 * that failed since the last success (0 after a success); `random` is in [0, 1).
 */
export function nextScrubDelayMs(
  config: ScrubScheduleConfig,
  consecutiveFailures: number,
  random: number,
): number | null {
  if (!(Number.isSafeInteger(consecutiveFailures) && consecutiveFailures >= 0))
    throw new RangeError(`consecutiveFailures ${consecutiveFailures} must be an integer >= 0`);
  if (!(random >= 0 && random < 1)) throw new RangeError(`random ${random} must be in [0, 1)`);
  if (config.intervalMs === 0) return null;
  if (consecutiveFailures === 0) return config.intervalMs;
  // 2^30 ms is 12 days: far past any cap, and the shift stays a safe integer.
  const exponential = config.firstRetryMs * 2 ** Math.min(consecutiveFailures - 1, 30);
  const capped = Math.min(exponential, config.maxRetryMs, config.intervalMs);
  // Half fixed, half jitter: retries of several tiering pods spread out but never come instantly.
  return Math.max(1, Math.round(capped / 2 + (capped / 2) * random));
}
