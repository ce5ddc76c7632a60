/**
 * The controller's gRPC surface as a NestJS application: feature modules whose controllers
 * handle `sluice.v1.Controller` (broker lifecycle, cluster administration, the metadata feed)
 * and `sluice.v1.RaftPeer`, over providers the ControllerNode hands in (the ControllerApi in
 * front of the pure core, the metadata feed, the Raft envelope handler). Authentication,
 * per-RPC metrics and Kafka-named errors come from SluiceRpcModule.
 */
import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { ServerErrorReporter } from '@sluice/proto';
import { HealthStatus } from '@sluice/runtime';
import { SluiceRpcModule, startContractGrpcApp, type GrpcApp, type ServiceSecurityParts } from '@sluice/service-common';
import { Registry } from 'prom-client';
import type { ControllerApi } from '../api/controller-api';
import type { MetadataFeed } from '../feed/metadata-feed';
import { RAFT_PEER_HANDLER, RaftPeerController } from '../raft/raft-peer.controller';
import type { RaftPeerHandler } from '../raft/raft-peer-service';
import { BrokerLifecycleController } from './broker-lifecycle.controller';
import { ClusterAdminController } from './cluster-admin.controller';
import { MetadataFeedController } from './metadata-feed.controller';
import { CONTROLLER_API, CONTROLLER_RPC_OPTIONS, METADATA_FEED, type ControllerRpcOptions } from './tokens';

@Module({ controllers: [BrokerLifecycleController] })
export class BrokerLifecycleModule {}

@Module({ controllers: [ClusterAdminController] })
export class ClusterAdminModule {}

@Module({ controllers: [MetadataFeedController] })
export class MetadataFeedModule {}

@Module({ controllers: [RaftPeerController] })
export class RaftPeerModule {}

@Global()
@Module({})
export class RaftPeerHandlerModule {
  static forRoot(raftPeer: RaftPeerHandler): DynamicModule {
    const provider = { provide: RAFT_PEER_HANDLER, useValue: raftPeer };
    return { module: RaftPeerHandlerModule, providers: [provider], exports: [RAFT_PEER_HANDLER] };
  }
}

export interface ControllerRpcParts extends ControllerRpcOptions {
  readonly api: ControllerApi;
  readonly feed: MetadataFeed;
  /** The Raft envelope handler; null for a quorum that takes no peer messages (a single-node test quorum). */
  readonly raftPeer: RaftPeerHandler | null;
  readonly health: HealthStatus;
  readonly registry: Registry;
  readonly report: ServerErrorReporter;
  /** TLS, authentication and authorization; absent: plaintext, everybody User:ANONYMOUS, no ACLs. */
  readonly security?: ServiceSecurityParts;
}

@Global()
@Module({})
export class ControllerPartsModule {
  static forRoot(parts: ControllerRpcParts): DynamicModule {
    const providers = [
      { provide: CONTROLLER_API, useValue: parts.api },
      { provide: METADATA_FEED, useValue: parts.feed },
      { provide: CONTROLLER_RPC_OPTIONS, useValue: { clusterId: parts.clusterId, onStream: parts.onStream } },
      ...(parts.raftPeer === null ? [] : [{ provide: RAFT_PEER_HANDLER, useValue: parts.raftPeer }]),
    ];
    return { module: ControllerPartsModule, providers, exports: providers.map((p) => p.provide) };
  }
}

export const CONTROLLER_SERVICE_NAMES = ['sluice.v1.Controller', 'sluice.v1.RaftPeer', 'grpc.health.v1.Health'];

/** Serves the controller's RPCs on `host:port` (0: the OS chooses) until the app is closed. */
export function startControllerRpc(host: string, port: number, parts: ControllerRpcParts): Promise<GrpcApp> {
  const withRaft = parts.raftPeer !== null;
  @Module({
    imports: [
      SluiceRpcModule.forRoot({
        service: 'controller',
        registry: parts.registry,
        health: parts.health,
        report: parts.report,
        ...(parts.security?.authenticator === undefined ? {} : { authenticator: parts.security.authenticator }),
        ...(parts.security === undefined ? {} : { access: parts.security.access }),
      }),
      ControllerPartsModule.forRoot(parts),
      BrokerLifecycleModule,
      ClusterAdminModule,
      MetadataFeedModule,
      ...(withRaft ? [RaftPeerModule] : []),
    ],
  })
  class ControllerRpcModule {}
  return startContractGrpcApp({
    module: ControllerRpcModule,
    host,
    port,
    ...(parts.security?.credentials === undefined
      ? {}
      : { credentials: parts.security.credentials, onTlsHandshakeFailure: parts.security.onTlsHandshakeFailure }),
    services: withRaft ? CONTROLLER_SERVICE_NAMES : CONTROLLER_SERVICE_NAMES.filter((s) => s !== 'sluice.v1.RaftPeer'),
  });
}

/**
 * Serves RaftPeer alone (the Raft driver's own tests and harnesses run quorums without the
 * controller core): the same controller, guard, interceptor and filter as a full controller.
 */
export function startRaftPeerRpc(
  host: string,
  port: number,
  raftPeer: RaftPeerHandler,
  report: ServerErrorReporter = () => undefined,
): Promise<GrpcApp> {
  @Module({
    imports: [
      SluiceRpcModule.forRoot({
        service: 'controller',
        registry: new Registry(),
        health: new HealthStatus('SERVING'),
        report,
      }),
      RaftPeerHandlerModule.forRoot(raftPeer),
      RaftPeerModule,
    ],
  })
  class RaftPeerRpcModule {}
  return startContractGrpcApp({
    module: RaftPeerRpcModule,
    host,
    port,
    services: ['sluice.v1.RaftPeer', 'grpc.health.v1.Health'],
  });
}
