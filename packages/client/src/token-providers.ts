/**
 * Where a client's bearer token comes from (Kafka's OAUTHBEARER login callback handlers):
 * - `StaticTokenSource`: a token given once (`--token`);
 * - `FileTokenSource`: a file read again when it changes (`--token-file`; a Kubernetes projected
 *   service-account token is rotated in place);
 * - `ClientCredentialsTokenSource`: the OAuth 2.0 client-credentials grant against the issuer's
 *   token endpoint (`sasl.oauthbearer.token.endpoint.url`), the token refreshed before it expires:
 *   at `refreshWindowFactor` of its lifetime (Kafka's sasl.login.refresh.window.factor, 0.8); while a
 *   refresh fails the old token is used until it expires. Concurrent callers share one request.
 */
import { readFile, stat } from 'node:fs/promises';
import { ApiError } from '@sluice/protocol';
import type { TokenSource } from '@sluice/proto';

export class StaticTokenSource implements TokenSource {
  constructor(private readonly value: string) {
    if (value.trim() === '') throw new ApiError('INVALID_CONFIG', 'the bearer token is empty');
  }
  token(): Promise<string> {
    return Promise.resolve(this.value.trim());
  }
}

export class FileTokenSource implements TokenSource {
  private cached: { mtimeMs: number; token: string } | undefined;

  constructor(private readonly path: string) {}

  async token(): Promise<string> {
    const { mtimeMs } = await stat(this.path);
    if (this.cached?.mtimeMs === mtimeMs) return this.cached.token;
    const token = (await readFile(this.path, 'utf8')).trim();
    if (token === '') throw new ApiError('INVALID_CONFIG', `token file ${this.path} is empty`);
    this.cached = { mtimeMs, token };
    return token;
  }
}

export interface ClientCredentialsOptions {
  /** sasl.oauthbearer.token.endpoint.url */
  readonly tokenEndpointUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** sasl.oauthbearer.scope */
  readonly scope?: string;
  /** RFC 8707 resource indicator: the audience the token is for, when the issuer needs it named. */
  readonly resource?: string;
  /** sasl.login.refresh.window.factor, default 0.8. */
  readonly refreshWindowFactor?: number;
  /** Bound on one token request. Default 10 s. */
  readonly requestTimeoutMs?: number;
  readonly clock?: () => number;
}

export class ClientCredentialsTokenSource implements TokenSource {
  private current: { token: string; refreshAtMs: number; expiresAtMs: number } | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: ClientCredentialsOptions) {
    this.clock = options.clock ?? Date.now;
    const factor = options.refreshWindowFactor ?? 0.8;
    if (!(factor >= 0.5 && factor <= 1))
      throw new ApiError('INVALID_CONFIG', `refresh window factor ${factor} is not in [0.5, 1]`);
  }

  /** How many tokens were fetched (tests watch refreshes). */
  fetches = 0;

  token(): Promise<string> {
    const now = this.clock();
    const current = this.current;
    if (current !== undefined && now < current.refreshAtMs) return Promise.resolve(current.token);
    // Past the refresh point but still valid: refresh, and keep using the old token if that fails.
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = undefined;
    });
    if (current !== undefined && now < current.expiresAtMs) return this.inFlight.catch(() => current.token);
    return this.inFlight;
  }

  private async fetch(): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.options.scope !== undefined) body.set('scope', this.options.scope);
    if (this.options.resource !== undefined) body.set('resource', this.options.resource);
    const basic = Buffer.from(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
    ).toString('base64');
    const started = this.clock();
    let response: Response;
    try {
      response = await fetch(this.options.tokenEndpointUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new ApiError(
        'SASL_AUTHENTICATION_FAILED',
        `token endpoint ${this.options.tokenEndpointUrl} unreachable: ${(error as Error).message}`,
      );
    }
    const answer = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    };
    if (!response.ok || typeof answer.access_token !== 'string') {
      throw new ApiError(
        'SASL_AUTHENTICATION_FAILED',
        `token endpoint answered HTTP ${response.status}${typeof answer.error === 'string' ? ` (${answer.error})` : ''}`,
      );
    }
    const lifetimeMs = (typeof answer.expires_in === 'number' ? answer.expires_in : 300) * 1000;
    const factor = this.options.refreshWindowFactor ?? 0.8;
    // The token's own exp bounds it too: issuers round iat down to the second, so exp may come up
    // to a second before started + expires_in, and a stream must be reopened before exp.
    const expiresAtMs = Math.min(started + lifetimeMs, tokenExpiryMs(answer.access_token) ?? Number.POSITIVE_INFINITY);
    const refreshAtMs = started + (expiresAtMs - started) * factor;
    this.current = { token: answer.access_token, refreshAtMs, expiresAtMs };
    this.fetches++;
    return answer.access_token;
  }
}

/**
 * When a JWT expires (its `exp`, ms since the epoch), read without verifying it (the broker
 * verifies; the client only plans when to reopen its streams); undefined for anything else.
 */
export function tokenExpiryMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
