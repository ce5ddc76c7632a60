/**
 * The gRPC transport strategy every sluice service runs under NestJS: Nest's own `ServerGrpc`
 * (controllers with `@GrpcMethod` / `@GrpcStreamCall`, interceptors, guards, filters), with what
 * a broker or controller needs beyond it:
 * - the port the OS chose when 0 was asked for (a broker registers its bound port; tests and the
 *   local launcher bind port 0), which Nest's server does not expose;
 * - our channel defaults (64 MiB messages, keepalive pings accepted) and credentials;
 * - gRPC server reflection (`grpc.reflection.v1` and `v1alpha`) for the services this server
 *   serves, so `grpcurl -plaintext host:port list` / `describe` work against any sluice port;
 * - a bounded close: in-flight calls get `shutdownGraceMs`, then the server is forced down;
 * - each call stamped when grpc-js hands it over, where its queue time starts (rpc-call-context.ts);
 * - a request that does not decode refused as INVALID_REQUEST (malformed-requests.ts);
 * - Fetch and ReplicaFetchStream answers hand-encoded into reused scratch space
 *   (record-answer-serializers.ts): no protobufjs copy of the records per answer.
 */
import { Server as GrpcJsServer, ServerCredentials } from '@grpc/grpc-js';
import type { ServerOptions } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { ServerGrpc } from '@nestjs/microservices';
import { formatHostPort } from '@sluice/proto';
import { DEFAULT_SERVER_OPTIONS, widenServerFlowControlWindows } from '@sluice/runtime';
import { refuseMalformedRequests, tolerantRequests } from './malformed-requests';
import { recordAnswerSerializers } from './record-answer-serializers';
import { markCallReceived, peerHostOf } from './rpc-call-context';

export interface SluiceGrpcServerOptions {
  /** Interface to bind: `0.0.0.0` in a pod, `127.0.0.1` in tests. */
  readonly host: string;
  /** 0 lets the OS choose; `boundPort` tells which. */
  readonly port: number;
  /** The loaded protos (PROTO_LOADER_OPTIONS): what Nest routes and reflection describes. */
  readonly packageDefinition: PackageDefinition;
  /** Fully qualified services this server serves, e.g. `['sluice.v1.Broker', 'grpc.health.v1.Health']`. */
  readonly services: readonly string[];
  readonly serverOptions?: ServerOptions;
  /** Default: insecure. */
  readonly credentials?: ServerCredentials;
  /** Serve gRPC server reflection for `services`. Default true. */
  readonly reflection?: boolean;
  /**
   * What reflection describes: by default `packageDefinition`'s own descriptors; the contract's
   * services pass the exact ones `buf build` made (`contractReflectionDefinition()`).
   */
  readonly reflectionDescriptors?: object;
  /** How long close() lets in-flight calls finish before forcing the server down. Default 1000. */
  readonly shutdownGraceMs?: number;
  /**
   * Told of every failed TLS handshake (a plaintext client, a certificate from another CA when
   * client certificates are required): no call exists to audit, so the connection is audited.
   * At most TLS_FAILURE_REPORTS_PER_SECOND a second; the rest are counted into the next report.
   */
  readonly onTlsHandshakeFailure?: (peerHost: string, reason: string, suppressedBefore: number) => void;
}

/** Bound on handshake-failure reports: a port scan must not flood the audit log. */
export const TLS_FAILURE_REPORTS_PER_SECOND = 20;

/** grpc-js keeps its http2 servers private; the handshake-failure hook needs them (checked at bind). */
interface GrpcServerInternals {
  readonly http2Servers?: Map<
    { on(event: 'tlsClientError', listener: (error: Error, socket: { remoteAddress?: string }) => void): void },
    unknown
  >;
}

/** `sluice.v1.Broker` -> `sluice.v1`. */
function packageOf(fullServiceName: string): string {
  const at = fullServiceName.lastIndexOf('.');
  if (at <= 0) throw new RangeError(`service name ${fullServiceName} is not fully qualified (package.Service)`);
  return fullServiceName.slice(0, at);
}

export class SluiceGrpcServer extends ServerGrpc {
  private boundPortValue: number | undefined;
  private readonly shutdownGraceMs: number;

