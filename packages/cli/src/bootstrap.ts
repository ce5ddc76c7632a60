/**
 * Where commands find the cluster: `--bootstrap host:port,...`, else `$SLUICE_BOOTSTRAP`, else
 * the file `sluice cluster up` writes while it runs (`<state dir>/bootstrap`, the state dir being
 * `$SLUICE_CLUSTER_STATE_DIR` or `<os tmpdir>/sluice-cluster`).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, describeApiError, parseBootstrap } from '@sluice/client';
import { ApiError } from '@sluice/protocol';
import { Command } from 'commander';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';

export const BOOTSTRAP_ENV = 'SLUICE_BOOTSTRAP';
export const COORDINATORS_ENV = 'SLUICE_COORDINATORS';
export const STATE_DIR_ENV = 'SLUICE_CLUSTER_STATE_DIR';
/** Default bound on one admin command (redirects and retries included). */
export const DEFAULT_TIMEOUT_MS = 10_000;

export function clusterStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[STATE_DIR_ENV];
  return override !== undefined && override !== '' ? override : join(tmpdir(), 'sluice-cluster');
}

export function bootstrapFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(clusterStateDir(env), 'bootstrap');
}

/** Called by `cluster up` once the quorum has a leader. */
export function writeBootstrapFile(addresses: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const file = bootstrapFile(env);
  mkdirSync(clusterStateDir(env), { recursive: true });
  writeFileSync(file, `${addresses.join(',')}\n`);
  return file;
}

/** Called by `cluster up` on stop: removes the file unless another cluster has replaced it since. */
export function removeBootstrapFile(addresses: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const file = bootstrapFile(env);
  try {
    if (readFileSync(file, 'utf8').trim() === addresses.join(',')) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

export function coordinatorsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(clusterStateDir(env), 'coordinators');
}

/** Called by `cluster up` once its coordinators run; removed on stop like the bootstrap file. */
export function writeCoordinatorsFile(addresses: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const file = coordinatorsFile(env);
  mkdirSync(clusterStateDir(env), { recursive: true });
  writeFileSync(file, `${addresses.join(',')}\n`);
  return file;
}

export function removeCoordinatorsFile(addresses: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const file = coordinatorsFile(env);
  try {
    if (readFileSync(file, 'utf8').trim() === addresses.join(',')) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

/** Group coordinators: `--coordinators`, else `$SLUICE_COORDINATORS`, else what `cluster up` wrote. */
export function resolveCoordinators(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env[COORDINATORS_ENV];
  const file = coordinatorsFile(env);
  let text: string;
  if (flag !== undefined) text = flag;
  else if (fromEnv !== undefined && fromEnv !== '') text = fromEnv;
  else if (existsSync(file)) text = readFileSync(file, 'utf8').trim();
  else
    throw new Error(
      `no --coordinators given, $${COORDINATORS_ENV} is not set and no local cluster with coordinators is running (${file} does not exist)`,
    );
  try {
    return parseBootstrap(text);
  } catch (error) {
    throw new UsageError(`coordinators: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const TIERING_ENV = 'SLUICE_TIERING';

export function tieringServiceFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(clusterStateDir(env), 'tiering');
}

/** Called by `cluster up --tiering` once its tiering service runs; removed on stop like the bootstrap file. */
export function writeTieringServiceFile(addresses: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const file = tieringServiceFile(env);
  mkdirSync(clusterStateDir(env), { recursive: true });
  writeFileSync(file, `${addresses.join(',')}\n`);
  return file;
}

export function removeTieringServiceFile(addresses: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const file = tieringServiceFile(env);
  try {
    if (readFileSync(file, 'utf8').trim() === addresses.join(',')) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

/**
 * The tiering service: `--tiering-service`, else `$SLUICE_TIERING`, else what `cluster up --tiering`
 * wrote, but that file only when the controllers come from `cluster up` too (a `--bootstrap` to
 * another cluster must not be paired with the local one's service); null: none known.
 */
export function resolveTieringService(
  flag: string | undefined,
  bootstrapFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] | null {
  const fromEnv = env[TIERING_ENV];
  const file = tieringServiceFile(env);
  let text: string;
  if (flag !== undefined) text = flag;
  else if (fromEnv !== undefined && fromEnv !== '') text = fromEnv;
  else if (bootstrapFlag === undefined && (env[BOOTSTRAP_ENV] ?? '') === '' && existsSync(file))
    text = readFileSync(file, 'utf8').trim();
  else return null;
  try {
    return parseBootstrap(text);
  } catch (error) {
    throw new UsageError(`tiering service: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function resolveBootstrap(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env[BOOTSTRAP_ENV];
  const file = bootstrapFile(env);
  let text: string;
  let source: string;
  if (flag !== undefined) {
    text = flag;
    source = '--bootstrap';
  } else if (fromEnv !== undefined && fromEnv !== '') {
    text = fromEnv;
    source = `$${BOOTSTRAP_ENV}`;
  } else if (existsSync(file)) {
    text = readFileSync(file, 'utf8').trim();
    source = file;
  } else {
    // Not a usage mistake: the command is right, there is just no cluster to send it to (exit 1).
    throw new Error(
      `no --bootstrap given, $${BOOTSTRAP_ENV} is not set and no local cluster is running (${file} does not exist; start one with 'sluice cluster up')`,
    );
  }
  try {
    return parseBootstrap(text);
  } catch (error) {
    throw new UsageError(`${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface ConnectionOptions {
  readonly bootstrap?: string;
  readonly timeout: string;
}

/** Adds --bootstrap and --timeout to a command that talks to the cluster. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option(
      '--bootstrap <host:port,...>',
      `controller addresses (default: $${BOOTSTRAP_ENV}, else the local cluster 'sluice cluster up' started)`,
    )
    .option('--timeout <ms>', 'give up after this long (redirects and retries included)', String(DEFAULT_TIMEOUT_MS));
}

/**
 * Runs `body` with an Admin connected per the options; ApiErrors become exit code 1 with the
 * error's name and text on stderr, and the Admin is always closed.
 */
export async function withAdmin(
  options: ConnectionOptions,
  io: CliIo,
  body: (admin: Admin) => Promise<ExitCode>,
): Promise<ExitCode> {
  if (!/^\d+$/.test(options.timeout) || Number(options.timeout) < 1)
    throw new UsageError(`--timeout must be a positive number of milliseconds, got ${JSON.stringify(options.timeout)}`);
  const timeoutMs = Number(options.timeout);
  const bootstrap = resolveBootstrap(options.bootstrap);
  // A refused connection fails at once; the per-node bound matters only for a node that hangs,
  // and should leave a big CreateTopics time to commit: a retry is safe (the topic id the Admin
  // chose makes the controller answer it with success), but each retry costs a backoff.
  const admin = new Admin({ bootstrap, timeoutMs, attemptTimeoutMs: Math.min(5_000, timeoutMs) });
  try {
    return await body(admin);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    io.err(`error: ${describeApiError(error)}\n`);
    return ExitCode.FAILURE;
  } finally {
    admin.close();
  }
}
