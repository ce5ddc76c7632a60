/**
 * Validates OAuth 2.0 bearer JWTs the way Kafka's OAuthBearerValidatorCallbackHandler does, with
 * `jose` against the issuer's JWKS: the signature (asymmetric algorithms only, so neither
 * `alg: none` nor an HMAC signed with the public key passes), `iss`, `aud`, `exp` (required),
 * `nbf` and `iat` within `sasl.oauthbearer.clock.skew.seconds`, and the principal claim.
 *
 * Keys: the JWKS URL is `sasl.oauthbearer.jwks.endpoint.url` or, when empty, `jwks_uri` from the
 * issuer's OpenID discovery document (fetched once, retried on the next token while it fails).
 * jose caches the key set: an unknown `kid` refetches it (at most once per cooldown), and the
 * cached keys stay in use while the endpoint is down until they are `jwksRefreshMs` old.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { OAuthBearerSettings } from './security-config';

/** What an accepted token says. */
export interface ValidatedToken {
  /** `User:<principal claim>`. */
  readonly principal: string;
  readonly claims: JWTPayload;
}

/** Why a token was refused; the message is safe to send back to the caller. */
export class TokenValidationError extends Error {
  override readonly name = 'TokenValidationError';
}

const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** Upper bound on a token's length: a header line, not a payload. */
const MAX_TOKEN_CHARS = 16 * 1024;

export interface OAuthBearerValidatorOptions {
  /** Timeout of one JWKS or discovery fetch. */
  readonly fetchTimeoutMs?: number;
  /** Least time between two JWKS refetches for unknown kids. */
  readonly cooldownMs?: number;
}

export class OAuthBearerValidator {
  private keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  private discovering: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  private readonly fetchTimeoutMs: number;
  private readonly cooldownMs: number;

  constructor(
    readonly settings: OAuthBearerSettings,
    options: OAuthBearerValidatorOptions = {},
  ) {
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 5_000;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    if (settings.jwksEndpointUrl !== '') this.keys = this.keySet(new URL(settings.jwksEndpointUrl));
  }

  async validate(token: string): Promise<ValidatedToken> {
    if (token.length === 0) throw new TokenValidationError('empty bearer token');
    if (token.length > MAX_TOKEN_CHARS)
      throw new TokenValidationError(`token longer than ${MAX_TOKEN_CHARS} characters`);
    const keys = await this.keySetFor();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ASYMMETRIC_ALGORITHMS,
        issuer: this.settings.expectedIssuer,
        ...(this.settings.expectedAudience.length > 0 ? { audience: [...this.settings.expectedAudience] } : {}),
        clockTolerance: this.settings.clockSkewSeconds,
        requiredClaims: ['exp', this.settings.subClaimName],
      }));
    } catch (error) {
      throw new TokenValidationError(describeJoseError(error));
    }
    const subject = payload[this.settings.subClaimName];
    if (typeof subject !== 'string' || subject.length === 0)
      throw new TokenValidationError(`claim ${this.settings.subClaimName} is not a non-empty string`);
    return { principal: `User:${subject}`, claims: payload };
  }

  private keySet(url: URL): ReturnType<typeof createRemoteJWKSet> {
    return createRemoteJWKSet(url, {
      timeoutDuration: this.fetchTimeoutMs,
      cooldownDuration: this.cooldownMs,
      cacheMaxAge: this.settings.jwksRefreshMs,
    });
  }

  private async keySetFor(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.keys !== undefined) return this.keys;
    this.discovering ??= this.discover().finally(() => {
      this.discovering = undefined;
    });
    this.keys = await this.discovering;
    return this.keys;
  }

  private async discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const issuer = this.settings.expectedIssuer.replace(/\/$/, '');
    const url = `${issuer}/.well-known/openid-configuration`;
    let document: { jwks_uri?: unknown; issuer?: unknown };
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.fetchTimeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      throw new TokenValidationError(`OpenID discovery at ${url} failed: ${(error as Error).message}`);
    }
    if (typeof document.jwks_uri !== 'string')
      throw new TokenValidationError(`OpenID discovery at ${url} names no jwks_uri`);
    return this.keySet(new URL(document.jwks_uri));
  }
}

/** jose's refusals in words a caller can act on (never the token itself). */
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired (exp)';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not yet valid (nbf)';
    if (error.claim === 'iss') return 'unexpected issuer (iss)';
    if (error.claim === 'aud') return 'unexpected audience (aud)';
    return `claim ${error.claim} ${error.reason}`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed (asymmetric only)';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the issuer matches the token (kid / alg)';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof joseErrors.JWKSTimeout) return 'the JWKS endpoint did not answer in time';
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return 'malformed token';
  if (error instanceof joseErrors.JOSENotSupported) return 'unsupported token algorithm';
  if (error instanceof joseErrors.JOSEError) return `token refused (${error.code})`;
  return `token could not be checked: ${(error as Error).message ?? String(error)}`;
}
