/**
 * The server side of every RPC as an OpenTelemetry span (kind SERVER, named `{service}/{method}`
 * as the RPC conventions say, e.g. `sluice.v1.Broker/Fetch`): its parent is the caller's W3C
 * `traceparent` gRPC metadata when sent (RpcCallContext), and the handler runs inside it, so the
 * spans a handler makes (a coordinator's heartbeat, a broker's share acquire) and the log lines
 * it writes (trace_id / span_id) belong to the call. A failed call's span has status ERROR and
 * `error.type` set to the Kafka error name.
 *
 * Without a registered SDK this costs one check per call (`activeTracer`) and nothing else.
 * Bidirectional streams whose messages are requests of their own (`@CountsEachMessage()`, i.e.
 * ProduceStream) get no span: one span for a connection's lifetime says nothing; the records
 * they carry are traced by the produce path instead. Health checks get none either.
 */
import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { context as otelContext, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { activeTracer, parseTraceparent, type SluiceTracerName } from '@sluice/tracing';
import { Observable } from 'rxjs';
import { rpcCallContextOf } from './rpc-call-context';
import { COUNTS_EACH_MESSAGE, outcomeOf } from './rpc-metrics.interceptor';

const UNTRACED_SERVICES = new Set(['grpc.health.v1.Health']);

/** `broker` -> the broker's tracer name. */
export function tracerNameOf(service: string): SluiceTracerName {
  switch (service) {
    case 'broker':
      return 'sluice-broker';
    case 'coordinator':
      return 'sluice-coordinator';
    default:
      return 'sluice-controller';
  }
}

@Injectable()
export class RpcTracingInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly tracerName: SluiceTracerName,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const tracer = activeTracer(this.tracerName);
    if (tracer === undefined) return next.handle();
    if (this.reflector.get<boolean>(COUNTS_EACH_MESSAGE, execution.getHandler()) === true) return next.handle();
    const call = rpcCallContextOf(execution);
    if (UNTRACED_SERVICES.has(call.service)) return next.handle();
    const remote = parseTraceparent(call.traceparent);
    const parent = remote === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, remote);
    const span = tracer.startSpan(
      `${call.service}/${call.method}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'rpc.system': 'grpc',
          'rpc.service': call.service,
          'rpc.method': call.method,
          'network.peer.address': call.peerHost,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    return new Observable<unknown>((subscriber) => {
      const subscription = otelContext.with(active, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            const errorName = outcomeOf(error);
            span.setAttribute('error.type', errorName);
            span.setStatus({ code: SpanStatusCode.ERROR, message: errorName });
            span.end();
            subscriber.error(error);
          },
          complete: () => {
            span.end();
            subscriber.complete();
          },
        }),
      );
      return () => {
        // A cancelled call (the client went away) ends its span too.
        if (span.isRecording()) span.end();
        subscription.unsubscribe();
      };
    });
  }
}
