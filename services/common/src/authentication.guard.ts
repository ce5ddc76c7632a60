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
import { ANONYMOUS_PRINCIPAL, rpcCallContextOf, type PeerCertificateLike } from './rpc-call-context';
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

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const context = rpcCallContextOf(execution);
    // Probes carry no identity (Kubernetes' gRPC probes); health says nothing about the data.
    if (UNAUTHENTICATED_SERVICES.has(context.service)) return true;
    try {
      const caller = await this.authenticator.authenticate(context);
      if (typeof caller === 'string') context.principal = caller;
      else {
        context.principal = caller.principal;
        context.credentialExpiresAtMs = caller.credentialExpiresAtMs;
      }
    } catch (error) {
      if (error instanceof ApiError) this.access?.auditAuthentication(context, error);
      throw error;
    }
    return true;
  }
}
