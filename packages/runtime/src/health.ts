/**
 * `grpc.health.v1.Health` (proto/grpc/health/v1/health.proto), the protocol Kubernetes gRPC
 * probes and grpc_health_probe speak. The service sets statuses; `''` is the whole server.
 * Check on a service never registered answers NOT_FOUND, as the protocol specifies.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { serviceRegistration } from '@sluice/proto';
import type { GrpcServiceRegistration, HealthCheckResponse__Output, HealthHandlers } from '@sluice/proto';

/** The protocol's statuses, as the generated type names them. */
export type ServingStatus = HealthCheckResponse__Output['status'];

/** Watch streams are bounded: a probe storm must not grow memory without limit. */
const DEFAULT_MAX_WATCHERS = 256;

export class HealthStatus {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<{ service: string; send: (status: ServingStatus) => void }>();

  constructor(
    initial: ServingStatus = 'NOT_SERVING',
    private readonly maxWatchers = DEFAULT_MAX_WATCHERS,
  ) {
    this.statuses.set('', initial);
  }

  /** Sets the status of `service` ('' = the whole server) and tells its watchers. */
  set(service: string, status: Exclude<ServingStatus, 'SERVICE_UNKNOWN'>): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const watcher of this.watchers) if (watcher.service === service) watcher.send(status);
  }

  get(service = ''): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /**
   * Calls `onStatus` with the current status of `service` (SERVICE_UNKNOWN when never set) and
   * with every change; returns the unsubscribe function, or undefined when `maxWatchers` are
   * already watching (the caller answers RESOURCE_EXHAUSTED).
   */
  watch(service: string, onStatus: (status: ServingStatus) => void): (() => void) | undefined {
    if (this.watchers.size >= this.maxWatchers) return undefined;
    const watcher = { service, send: onStatus };
    this.watchers.add(watcher);
    onStatus(this.statuses.get(service) ?? 'SERVICE_UNKNOWN');
    return () => void this.watchers.delete(watcher);
  }

  /** Marks every service NOT_SERVING: call first thing on shutdown so load balancers drain us. */
  shutdown(): void {
    for (const service of [...this.statuses.keys()]) this.set(service, 'NOT_SERVING');
  }

  implementation(): HealthHandlers {
    return {
      Check: (call, callback) => {
        const status = this.statuses.get(call.request.service ?? '');
        if (status === undefined)
          callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service '${call.request.service}'` });
        else callback(null, { status });
      },
      Watch: (call) => {
        const remove = this.watch(call.request.service ?? '', (status) => void call.write({ status }));
        if (remove === undefined) {
          call.emit('error', { code: GrpcStatus.RESOURCE_EXHAUSTED, details: 'too many health watchers' });
          return;
        }
        call.on('cancelled', remove);
        call.on('close', remove);
        call.on('error', remove);
      },
    };
  }

  registration(): GrpcServiceRegistration {
    return serviceRegistration('Health', this.implementation());
  }
}
