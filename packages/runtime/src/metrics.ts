/**
 * Metrics: one prom-client Registry per process (never the global one, so tests can run several
 * "processes" side by side), default Node metrics on, `service` and `node_id` as default labels,
 * served by a tiny node:http server: `GET /metrics` (Prometheus text), `GET /healthz` and
 * `GET /readyz?service=<name>`. /readyz answers the grpc.health.v1 status of a service over plain
 * HTTP, so Kubernetes' httpGet probes keep readiness's meaning when the gRPC port speaks TLS (the
 * kubelet's `grpc:` probe speaks no TLS). It tells nothing but SERVING or not, as /metrics tells more.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ServingStatus } from './health';

export interface MetricsRegistryOptions {
  readonly service: string;
  readonly nodeId: number;
  /** Default Node.js process metrics (event loop lag, GC, heap, fds). Default true. */
  readonly defaultMetrics?: boolean;
}

export function createMetricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service, node_id: String(options.nodeId) });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface HealthReport {
  readonly healthy: boolean;
  /** Shown in the /healthz body; keep it short and free of secrets. */
  readonly detail?: string;
}

export interface StartMetricsServerOptions {
  readonly registry: Registry;
  readonly host: string;
  /** 0 lets the OS choose. */
  readonly port: number;
  /** Liveness for /healthz; default always healthy. */
  readonly health?: () => HealthReport;
  /**
   * The grpc.health.v1 status of a service ('' = the whole server) for /readyz; absent or
   * undefined (a service never registered): 404, as Check answers NOT_FOUND.
   */
  readonly servingStatus?: (service: string) => ServingStatus | undefined;
}

/** Longest service name /readyz looks up; grpc.health.v1 names are short. */
const MAX_SERVICE_NAME_LENGTH = 200;

export interface StartedMetricsServer {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startMetricsServer(options: StartMetricsServerOptions): Promise<StartedMetricsServer> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://metrics.invalid');
    const path = url.pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (error: unknown) =>
          response
            .writeHead(500, { 'content-type': 'text/plain' })
            .end(`metrics collection failed: ${String(error)}\n`),
      );
    } else if (path === '/healthz') {
      const report = options.health?.() ?? { healthy: true };
      response
        .writeHead(report.healthy ? 200 : 503, { 'content-type': 'text/plain' })
        .end(`${report.healthy ? 'ok' : 'unhealthy'}${report.detail !== undefined ? `: ${report.detail}` : ''}\n`);
    } else if (path === '/readyz') {
      const service = url.searchParams.get('service') ?? '';
      const status = service.length > MAX_SERVICE_NAME_LENGTH ? undefined : options.servingStatus?.(service);
      const code = status === undefined ? 404 : status === 'SERVING' ? 200 : 503;
      response
        .writeHead(code, { 'content-type': 'text/plain' })
        .end(`${status ?? 'SERVICE_UNKNOWN'}: '${service.slice(0, MAX_SERVICE_NAME_LENGTH)}'\n`);
    } else {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /metrics, /healthz or /readyz?service=<name>\n');
    }
  });
  // Scrapes are short; do not let an idle keep-alive socket hold close() up.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
