/**
 * The tiering service's gRPC surface as a NestJS application: the Tiering controller over the
 * TieringApi the node hands in; the shared guard, metrics interceptor, error filter, health and
 * reflection come from SluiceRpcModule.
 */
import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { ServerErrorReporter } from '@sluice/proto';
import type { HealthStatus } from '@sluice/runtime';
import { SluiceRpcModule, startContractGrpcApp, type GrpcApp, type ServiceSecurityParts } from '@sluice/service-common';
import type { Registry } from 'prom-client';
import type { TieringApi } from '../node/tiering-api';
import { TieringController } from './tiering.controller';
import { TIERING_API } from './tokens';

@Module({ controllers: [TieringController] })
export class TieringStatusModule {}

@Global()
@Module({})
export class TieringApiModule {
  static forRoot(api: TieringApi): DynamicModule {
    return { module: TieringApiModule, providers: [{ provide: TIERING_API, useValue: api }], exports: [TIERING_API] };
  }
}

export interface TieringRpcParts {
  readonly api: TieringApi;
  readonly health: HealthStatus;
  readonly registry: Registry;
  readonly report: ServerErrorReporter;
  /** TLS, authentication and authorization; absent: plaintext, everybody User:ANONYMOUS, no ACLs. */
  readonly security?: ServiceSecurityParts;
}

/** Serves the Tiering RPCs on `host:port` (0: the OS chooses) until the app is closed. */
export function startTieringRpc(host: string, port: number, parts: TieringRpcParts): Promise<GrpcApp> {
  @Module({
    imports: [
      SluiceRpcModule.forRoot({
        service: 'tiering',
        registry: parts.registry,
        health: parts.health,
        report: parts.report,
        ...(parts.security?.authenticator === undefined ? {} : { authenticator: parts.security.authenticator }),
        ...(parts.security === undefined ? {} : { access: parts.security.access }),
      }),
      TieringApiModule.forRoot(parts.api),
      TieringStatusModule,
    ],
  })
  class TieringRpcModule {}
  return startContractGrpcApp({
    module: TieringRpcModule,
    host,
    port,
    ...(parts.security?.credentials === undefined
      ? {}
      : { credentials: parts.security.credentials, onTlsHandshakeFailure: parts.security.onTlsHandshakeFailure }),
    services: ['sluice.v1.Tiering', 'grpc.health.v1.Health'],
  });
}
