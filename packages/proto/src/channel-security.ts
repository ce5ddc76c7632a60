/**
 * How a client channel is secured: TLS (the server's certificate checked against a CA; this
 * side's own certificate for mutual TLS) and a bearer token sent as `authorization: Bearer ...`
 * metadata on every call. Services set one process-wide default from their configuration (their
 * certificate, so every peer call is mutual TLS); SDK users pass one per Producer / Consumer /
 * Admin, falling back to that default.
 *
 * Certificate files are read through grpc-js's FileWatcherCertificateProvider, so a rotated
 * certificate (cert-manager rewriting the Secret) is used by new connections without a restart.
 */
import { credentials, experimental, InterceptingCall, Metadata, ServerCredentials } from '@grpc/grpc-js';
import type { ChannelCredentials, Interceptor } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';

/** A source of bearer tokens (static, a file, or an OAuth client-credentials flow). */
export interface TokenSource {
  /** The token to send now; refreshed by the source before it expires. */
  token(): Promise<string>;
}

export interface TlsFilePaths {
  /** PEM CA certificates the peer's certificate must chain to (`ca.crt`). */
  readonly caFile: string;
  /** This side's certificate chain (`tls.crt`), for mutual TLS; omit for server-only TLS. */
  readonly certificateFile?: string;
  readonly privateKeyFile?: string;
}

export interface ClientSecurity {
  /** Absent: plaintext. */
  readonly tls?: TlsFilePaths & {
    /** How often the files are read again; default 30 s. */
    readonly reloadIntervalMs?: number;
    /** The name the server's certificate must carry, when it differs from the dialled host. */
    readonly serverNameOverride?: string;
  };
  readonly tokens?: TokenSource;
}

let processDefault: ClientSecurity = {};

/** The security every client of this process uses unless it is given its own (a service's identity). */
export function setDefaultClientSecurity(security: ClientSecurity): void {
  processDefault = security;
}

export function defaultClientSecurity(): ClientSecurity {
  return processDefault;
}

const providers = new Map<string, experimental.FileWatcherCertificateProvider>();

/** One file watcher per set of files and interval, shared by every channel and server that reads them. */
export function certificateProvider(
  files: { caCertificateFile?: string; certificateFile?: string; privateKeyFile?: string },
  refreshIntervalMs: number,
): experimental.FileWatcherCertificateProvider {
  const key = JSON.stringify([files.caCertificateFile, files.certificateFile, files.privateKeyFile, refreshIntervalMs]);
  let provider = providers.get(key);
  if (provider === undefined) {
    provider = new experimental.FileWatcherCertificateProvider({ ...files, refreshIntervalMs });
    providers.set(key, provider);
  }
  return provider;
}

const DEFAULT_RELOAD_INTERVAL_MS = 30_000;

export function channelCredentialsFor(security: ClientSecurity): ChannelCredentials {
  const tls = security.tls;
  if (tls === undefined) return credentials.createInsecure();
  const interval = tls.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
  const ca = certificateProvider({ caCertificateFile: tls.caFile }, interval);
  const identity =
    tls.certificateFile !== undefined && tls.privateKeyFile !== undefined
      ? certificateProvider({ certificateFile: tls.certificateFile, privateKeyFile: tls.privateKeyFile }, interval)
      : null;
  return experimental.createCertificateProviderChannelCredentials(ca, identity);
}

/** Channel options that go with `security` (the TLS server name override). */
export function channelOptionsFor(security: ClientSecurity): Record<string, string> {
  const override = security.tls?.serverNameOverride;
  return override === undefined
    ? {}
    : { 'grpc.ssl_target_name_override': override, 'grpc.default_authority': override };
}

/** Adds `authorization: Bearer <token>` to every call's metadata, asking the source each time. */
export function bearerTokenInterceptor(tokens: TokenSource): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata: Metadata, listener, next) {
        tokens.token().then(
          (token) => {
            metadata.set('authorization', `Bearer ${token}`);
            next(metadata, listener);
          },
          (error: unknown) => {
            // No token: send the call without one, so the server refuses it with
            // SASL_AUTHENTICATION_FAILED and the caller sees a Kafka-named error.
            metadata.set('sluice-token-error', String((error as Error).message ?? error).slice(0, 200));
            next(metadata, listener);
          },
        );
      },
    });
}

export interface ServerTlsOptions extends TlsFilePaths {
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  /** Kafka's ssl.client.auth. */
  readonly clientAuth: 'none' | 'requested' | 'required';
  readonly reloadIntervalMs?: number;
}

/** Throws a clear error naming the file when a PEM file is missing, unreadable or holds no PEM block. */
export function checkPemFile(path: string, what: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${what} ${path} cannot be read: ${(error as Error).message}`);
  }
  if (!/-----BEGIN [A-Z ]+-----/.test(text)) throw new Error(`${what} ${path} holds no PEM block`);
}

/**
 * Server credentials that reread the certificate files, verifying client certificates as
 * `clientAuth` says. The files are checked once here, so a wrong path stops the start-up
 * instead of every connection being dropped later.
 */
export function serverCredentialsFor(tls: ServerTlsOptions): ServerCredentials {
  checkPemFile(tls.certificateFile, 'certificate');
  checkPemFile(tls.privateKeyFile, 'private key');
  if (tls.clientAuth !== 'none') checkPemFile(tls.caFile, 'CA certificate');
  const interval = tls.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
  const identity = certificateProvider(
    { certificateFile: tls.certificateFile, privateKeyFile: tls.privateKeyFile },
    interval,
  );
  const ca = tls.clientAuth === 'none' ? null : certificateProvider({ caCertificateFile: tls.caFile }, interval);
  return experimental.createCertificateProviderServerCredentials(identity, ca, tls.clientAuth === 'required');
}
