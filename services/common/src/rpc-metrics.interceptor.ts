/**
 * Per-RPC request count (by outcome: `ok` or the Kafka error name) and latency, for every RPC a
 * service's controllers handle: `sluice_rpc_requests_total{api,outcome}` and
 * `sluice_rpc_request_seconds{api}`, the same names in every service (the registry's default
 * labels say which service and node). Streams count once, when they end; long polls include
 * their wait.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { ApiError } from '@sluice/protocol';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { tap } from 'rxjs';
import type { Observable } from 'rxjs';
import { rpcCallContextOf } from './rpc-call-context';

export const RPC_METRICS_OPTIONS = Symbol('RPC_METRICS_OPTIONS');

export interface RpcMetricsOptions {
  readonly registry: Registry;
  /** `broker`, `controller`, `coordinator`: for the help text. */
  readonly service: string;
}

const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function outcomeOf(error: unknown): string {
  return error instanceof ApiError ? error.errorName : 'UNKNOWN_SERVER_ERROR';
}

@Injectable()
export class RpcMetricsInterceptor implements NestInterceptor {
  private readonly requests: Counter<'api' | 'outcome'>;
  private readonly seconds: Histogram<'api'>;

  constructor(@Inject(RPC_METRICS_OPTIONS) options: RpcMetricsOptions) {
    this.requests = new Counter({
      name: 'sluice_rpc_requests_total',
      help: `${options.service} gRPC requests by API and outcome (ok or the Kafka error name).`,
      labelNames: ['api', 'outcome'],
      registers: [options.registry],
    });
    this.seconds = new Histogram({
      name: 'sluice_rpc_request_seconds',
      help: `${options.service} gRPC request latency by API (long polls include their wait).`,
      labelNames: ['api'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [options.registry],
    });
  }

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const api = rpcCallContextOf(execution).method;
    const stop = this.seconds.startTimer({ api });
    return next.handle().pipe(
      tap({
        complete: () => {
          stop();
          this.requests.inc({ api, outcome: 'ok' });
        },
        error: (error: unknown) => {
          stop();
          this.requests.inc({ api, outcome: outcomeOf(error) });
        },
      }),
    );
  }
}
