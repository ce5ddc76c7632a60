/**
 * The broker's gRPC surface as a NestJS application: feature modules for producing, fetching,
 * metadata, share groups and log directories over the BrokerRequests the node hands in; the shared guard,
 * metrics interceptor, error filter, health and reflection come from SluiceRpcModule.
 */
import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { ServerErrorReporter } from '@sluice/proto';
import type { HealthStatus } from '@sluice/runtime';
import { SluiceRpcModule, startContractGrpcApp, type GrpcApp, type ServiceSecurityParts } from '@sluice/service-common';
import type { Registry } from 'prom-client';
import type { BrokerRequests } from './broker-requests';
import { FetchController } from './fetch.controller';
import { LogDirsController } from './log-dirs.controller';
import { MetadataController } from './metadata.controller';
import { ProduceController } from './produce.controller';
import { ShareController } from './share.controller';
import { ConsumerFetchStreams } from '../node/consumer-fetch-stream';
import { ReplicaFetchStreams } from '../node/replica-fetch-stream';
import {
  BROKER_REQUESTS,
  CONSUMER_FETCH_STREAMS,
  PRODUCE_STREAM_SETTINGS,
  REPLICA_FETCH_STREAMS,
  type ProduceStreamSettings,
} from './tokens';

@Module({ controllers: [ProduceController] })
export class ProduceModule {}

@Module({ controllers: [FetchController] })
export class FetchModule {}

@Module({ controllers: [MetadataController] })
export class MetadataModule {}

@Module({ controllers: [ShareController] })
export class ShareModule {}

@Module({ controllers: [LogDirsController] })
export class LogDirsModule {}

@Global()
@Module({})
export class BrokerRequestsModule {
  static forRoot(
    requests: BrokerRequests,
    produceStream: ProduceStreamSettings,
    replicaFetchStreams: ReplicaFetchStreams,
    consumerFetchStreams: ConsumerFetchStreams,
  ): DynamicModule {
    const providers = [
      { provide: BROKER_REQUESTS, useValue: requests },
      { provide: PRODUCE_STREAM_SETTINGS, useValue: produceStream },
      { provide: REPLICA_FETCH_STREAMS, useValue: replicaFetchStreams },
      { provide: CONSUMER_FETCH_STREAMS, useValue: consumerFetchStreams },
    ];
    return {
      module: BrokerRequestsModule,
      providers,
      exports: [BROKER_REQUESTS, PRODUCE_STREAM_SETTINGS, REPLICA_FETCH_STREAMS, CONSUMER_FETCH_STREAMS],
    };
  }
}

export interface BrokerRpcParts {
  readonly requests: BrokerRequests;
  readonly health: HealthStatus;
  readonly registry: Registry;
  readonly report: ServerErrorReporter;
  readonly produceStream?: ProduceStreamSettings;
  /** The followers' fetch streams this broker serves; absent: served (enabled). */
  readonly replicaFetchStreams?: ReplicaFetchStreams;
  /** The consumers' fetch streams this broker serves; absent: served (enabled). */
  readonly consumerFetchStreams?: ConsumerFetchStreams;
  /** TLS, authentication and authorization; absent: plaintext, everybody User:ANONYMOUS, no ACLs. */
  readonly security?: ServiceSecurityParts;
}

/** Serves the broker's RPCs on `host:port` (0: the OS chooses) until the app is closed. */
export function startBrokerRpc(host: string, port: number, parts: BrokerRpcParts): Promise<GrpcApp> {
  @Module({
    imports: [
      SluiceRpcModule.forRoot({
        service: 'broker',
        registry: parts.registry,
        health: parts.health,
        report: parts.report,
        ...(parts.security?.authenticator === undefined ? {} : { authenticator: parts.security.authenticator }),
        ...(parts.security === undefined ? {} : { access: parts.security.access }),
      }),
      BrokerRequestsModule.forRoot(
        parts.requests,
        parts.produceStream ?? {},
        parts.replicaFetchStreams ?? new ReplicaFetchStreams(true),
        parts.consumerFetchStreams ?? new ConsumerFetchStreams(true),
      ),
      ProduceModule,
      FetchModule,
      MetadataModule,
      ShareModule,
      LogDirsModule,
    ],
  })
  class BrokerRpcModule {}
  return startContractGrpcApp({
    module: BrokerRpcModule,
    host,
    port,
    ...(parts.security?.credentials === undefined
      ? {}
      : { credentials: parts.security.credentials, onTlsHandshakeFailure: parts.security.onTlsHandshakeFailure }),
    services: ['sluice.v1.Broker', 'grpc.health.v1.Health'],
  });
}
