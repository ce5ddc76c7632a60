/**
 * The coordinator's gRPC surface as a NestJS application: feature modules for consumer groups,
 * group administration and share groups over the CoordinatorApi the node hands in; the shared
 * guard, metrics interceptor, error filter, health and reflection come from SluiceRpcModule.
 */
import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { ServerErrorReporter } from '@sluice/proto';
import type { HealthStatus } from '@sluice/runtime';
import { SluiceRpcModule, startContractGrpcApp, type GrpcApp, type ServiceSecurityParts } from '@sluice/service-common';
import type { Registry } from 'prom-client';
import type { CoordinatorApi } from '../node/coordinator-api';
import { ConsumerGroupController } from './consumer-group.controller';
import { GroupAdminController } from './group-admin.controller';
import { ShareGroupController } from './share-group.controller';
import { COORDINATOR_API } from './tokens';

@Module({ controllers: [ConsumerGroupController] })
export class ConsumerGroupModule {}

@Module({ controllers: [GroupAdminController] })
export class GroupAdminModule {}

@Module({ controllers: [ShareGroupController] })
export class ShareGroupModule {}

@Global()
@Module({})
export class CoordinatorApiModule {
  static forRoot(api: CoordinatorApi): DynamicModule {
    return {
      module: CoordinatorApiModule,
      providers: [{ provide: COORDINATOR_API, useValue: api }],
      exports: [COORDINATOR_API],
    };
  }
}

export interface CoordinatorRpcParts {
  readonly api: CoordinatorApi;
  readonly health: HealthStatus;
  readonly registry: Registry;
  readonly report: ServerErrorReporter;
  /** TLS, authentication and authorization; absent: plaintext, everybody User:ANONYMOUS, no ACLs. */
  readonly security?: ServiceSecurityParts;
}

/** Serves the coordinator's RPCs on `host:port` (0: the OS chooses) until the app is closed. */
export function startCoordinatorRpc(host: string, port: number, parts: CoordinatorRpcParts): Promise<GrpcApp> {
  @Module({
    imports: [
      SluiceRpcModule.forRoot({
        service: 'coordinator',
        registry: parts.registry,
        health: parts.health,
        report: parts.report,
        ...(parts.security?.authenticator === undefined ? {} : { authenticator: parts.security.authenticator }),
        ...(parts.security === undefined ? {} : { access: parts.security.access }),
      }),
      CoordinatorApiModule.forRoot(parts.api),
      ConsumerGroupModule,
      GroupAdminModule,
      ShareGroupModule,
    ],
  })
  class CoordinatorRpcModule {}
  return startContractGrpcApp({
    module: CoordinatorRpcModule,
    host,
    port,
    ...(parts.security?.credentials === undefined
      ? {}
      : { credentials: parts.security.credentials, onTlsHandshakeFailure: parts.security.onTlsHandshakeFailure }),
    services: ['sluice.v1.Coordinator', 'grpc.health.v1.Health'],
  });
}
