/**
 * The tiering service's view of the sluice configuration (Kafka's names where Kafka has them):
 * process.roles=tiering, a listener, the controller quorum (the way to the brokers), the object
 * store (`rsm.config.*`, with the standard AWS environment variables as fallbacks) and the scrub
 * schedule. Throws ConfigError, naming the key, before anything starts.
 */
import { InvalidConfigError } from '@sluice/log';
import { formatHostPort } from '@sluice/proto';
import {
  ConfigError,
  loadSluiceConfig,
  serviceSecurity,
  type ConfigSources,
  type Logger,
  type ServiceSecurity,
  type SluiceConfig,
} from '@sluice/runtime';
import { CLUSTER_TIERING_KEYS, parseClusterTieringConfig, type ClusterTieringConfig } from '@sluice/tiering';
import type { TieringNodeOptions } from '../node/tiering-node';

export interface TieringServiceConfig {
  readonly nodeId: number;
  readonly bindHost: string;
  readonly bindPort: number;
  /** host:port published to clients; empty = the bound address. */
  readonly advertisedAddress: string;
  readonly controllerAddresses: readonly string[];
  /** The S3 settings are required here (s3 is never null). */
  readonly tiering: ClusterTieringConfig;
  /** The listener's security (listener.security.protocol.map, ssl.*, sasl.oauthbearer.*, authorizer). */
  readonly security: ServiceSecurity;
  /** audit.log.file; '': the audit lines go to stdout beside the service log (this service has no volume). */
  readonly auditLogFile: string;
  readonly raw: SluiceConfig;
  readonly unknownKeys: readonly string[];
}

export function loadTieringServiceConfig(sources: ConfigSources): TieringServiceConfig {
  const loaded = loadSluiceConfig(sources);
  const c = loaded.values;
  if (c['process.roles'].length !== 1 || c['process.roles'][0] !== 'tiering') {
    throw new ConfigError(
      'process.roles',
      c['process.roles'].join(','),
      'this process runs the tiering role only: set process.roles=tiering',
    );
  }
  const voters = c['controller.quorum.voters'];
  if (voters.length === 0)
    throw new ConfigError(
      'controller.quorum.voters',
      '',
      'the tiering service needs the controller quorum (to find topics and brokers)',
    );
  const listener = c['listeners'][0];
  if (listener === undefined) throw new ConfigError('listeners', '', 'needs one listener to serve the Tiering API on');
  // TLS, tokens and ACLs as every service has them; its own calls to the controllers and brokers
  // then go over mutual TLS with its certificate (serviceSecurityParts).
  const security = serviceSecurity(c, listener.name);
  const advertised = c['advertised.listeners'].find((candidate) => candidate.name === listener.name);
  return {
    nodeId: c['node.id'],
    bindHost: listener.host === '' ? '0.0.0.0' : listener.host,
    bindPort: listener.port,
    advertisedAddress: advertised === undefined ? '' : formatHostPort(advertised.host, advertised.port),
    controllerAddresses: voters.map((voter) => formatHostPort(voter.host, voter.port)),
    tiering: loadObjectStoreConfig(c, sources.env ?? {}),
    security,
    auditLogFile: c['audit.log.file'],
    raw: c,
    unknownKeys: loaded.unknownKeys,
  };
}

/** The rsm.config.* keys that were set, validated with their AWS environment fallbacks; a bucket is required. */
function loadObjectStoreConfig(c: SluiceConfig, env: NodeJS.ProcessEnv): ClusterTieringConfig {
  const props: Record<string, string> = {};
  for (const key of CLUSTER_TIERING_KEYS) {
    const value = (c as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string' && value !== '') props[key] = value;
  }
  // This service exists for the object store: its settings are required whatever the brokers' switch says.
  props['remote.log.storage.system.enable'] = 'true';
  try {
    return parseClusterTieringConfig(props, env);
  } catch (error) {
    if (error instanceof InvalidConfigError) throw new ConfigError(error.key, error.value, error.reason);
    throw error;
  }
}

export function tieringNodeOptionsFrom(
  config: TieringServiceConfig,
  log: Logger,
  auditSink?: TieringNodeOptions['auditSink'],
): TieringNodeOptions {
  const raw = config.raw;
  return {
    nodeId: config.nodeId,
    bindHost: config.bindHost,
    bindPort: config.bindPort,
    ...(config.advertisedAddress === '' ? {} : { advertisedAddress: config.advertisedAddress }),
    controllerAddresses: config.controllerAddresses,
    tiering: config.tiering,
    scrubIntervalMs: raw['tiering.scrub.interval.ms'],
    scrubGraceMs: raw['tiering.scrub.grace.ms'],
    metrics: { host: raw['metrics.host'], port: raw['metrics.port'] },
    security: config.security,
    ...(auditSink === undefined ? {} : { auditSink }),
    log,
  };
}
