/**
 * Authorization runs as a Nest guard after authentication, on every RPC of every service: the
 * service's RpcAccessControl checks what the RPC needs against the node's ACLs and refuses with
 * TOPIC_ / GROUP_ / CLUSTER_AUTHORIZATION_FAILED (audited), or strips refused items for RPCs
 * that answer per item; AccessAnswerInterceptor then completes the answer. Streams whose
 * messages are requests of their own (ProduceStream) check each message in their handler.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { CallHandler, CanActivate, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { RPC_ACCESS_CONTROL } from './authentication.guard';
import { rpcCallContextOf, type RpcCallContext } from './rpc-call-context';
import type { PendingAnswer, RpcAccessControl } from './security/rpc-access-control';
import { UNAUTHENTICATED_SERVICES } from './security/rpc-access-rules';

const pendingAnswers = new WeakMap<RpcCallContext, PendingAnswer>();

@Injectable()
export class AuthorizationGuard implements CanActivate {
  constructor(@Inject(RPC_ACCESS_CONTROL) private readonly access: RpcAccessControl | null) {}

  canActivate(execution: ExecutionContext): boolean {
    if (this.access === null || !this.access.enabled) return true;
    const context = rpcCallContextOf(execution);
    if (UNAUTHENTICATED_SERVICES.has(context.service)) return true;
    const pending = this.access.checkCall(context, execution.switchToRpc().getData());
    if (pending !== undefined) pendingAnswers.set(context, pending);
    return true;
  }
}

@Injectable()
export class AccessAnswerInterceptor implements NestInterceptor {
  constructor(@Inject(RPC_ACCESS_CONTROL) private readonly access: RpcAccessControl | null) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.access === null) return next.handle();
    const context = rpcCallContextOf(execution);
    const pending = pendingAnswers.get(context);
    if (pending === undefined) return next.handle();
    const access = this.access;
    return next.handle().pipe(map((response) => access.completeAnswer(context, pending, response)));
  }
}
