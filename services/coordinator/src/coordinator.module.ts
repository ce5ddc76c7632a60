/** NestJS wiring: one provider builds and starts the CoordinatorNode; Nest owns its life cycle. */
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Loggers } from '@sluice/runtime';
import { coordinatorNodeOptionsFrom, type CoordinatorConfig } from './config/coordinator-config';
import { CoordinatorNode } from './node/coordinator-node';

export const COORDINATOR_CONFIG = Symbol('COORDINATOR_CONFIG');
export const COORDINATOR_LOGGERS = Symbol('COORDINATOR_LOGGERS');

@Injectable()
export class CoordinatorLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CoordinatorNode) private readonly node: CoordinatorNode) {}

  async onApplicationShutdown(): Promise<void> {
    await this.node.stop();
  }
}

@Module({})
export class CoordinatorModule {
  static forRoot(config: CoordinatorConfig, loggers: Loggers): DynamicModule {
    return {
      module: CoordinatorModule,
      providers: [
        { provide: COORDINATOR_CONFIG, useValue: config },
        { provide: COORDINATOR_LOGGERS, useValue: loggers },
        {
          provide: CoordinatorNode,
          useFactory: (c: CoordinatorConfig, l: Loggers) => CoordinatorNode.start(coordinatorNodeOptionsFrom(c, l.log)),
          inject: [COORDINATOR_CONFIG, COORDINATOR_LOGGERS],
        },
        CoordinatorLifecycle,
      ],
      exports: [CoordinatorNode],
    };
  }
}
