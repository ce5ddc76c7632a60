/**
 * What every RPC handler may know about its call, built once per call before the handler runs:
 * which RPC, who called (the authenticated principal and the peer's host, as Kafka's ACLs and
 * audit log name them) and the caller's W3C trace context. Guards fill it (authentication),
 * interceptors read it (metrics, tracing), controllers take it with `@RpcCall()`.
 */
import { createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { monotonicSeconds, PhaseClock } from '@sluice/runtime';

export interface RpcCallContext {
  /** Fully qualified service, e.g. `sluice.v1.Broker`. */
  readonly service: string;
  /** The RPC's name as in the proto, e.g. `Produce`. */
  readonly method: string;
  /** The caller's host (no port), e.g. `127.0.0.1`; `unknown` when grpc-js cannot tell. */
  readonly peerHost: string;
  /** Kafka's principal form, `User:<name>`; set by the authentication guard. */
  principal: string;
  /**
   * When the credential the call authenticated with stops being valid (ms since the epoch): a
   * bearer token's `exp`, set by the authentication guard; undefined for a certificate (TLS checks
   * its validity at the handshake) or no credential. Streams refuse messages past it (KIP-368).
   */
  credentialExpiresAtMs: number | undefined;
  /** The caller's `traceparent` metadata (W3C Trace Context), when sent. */
  readonly traceparent: string | undefined;
  readonly metadata: Metadata;
  /**
   * The client certificate TLS verified against the CA, if the caller presented one (mutual
   * TLS); undefined on plaintext, without one, or when it did not verify.
   */
  readonly peerCertificate: PeerCertificateLike | undefined;
  /**
   * Where the call's time goes (queue, local, remote; see @sluice/runtime request-phases): in
   * `queue` from the moment grpc-js handed the call over; the metrics interceptor moves it to
   * `local` when the handler starts, request paths move it on (e.g. `remote` while acks=all waits).
   */
  readonly phases: PhaseClock;
}

/** What a verified client certificate tells (node's tls PeerCertificate, the parts we read). */
export interface PeerCertificateLike {
  readonly subject?: Record<string, string | string[] | undefined>;
}

/** The grpc-js call object Nest hands a gRPC handler as its third argument. */
interface GrpcCallLike {
  getPath?(): string;
  getPeer?(): string;
  getAuthContext?(): { sslPeerCertificate?: PeerCertificateLike };
  metadata?: Metadata;
}

const contexts = new WeakMap<object, RpcCallContext>();
/** When grpc-js handed each call to the server (monotonic seconds), stamped by SluiceGrpcServer. */
const receivedAt = new WeakMap<object, number>();

/** Stamps the moment grpc-js handed `call` over: the start of its queue time. */
export function markCallReceived(call: object): void {
  receivedAt.set(call, monotonicSeconds());
}

/** `ipv4:127.0.0.1:5000` / `ipv6:[::1]:5000` / `127.0.0.1:5000` -> the host part; a unix socket stays whole. */
export function peerHostOf(peer: string): string {
  if (peer.startsWith('unix:')) return peer;
  const withoutScheme = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(withoutScheme);
  if (bracketed !== null) return bracketed[1] as string;
  const at = withoutScheme.lastIndexOf(':');
  return at > 0 && withoutScheme.indexOf(':') === at ? withoutScheme.slice(0, at) : withoutScheme || 'unknown';
}

function pathParts(path: string): { service: string; method: string } {
  const match = /^\/([^/]+)\/([^/]+)$/.exec(path);
  return match === null
    ? { service: 'unknown', method: path }
    : { service: match[1] as string, method: match[2] as string };
}

function isGrpcCall(candidate: unknown): candidate is GrpcCallLike {
  return (
    typeof candidate === 'object' && candidate !== null && typeof (candidate as GrpcCallLike).getPath === 'function'
  );
}

function asGrpcCall(candidate: unknown): GrpcCallLike | undefined {
  return isGrpcCall(candidate) ? candidate : undefined;
}

/** The call's context, created on first use (the guard runs first and sets the principal). */
export function rpcCallContextOf(execution: ExecutionContext): RpcCallContext {
  // Unary and server-stream handlers get the grpc-js call third; @GrpcStreamCall handlers first.
  // (Read per guard, interceptor and parameter of every call: no array or closure made for it.)
  const third = execution.getArgByIndex<unknown>(2);
  const call = isGrpcCall(third) ? third : asGrpcCall(execution.getArgByIndex<unknown>(0));
  const key: object = call ?? execution;
  let context = contexts.get(key);
  if (context !== undefined) return context;
  const metadata = (call?.metadata ?? execution.switchToRpc().getContext<Metadata>()) as Metadata;
  let peer = 'unknown';
  let peerCertificate: PeerCertificateLike | undefined;
  try {
    peer = call?.getPeer?.() ?? 'unknown';
    peerCertificate = call?.getAuthContext?.().sslPeerCertificate;
  } catch {
    // grpc-js throws once the call is closed; the context is then of no use anyway.
  }
  const { service, method } = pathParts(call?.getPath?.() ?? `/unknown/${execution.getHandler().name}`);
  const traceparent = metadata?.get?.('traceparent')[0];
  context = {
    service,
    method,
    peerHost: peerHostOf(peer),
    principal: ANONYMOUS_PRINCIPAL,
    credentialExpiresAtMs: undefined,
    traceparent: typeof traceparent === 'string' ? traceparent : undefined,
    metadata,
    peerCertificate,
    phases: new PhaseClock(
      monotonicSeconds,
      'queue',
      (call === undefined ? undefined : receivedAt.get(call)) ?? monotonicSeconds(),
    ),
  };
  contexts.set(key, context);
  return context;
}

/** The context the guards built for a raw call (a @GrpcStreamCall handler's stream), if any. */
export function rpcCallContextOfCall(call: object): RpcCallContext | undefined {
  return contexts.get(call);
}

/**
 * The caller of a @GrpcStreamCall whose messages are authorized one by one (the guards
 * authenticated the stream once): its context when access control is on, where a missing one is a
 * bug; undefined when it is off.
 */
export function streamCallerOf(call: object, accessEnabled: boolean, rpcName: string): RpcCallContext | undefined {
  if (!accessEnabled) return undefined;
  const caller = contexts.get(call);
  if (caller === undefined) throw new Error(`assertion: a ${rpcName} reached its handler without a call context`);
  return caller;
}

/** Kafka's principal on a listener without authentication. */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

/** Controller parameter decorator: `handle(@Payload() request, @RpcCall() call: RpcCallContext)`. */
export const RpcCall = createParamDecorator((_data: unknown, execution: ExecutionContext) =>
  rpcCallContextOf(execution),
);

/**
 * Controller parameter decorator for the raw grpc-js call (Nest's third handler argument), for
 * the few handlers that write a stream themselves with backpressure.
 */
export const GrpcCall = createParamDecorator((_data: unknown, execution: ExecutionContext): unknown =>
  execution.getArgByIndex(2),
);
