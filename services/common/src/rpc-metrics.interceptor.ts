/**
 * Per-RPC request count (by outcome: `ok` or the Kafka error name) and latency, for every RPC a
 * service's controllers handle: `sluice_rpc_requests_total{api,outcome}`,
 * `sluice_rpc_request_seconds{api}` (the whole request) and
 * `sluice_rpc_request_phase_seconds{api,phase}` (the same time split into Kafka's RequestMetrics
 * phases: `queue`, `local`, `remote`; see @sluice/runtime request-phases.ts for what each holds),
 * the same names in every service (the registry's default labels say which service and node).
 * Unary calls and server streams count once, when they end; long polls count their wait as
 * remote. A handler marked `@CountsEachMessage()` (a bidirectional stream whose messages are
 * requests of their own, like ProduceStream) counts each message itself through the injected
 * `RpcMetrics` (each message is handled on arrival: no queue time), and the stream as a whole is
 * not counted.
 *
 * Hot path: one labelled child per API is looked up once and kept (the API set is the contract's,
 * so the map is bounded by it); each request then costs four histogram observations and one counter.
 */
import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '@sluice/protocol';
import { monotonicSeconds, PhaseClock, REQUEST_PHASES, type RequestPhase, type RequestPhases } from '@sluice/runtime';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { defer, tap } from 'rxjs';
import type { Observable } from 'rxjs';
import { rpcCallContextOf } from './rpc-call-context';

export const RPC_METRICS_OPTIONS = Symbol('RPC_METRICS_OPTIONS');

export interface RpcMetricsOptions {
  readonly registry: Registry;
  /** `broker`, `controller`, `coordinator`: for the help text. */
  readonly service: string;
}

const LATENCY_BUCKETS_SECONDS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** Bound on distinct API names kept (the contract has a few dozen RPCs per service). */
const MAX_APIS = 256;

export function outcomeOf(error: unknown): string {
  return error instanceof ApiError ? error.errorName : 'UNKNOWN_SERVER_ERROR';
}

interface ApiSeries {
  readonly seconds: Histogram.Internal<'api'>;
  readonly phases: Readonly<Record<RequestPhase, Histogram.Internal<'api' | 'phase'>>>;
  readonly ok: Counter.Internal;
}

/** The per-RPC series; injectable so a streaming handler can count its own messages. */
@Injectable()
export class RpcMetrics {
  private readonly requests: Counter<'api' | 'outcome'>;
  private readonly seconds: Histogram<'api'>;
  private readonly phaseSeconds: Histogram<'api' | 'phase'>;
  private readonly series = new Map<string, ApiSeries>();

  constructor(@Inject(RPC_METRICS_OPTIONS) options: RpcMetricsOptions) {
    this.requests = new Counter({
      name: 'sluice_rpc_requests_total',
      help: `${options.service} gRPC requests by API and outcome (ok or the Kafka error name).`,
      labelNames: ['api', 'outcome'],
      registers: [options.registry],
    });
    this.seconds = new Histogram({
      name: 'sluice_rpc_request_seconds',
      help: `${options.service} gRPC request time by API, from grpc-js handing the call over to the answer (queue + local + remote).`,
      labelNames: ['api'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [options.registry],
    });
    this.phaseSeconds = new Histogram({
      name: 'sluice_rpc_request_phase_seconds',
      help: `${options.service} gRPC request time by API and phase: queue (before the handler ran, or behind other requests), local (this process working), remote (waiting on replicas, a quorum commit, a coordinator write, or a long poll).`,
      labelNames: ['api', 'phase'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [options.registry],
    });
  }

  /**
   * Starts one request of `api` whose time `phases` tracks (a new clock in `local` when absent);
   * call the result with its outcome when it ends.
   */
  start(api: string, phases: PhaseClock = new PhaseClock(monotonicSeconds, 'local')): (outcome: string) => void {
    return (outcome) => {
      const spent = phases.finish();
      const series = this.seriesOf(api);
      series.seconds.observe(spent.queue + spent.local + spent.remote);
      for (const phase of REQUEST_PHASES) series.phases[phase].observe(spent[phase]);
      if (outcome === 'ok') series.ok.inc();
      else this.requests.inc({ api, outcome });
    };
  }

  /** Wraps one request's handling (started now, no queue time): times its phases and counts its outcome. */
  async measure<T>(api: string, handle: (phases: RequestPhases) => Promise<T>): Promise<T> {
    const phases = new PhaseClock(monotonicSeconds, 'local');
    const done = this.start(api, phases);
    try {
      const result = await handle(phases);
      done('ok');
      return result;
    } catch (error) {
      done(outcomeOf(error));
      throw error;
    }
  }

  private seriesOf(api: string): ApiSeries {
    let series = this.series.get(api);
    if (series === undefined) {
      series = {
        seconds: this.seconds.labels({ api }),
        phases: {
          queue: this.phaseSeconds.labels({ api, phase: 'queue' }),
          local: this.phaseSeconds.labels({ api, phase: 'local' }),
          remote: this.phaseSeconds.labels({ api, phase: 'remote' }),
        },
        ok: this.requests.labels({ api, outcome: 'ok' }),
      };
      // Unknown method names come from the transport, not clients' free text; still, keep a bound.
      if (this.series.size < MAX_APIS) this.series.set(api, series);
    }
    return series;
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
    const context = rpcCallContextOf(execution);
    const done = this.metrics.start(context.method, context.phases);
    // The queue ends where the handler starts (Nest runs it when this is subscribed to).
    return defer(() => {
      context.phases.enter('local');
      return next.handle();
    }).pipe(
      tap({
        complete: () => done('ok'),
        error: (error: unknown) => done(outcomeOf(error)),
      }),
    );
  }
}
