/**
 * Authorization of every RPC, framework-free: the RPC's rule (rpc-access-rules.ts) names what
 * the call needs, the Authorizer decides against the ACLs of the node's current metadata image,
 * and every refusal (and, when configured, every allowance) leaves one audit line before the
 * caller sees the Kafka-named error. With no authorizer configured everything is allowed, as
 * Kafka without `authorizer.class.name`.
 */
import { Authorizer, type AclsImage, type AuthorizerSettings } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import type { RpcCallContext } from '../rpc-call-context';
import {
  authorizationErrorName,
  CLUSTER,
  RPC_ACCESS_RULES,
  type AccessCheck,
  type AccessRule,
  type RefusedItem,
} from './rpc-access-rules';
import { traceIdOf, type SecurityAudit } from './security-audit';

export interface RpcAccessControlOptions {
  /** Absent: no authorizer (everything allowed, nothing but authentication refusals audited). */
  readonly authorizer?: AuthorizerSettings;
  /** The ACLs in force now (this node's latest metadata image). */
  readonly acls: () => AclsImage;
  readonly audit: SecurityAudit;
  /**
   * Whether this node's image holds the ACLs yet (a restarted broker before it caught up with the
   * metadata log, a coordinator before its feed did). Until then callers other than super users
   * get `notReadyError`, a retriable error, instead of refusals decided on ACLs not yet loaded:
   * Kafka does not open its listeners before its authorizer is ready. Default: always ready.
   */
  readonly ready?: () => boolean;
  /** Default LEADER_NOT_AVAILABLE (retriable). */
  readonly notReadyError?: 'LEADER_NOT_AVAILABLE' | 'COORDINATOR_LOAD_IN_PROGRESS';
}

/** What the guard leaves for the response interceptor: items refused, and the listing filter. */
export interface PendingAnswer {
  readonly rule: AccessRule;
  readonly request: unknown;
  readonly refused: readonly RefusedItem[];
}

type Caller = Pick<RpcCallContext, 'service' | 'method' | 'principal' | 'peerHost' | 'traceparent'>;

export class RpcAccessControl {
  private readonly authorizer: Authorizer | undefined;

  constructor(private readonly options: RpcAccessControlOptions) {
    this.authorizer = options.authorizer === undefined ? undefined : new Authorizer(options.authorizer);
  }

  get enabled(): boolean {
    return this.authorizer !== undefined;
  }

  get audit(): SecurityAudit {
    return this.options.audit;
  }

  /**
   * Checks a call before its handler runs: throws the Kafka-named refusal when the call is
   * refused whole; otherwise strips refused items from `request` and returns what the response
   * needs added or filtered (undefined when nothing).
   */
  checkCall(call: Caller, request: unknown): PendingAnswer | undefined {
    if (this.authorizer === undefined) return undefined;
    this.requireReady(call);
    const rule = RPC_ACCESS_RULES.get(`${call.service}/${call.method}`);
    if (rule === undefined) {
      // An RPC without a rule is open to nobody but super users and services.
      this.require(call, { ...CLUSTER, operation: 'CLUSTER_ACTION' });
      return undefined;
    }
    const payload = (request ?? {}) as Record<string, unknown>;
    for (const check of rule.whole?.(payload) ?? []) this.require(call, check);
    if (rule.anyOf !== undefined) this.requireAny(call, rule.anyOf(payload));
    let refused: RefusedItem[] = [];
    if (rule.items !== undefined) {
      const covering = rule.items.coveredBy;
      if (covering === undefined || !this.decide(call, covering, false).allowed) {
        refused = rule.items
          .items(payload)
          .filter(({ check }) => !this.decide(call, check, true).allowed)
          .map(({ item, check }) => ({
            item,
            errorName: authorizationErrorName(check.resourceType),
            errorMessage: refusalText(call, check),
          }));
        if (refused.length > 0) rule.items.strip(payload, new Set(refused.map((entry) => entry.item)));
      }
    }
    return refused.length > 0 || rule.filter !== undefined ? { rule, request: payload, refused } : undefined;
  }

  /** Adds refused items to, and filters listings in, the handler's response. */
  completeAnswer(call: Caller, pending: PendingAnswer, response: unknown): unknown {
    if (response === null || typeof response !== 'object') return response;
    if (pending.refused.length > 0) pending.rule.items?.answer(response, pending.refused);
    // Filtering a listing is not a refusal: the caller just does not learn the names (not audited).
    pending.rule.filter?.(pending.request, response, (check) => this.decide(call, check, false).allowed);
    return response;
  }

