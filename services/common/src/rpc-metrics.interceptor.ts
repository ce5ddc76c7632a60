/**
 * Per-RPC request count (by outcome: `ok` or the Kafka error name) and latency, for every RPC a
 * service's controllers handle: `sluice_rpc_requests_total{api,outcome}` and
 * `sluice_rpc_request_seconds{api}`, the same names in every service (the registry's default
 * labels say which service and node). Unary calls and server streams count once, when they end;
 * long polls include their wait. A handler marked `@CountsEachMessage()` (a bidirectional stream
 * whose messages are requests of their own, like ProduceStream) counts each message itself
 * through the injected `RpcMetrics`, and the stream as a whole is not counted.
 */
import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
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

/** The per-RPC series; injectable so a streaming handler can count its own messages. */
@Injectable()
export class RpcMetrics {
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

  /** Starts timing one request of `api`; call the result with its outcome when it ends. */
  start(api: string): (outcome: string) => void {
    const stop = this.seconds.startTimer({ api });
    return (outcome) => {
      stop();
      this.requests.inc({ api, outcome });
    };
  }

  /** Wraps one request's handling: times it and counts its outcome. */
  async measure<T>(api: string, handle: () => Promise<T>): Promise<T> {
    const done = this.start(api);
    try {
      const result = await handle();
      done('ok');
      return result;
    } catch (error) {
      done(outcomeOf(error));
      throw error;
    }
  }
}

export const COUNTS_EACH_MESSAGE = 'sluice:counts-each-message';

/** Marks a streaming handler that counts each of its messages through RpcMetrics itself. */
export const CountsEachMessage = (): MethodDecorator => SetMetadata(COUNTS_EACH_MESSAGE, true);

@Injectable()
export class RpcMetricsInterceptor implements NestInterceptor {
  constructor(
    private readonly metrics: RpcMetrics,
    private readonly reflector: Reflector,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.get<boolean>(COUNTS_EACH_MESSAGE, execution.getHandler()) === true) return next.handle();
    const done = this.metrics.start(rpcCallContextOf(execution).method);
    return next.handle().pipe(
      tap({
        complete: () => done('ok'),
        error: (error: unknown) => done(outcomeOf(error)),
      }),
    );
  }
}
