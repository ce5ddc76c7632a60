/**
 * Authentication runs as a Nest guard before every RPC: it asks the service's `Authenticator`
 * who the caller is and records the principal in the call context (audit, ACLs). Without a
 * configured authenticator every caller is `User:ANONYMOUS`, as on a Kafka PLAINTEXT listener.
 * An authenticator refuses by throwing an ApiError (SASL_AUTHENTICATION_FAILED), which leaves as
 * that Kafka error through the filter.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { ApiError } from '@sluice/protocol';
import {
  ANONYMOUS_PRINCIPAL,
  rpcCallContextOf,
  type PeerCertificateLike,
  type RpcCallContext,
} from './rpc-call-context';
import type { RpcAccessControl } from './security/rpc-access-control';
import { UNAUTHENTICATED_SERVICES } from './security/rpc-access-rules';

/** Where refusals are audited (RpcAccessControl); the same token the authorization guard uses. */
export const RPC_ACCESS_CONTROL = Symbol('RPC_ACCESS_CONTROL');

export interface AuthenticationRequest {
  readonly service: string;
  readonly method: string;
  readonly peerHost: string;
  readonly metadata: Metadata;
  /** The client certificate TLS verified, if any. */
  readonly peerCertificate?: PeerCertificateLike | undefined;
}

/** Who the caller is, and until when its credential holds (a token's `exp`). */
export interface AuthenticatedCaller {
  readonly principal: string;
  /** ms since the epoch; a stream refuses its messages past it. Undefined: no expiry to enforce. */
  readonly credentialExpiresAtMs: number | undefined;
}

export interface Authenticator {
  /** The caller's principal (`User:<name>`), with its expiry if any; throw an ApiError to refuse the call. */
  authenticate(request: AuthenticationRequest): string | AuthenticatedCaller | Promise<string | AuthenticatedCaller>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

/** Kafka's PLAINTEXT listener: nobody is authenticated, everybody is User:ANONYMOUS. */
export class AnonymousAuthenticator implements Authenticator {
  authenticate(): string {
    return ANONYMOUS_PRINCIPAL;
  }
}

@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Optional() @Inject(RPC_ACCESS_CONTROL) private readonly access: RpcAccessControl | null = null,
  ) {}

  /**
   * Synchronous when the authenticator answers synchronously (User:ANONYMOUS, a certificate's
   * subject): Nest takes a boolean as it is, while a Promise costs every call a few more
   * microtask turns (docs/performance.md section 43). Refusals are audited either way.
   */
  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    const context = rpcCallContextOf(execution);
    // Probes carry no identity (Kubernetes' gRPC probes); health says nothing about the data.
    if (UNAUTHENTICATED_SERVICES.has(context.service)) return true;
    let answer: string | AuthenticatedCaller | Promise<string | AuthenticatedCaller>;
    try {
      answer = this.authenticator.authenticate(context);
    } catch (error) {
      this.audit(context, error);
      throw error;
    }
    if (typeof (answer as { then?: unknown }).then !== 'function')
      return this.accept(context, answer as string | AuthenticatedCaller);
    return Promise.resolve(answer).then(
      (caller) => this.accept(context, caller),
      (error: unknown) => {
        this.audit(context, error);
        throw error;
      },
    );
  }

  private accept(context: RpcCallContext, caller: string | AuthenticatedCaller): true {
    if (typeof caller === 'string') context.principal = caller;
    else {
      context.principal = caller.principal;
      context.credentialExpiresAtMs = caller.credentialExpiresAtMs;
    }
    return true;
  }

  private audit(context: RpcCallContext, error: unknown): void {
    if (error instanceof ApiError) this.access?.auditAuthentication(context, error);
  }
}
