/**
 * KIP-368's client side for a long-lived stream: plan when to replace a stream before the token it
 * opened with expires. At 0.8 of the token's remaining life (Kafka's sasl.login.refresh.window.factor,
 * when a refreshing source refreshes) the source is asked again, then again halfway to exp each
 * time (a source refreshing on its own clock may run a little behind); a token different from the
 * one the stream opened with makes the replacement due. A source with nothing newer (a static
 * token) never does: the broker's refusal at exp and the reopen after it take over.
 */
import type { TokenSource } from '@sluice/proto';
import { tokenExpiryMs } from './token-providers';

/** Part of its token's remaining life after which a stream is replaced. */
export const STREAM_REFRESH_WINDOW_FACTOR = 0.8;
/** Closer to exp than this the source is not asked again. */
const MIN_CHECK_DELAY_MS = 50;

/**
 * Watches the token a stream opened with (asked of `tokens` now, as the call's credentials just
 * did: a fresh source gives the same token) and calls `onDue` once a newer one is there, while
 * `isCurrent()`. Returns the function that stops watching (the stream ended or was replaced).
 */
export function watchStreamToken(tokens: TokenSource, isCurrent: () => boolean, onDue: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const live = (): boolean => !stopped && isCurrent();
  const openedAtMs = Date.now();
  tokens.token().then(
    (openedWith) => {
      const expiresAtMs = tokenExpiryMs(openedWith);
      if (expiresAtMs === undefined || !live()) return;
      const arm = (delayMs: number): void => {
        if (delayMs < MIN_CHECK_DELAY_MS) return;
        timer = setTimeout(ask, delayMs);
        timer.unref();
      };
      const ask = (): void => {
        timer = undefined;
        if (!live()) return;
        tokens.token().then(
          (now) => {
            if (!live()) return;
            if (now !== openedWith) onDue();
            else arm((expiresAtMs - Date.now()) / 2);
          },
          () => undefined,
        );
      };
      arm(Math.max(MIN_CHECK_DELAY_MS, STREAM_REFRESH_WINDOW_FACTOR * (expiresAtMs - openedAtMs)));
    },
    // No token now: the call's credentials fail the stream, and that error surfaces there.
    () => undefined,
  );
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
