/**
 * The ControllerNode's options from a loaded configuration (Kafka's names) and the process's
 * loggers: what `main.ts` starts.
 */
import type { Loggers } from '@sluice/runtime';
import type { ControllerConfig } from './config/controller-config';
import type { ControllerNodeOptions } from './node/controller-node';
import { createRaftQuorum } from './node/raft-quorum';

export function nodeOptionsFrom(config: ControllerConfig, loggers: Loggers): ControllerNodeOptions {
  const raw = config.raw;
  return {
    nodeId: config.nodeId,
    clusterId: config.clusterId,
    bindHost: config.bindHost,
    bindPort: config.bindPort,
    voters: config.voters,
    brokerSessionTimeoutMs: raw['broker.session.timeout.ms'],
    settings: {
      uncleanLeaderElectionEnable: false,
      defaultNumPartitions: raw['num.partitions'],
      defaultReplicationFactor: raw['default.replication.factor'],
      minInsyncReplicas: raw['min.insync.replicas'],
    },
    readiness: {
      maxLagOffsets: raw['controller.readiness.max.lag.offsets'],
      maxLeaderSilenceMs: raw['controller.readiness.leader.silence.max.ms'],
    },
    metrics: { host: raw['metrics.host'], port: raw['metrics.port'] },
    log: loggers.log,
    auditSink: { write: (line) => loggers.audit.info(line) },
    security: config.security,
    createQuorum: (stateMachine) => createRaftQuorum(config, stateMachine, loggers.log),
  };
}
