/** Bounded waits for the launcher and everything that drives real processes (tests, benches). */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, Math.max(0, ms)));
}

/**
 * Polls `check` every `pollMs` until it is true; an error thrown by `check` counts as "not yet"
 * (a server still starting refuses connections). Throws naming `what`, the bound and the last
 * error after `timeoutMs`.
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  pollMs = 100,
): Promise<void> {
  if (!(timeoutMs > 0) || !(pollMs > 0)) throw new RangeError(`waitFor ${what}: timeoutMs and pollMs must be > 0`);
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(pollMs);
  }
  const last =
    lastError === undefined
      ? ''
      : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
}
