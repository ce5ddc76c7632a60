/**
 * What `produce` and `consume` share: the controller bootstrap (as every command), the brokers
 * found through the controller's DescribeCluster (a Producer or Consumer talks to brokers, not
 * controllers), and strict parsing of numeric flags (a bad value is a usage error, exit 2).
 */
import type { Admin, ClusterInfo } from '@sluice/client';
import { ApiError } from '@sluice/protocol';
// The gRPC module only: the runtime's index loads NestJS, which the CLI does not need.
import type { Command } from 'commander';
import { BOOTSTRAP_ENV, DEFAULT_TIMEOUT_MS, withAdmin } from './bootstrap';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';
import { formatHostPort } from '@sluice/proto';

export interface ClientConnectionOptions {
  readonly bootstrap?: string;
  readonly connectTimeout: string;
}

export interface BrokerSession {
  readonly admin: Admin;
  /** host:port of every unfenced broker's first listener. */
  readonly brokers: readonly string[];
  /** --connect-timeout in ms. */
  readonly timeoutMs: number;
}

/** Adds --bootstrap and --connect-timeout. */
export function withClientConnectionOptions(command: Command): Command {
  return command
    .option(
      '--bootstrap <host:port,...>',
      `controller addresses; brokers are found through them (default: $${BOOTSTRAP_ENV}, else the local cluster 'sluice cluster up' started)`,
    )
    .option(
      '--connect-timeout <ms>',
      'give up when no controller answers within this long (finding the topic and the brokers)',
      String(DEFAULT_TIMEOUT_MS),
    );
}

/** A decimal integer flag within [min, max], else a usage error naming the flag. */
export function integerOption(text: string, flag: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? min === 0
          ? 'a non-negative integer'
          : min === 1
            ? 'a positive integer'
            : `an integer >= ${min}`
        : `an integer from ${min} to ${max}`;
    throw new UsageError(`${flag} must be ${range}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** `host:port` of each unfenced broker's first listener (brackets around IPv6 hosts). */
export function brokerAddresses(cluster: ClusterInfo): string[] {
  return cluster.brokers
    .filter((broker) => !broker.fenced)
    .flatMap((broker) => broker.listeners.slice(0, 1).map((l) => formatHostPort(l.host, l.port)));
}

/**
 * Runs `body` with an Admin on the controllers and the unfenced brokers' addresses. As for the
 * admin commands, an ApiError (unknown topic, no controller reachable, no broker) is exit 1 with
 * `NAME: reason` on stderr.
 */
export async function withBrokers(
  options: ClientConnectionOptions,
  io: CliIo,
  body: (session: BrokerSession) => Promise<ExitCode>,
): Promise<ExitCode> {
  const timeoutMs = integerOption(options.connectTimeout, '--connect-timeout', 1);
  return withAdmin(
    { ...(options.bootstrap === undefined ? {} : { bootstrap: options.bootstrap }), timeout: String(timeoutMs) },
    io,
    async (admin) => {
      const brokers = brokerAddresses(await admin.describeCluster());
      if (brokers.length === 0)
        throw new ApiError('BROKER_NOT_AVAILABLE', 'no unfenced broker is registered with the controller quorum');
      return body({ admin, brokers, timeoutMs });
    },
  );
}
