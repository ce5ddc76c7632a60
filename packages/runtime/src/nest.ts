/**
 * NestJS glue for the runtime helpers: the only runtime file that imports Nest (every sluice
 * service is a Nest application; the helpers themselves stay framework-free and testable):
 * - `grpcMicroserviceOptions`: Nest's GRPC transport with our proto root and loader options;
 * - `ApiErrorRpcFilter`: ApiErrors leave as status + `sluice-*` trailers, others as
 *   UNKNOWN_SERVER_ERROR (reported, never leaked), exactly like `unaryHandler` on raw grpc-js;
 * - `GrpcHealthController`: `grpc.health.v1.Health/Check` backed by an injected `HealthStatus`.
 */
import { Catch, Controller, Inject, Logger } from '@nestjs/common';
import type { ArgumentsHost, RpcExceptionFilter } from '@nestjs/common';
import { GrpcMethod, RpcException, Transport } from '@nestjs/microservices';
import type { GrpcOptions } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ApiError } from '@sluice/protocol';
import { throwError } from 'rxjs';
import type { Observable } from 'rxjs';
import { findProtoDir, HEALTH_PROTO_FILE, loadProtos, toGrpcStatus } from '@sluice/proto';
import type { HealthCheckRequest__Output, HealthCheckResponse } from '@sluice/proto';
import { DEFAULT_SERVER_OPTIONS } from './grpc';
import { HealthStatus } from './health';

export interface GrpcMicroserviceOptions {
  /** `host:port`; Nest binds it as given. */
  readonly url: string;
  /** Proto files relative to the proto root, e.g. `['sluice/v1/controller.proto', 'sluice/v1/raft.proto']`. */
  readonly protoFiles: readonly string[];
  /** Proto packages Nest serves, e.g. `['sluice.v1', 'grpc.health.v1']`. */
  readonly packages: readonly string[];
  /** Add grpc.health.v1 (file and package). Default true. */
  readonly health?: boolean;
  /** Extra proto roots searched before the repository's `proto/` (tests). */
  readonly protoDirs?: readonly string[];
}

export function grpcMicroserviceOptions(options: GrpcMicroserviceOptions): GrpcOptions {
  const withHealth = options.health ?? true;
  const files =
    withHealth && !options.protoFiles.includes(HEALTH_PROTO_FILE)
      ? [...options.protoFiles, HEALTH_PROTO_FILE]
      : [...options.protoFiles];
  const packages =
    withHealth && !options.packages.includes('grpc.health.v1')
      ? [...options.packages, 'grpc.health.v1']
      : [...options.packages];
  return {
    transport: Transport.GRPC,
    options: {
      url: options.url,
      package: packages,
      // Loaded by us, so Nest sees exactly the messages raw grpc-js clients see (PROTO_LOADER_OPTIONS).
      packageDefinition: loadProtos(files, [...(options.protoDirs ?? []), findProtoDir()]),
      channelOptions: { ...DEFAULT_SERVER_OPTIONS },
    },
  };
}

const logger = new Logger('ApiErrorRpcFilter');

/** Register with `app.useGlobalFilters(new ApiErrorRpcFilter())` on the gRPC microservice. */
@Catch()
export class ApiErrorRpcFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const error = exception instanceof RpcException ? exception.getError() : exception;
    if (
      !(error instanceof ApiError) &&
      typeof error === 'object' &&
      error !== null &&
      typeof (error as { code?: unknown }).code === 'number'
    ) {
      // Already a gRPC status (e.g. health's NOT_FOUND): pass it through.
      const status = error as { code: GrpcStatus; message?: string; details?: string };
      return throwError(() => ({ code: status.code, details: status.details ?? status.message ?? '' }));
    }
    return throwError(() =>
      toGrpcStatus(error, (unexpected, referenceId) =>
        logger.error(
          `reference ${referenceId}: ${unexpected instanceof Error ? (unexpected.stack ?? unexpected.message) : String(unexpected)}`,
        ),
      ),
    );
  }
}

/** Provide `{ provide: HealthStatus, useValue: health }` in the module that declares this controller. */
@Controller()
export class GrpcHealthController {
  constructor(@Inject(HealthStatus) private readonly health: HealthStatus) {}

  @GrpcMethod('Health', 'Check')
  check(request: HealthCheckRequest__Output): HealthCheckResponse {
    const status = this.health.get(request.service ?? '');
    if (status === undefined)
      throw new RpcException({ code: GrpcStatus.NOT_FOUND, message: `unknown service '${request.service}'` });
    return { status };
  }
}
