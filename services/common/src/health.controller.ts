/**
 * `grpc.health.v1.Health` served by a Nest controller from the service's injected `HealthStatus`:
 * Check (what Kubernetes gRPC probes and grpc_health_probe call) and Watch (a stream of status
 * changes, bounded by HealthStatus's watcher limit).
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { HealthStatus, type ServingStatus } from '@sluice/runtime';
import { Observable } from 'rxjs';

interface HealthCheckRequest {
  service?: string;
}
interface HealthCheckResponse {
  status: ServingStatus;
}

@Controller()
export class GrpcHealthController {
  constructor(@Inject(HealthStatus) private readonly health: HealthStatus) {}

  @GrpcMethod('Health', 'Check')
  check(request: HealthCheckRequest): HealthCheckResponse {
    const status = this.health.get(request.service ?? '');
    if (status === undefined)
      throw new RpcException({ code: GrpcStatus.NOT_FOUND, message: `unknown service '${request.service}'` });
    return { status };
  }

  @GrpcMethod('Health', 'Watch')
  watch(request: HealthCheckRequest): Observable<HealthCheckResponse> {
    return new Observable<HealthCheckResponse>((subscriber) => {
      const unwatch = this.health.watch(request.service ?? '', (status) => subscriber.next({ status }));
      if (unwatch === undefined) {
        subscriber.error(
          new RpcException({ code: GrpcStatus.RESOURCE_EXHAUSTED, message: 'too many health watchers' }),
        );
        return undefined;
      }
      return unwatch;
    });
  }
}
