/**
 * NestJS wiring: one provider builds and starts the ControllerNode from the loaded config; Nest
 * owns its life cycle (app.close() -> onApplicationShutdown -> node.stop()). The gRPC handlers
 * live in api/ and stay thin; decisions are in core/.
 */
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Loggers } from '@sluice/runtime';
import type { ControllerConfig } from './config/controller-config';
import { ControllerNode } from './node/controller-node';
import { createRaftQuorum } from './node/raft-quorum';

export const CONTROLLER_CONFIG = Symbol('CONTROLLER_CONFIG');
export const LOGGERS = Symbol('LOGGERS');

export function nodeOptionsFrom(
  config: ControllerConfig,
  loggers: Loggers,
): Parameters<typeof ControllerNode.start>[0] {
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
    },
    metrics: { host: raw['metrics.host'], port: raw['metrics.port'] },
    log: loggers.log,
    auditSink: { write: (line) => loggers.audit.info(line) },
    createQuorum: (stateMachine) => createRaftQuorum(config, stateMachine, loggers.log),
  };
}

@Injectable()
export class ControllerLifecycle implements OnApplicationShutdown {
  constructor(@Inject(ControllerNode) private readonly node: ControllerNode) {}

  async onApplicationShutdown(): Promise<void> {
    await this.node.stop();
  }
}

@Module({})
export class ControllerModule {
  static forRoot(config: ControllerConfig, loggers: Loggers): DynamicModule {
    return {
      module: ControllerModule,
      providers: [
        { provide: CONTROLLER_CONFIG, useValue: config },
        { provide: LOGGERS, useValue: loggers },
        {
          provide: ControllerNode,
          useFactory: (c: ControllerConfig, l: Loggers) => ControllerNode.start(nodeOptionsFrom(c, l)),
          inject: [CONTROLLER_CONFIG, LOGGERS],
        },
        ControllerLifecycle,
      ],
      exports: [ControllerNode],
    };
  }
}
