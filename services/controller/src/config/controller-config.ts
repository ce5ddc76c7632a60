/**
 * The controller's view of sluice's configuration (Kafka names, every default in
 * @sluice/runtime's SLUICE_CONFIG_SCHEMA), resolved into what the node needs: where to bind,
 * who the voters are, which directory holds the metadata log, and the cluster id from that
 * directory's meta.properties.
 */
import { join } from 'node:path';
import {
  ConfigError,
  loadSluiceConfig,
  metadataLogDir,
  verifyFormattedLogDirs,
  type ConfigSources,
  type SluiceConfig,
  serviceSecurity,
  type ServiceSecurity,
} from '@sluice/runtime';
import { formatHostPort } from '@sluice/proto';

export interface ControllerConfig {
  readonly raw: SluiceConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly metadataLogDir: string;
  readonly auditLogFile: string;
  readonly bindHost: string;
  readonly bindPort: number;
  /** The served listener's security (listener.security.protocol.map, ssl.*, sasl.oauthbearer.*, authorizer). */
  readonly security: ServiceSecurity;
  readonly voters: ReadonlyMap<number, string>;
  /** Keys given but unknown to sluice (warned about at start, as Kafka does). */
  readonly unknownKeys: readonly string[];
}

/**
 * Loads and checks the configuration and the metadata directory. Throws ConfigError for a bad
 * configuration and MetaPropertiesError for an unformatted or foreign directory.
 */
export function loadControllerConfig(sources: ConfigSources): ControllerConfig {
  const loaded = loadSluiceConfig(sources);
  const config = loaded.values;
  if (!config['process.roles'].includes('controller')) {
    throw new ConfigError(
      'process.roles',
      config['process.roles'].join(','),
      'this process runs the controller role; it must include controller',
    );
  }
  if (config['process.roles'].includes('broker')) {
    throw new ConfigError(
      'process.roles',
      config['process.roles'].join(','),
      'combined mode (controller,broker) needs services/broker, which does not exist yet; run process.roles=controller',
    );
  }
  const nodeId = config['node.id'];
  const voters = new Map(
    config['controller.quorum.voters'].map((voter) => [voter.id, formatHostPort(voter.host, voter.port)]),
  );
  const self = config['controller.quorum.voters'].find((voter) => voter.id === nodeId);
  if (self === undefined) throw new ConfigError('controller.quorum.voters', '', `must include node.id ${nodeId}`);
  // Bind the CONTROLLER listener when there is one; else listen where the voters list says.
  const controllerNames = config['controller.listener.names'];
  const listener = config.listeners.find((candidate) => controllerNames.includes(candidate.name));
  const bindHost = listener !== undefined ? (listener.host === '' ? '0.0.0.0' : listener.host) : self.host;
  const bindPort = listener !== undefined && listener.port !== 0 ? listener.port : self.port;
  // Peers dial the voter entry: it must be where this node listens, or where advertised.listeners
  // publishes that listener (a proxy or a NAT in between).
  const published =
    listener === undefined ? undefined : config['advertised.listeners'].find((entry) => entry.name === listener.name);
  if (published !== undefined && published.port !== self.port) {
    throw new ConfigError(
      'advertised.listeners',
      `${published.name}://${published.host}:${published.port}`,
      `the advertised controller listener port must match this node's entry in controller.quorum.voters (${self.port}), or peers cannot reach it`,
    );
  }
  if (published === undefined && listener !== undefined && listener.port !== 0 && listener.port !== self.port) {
    throw new ConfigError(
      'listeners',
      `${listener.name}://${listener.host}:${listener.port}`,
      `the controller listener port must match this node's entry in controller.quorum.voters (${self.port}), or peers cannot reach it`,
    );
  }
  const dir = metadataLogDir(config);
  const clusterId = verifyFormattedLogDirs([dir], nodeId);
  return {
    raw: config,
    nodeId,
    clusterId,
    metadataLogDir: dir,
    auditLogFile: config['audit.log.file'] !== '' ? config['audit.log.file'] : join(dir, 'audit.log'),
    bindHost,
    bindPort,
    security: serviceSecurity(config, listener?.name ?? (controllerNames[0] as string)),
    voters,
    unknownKeys: loaded.unknownKeys,
  };
}
