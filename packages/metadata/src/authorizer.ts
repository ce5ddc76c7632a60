/**
 * Kafka's StandardAuthorizer decision, pure: may `principal` from `host` perform `operation` on
 * a resource, given the ACLs of an image?
 *
 * - `super.users` may do everything;
 * - the ACLs that apply are those whose pattern covers the resource name (LITERAL equal, the
 *   LITERAL wildcard `*`, or a PREFIXED prefix of it), whose principal is the caller's or `User:*`,
 *   and whose host is the caller's or `*`;
 * - a DENY for the operation (or ALL) wins over every ALLOW;
 * - an ALLOW for the operation (or ALL) allows; ALLOW of READ, WRITE, DELETE or ALTER also allows
 *   DESCRIBE, and ALLOW of ALTER_CONFIGS also allows DESCRIBE_CONFIGS (Kafka's implied operations);
 * - when no ACL at all covers the resource, `allow.everyone.if.no.acl.found` decides.
 *
 * The per-image index is built once per AclsImage (images are immutable) and kept weakly.
 */
import { ACL_WILDCARD, type AclEntry, type AclOperation, type AclResourceType } from './acls';
import type { AclsImage } from './acls-image';

export interface AuthorizerSettings {
  /** Principals allowed everything (`super.users`), e.g. `User:admin`, `User:CN=broker-1`. */
  readonly superUsers: readonly string[];
  /** `allow.everyone.if.no.acl.found`: allow a resource no ACL covers. */
  readonly allowEveryoneIfNoAclFound: boolean;
}

export interface AuthorizationRequest {
  readonly principal: string;
  readonly host: string;
  readonly operation: Exclude<AclOperation, 'ALL'>;
  readonly resourceType: AclResourceType;
  readonly resourceName: string;
}

export interface AuthorizationDecision {
  readonly allowed: boolean;
  /** Why, for the audit log: `super user`, `acl <id>`, `no acl allows`, `no acl found`. */
  readonly reason: string;
}

const WILDCARD_PRINCIPAL = 'User:*';

const IMPLIES_DESCRIBE: ReadonlySet<AclOperation> = new Set(['READ', 'WRITE', 'DELETE', 'ALTER']);

interface TypeIndex {
  readonly literal: Map<string, AclEntry[]>;
  readonly prefixed: AclEntry[];
}

type AclIndex = ReadonlyMap<AclResourceType, TypeIndex>;

const indexes = new WeakMap<AclsImage, AclIndex>();

function indexOf(acls: AclsImage): AclIndex {
  let index = indexes.get(acls);
  if (index !== undefined) return index;
  const built = new Map<AclResourceType, TypeIndex>();
  for (const entry of acls.entries()) {
    let byType = built.get(entry.resourceType);
    if (byType === undefined) {
      byType = { literal: new Map(), prefixed: [] };
      built.set(entry.resourceType, byType);
    }
    if (entry.patternType === 'PREFIXED') byType.prefixed.push(entry);
    else {
      const list = byType.literal.get(entry.resourceName);
      if (list === undefined) byType.literal.set(entry.resourceName, [entry]);
      else list.push(entry);
    }
  }
  index = built;
  indexes.set(acls, index);
  return index;
}

function allowsOperation(acl: AclEntry, operation: AclOperation): boolean {
  if (acl.operation === 'ALL' || acl.operation === operation) return true;
  if (operation === 'DESCRIBE') return IMPLIES_DESCRIBE.has(acl.operation);
  if (operation === 'DESCRIBE_CONFIGS') return acl.operation === 'ALTER_CONFIGS';
  return false;
}

export class Authorizer {
  private readonly superUsers: ReadonlySet<string>;

  constructor(readonly settings: AuthorizerSettings) {
    this.superUsers = new Set(settings.superUsers);
  }

  isSuperUser(principal: string): boolean {
    return this.superUsers.has(principal);
  }

  /**
   * May the principal perform `operation` on at least one resource of the type (Kafka's
   * authorizeByResourceType, e.g. an idempotent producer's WRITE on some topic)? An ALLOW that
   * applies to the principal is enough unless a DENY of the wildcard `*` covers everything;
   * with no ACL of the type at all, allow.everyone.if.no.acl.found decides.
   */
  authorizeAny(acls: AclsImage, request: Omit<AuthorizationRequest, 'resourceName'>): AuthorizationDecision {
    if (this.superUsers.has(request.principal)) return { allowed: true, reason: 'super user' };
    const byType = indexOf(acls).get(request.resourceType);
    if (byType === undefined) {
      return this.settings.allowEveryoneIfNoAclFound
        ? { allowed: true, reason: 'no acl found (allow.everyone.if.no.acl.found=true)' }
        : { allowed: false, reason: 'no acl found' };
    }
    const applies = (acl: AclEntry): boolean =>
      (acl.principal === request.principal || acl.principal === WILDCARD_PRINCIPAL) &&
      (acl.host === request.host || acl.host === ACL_WILDCARD);
    for (const acl of byType.literal.get(ACL_WILDCARD) ?? []) {
      if (applies(acl) && acl.permission === 'DENY' && (acl.operation === 'ALL' || acl.operation === request.operation))
        return { allowed: false, reason: `denied by acl ${acl.id}` };
    }
    const all = [...[...byType.literal.values()].flat(), ...byType.prefixed];
    const allowing = all.find(
      (acl) => applies(acl) && acl.permission === 'ALLOW' && allowsOperation(acl, request.operation),
    );
    return allowing !== undefined
      ? { allowed: true, reason: `allowed by acl ${allowing.id}` }
      : { allowed: false, reason: 'no acl allows' };
  }

  authorize(acls: AclsImage, request: AuthorizationRequest): AuthorizationDecision {
    if (this.superUsers.has(request.principal)) return { allowed: true, reason: 'super user' };
    const byType = indexOf(acls).get(request.resourceType);
    let covered = false;
    let allowedBy: AclEntry | undefined;
    const consider = (acl: AclEntry): AclEntry | undefined => {
      covered = true;
      if (acl.principal !== request.principal && acl.principal !== WILDCARD_PRINCIPAL) return undefined;
      if (acl.host !== request.host && acl.host !== ACL_WILDCARD) return undefined;
      if (acl.permission === 'DENY') {
        // Deny is not widened by implied operations: a DENY of READ leaves DESCRIBE alone.
        return acl.operation === 'ALL' || acl.operation === request.operation ? acl : undefined;
      }
      if (allowedBy === undefined && allowsOperation(acl, request.operation)) allowedBy = acl;
      return undefined;
    };
    if (byType !== undefined) {
      for (const name of [request.resourceName, ACL_WILDCARD]) {
        for (const acl of byType.literal.get(name) ?? []) {
          const denied = consider(acl);
          if (denied !== undefined) return { allowed: false, reason: `denied by acl ${denied.id}` };
        }
        if (request.resourceName === ACL_WILDCARD) break;
      }
      for (const acl of byType.prefixed) {
        if (!request.resourceName.startsWith(acl.resourceName)) continue;
        const denied = consider(acl);
        if (denied !== undefined) return { allowed: false, reason: `denied by acl ${denied.id}` };
      }
    }
    if (allowedBy !== undefined) return { allowed: true, reason: `allowed by acl ${(allowedBy as AclEntry).id}` };
    if (!covered) {
      return this.settings.allowEveryoneIfNoAclFound
        ? { allowed: true, reason: 'no acl found (allow.everyone.if.no.acl.found=true)' }
        : { allowed: false, reason: 'no acl found' };
    }
    return { allowed: false, reason: 'no acl allows' };
  }
}
