/**
 * Who is calling, on a listener with security: a bearer JWT in `authorization` metadata
 * (validated against the issuer, see OAuthBearerValidator) names a `User:<sub>`; otherwise a
 * client certificate TLS verified against the CA names `User:<subject DN>` (services calling each
 * other over mutual TLS); otherwise the caller is `User:ANONYMOUS`, which SASL listeners refuse
 * with SASL_AUTHENTICATION_FAILED. A token that is sent but invalid is refused even when a
 * certificate would have authenticated: the caller asked to be someone else.
 */
import { ApiError } from '@sluice/protocol';
import { OAuthBearerValidator, TokenValidationError, type OAuthBearerSettings } from '@sluice/runtime';
import type { AuthenticatedCaller, AuthenticationRequest, Authenticator } from '../authentication.guard';
import { ANONYMOUS_PRINCIPAL } from '../rpc-call-context';
import { certificatePrincipal } from './certificate-principal';

export interface ServiceAuthenticatorOptions {
  /** Tokens accepted when set. */
  readonly oauthBearer?: OAuthBearerSettings;
  /** Refuse callers that neither sent a valid token nor presented a verified certificate. */
  readonly requireAuthentication: boolean;
}

/** Most principals one process remembers the validation of (a bounded cache of recent tokens). */
const MAX_CACHED_TOKENS = 1_024;

export class ServiceAuthenticator implements Authenticator {
  private readonly validator: OAuthBearerValidator | undefined;
  /** token -> principal and when the token expires (ms); checked again past expiry. */
  private readonly cache = new Map<string, { principal: string; expiresAtMs: number }>();

  constructor(
    private readonly options: ServiceAuthenticatorOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.validator = options.oauthBearer === undefined ? undefined : new OAuthBearerValidator(options.oauthBearer);
  }

  async authenticate(
    request: AuthenticationRequest & { readonly peerCertificate?: unknown },
  ): Promise<string | AuthenticatedCaller> {
    const header = request.metadata.get('authorization')[0];
    if (typeof header === 'string' && header !== '') return this.fromToken(header);
    const fromCertificate = certificatePrincipal(request.peerCertificate as Parameters<typeof certificatePrincipal>[0]);
    if (fromCertificate !== undefined) return fromCertificate;
    if (this.options.requireAuthentication) {
      const tokenError = request.metadata.get('sluice-token-error')[0];
      throw new ApiError(
        'SASL_AUTHENTICATION_FAILED',
        typeof tokenError === 'string'
          ? `no bearer token: the client could not get one (${tokenError})`
          : 'no bearer token and no verified client certificate',
      );
    }
    return ANONYMOUS_PRINCIPAL;
  }

  /** The token's principal and its `exp` (a stream authenticated with it is refused past that). */
  private async fromToken(header: string): Promise<AuthenticatedCaller> {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null)
      throw new ApiError('SASL_AUTHENTICATION_FAILED', 'authorization metadata is not "Bearer <token>"');
    if (this.validator === undefined)
      throw new ApiError('SASL_AUTHENTICATION_FAILED', 'this listener accepts no bearer tokens (no issuer configured)');
    const token = match[1] as string;
    const cached = this.cache.get(token);
    // A cached token is still checked for expiry; a removed key stops it only at expiry, as in Kafka.
    if (cached !== undefined && cached.expiresAtMs > this.clock())
      return { principal: cached.principal, credentialExpiresAtMs: cached.expiresAtMs };
    try {
      const validated = await this.validator.validate(token);
      const expSeconds = typeof validated.claims.exp === 'number' ? validated.claims.exp : 0;
      // Cache only until the token's own expiry, and never past a not-before in the future.
      const nbfSeconds = typeof validated.claims.nbf === 'number' ? validated.claims.nbf : 0;
      if (nbfSeconds * 1000 <= this.clock()) {
        if (this.cache.size >= MAX_CACHED_TOKENS) this.cache.delete(this.cache.keys().next().value as string);
        this.cache.set(token, { principal: validated.principal, expiresAtMs: expSeconds * 1000 });
      }
      return { principal: validated.principal, credentialExpiresAtMs: expSeconds * 1000 };
    } catch (error) {
      if (error instanceof TokenValidationError) throw new ApiError('SASL_AUTHENTICATION_FAILED', error.message);
      throw error;
    }
  }
}
