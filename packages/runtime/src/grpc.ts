/**
 * Server-side grpc-js helpers every service shares: start a server on host:port (port 0 =
 * OS-chosen, the bound port is returned) and wrap async handlers so errors cross the wire as
 * Kafka-named ApiErrors. Clients, typed calls and the error mapping itself are @sluice/proto's.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerOptions, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { formatHostPort, toGrpcStatus } from '@sluice/proto';
import type { GrpcServiceRegistration, ServerErrorReporter } from '@sluice/proto';
import { widenServerFlowControlWindows } from './http2-flow-control';

export const DEFAULT_SERVER_OPTIONS: ServerOptions = Object.freeze({
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  // Let clients' keepalive pings through without GOAWAY(too_many_pings).
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
});

export interface StartedGrpcServer {
  readonly server: Server;
  readonly host: string;
  /** The bound port (the OS's choice when 0 was asked for). */
  readonly port: number;
  /** `host:port`, with an IPv6 host in brackets; what peers dial. */
  readonly address: string;
  /** Graceful shutdown; in-flight calls get `graceMs`, then the server is forced down. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartGrpcServerOptions {
  /** Interface to bind: `0.0.0.0` in a pod, `127.0.0.1` in tests. */
  readonly host: string;
  /** 0 lets the OS choose. */
  readonly port: number;
  readonly services: readonly GrpcServiceRegistration[];
  readonly serverOptions?: ServerOptions;
  /** Default: insecure (TLS is terminated by the mesh for now). */
  readonly credentials?: ServerCredentials;
}

export async function startGrpcServer(options: StartGrpcServerOptions): Promise<StartedGrpcServer> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new RangeError(`grpc server port must be an integer in [0, 65535], got ${options.port}`);
  }
  const server = new Server({ ...DEFAULT_SERVER_OPTIONS, ...options.serverOptions });
  for (const service of options.services) server.addService(service.definition, service.implementation);
  const port = await new Promise<number>((resolveBind, rejectBind) => {
    server.bindAsync(
      formatHostPort(options.host, options.port),
      options.credentials ?? ServerCredentials.createInsecure(),
      (error, boundPort) => (error !== null ? rejectBind(error) : resolveBind(boundPort)),
    );
  });
  widenServerFlowControlWindows(server);
  let stopped: Promise<void> | null = null;
  return {
    server,
    host: options.host,
    port,
    address: formatHostPort(options.host, port),
    stop(graceMs = 1_000): Promise<void> {
      stopped ??= new Promise<void>((resolveStop) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolveStop();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolveStop();
        });
      });
      return stopped;
    },
  };
}

/**
 * Wraps an async unary handler for grpc-js: its result is the response, anything it throws is
 * mapped by `toGrpcStatus` (ApiErrors keep their name; others are reported and hidden).
 */
export function unaryHandler<Request, Response>(
  handle: (request: Request, call: ServerUnaryCall<Request, Response>) => Promise<Response> | Response,
  report?: ServerErrorReporter,
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handle(call.request, call))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcStatus(error, report)),
      );
  };
}
