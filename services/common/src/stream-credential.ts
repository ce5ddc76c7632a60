/**
 * Kafka's KIP-368 for long-lived streams: a stream authenticated with a bearer token is good only
 * until the token's `exp`. The guards authenticate a stream once, when it opens; the stream's
 * handler then checks each message against the expiry the guard remembered (`checkStreamCredential`)
 * and a server stream, which receives no messages, ends itself at the expiry
 * (`onStreamCredentialExpiry`). A certificate keeps no expiry here: TLS checked its validity at
 * the handshake. The refusal is SASL_AUTHENTICATION_FAILED, audited like any refusal, and carries
 * `detail.streamCredentialExpired` so a client knows that reopening with a fresh token is the cure.
 */
import { ApiError } from '@sluice/protocol';
import type { RpcCallContext } from './rpc-call-context';

/** The detail key a refusal for an expired stream credential carries (`'true'`). */
export const STREAM_CREDENTIAL_EXPIRED_DETAIL = 'streamCredentialExpired';

/** Largest delay a Node timer takes (ms, about 24.8 days); a longer expiry is re-armed. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** Where the refusal is audited: RpcAccessControl.auditAuthentication. */
export interface CredentialRefusalAudit {
  auditAuthentication(call: RpcCallContext, error: ApiError): void;
}

/** The refusal of a message (or a server stream) whose token expired while the stream was open. */
export function streamCredentialExpired(caller: RpcCallContext, rpcName: string): ApiError {
  const expiresAtMs = caller.credentialExpiresAtMs ?? 0;
  return new ApiError(
    'SASL_AUTHENTICATION_FAILED',
    `token expired at ${new Date(expiresAtMs).toISOString()} on an open stream (${rpcName}); reopen the stream with a fresh token`,
    { [STREAM_CREDENTIAL_EXPIRED_DETAIL]: 'true' },
  );
}

/** Whether `error` is that refusal (the stream was ended; a fresh token reopens it). */
export function isStreamCredentialExpired(error: unknown): error is ApiError {
  return error instanceof ApiError && error.detail[STREAM_CREDENTIAL_EXPIRED_DETAIL] === 'true';
}

/**
 * Throws (and audits) the refusal when the stream's credential expired by `nowMs`; a stream
 * without a context (security off) or without an expiry (a certificate) passes.
 */
export function checkStreamCredential(
  caller: RpcCallContext | undefined,
  rpcName: string,
  audit: CredentialRefusalAudit | null | undefined,
  nowMs?: number,
): void {
  // The clock is read only for a stream with an expiry: certificate streams (replication) pay nothing.
  if (caller?.credentialExpiresAtMs === undefined || (nowMs ?? Date.now()) < caller.credentialExpiresAtMs) return;
  const refusal = streamCredentialExpired(caller, rpcName);
  audit?.auditAuthentication(caller, refusal);
  throw refusal;
}

/**
 * Calls `onExpired` with the (audited) refusal once the stream's credential expires; returns the
 * function that clears the timer (call it when the stream ends). No expiry, no timer.
 */
export function onStreamCredentialExpiry(
  caller: RpcCallContext | undefined,
  rpcName: string,
  audit: CredentialRefusalAudit | null | undefined,
  onExpired: (refusal: ApiError) => void,
  clock: () => number = Date.now,
): () => void {
  const expiresAtMs = caller?.credentialExpiresAtMs;
  if (caller === undefined || expiresAtMs === undefined) return () => {};
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const delayMs = expiresAtMs - clock();
    if (delayMs > 0) {
      timer = setTimeout(arm, Math.min(delayMs, MAX_TIMER_DELAY_MS));
      timer.unref();
      return;
    }
    timer = undefined;
    const refusal = streamCredentialExpired(caller, rpcName);
    audit?.auditAuthentication(caller, refusal);
    onExpired(refusal);
  };
  arm();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}
