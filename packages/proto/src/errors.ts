/**
 * Kafka-named `ApiError`s across gRPC: the server turns an ApiError into a gRPC status plus
 * trailing metadata, the client turns that back into an ApiError with the same name, code,
 * retriability and detail. Anything that is not an ApiError leaves the server as
 * UNKNOWN_SERVER_ERROR with a generic message and a reference id; its stack stays in the
 * server's log.
 *
 * Trailer keys (all lowercase ASCII, as HTTP/2 requires):
 * - `sluice-error-name`: Kafka's error name, e.g. `NOT_CONTROLLER`
 * - `sluice-error-code`: Kafka's numeric code, e.g. `41`
 * - `sluice-retriable`: `true` / `false`
 * - one `sluice-<kebab-case key>` per detail entry: `{ leaderAddress }` -> `sluice-leader-address`.
 *   Values are printable ASCII; other characters (and `%`) are percent-encoded.
 */
import { randomBytes } from 'node:crypto';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { ServiceError, StatusObject } from '@grpc/grpc-js';
import { API_ERRORS, ApiError, isApiErrorName } from '@sluice/protocol';
import type { ApiErrorName } from '@sluice/protocol';

export const ERROR_NAME_KEY = 'sluice-error-name';
export const ERROR_CODE_KEY = 'sluice-error-code';
export const ERROR_RETRIABLE_KEY = 'sluice-retriable';
const DETAIL_PREFIX = 'sluice-';
const RESERVED_KEYS = new Set([ERROR_NAME_KEY, ERROR_CODE_KEY, ERROR_RETRIABLE_KEY]);
/** Bound on the status message we put on the wire (HTTP/2 header size limits are ~8 KiB by default). */
const MAX_MESSAGE_CHARS = 2_000;

type KafkaName = Exclude<ApiErrorName, 'NONE'>;

/** Names whose gRPC status is not derived from retriability (see `grpcStatusFor`). */
const STATUS_BY_NAME: Partial<Record<KafkaName, GrpcStatus>> = {
  UNKNOWN_SERVER_ERROR: GrpcStatus.UNKNOWN,
  REQUEST_TIMED_OUT: GrpcStatus.DEADLINE_EXCEEDED,
  UNKNOWN_TOPIC_OR_PARTITION: GrpcStatus.NOT_FOUND,
  UNKNOWN_TOPIC_ID: GrpcStatus.NOT_FOUND,
  RESOURCE_NOT_FOUND: GrpcStatus.NOT_FOUND,
  GROUP_ID_NOT_FOUND: GrpcStatus.NOT_FOUND,
  UNKNOWN_MEMBER_ID: GrpcStatus.NOT_FOUND,
  BROKER_ID_NOT_REGISTERED: GrpcStatus.NOT_FOUND,
  SHARE_SESSION_NOT_FOUND: GrpcStatus.NOT_FOUND,
  TOPIC_ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  DUPLICATE_BROKER_REGISTRATION: GrpcStatus.ALREADY_EXISTS,
  UNSUPPORTED_VERSION: GrpcStatus.UNIMPLEMENTED,
  OFFSET_OUT_OF_RANGE: GrpcStatus.OUT_OF_RANGE,
  CORRUPT_MESSAGE: GrpcStatus.INVALID_ARGUMENT,
  MESSAGE_TOO_LARGE: GrpcStatus.INVALID_ARGUMENT,
  RECORD_LIST_TOO_LARGE: GrpcStatus.INVALID_ARGUMENT,
  POLICY_VIOLATION: GrpcStatus.INVALID_ARGUMENT,
  UNSUPPORTED_COMPRESSION_TYPE: GrpcStatus.INVALID_ARGUMENT,
  UNSUPPORTED_ASSIGNOR: GrpcStatus.INVALID_ARGUMENT,
  GROUP_MAX_SIZE_REACHED: GrpcStatus.RESOURCE_EXHAUSTED,
  SASL_AUTHENTICATION_FAILED: GrpcStatus.UNAUTHENTICATED,
  TOPIC_AUTHORIZATION_FAILED: GrpcStatus.PERMISSION_DENIED,
  GROUP_AUTHORIZATION_FAILED: GrpcStatus.PERMISSION_DENIED,
  CLUSTER_AUTHORIZATION_FAILED: GrpcStatus.PERMISSION_DENIED,
};

/**
 * The gRPC status for a Kafka error name: explicit entries above; `INVALID_*` -> INVALID_ARGUMENT;
 * other retriable errors (not leader, not available, not enough replicas, ...) -> UNAVAILABLE,
 * meaning "try again, perhaps elsewhere"; everything else (fencing, stale epochs, ...) ->
 * FAILED_PRECONDITION. Clients must look at the Kafka name, never only at the gRPC status.
 */