  /** One ProduceStream message: WRITE on each of its topics, all or nothing (the stream answers per message). */
  checkProduce(call: Caller, request: { readonly topics?: readonly { readonly name: string }[] | null }): void {
    if (this.authorizer === undefined) return;
    this.requireReady(call);
    for (const item of request.topics ?? [])
      this.require(call, { resourceType: 'TOPIC', resourceName: item.name, operation: 'WRITE' });
  }

  /** One FetchStream message: READ on each of its topics, as a consumer's unary Fetch (the stream answers per message). */
  checkFetch(call: Caller, request: { readonly topics?: readonly { readonly name: string }[] | null }): void {
    if (this.authorizer === undefined) return;
    this.requireReady(call);
    for (const item of request.topics ?? [])
      this.require(call, { resourceType: 'TOPIC', resourceName: item.name, operation: 'READ' });
  }

  /** Records an authentication refusal (the guard's). */
  auditAuthentication(call: Caller, error: ApiError): void {
    this.options.audit.record({
      principal: call.principal,
      host: call.peerHost,
      rpc: `${call.service}/${call.method}`,
      operation: 'AUTHENTICATE',
      result: error.errorName,
      reason: error.message,
      ...traceField(call),
    });
  }

  /** Once ready, always ready: the image only moves forward. */
  private readyLatched = false;

  private requireReady(call: Caller): void {
    if (this.readyLatched) return;
    if (this.options.ready === undefined || this.options.ready()) {
      this.readyLatched = true;
      return;
    }
    // Super users (the cluster's own processes) need no ACLs: they keep working while the ACLs load.
    if ((this.authorizer as Authorizer).isSuperUser(call.principal)) return;
    throw new ApiError(
      this.options.notReadyError ?? 'LEADER_NOT_AVAILABLE',
      'this node is still loading the ACLs from the metadata log; retry',
    );
  }

  private require(call: Caller, check: AccessCheck): void {
    const decision = this.decide(call, check, true);
    if (!decision.allowed) throw new ApiError(authorizationErrorName(check.resourceType), refusalText(call, check));
  }

  private requireAny(call: Caller, checks: readonly AccessCheck[]): void {
    const authorizer = this.authorizer as Authorizer;
    const acls = this.options.acls();
    for (const check of checks) {
      const decision =
        check.resourceName === '*'
          ? authorizer.authorizeAny(acls, {
              principal: call.principal,
              host: call.peerHost,
              operation: check.operation,
              resourceType: check.resourceType,
            })
          : authorizer.authorize(acls, { principal: call.principal, host: call.peerHost, ...check });
      if (decision.allowed) {
        this.auditDecision(call, check, true, decision.reason);
        return;
      }
    }
    const first = checks[0] as AccessCheck;
    this.auditDecision(call, first, false, `none of ${checks.map(describe).join(', ')} allowed`);
    throw new ApiError(authorizationErrorName(first.resourceType), refusalText(call, first));
  }

  private decide(call: Caller, check: AccessCheck, audited: boolean): { allowed: boolean } {
    const decision = (this.authorizer as Authorizer).authorize(this.options.acls(), {
      principal: call.principal,
      host: call.peerHost,
      ...check,
    });
    if (audited) this.auditDecision(call, check, decision.allowed, decision.reason);
    return decision;
  }

  private auditDecision(call: Caller, check: AccessCheck, allowed: boolean, reason: string): void {
    if (allowed && !this.options.audit.auditAllowed) return;
    this.options.audit.record({
      principal: call.principal,
      host: call.peerHost,
      rpc: `${call.service}/${call.method}`,
      operation: check.operation,
      resource: describe(check),
      result: allowed ? 'ALLOWED' : authorizationErrorName(check.resourceType),
      reason,
      ...traceField(call),
    });
  }
}

function describe(check: AccessCheck): string {
  return `${check.resourceType}:${check.resourceName}`;
}

function refusalText(call: Caller, check: AccessCheck): string {
  return `${call.principal} may not ${check.operation} ${describe(check)}`;
}

function traceField(call: Caller): { traceId?: string } {
  const traceId = traceIdOf(call.traceparent);
  return traceId === undefined ? {} : { traceId };
}
