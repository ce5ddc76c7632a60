/**
 * The broker's view of the sluice configuration: Kafka's names from SLUICE_CONFIG_SCHEMA, checked
 * for what a broker needs (process.roles=broker, a non-controller listener, the controller quorum
 * to register with). Throws ConfigError before anything starts.
 */
import { join } from 'node:path';
import {
  ConfigError,
  loadSluiceConfig,
  serviceSecurity,
  type ConfigSources,
  type ServiceSecurity,
  type SluiceConfig,
} from '@sluice/runtime';
import { formatHostPort } from '@sluice/proto';
import { InvalidConfigError } from '@sluice/log';
import { CLUSTER_TIERING_KEYS, parseClusterTieringConfig, type ClusterTieringConfig } from '@sluice/tiering';

export interface BrokerConfig {
  readonly nodeId: number;
  readonly logDirs: readonly string[];
  /** Interface and port the Broker gRPC service binds (port 0: OS-chosen). */
  readonly bindHost: string;
  readonly bindPort: number;
  readonly listenerName: string;
  /** The listener's security (listener.security.protocol.map, ssl.*, sasl.oauthbearer.*, authorizer). */
  readonly security: ServiceSecurity;
  /** audit.log.file, or audit.log in the first log directory. */
  readonly auditLogFile: string;
  /** Host published in the registration; the bound port is published when 0 was configured. */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  /** Controller quorum addresses (host:port) to register with and follow. */
  readonly controllerAddresses: readonly string[];
  readonly raw: SluiceConfig;
  readonly unknownKeys: readonly string[];
  /** Tiered storage (remote.log.storage.system.enable and the rsm.config.* S3 settings). */
  readonly tiering: ClusterTieringConfig;
}

export function loadBrokerConfig(sources: ConfigSources): BrokerConfig {
  const loaded = loadSluiceConfig(sources);
  const c = loaded.values;
  const throttleFree = c['log.dir.throttle.free.bytes'];
  if (throttleFree > 0 && c['log.dir.min.free.bytes'] > 0 && throttleFree <= c['log.dir.min.free.bytes'])
    throw new ConfigError(
      'log.dir.throttle.free.bytes',
      String(throttleFree),
      `must be above log.dir.min.free.bytes (${c['log.dir.min.free.bytes']}): producers slow down before they are refused`,
    );
  if (!c['process.roles'].includes('broker') || c['process.roles'].includes('controller')) {
    throw new ConfigError(
      'process.roles',
      c['process.roles'].join(','),
      'this process runs the broker role only: set process.roles=broker',
    );
  }
  const voters = c['controller.quorum.voters'];
  if (voters.length === 0)
    throw new ConfigError('controller.quorum.voters', '', 'a broker needs the controller quorum to register with');
  const controllerNames = c['controller.listener.names'];
  const listener = c['listeners'].find((candidate) => !controllerNames.includes(candidate.name));
  if (listener === undefined) {
    throw new ConfigError(
      'listeners',
      c['listeners'].map((l) => `${l.name}://${l.host}:${l.port}`).join(','),
      'needs a listener that is not a controller listener',
    );
  }
  const advertised = c['advertised.listeners'].find((candidate) => candidate.name === listener.name);
  const bindHost = listener.host === '' ? '0.0.0.0' : listener.host;
  return {
    nodeId: c['node.id'],
    logDirs: c['log.dirs'],
    bindHost,
    bindPort: listener.port,
    listenerName: listener.name,
    security: serviceSecurity(c, listener.name),
    auditLogFile: c['audit.log.file'] !== '' ? c['audit.log.file'] : join(c['log.dirs'][0] as string, 'audit.log'),
    advertisedHost: advertised?.host || (listener.host === '' ? '127.0.0.1' : listener.host),
    advertisedPort: advertised?.port ?? 0,
    controllerAddresses: voters.map((voter) => formatHostPort(voter.host, voter.port)),
    raw: c,
    unknownKeys: loaded.unknownKeys,
    tiering: loadTieringConfig(c, sources.env ?? {}),
  };
}

/** The tiering keys that were set (empty = unset), validated with their AWS environment fallbacks. */
function loadTieringConfig(c: SluiceConfig, env: NodeJS.ProcessEnv): ClusterTieringConfig {
  const props: Record<string, string> = {};
  for (const key of CLUSTER_TIERING_KEYS) {
    const value = (c as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string' && value !== '') props[key] = value;
  }
  try {
    return parseClusterTieringConfig(props, env);
  } catch (error) {
    if (error instanceof InvalidConfigError) throw new ConfigError(error.key, error.value, error.reason);
    throw error;
  }
}
