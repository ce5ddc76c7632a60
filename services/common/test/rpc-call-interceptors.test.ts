/**
 * RpcCallInterceptors runs its interceptors nested, the first outermost, as Nest did when each
 * was registered on its own: each wraps what the ones inside it return, the handler runs once
 * and only when the outermost Observable is subscribed to, and an error from the handler passes
 * out through every layer. (The three real interceptors on a real app: grpc-app.test.ts,
 * rpc-tracing.test.ts, rpc-access-control.test.ts.)
 */
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { defer, firstValueFrom, map, of, tap, throwError, type Observable } from 'rxjs';
import { RpcCallInterceptors, type SyncInterceptor } from '../src/rpc-call-interceptors';

/** Records entering (at intercept), subscribing, and its answer; appends its name to the value. */
function recording(name: string, log: string[]): SyncInterceptor {
  return {
    intercept(_execution: ExecutionContext, next: CallHandler): Observable<unknown> {
      log.push(`${name} intercept`);
      return defer(() => {
        log.push(`${name} subscribe`);
        return next.handle();
      }).pipe(
        map((value) => `${String(value)}<${name}`),
        tap({ error: () => log.push(`${name} saw error`) }),
      );
    },
  };
}

const execution = {} as ExecutionContext;

describe('RpcCallInterceptors', () => {
  it('nests the interceptors in order and runs the handler once, on subscription', async () => {
    const log: string[] = [];
    const chain = new RpcCallInterceptors([recording('a', log), recording('b', log), recording('c', log)]);
    let handled = 0;
    const answer$ = chain.intercept(execution, {
      handle: () =>
        defer(() => {
          handled++;
          log.push('handler');
          return of('answer');
        }),
    });
    expect(handled).toBe(0);
    expect(await firstValueFrom(answer$)).toBe('answer<c<b<a');
    expect(handled).toBe(1);
    expect(log).toEqual([
      'a intercept',
      'a subscribe',
      'b intercept',
      'b subscribe',
      'c intercept',
      'c subscribe',
      'handler',
    ]);
  });

  it("passes the handler's error out through every layer", async () => {
    const log: string[] = [];
    const chain = new RpcCallInterceptors([recording('a', log), recording('b', log)]);
    const failure = new Error('refused');
    await expect(firstValueFrom(chain.intercept(execution, { handle: () => throwError(() => failure) }))).rejects.toBe(
      failure,
    );
    expect(log.filter((line) => line.endsWith('saw error'))).toEqual(['b saw error', 'a saw error']);
  });

  it('refuses an empty chain', () => {
    expect(() => new RpcCallInterceptors([])).toThrow(RangeError);
  });
});
