import type { RequestPhases } from '@sluice/runtime';
import { traceIdOf, type RpcCallContext } from '@sluice/service-common';
import type { Caller } from '../audit/audit-trail';

/** Who called (for the audit log) and the call's phase clock (remote while the quorum commits). */
export interface TimedCaller extends Caller {
  readonly phases: RequestPhases;
}

/** The audit log's view of an RPC's caller, with its request phases. */
export function callerOf(call: RpcCallContext): TimedCaller {
  const traceId = traceIdOf(call.traceparent);
  return {
    principal: call.principal,
    host: call.peerHost,
    phases: call.phases,
    ...(traceId === undefined ? {} : { traceId }),
  };
}
