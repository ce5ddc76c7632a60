/**
 * Authentication runs as a Nest guard before every RPC: it asks the service's `Authenticator`
 * who the caller is and records the principal in the call context (audit, ACLs). Without a
 * configured authenticator every caller is `User:ANONYMOUS`, as on a Kafka PLAINTEXT listener.
 * An authenticator refuses by throwing an ApiError (SASL_AUTHENTICATION_FAILED), which leaves as
 * that Kafka error through the filter.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { ANONYMOUS_PRINCIPAL, rpcCallContextOf } from './rpc-call-context';

export interface AuthenticationRequest {
  readonly service: string;
  readonly method: string;
  readonly peerHost: string;
  readonly metadata: Metadata;
}

export interface Authenticator {
  /** The caller's principal (`User:<name>`); throw an ApiError to refuse the call. */
  authenticate(request: AuthenticationRequest): string | Promise<string>;
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
  constructor(@Inject(AUTHENTICATOR) private readonly authenticator: Authenticator) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const context = rpcCallContextOf(execution);
    context.principal = await this.authenticator.authenticate(context);
    return true;
  }
}
