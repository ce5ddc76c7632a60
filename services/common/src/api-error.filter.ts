/**
 * Errors leave every RPC the same way: an `ApiError` as its gRPC status plus the `sluice-*`
 * trailers (Kafka's name, code, retriability, detail); anything else as UNKNOWN_SERVER_ERROR
 * with a reference id, its stack reported to the service's log and never sent to the caller.
 */
import { Catch } from '@nestjs/common';
import type { ArgumentsHost, RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ApiError } from '@sluice/protocol';
import { toGrpcStatus, type ServerErrorReporter } from '@sluice/proto';
import { throwError } from 'rxjs';
import type { Observable } from 'rxjs';

@Catch()
export class ApiErrorRpcFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly report: ServerErrorReporter) {}

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const error = exception instanceof RpcException ? exception.getError() : exception;
    if (
      !(error instanceof ApiError) &&
      typeof error === 'object' &&
      error !== null &&
      typeof (error as { code?: unknown }).code === 'number'
    ) {
      // Already a gRPC status (health's NOT_FOUND, a stream's CANCELLED): pass it through.
      const status = error as { code: GrpcStatus; message?: string; details?: string };
      return throwError(() => ({ code: status.code, details: status.details ?? status.message ?? '' }));
    }
    return throwError(() => toGrpcStatus(error, this.report));
  }
}
