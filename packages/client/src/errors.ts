/**
 * Errors the client adds on top of @sluice/protocol's Kafka-named ApiError. Every error a client
 * call rejects with is an ApiError, so `error.errorName` and `error.retriable` always apply.
 */
import { ApiError, isApiErrorName } from '@sluice/protocol';

/**
 * No controller in the bootstrap list answered within the call's time bound (all unreachable,
 * timed out, or none of them knew a leader). Retriable: the same call may succeed once the
 * cluster is up. `reason` is the message without the error-name prefix, for CLI output.
 */
export class NoControllerReachableError extends ApiError {
  readonly reason: string;

  constructor(
    readonly bootstrap: readonly string[],
    readonly timeoutMs: number,
    readonly lastError: ApiError | undefined,
  ) {
    const reason = `no controller reachable at ${bootstrap.join(',')} within ${timeoutMs} ms${lastError === undefined ? '' : ` (last error: ${summarize(lastError)})`}`;
    super('NETWORK_EXCEPTION', reason, { bootstrap: bootstrap.join(',') });
    this.name = 'NoControllerReachableError';
    this.reason = reason;
  }
}

/** grpc-js's "No connection established. Last error: Error: connect ECONNREFUSED h:p. Resolution note: " -> "connect ECONNREFUSED h:p". */
function summarize(error: ApiError): string {
  const connect = /connect (E[A-Z]+) (\S+?)\.?(?:\s|$)/.exec(error.message);
  return connect === null ? error.message : `${error.errorName}: connect ${connect[1]} ${connect[2]}`;
}

/** The text of an ApiError without the `NAME: ` prefix ApiError puts in `message`. */
export function errorReason(error: ApiError): string {
  const prefix = `${error.errorName}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/** What a user should read: `NAME: reason`, or just the reason when no controller was reachable. */
export function describeApiError(error: ApiError): string {
  return error instanceof NoControllerReachableError ? error.reason : error.message;
}

/**
 * The ApiError for a Kafka error name a broker answered with (unknown names are
 * UNKNOWN_SERVER_ERROR). A broker's message is often its own ApiError's, `NAME: reason`: the
 * prefix is dropped so that the client's error does not read `NAME: NAME: reason`.
 */
export function apiErrorFromName(errorName: string, message: string): ApiError {
  const prefix = `${errorName}: `;
  const reason = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  if (isApiErrorName(errorName) && errorName !== 'NONE') return new ApiError(errorName, reason || errorName);
  return new ApiError('UNKNOWN_SERVER_ERROR', `${errorName}: ${reason}`);
}

/** The detail the broker and coordinator put on the end of a stream whose bearer token expired. */
const STREAM_CREDENTIAL_EXPIRED_DETAIL = 'streamCredentialExpired';

/**
 * Whether a stream ended because the token it was opened with expired (KIP-368): reopening it
 * asks the token source again, which is the cure when the source refreshes; the refused messages
 * were not applied.
 */
export function isStreamCredentialExpired(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.errorName === 'SASL_AUTHENTICATION_FAILED' &&
    error.detail[STREAM_CREDENTIAL_EXPIRED_DETAIL] === 'true'
  );
}