export function grpcStatusFor(name: KafkaName): GrpcStatus {
  const explicit = STATUS_BY_NAME[name];
  if (explicit !== undefined) return explicit;
  if (name.startsWith('INVALID_')) return GrpcStatus.INVALID_ARGUMENT;
  return API_ERRORS[name].retriable ? GrpcStatus.UNAVAILABLE : GrpcStatus.FAILED_PRECONDITION;
}

export function detailKeyToMetadataKey(key: string): string | null {
  const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const metadataKey = `${DETAIL_PREFIX}${kebab}`;
  // Binary (-bin) keys and anything outside HTTP/2's token alphabet cannot carry our text values.
  if (!/^[a-z0-9][a-z0-9-]*$/.test(kebab) || kebab.endsWith('-bin') || RESERVED_KEYS.has(metadataKey)) return null;
  return metadataKey;
}

export function metadataKeyToDetailKey(metadataKey: string): string {
  return metadataKey.slice(DETAIL_PREFIX.length).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function encodeValue(value: string): string {
  return value.replace(/[^\x20-\x24\x26-\x7e]/gu, (c) => encodeURIComponent(c));
}

function decodeValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function truncate(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}...`;
}

/** The text an ApiError was built with (its `message` minus the `NAME: ` prefix ApiError adds). */
function rawMessage(error: ApiError): string {
  const prefix = `${error.errorName}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

export interface ServerErrorReporter {
  /** Called for errors that are not ApiErrors, with the reference id the client sees. */
  (error: unknown, referenceId: string): void;
}

/**
 * The status object a grpc-js handler passes to its callback (or `call.emit('error', ...)`).
 * Non-ApiErrors are reported to `report` (log them there, with their stack) and become
 * UNKNOWN_SERVER_ERROR carrying only a reference id.
 */
export function toGrpcStatus(
  error: unknown,
  report?: ServerErrorReporter,
): Partial<StatusObject> & { code: GrpcStatus } {
  let apiError: ApiError;
  if (error instanceof ApiError) {
    apiError = error;
  } else {
    const referenceId = randomBytes(6).toString('hex');
    report?.(error, referenceId);
    apiError = new ApiError('UNKNOWN_SERVER_ERROR', `internal error, reference ${referenceId} (see the server log)`);
  }
  const metadata = new Metadata();
  metadata.set(ERROR_NAME_KEY, apiError.errorName);
  metadata.set(ERROR_CODE_KEY, String(apiError.code));
  metadata.set(ERROR_RETRIABLE_KEY, String(apiError.retriable));
  for (const [key, value] of Object.entries(apiError.detail)) {
    const metadataKey = detailKeyToMetadataKey(key);
    if (metadataKey !== null) metadata.set(metadataKey, encodeValue(value));
  }
  return { code: grpcStatusFor(apiError.errorName), details: truncate(encodeValue(rawMessage(apiError))), metadata };
}

function firstText(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Client side: the ApiError a failed call stands for. A sluice server's trailers give the exact
 * name and detail; otherwise the gRPC status decides (deadline -> REQUEST_TIMED_OUT, unreachable
 * -> NETWORK_EXCEPTION, anything else -> UNKNOWN_SERVER_ERROR).
 */
export function fromGrpcError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const serviceError = error as Partial<ServiceError> | undefined;
  const metadata = serviceError?.metadata instanceof Metadata ? serviceError.metadata : undefined;
  const details = decodeValue(serviceError?.details ?? (error instanceof Error ? error.message : String(error)));
  const name = firstText(metadata, ERROR_NAME_KEY);
  if (name !== undefined && isApiErrorName(name) && name !== 'NONE') {
    const detail: Record<string, string> = {};
    for (const [key, values] of Object.entries(metadata?.getMap() ?? {})) {
      if (!key.startsWith(DETAIL_PREFIX) || RESERVED_KEYS.has(key) || typeof values !== 'string') continue;
      detail[metadataKeyToDetailKey(key)] = decodeValue(values);
    }
    return new ApiError(name, details, detail);
  }
  switch (serviceError?.code) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new ApiError('REQUEST_TIMED_OUT', details);
    case GrpcStatus.UNAVAILABLE:
      return new ApiError('NETWORK_EXCEPTION', details);
    case GrpcStatus.CANCELLED:
      return new ApiError('NETWORK_EXCEPTION', `call cancelled: ${details}`);
    default:
      return new ApiError('UNKNOWN_SERVER_ERROR', details);
  }
}
