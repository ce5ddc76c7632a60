/**
 * The BrokerNode's options from a loaded configuration (Kafka's names), the cluster id its log
 * directories were formatted for, and the process's loggers: what `main.ts` starts.
 */
import type { LogFiles } from '@sluice/log';
import { readMetaProperties, type Loggers } from '@sluice/runtime';
import type { BrokerConfig } from './config/broker-config';
import type { BrokerNodeOptions } from './node/broker-node';

/** A directory for the fsync journal (power-loss tests, see main.ts); unset in production. */
export const FSYNC_JOURNAL_DIR_ENV = 'SLUICE_TEST_FSYNC_JOURNAL_DIR';

export function brokerNodeOptionsFrom(
  config: BrokerConfig,
  clusterId: string,
  loggers: Loggers,
  files?: LogFiles,
): BrokerNodeOptions {
  const raw = config.raw;
  const logDir = config.logDirs[0] as string;
  // main.ts verified every log directory is formatted before this runs.
  const logDirId = readMetaProperties(logDir)?.directoryId;
  return {
    nodeId: config.nodeId,
    clusterId,
    logDir,
    ...(logDirId === undefined ? {} : { logDirId }),
    bindHost: config.bindHost,
    bindPort: config.bindPort,
    listenerName: config.listenerName,
    advertisedHost: config.advertisedHost,
    advertisedPort: config.advertisedPort,
    controllerAddresses: config.controllerAddresses,
    heartbeatIntervalMs: raw['broker.heartbeat.interval.ms'],
    replicaLagTimeMaxMs: raw['replica.lag.time.max.ms'],
    replicaFetchWaitMaxMs: raw['replica.fetch.wait.max.ms'],
    replicaFetchStream: raw['replica.fetch.stream.enable'],
    maxMessageBytes: raw['message.max.bytes'],
    minInsyncReplicas: raw['min.insync.replicas'],
    retentionCheckIntervalMs: raw['log.retention.check.interval.ms'],
    durability: {
      flushIntervalMessages: raw['log.flush.interval.messages'],
      flushIntervalMs: raw['log.flush.interval.ms'],
      logFlushSchedulerIntervalMs: raw['log.flush.scheduler.interval.ms'],
      recoveryPointCheckpointIntervalMs: raw['log.flush.offset.checkpoint.interval.ms'],
      logStartOffsetCheckpointIntervalMs: raw['log.flush.start.offset.checkpoint.interval.ms'],
      highWatermarkCheckpointIntervalMs: raw['replica.high.watermark.checkpoint.interval.ms'],
      durableAcks: raw['durable.acks.enable'],
      files,
    },
    metrics: { host: raw['metrics.host'], port: raw['metrics.port'] },
    share: {
      config: {
        recordLockDurationMs: raw['group.share.record.lock.duration.ms'],
        deliveryCountLimit: raw['group.share.delivery.count.limit'],
        maxInFlightRecords: raw['group.share.partition.max.record.locks'],
      },
      coordinatorAddresses: raw['share.coordinator.addresses'],
    },
    tiering: config.tiering,
    logDirMinFreeBytes: raw['log.dir.min.free.bytes'],
    logDirThrottle: { freeBytes: raw['log.dir.throttle.free.bytes'], maxMs: raw['log.dir.throttle.max.ms'] },
    log: loggers.log,
    security: config.security,
    auditSink: { write: (line) => loggers.audit.info(line) },
  };
}
