import type { RpcCallContext } from '@sluice/service-common';
import type { Caller } from '../audit/audit-trail';

/** The audit log's view of an RPC's caller. */
export function callerOf(call: RpcCallContext): Caller {
  return { principal: call.principal, host: call.peerHost };
}
