/**
 * The cross-cutting part of every service's gRPC surface, as Nest providers: import
 * `SluiceRpcModule.forRoot(...)` in a service's root module and every controller of the service
 * gets authentication (guard), a server span per RPC and per-RPC metrics (interceptors) and Kafka-named error mapping
 * (filter), and the service serves grpc.health.v1 from the `HealthStatus` given here.
 */
import { Module } from '@nestjs/common';
import type { DynamicModule, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import type { ServerErrorReporter } from '@sluice/proto';
import { HealthStatus } from '@sluice/runtime';
import type { Registry } from 'prom-client';
import { ApiErrorRpcFilter } from './api-error.filter';
import {
  AnonymousAuthenticator,
  AUTHENTICATOR,
  AuthenticationGuard,
  RPC_ACCESS_CONTROL,
  type Authenticator,
} from './authentication.guard';
import { AccessAnswerInterceptor, AuthorizationGuard } from './authorization.guard';
import type { RpcAccessControl } from './security/rpc-access-control';
import { GrpcHealthController } from './health.controller';
import { RPC_METRICS_OPTIONS, RpcMetrics, RpcMetricsInterceptor } from './rpc-metrics.interceptor';
import { RpcCallInterceptors } from './rpc-call-interceptors';
import { RpcTracingInterceptor, tracerNameOf } from './rpc-tracing.interceptor';

export interface SluiceRpcModuleOptions {
  /** `broker`, `controller`, `coordinator`: names metrics. */
  readonly service: string;
  readonly registry: Registry;
  readonly health: HealthStatus;
  /** Where unexpected handler errors go (with their reference id), e.g. the service's pino logger. */
  readonly report: ServerErrorReporter;
  /** Default: everybody is User:ANONYMOUS (a PLAINTEXT listener). */
  readonly authenticator?: Authenticator;
  /** Authorization and the audit of refusals; default: none (everything allowed). */
  readonly access?: RpcAccessControl;
}

@Module({})
export class SluiceRpcModule {
  static forRoot(options: SluiceRpcModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: HealthStatus, useValue: options.health },
      { provide: AUTHENTICATOR, useValue: options.authenticator ?? new AnonymousAuthenticator() },
      { provide: RPC_METRICS_OPTIONS, useValue: { registry: options.registry, service: options.service } },
      RpcMetrics,
      { provide: RPC_ACCESS_CONTROL, useValue: options.access ?? null },
      // Guards run in this order: who is calling, then may they.
      { provide: APP_GUARD, useClass: AuthenticationGuard },
      { provide: APP_GUARD, useClass: AuthorizationGuard },
      // One Nest interceptor running the three nested (rpc-call-interceptors.ts: Nest's per-layer
      // wrapping cost more than they do). Tracing first (outermost): the metrics interceptor and
      // the handler run inside the span. Innermost: completes per-item refusals and filters
      // listings on the handler's own answer.
      {
        provide: APP_INTERCEPTOR,
        useFactory: (reflector: Reflector, metrics: RpcMetrics, access: RpcAccessControl | null) =>
          new RpcCallInterceptors([
            new RpcTracingInterceptor(reflector, tracerNameOf(options.service)),
            new RpcMetricsInterceptor(metrics, reflector),
            new AccessAnswerInterceptor(access),
          ]),
        inject: [Reflector, RpcMetrics, RPC_ACCESS_CONTROL],
      },
      { provide: APP_FILTER, useFactory: () => new ApiErrorRpcFilter(options.report) },
    ];
    return {
      module: SluiceRpcModule,
      global: true,
      controllers: [GrpcHealthController],
      providers,
      exports: [HealthStatus, RpcMetrics, RPC_ACCESS_CONTROL],
    };
  }
}
