/**
 * NestJS wiring: one provider builds and starts the BrokerNode from the loaded config; Nest owns
 * its life cycle (app.close() -> onApplicationShutdown -> controlled shutdown, then stop).
 */
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Loggers } from '@sluice/runtime';
import type { BrokerConfig } from './config/broker-config';
import { BrokerNode, type BrokerNodeOptions } from './node/broker-node';

export const BROKER_CONFIG = Symbol('BROKER_CONFIG');
export const BROKER_CLUSTER_ID = Symbol('BROKER_CLUSTER_ID');
export const BROKER_LOGGERS = Symbol('BROKER_LOGGERS');

export function brokerNodeOptionsFrom(config: BrokerConfig, clusterId: string, loggers: Loggers): BrokerNodeOptions {
  const raw = config.raw;
  return {
    nodeId: config.nodeId,
    clusterId,
    logDir: config.logDirs[0] as string,
    bindHost: config.bindHost,
    bindPort: config.bindPort,
    listenerName: config.listenerName,
    advertisedHost: config.advertisedHost,
    advertisedPort: config.advertisedPort,
    controllerAddresses: config.controllerAddresses,
    heartbeatIntervalMs: raw['broker.heartbeat.interval.ms'],
    replicaLagTimeMaxMs: raw['replica.lag.time.max.ms'],
    replicaFetchWaitMaxMs: raw['replica.fetch.wait.max.ms'],
    maxMessageBytes: raw['message.max.bytes'],
    minInsyncReplicas: raw['min.insync.replicas'],
    retentionCheckIntervalMs: raw['log.retention.check.interval.ms'],
    metrics: { host: raw['metrics.host'], port: raw['metrics.port'] },
    share: {
      config: {
        recordLockDurationMs: raw['group.share.record.lock.duration.ms'],
        deliveryCountLimit: raw['group.share.delivery.count.limit'],
        maxInFlightRecords: raw['group.share.partition.max.record.locks'],
      },
      coordinatorAddresses: raw['share.coordinator.addresses'],
    },
    log: loggers.log,
  };
}

@Injectable()
export class BrokerLifecycle implements OnApplicationShutdown {
  constructor(@Inject(BrokerNode) private readonly node: BrokerNode) {}

  async onApplicationShutdown(): Promise<void> {
    await this.node.stop();
  }
}

@Module({})
export class BrokerModule {
  static forRoot(config: BrokerConfig, clusterId: string, loggers: Loggers): DynamicModule {
    return {
      module: BrokerModule,
      providers: [
        { provide: BROKER_CONFIG, useValue: config },
        { provide: BROKER_CLUSTER_ID, useValue: clusterId },
        { provide: BROKER_LOGGERS, useValue: loggers },
        {
          provide: BrokerNode,
          useFactory: (c: BrokerConfig, id: string, l: Loggers) => BrokerNode.start(brokerNodeOptionsFrom(c, id, l)),
          inject: [BROKER_CONFIG, BROKER_CLUSTER_ID, BROKER_LOGGERS],
        },
        BrokerLifecycle,
      ],
      exports: [BrokerNode],
    };
  }
}
