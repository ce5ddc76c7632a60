/**
 * How every `sluice` command secures its connections: TLS (`--tls-ca`, and `--tls-cert` /
 * `--tls-key` for a client certificate) and a bearer token (`--token`, `--token-file`, or the
 * OAuth client-credentials flow: `--oauth-token-endpoint` with `--oauth-client-id` and the
 * secret in $SLUICE_OAUTH_CLIENT_SECRET). Each flag has an environment variable; without any, a
 * local cluster started by `sluice cluster up --tls` is reached with the admin certificate it
 * issued (`<state dir>/security.json`), else connections are plaintext.
 *
 * The result is the process's default client security: every Admin, Producer and Consumer the
 * command makes uses it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientCredentialsTokenSource, FileTokenSource, StaticTokenSource } from '@sluice/client';
import { setDefaultClientSecurity, type ClientSecurity, type TokenSource } from '@sluice/proto';
import type { Command } from 'commander';
import { BOOTSTRAP_ENV, clusterStateDir } from './bootstrap';
import { UsageError } from './exit-codes';

export interface SecurityFlags {
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly oauthTokenEndpoint?: string;
  readonly oauthClientId?: string;
}

export const SECURITY_ENV = {
  tlsCa: 'SLUICE_TLS_CA',
  tlsCert: 'SLUICE_TLS_CERT',
  tlsKey: 'SLUICE_TLS_KEY',
  token: 'SLUICE_TOKEN',
  tokenFile: 'SLUICE_TOKEN_FILE',
  oauthTokenEndpoint: 'SLUICE_OAUTH_TOKEN_ENDPOINT',
  oauthClientId: 'SLUICE_OAUTH_CLIENT_ID',
  oauthClientSecret: 'SLUICE_OAUTH_CLIENT_SECRET',
} as const;

/** Adds the security flags to the root command (they may follow the subcommand too). */
export function withSecurityOptions(command: Command): Command {
  return command
    .option('--tls-ca <file>', `PEM CA certificates the servers' certificates must chain to ($${SECURITY_ENV.tlsCa})`)
    .option('--tls-cert <file>', `client certificate for mutual TLS ($${SECURITY_ENV.tlsCert})`)
    .option('--tls-key <file>', `the client certificate's private key ($${SECURITY_ENV.tlsKey})`)
    .option('--token <jwt>', `bearer token sent with every call ($${SECURITY_ENV.token})`)
    .option(
      '--token-file <file>',
      `bearer token read from a file, again whenever it changes ($${SECURITY_ENV.tokenFile})`,
    )
    .option(
      '--oauth-token-endpoint <url>',
      `OAuth 2.0 client-credentials flow: the issuer's token endpoint ($${SECURITY_ENV.oauthTokenEndpoint}; secret in $${SECURITY_ENV.oauthClientSecret})`,
    )
    .option('--oauth-client-id <id>', `the client id of the client-credentials flow ($${SECURITY_ENV.oauthClientId})`);
}

/** What `sluice cluster up --tls` leaves for the other commands: the admin identity's files. */
export interface LocalSecurityFile {
  readonly caFile: string;
  readonly certificateFile: string;
  readonly privateKeyFile: string;
}

export function securityFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(clusterStateDir(env), 'security.json');
}

export function writeSecurityFile(files: LocalSecurityFile, env: NodeJS.ProcessEnv = process.env): string {
  const file = securityFile(env);
  mkdirSync(clusterStateDir(env), { recursive: true });
  writeFileSync(file, `${JSON.stringify(files)}\n`, { mode: 0o600 });
  return file;
}

export function removeSecurityFile(files: LocalSecurityFile, env: NodeJS.ProcessEnv = process.env): void {
  const file = securityFile(env);
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as LocalSecurityFile).caFile === files.caFile)
      rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

function pick(flag: string | undefined, env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (flag !== undefined) return flag;
  const value = env[name];
  return value !== undefined && value !== '' ? value : undefined;
}

/**
 * The security the flags, the environment and a local `cluster up --tls` ask for. The local
 * cluster's admin identity is used only when the command goes to the local cluster (no
 * --bootstrap, no $SLUICE_BOOTSTRAP): it is that cluster's, not any other's.
 */
export function resolveClientSecurity(
  flags: SecurityFlags,
  env: NodeJS.ProcessEnv = process.env,
  toLocalCluster = true,
): ClientSecurity {
  const caFile = pick(flags.tlsCa, env, SECURITY_ENV.tlsCa);
  const certificateFile = pick(flags.tlsCert, env, SECURITY_ENV.tlsCert);
  const privateKeyFile = pick(flags.tlsKey, env, SECURITY_ENV.tlsKey);
  const token = pick(flags.token, env, SECURITY_ENV.token);
  const tokenFile = pick(flags.tokenFile, env, SECURITY_ENV.tokenFile);
  const endpoint = pick(flags.oauthTokenEndpoint, env, SECURITY_ENV.oauthTokenEndpoint);
  const clientId = pick(flags.oauthClientId, env, SECURITY_ENV.oauthClientId);
  if ((certificateFile === undefined) !== (privateKeyFile === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  if ([token, tokenFile, endpoint].filter((value) => value !== undefined).length > 1)
    throw new UsageError('give one of --token, --token-file and --oauth-token-endpoint');
  let tokens: TokenSource | undefined;
  if (token !== undefined) tokens = new StaticTokenSource(token);
  else if (tokenFile !== undefined) tokens = new FileTokenSource(tokenFile);
  else if (endpoint !== undefined) {
    const clientSecret = env[SECURITY_ENV.oauthClientSecret];
    if (clientId === undefined || clientSecret === undefined || clientSecret === '')
      throw new UsageError(
        `--oauth-token-endpoint needs --oauth-client-id and the secret in $${SECURITY_ENV.oauthClientSecret}`,
      );
    tokens = new ClientCredentialsTokenSource({ tokenEndpointUrl: endpoint, clientId, clientSecret });
  }
  if (caFile !== undefined) {
    return {
      tls: { caFile, ...(certificateFile === undefined ? {} : { certificateFile, privateKeyFile }) },
      ...(tokens === undefined ? {} : { tokens }),
    };
  }
  if (certificateFile !== undefined) throw new UsageError('--tls-cert needs --tls-ca');
  const local = securityFile(env);
  if (toLocalCluster && existsSync(local)) {
    // The local secure cluster: TLS with its admin certificate (a token, if given, names the caller instead).
    const files = JSON.parse(readFileSync(local, 'utf8')) as LocalSecurityFile;
    return {
      tls: tokens === undefined ? files : { caFile: files.caFile },
      ...(tokens === undefined ? {} : { tokens }),
    };
  }
  return tokens === undefined ? {} : { tokens };
}

/** Makes the resolved security the process default for the command about to run. */
export function applyClientSecurity(
  flags: SecurityFlags,
  bootstrapFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const toLocalCluster = bootstrapFlag === undefined && (env[BOOTSTRAP_ENV] ?? '') === '';
  setDefaultClientSecurity(resolveClientSecurity(flags, env, toLocalCluster));
}

/** Back to plaintext once a command is done (runCli may run again in the same process). */
export function resetClientSecurity(): void {
  setDefaultClientSecurity({});
}