  constructor(private readonly sluiceOptions: SluiceGrpcServerOptions) {
    if (!Number.isInteger(sluiceOptions.port) || sluiceOptions.port < 0 || sluiceOptions.port > 65_535) {
      throw new RangeError(`grpc server port must be an integer in [0, 65535], got ${sluiceOptions.port}`);
    }
    if (sluiceOptions.services.length === 0) throw new RangeError('a gRPC server must serve at least one service');
    const reflection = sluiceOptions.reflection ?? true;
    super({
      url: formatHostPort(sluiceOptions.host, sluiceOptions.port),
      package: [...new Set(sluiceOptions.services.map(packageOf))],
      // A request that does not decode reaches refuseMalformedRequests, not grpc-js's nameless INTERNAL;
      // answers carrying records are hand-encoded into scratch space (record-answer-serializers.ts).
      packageDefinition: recordAnswerSerializers(tolerantRequests(sluiceOptions.packageDefinition)),
      onLoadPackageDefinition: reflection
        ? (definition, server) =>
            new ReflectionService((sluiceOptions.reflectionDescriptors ?? definition) as PackageDefinition, {
              services: [...sluiceOptions.services],
            }).addToServer(server as GrpcJsServer)
        : undefined,
    });
    this.shutdownGraceMs = sluiceOptions.shutdownGraceMs ?? 1_000;
  }

  /** The bound port; defined once the Nest microservice listens. */
  get boundPort(): number {
    if (this.boundPortValue === undefined) throw new Error('the gRPC server is not listening yet');
    return this.boundPortValue;
  }

  /** `host:port` peers dial (IPv6 hosts bracketed). */
  get address(): string {
    return formatHostPort(this.sluiceOptions.host, this.boundPort);
  }

  /** Nest calls this from listen(): our options, our credentials, and the bound port kept. */
  override async createClient(): Promise<GrpcJsServer> {
    const options = { ...DEFAULT_SERVER_OPTIONS, ...this.sluiceOptions.serverOptions };
    const server = new GrpcJsServer({
      ...options,
      interceptors: [refuseMalformedRequests, ...(options.interceptors ?? [])],
    });
    this.boundPortValue = await new Promise<number>((resolveBind, rejectBind) => {
      server.bindAsync(
        formatHostPort(this.sluiceOptions.host, this.sluiceOptions.port),
        this.sluiceOptions.credentials ?? ServerCredentials.createInsecure(),
        (error, port) => (error !== null ? rejectBind(error) : resolveBind(port)),
      );
    });
    widenServerFlowControlWindows(server);
    const report = this.sluiceOptions.onTlsHandshakeFailure;
    if (report !== undefined && this.sluiceOptions.credentials?._isSecure() === true) {
      const http2Servers = (server as unknown as GrpcServerInternals).http2Servers;
      if (!(http2Servers instanceof Map) || http2Servers.size === 0)
        throw new Error('assertion: grpc-js no longer keeps http2Servers; the TLS handshake audit needs another hook');
      let windowStartMs = 0;
      let reported = 0;
      let suppressed = 0;
      for (const http2Server of http2Servers.keys()) {
        http2Server.on('tlsClientError', (error, socket) => {
          const nowMs = Date.now();
          if (nowMs - windowStartMs >= 1_000) {
            windowStartMs = nowMs;
            reported = 0;
          }
          if (reported >= TLS_FAILURE_REPORTS_PER_SECOND) {
            suppressed++;
            return;
          }
          reported++;
          report(peerHostOf(socket.remoteAddress ?? 'unknown'), error.message, suppressed);
          suppressed = 0;
        });
      }
    }
    return server;
  }

  /** Every handler Nest registers with grpc-js, wrapped to stamp the call's arrival first. */
  override createServiceMethod(
    methodHandler: Parameters<ServerGrpc['createServiceMethod']>[0],
    protoNativeHandler: Parameters<ServerGrpc['createServiceMethod']>[1],
    streamType: Parameters<ServerGrpc['createServiceMethod']>[2],
  ): ReturnType<ServerGrpc['createServiceMethod']> {
    const handler = super.createServiceMethod(methodHandler, protoNativeHandler, streamType);
    return (call: object, ...rest: unknown[]) => {
      markCallReceived(call);
      return (handler as (call: object, ...rest: unknown[]) => unknown)(call, ...rest);
    };
  }

  /** Graceful for `shutdownGraceMs`, then forced: a hung stream must not keep a stopping process. */
  override async close(): Promise<void> {
    const server = this.grpcClient as GrpcJsServer | null;
    if (server === null || server === undefined) return;
    this.grpcClient = null;
    await new Promise<void>((resolveStop) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolveStop();
      }, this.shutdownGraceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolveStop();
      });
    });
  }
}
