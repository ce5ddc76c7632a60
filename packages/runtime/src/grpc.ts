/**
 * Thin grpc-js helpers every service shares: start a server on host:port (port 0 = OS-chosen,
 * the bound port is returned), build clients with sane channel options, make unary calls with a
 * deadline, and wrap async handlers so errors cross the wire as Kafka-named ApiErrors.
 */
import { credentials, loadPackageDefinition, Metadata, Server, ServerCredentials } from '@grpc/grpc-js';
import type {
  ChannelOptions,
  Client,
  ServerOptions,
  ServerUnaryCall,
  ServiceClientConstructor,
  ServiceDefinition,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { fromGrpcError, toGrpcStatus } from './errors';
import type { ServerErrorReporter } from './errors';

/**
 * Client channel defaults. grpc-js backs off reconnects up to 120 s by default, which would keep
 * a restarted peer unreachable long after it came back; our peers are a handful of known nodes,
 * so retry connecting quickly and often. Keepalive notices a silently dead peer.
 */
export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = Object.freeze({
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
});

export const DEFAULT_SERVER_OPTIONS: ServerOptions = Object.freeze({
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  // Let clients' keepalive pings through without GOAWAY(too_many_pings).
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
});

export interface GrpcServiceRegistration {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

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

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
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

/** The client constructor for a fully qualified service name, e.g. `sluice.v1.RaftPeer`. */
export function serviceClientConstructor(
  packageDefinition: PackageDefinition,
  fullName: string,
): ServiceClientConstructor {
  let node: unknown = loadPackageDefinition(packageDefinition);
  for (const part of fullName.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'function' || !('service' in node))
    throw new Error(`service ${fullName} is not in the loaded protos`);
  return node as ServiceClientConstructor;
}

/** The server-side definition of a service (what `Server.addService` takes). */
export function serviceDefinition(packageDefinition: PackageDefinition, fullName: string): ServiceDefinition {
  return serviceClientConstructor(packageDefinition, fullName).service;
}

export function createGrpcClient(
  ctor: ServiceClientConstructor,
  address: string,
  channelOptions?: ChannelOptions,
): Client {
  return new ctor(address, credentials.createInsecure(), { ...DEFAULT_CHANNEL_OPTIONS, ...channelOptions });
}

export function deadlineAfter(timeoutMs: number, nowMs: number = Date.now()): Date {
  return new Date(nowMs + timeoutMs);
}

export interface UnaryCallOptions {
  readonly timeoutMs: number;
  readonly metadata?: Metadata;
  /** Wait for the channel to connect instead of failing fast when the peer is unreachable. Default false. */
  readonly waitForReady?: boolean;
}

type UnaryMethod = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date; waitForReady?: boolean },
  callback: (error: Error | null, response?: unknown) => void,
) => unknown;

/**
 * One unary call with a deadline. Rejects with the server's ApiError (same Kafka name and
 * detail), REQUEST_TIMED_OUT on deadline, NETWORK_EXCEPTION when unreachable.
 */
export function callUnary<Response>(
  client: Client,
  method: string,
  request: unknown,
  options: UnaryCallOptions,
): Promise<Response> {
  const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`client has no method ${method}`));
  return new Promise<Response>((resolveCall, rejectCall) => {
    const metadata = options.metadata ?? new Metadata();
    fn.call(
      client,
      request,
      metadata,
      { deadline: deadlineAfter(options.timeoutMs), waitForReady: options.waitForReady ?? false },
      (error, response) => (error !== null ? rejectCall(fromGrpcError(error)) : resolveCall(response as Response)),
    );
  });
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
