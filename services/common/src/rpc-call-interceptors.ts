/**
 * The per-call interceptors of every service (tracing, metrics, the access answer) registered with
 * Nest as one APP_INTERCEPTOR that runs them nested in order, the first outermost.
 *
 * Why one: Nest wraps each registered interceptor's `next` in a deferred Observable of its own
 * (rxjs `defer` + `mergeAll`, an async step and an `AsyncResource` per layer, per call). A
 * coordinator's heartbeat or OffsetFetch does little work of its own, so those layers were a
 * measurable part of its CPU (docs/performance.md section 43). Here each interceptor's `next` is
 * the next interceptor called directly; only the innermost reaches Nest's handler, through the
 * one `next` Nest gave. Each interceptor still sees the same ExecutionContext and wraps what the
 * ones inside it return, in the same order as when they were registered one by one.
 *
 * What changes for an interceptor: its `next.handle()` calls the next one's `intercept` at once,
 * not on subscription. The three here build their Observables without starting anything (the
 * metrics interceptor enters the `local` phase in a `defer`; tracing calls `next.handle()` inside
 * its span's context when subscribed), so the handler still runs when subscribed, inside the span.
 */
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';

/** An interceptor that answers synchronously (an Observable, not a Promise of one): what nesting needs. */
export interface SyncInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown>;
}

export class RpcCallInterceptors implements NestInterceptor {
  constructor(private readonly chain: readonly SyncInterceptor[]) {
    if (chain.length === 0) throw new RangeError('RpcCallInterceptors needs at least one interceptor');
  }

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    return this.from(0, execution, next);
  }

  private from(index: number, execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const interceptor = this.chain[index] as SyncInterceptor;
    if (index === this.chain.length - 1) return interceptor.intercept(execution, next);
    return interceptor.intercept(execution, { handle: () => this.from(index + 1, execution, next) });
  }
}
