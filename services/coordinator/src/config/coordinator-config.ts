/**
 * The coordinator's view of the sluice configuration (Kafka's names where Kafka has them):
 * process.roles=coordinator, a listener to serve on, the paired broker and the controller quorum.
 * Throws ConfigError before anything starts.
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
import type { AssignorName } from '../core/assignor';
import type { CoordinatorNodeOptions } from '../node/coordinator-node';
import { formatHostPort } from '@sluice/proto';

export interface CoordinatorConfig {
  readonly nodeId: number;
  readonly bindHost: string;
  readonly bindPort: number;
  /** host:port published to clients; empty = the bound address. */
  readonly advertisedAddress: string;
  readonly brokerAddress: string;
  readonly controllerAddresses: readonly string[];
  readonly peers: ReadonlyMap<number, string>;
  /** The listener's security (listener.security.protocol.map, ssl.*, sasl.oauthbearer.*, authorizer). */
  readonly security: ServiceSecurity;
  /** audit.log.file, or audit.log in the first log directory. */
  readonly auditLogFile: string;
  readonly raw: SluiceConfig;
  readonly unknownKeys: readonly string[];
}

export function loadCoordinatorConfig(sources: ConfigSources): CoordinatorConfig {
  const loaded = loadSluiceConfig(sources);
  const c = loaded.values;
  if (c['process.roles'].length !== 1 || c['process.roles'][0] !== 'coordinator') {
    throw new ConfigError(
      'process.roles',
      c['process.roles'].join(','),
      'this process runs the coordinator role only: set process.roles=coordinator',
    );
  }
  const voters = c['controller.quorum.voters'];
  if (voters.length === 0)
    throw new ConfigError(
      'controller.quorum.voters',
      '',
      'a coordinator needs the controller quorum (to create __consumer_offsets)',
    );
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):\d{1,5}$/.test(c['coordinator.broker'])) {
    throw new ConfigError(
      'coordinator.broker',
      c['coordinator.broker'],
      'must be the host:port of the broker this coordinator is paired with',
    );
  }
  const listener = c['listeners'][0];
  if (listener === undefined)
    throw new ConfigError('listeners', '', 'needs one listener to serve the Coordinator API on');
  const advertised = c['advertised.listeners'].find((candidate) => candidate.name === listener.name);
  const peers = new Map(c['coordinator.peers'].map((peer) => [peer.id, formatHostPort(peer.host, peer.port)] as const));
  return {
    nodeId: c['node.id'],
    bindHost: listener.host === '' ? '0.0.0.0' : listener.host,
    bindPort: listener.port,
    advertisedAddress: advertised === undefined ? '' : formatHostPort(advertised.host, advertised.port),
    brokerAddress: c['coordinator.broker'],
    controllerAddresses: voters.map((voter) => formatHostPort(voter.host, voter.port)),
    peers,
    security: serviceSecurity(c, listener.name),
    auditLogFile: c['audit.log.file'] !== '' ? c['audit.log.file'] : join(c['log.dirs'][0] as string, 'audit.log'),
    raw: c,
    unknownKeys: loaded.unknownKeys,
  };
}

export function coordinatorNodeOptionsFrom(
  config: CoordinatorConfig,
  log: CoordinatorNodeOptions['log'],
  auditSink?: CoordinatorNodeOptions['auditSink'],
): CoordinatorNodeOptions {
  const raw = config.raw;
  return {
    nodeId: config.nodeId,
    bindHost: config.bindHost,
    bindPort: config.bindPort,
    ...(config.advertisedAddress === '' ? {} : { advertisedAddress: config.advertisedAddress }),
    brokerAddress: config.brokerAddress,
    controllerAddresses: config.controllerAddresses,
    peers: config.peers,
    offsetsTopicPartitions: raw['offsets.topic.num.partitions'],
    offsetsTopicReplicationFactor: raw['offsets.topic.replication.factor'],
    shareStateTopic: {
      partitions: raw['share.coordinator.state.topic.num.partitions'],
      replicationFactor: raw['share.coordinator.state.topic.replication.factor'],
      minIsr: raw['share.coordinator.state.topic.min.isr'],
    },
    maxMessageBytes: raw['message.max.bytes'],
    metrics: { host: raw['metrics.host'], port: raw['metrics.port'] },
    consumerLagIntervalMs: raw['metrics.consumer.lag.interval.ms'],
    groups: {
      sessionTimeoutMs: raw['group.consumer.session.timeout.ms'],
      heartbeatIntervalMs: raw['group.consumer.heartbeat.interval.ms'],
      maxGroupSize: raw['group.consumer.max.size'],
      maxOffsetMetadataBytes: raw['offset.metadata.max.bytes'],
      assignors: raw['group.consumer.assignors'] as readonly AssignorName[],
      assignmentIntervalMs: raw['group.consumer.assignment.interval.ms'],
      share: {
        sessionTimeoutMs: raw['group.share.session.timeout.ms'],
        heartbeatIntervalMs: raw['group.share.heartbeat.interval.ms'],
        maxGroupSize: raw['group.share.max.size'],
      },
    },
    log,
    security: config.security,
    ...(auditSink === undefined ? {} : { auditSink }),
  };
}
